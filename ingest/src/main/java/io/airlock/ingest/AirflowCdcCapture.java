package io.airlock.ingest;

import io.airlock.ingest.internal.CdcRecordRouter;
import io.airlock.ingest.internal.DebeziumProperties;
import io.airlock.ingest.internal.IngestMeters;
import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.format.Json;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Metrics;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Captures {@code log}, {@code dag_run} and {@code ab_user} of an Airflow metadata database with the embedded Debezium
 * engine and writes the change events to {@code <prefix>.cdc.airflow.<table>}. A record is marked processed (so its LSN may
 * be confirmed to PostgreSQL) only after Kafka acknowledged it; the connector's offsets live in a Kafka topic, so a
 * restart resumes where the last acknowledged batch ended.
 *
 * <p>Meters ({@link IngestMeters}): {@code airlock.events.in{source=airflow}}, {@code airlock.cdc.lag.ms},
 * {@code airlock.cdc.idle.ms}.
 */
public final class AirflowCdcCapture implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AirflowCdcCapture.class);

    private final AirflowDatabaseSettings database;
    private final CaptureSettings capture;
    private final KafkaProducer<String, String> producer;
    private final CdcRecordRouter router;
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> new Thread(r, "airlock-cdc"));
    private final AtomicLong captured = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final CountDownLatch started = new CountDownLatch(1);
    private final CountDownLatch snapshotInKafka = new CountDownLatch(1);
    private final Counter eventsIn = IngestMeters.eventsIn(IngestMeters.SOURCE_AIRFLOW);
    private final List<Meter> meters = new ArrayList<>();
    private volatile long lagMillis;
    /** Held while a batch is sent and marked; {@link #close()} waits for it. */
    private final ReentrantLock batchInHand = new ReentrantLock();
    private volatile boolean engineStopped;
    private volatile boolean closing;
    private volatile long lastBatchMillis = System.currentTimeMillis();
    private DebeziumEngine<ChangeEvent<String, String>> engine;

    public AirflowCdcCapture(AirflowDatabaseSettings database, CaptureSettings capture) {
        this.database = database;
        this.capture = capture;
        this.router = new CdcRecordRouter(capture.topics(), capture.serverName());
        var props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, capture.bootstrapServers());
        capture.kafkaSecurity().applyTo(props);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        props.put(ProducerConfig.CLIENT_ID_CONFIG, capture.serverName() + "-cdc");
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    /** Checks the database (clear errors for missing logical WAL, privileges or tables), then starts capturing in the background. */
    public AirflowCdcCapture start() {
        new AirflowDatabasePreflight(database).check();
        Properties props = DebeziumProperties.of(database, capture);
        engine = DebeziumEngine.create(Json.class)
                .using(props)
                .notifying(this::handleBatch)
                .using(new DebeziumEngine.ConnectorCallback() {
                    @Override
                    public void taskStarted() {
                        started.countDown();
                    }
                })
                .using((success, message, error) -> {
                    engineStopped = true;
                    if (!success && error != null) {
                        failure.set(error);
                        LOG.error("Airflow capture stopped: {}", message, error);
                    } else {
                        LOG.info("Airflow capture stopped");
                    }
                })
                .build();
        executor.execute(engine);
        meters.add(IngestMeters.millisGauge(IngestMeters.CDC_LAG,
                "Capture lag behind PostgreSQL: time a change reached Kafka minus its commit time, latest change", () -> lagMillis));
        meters.add(IngestMeters.millisGauge(IngestMeters.CDC_IDLE,
                "Time since the Debezium engine last handed over a batch (heartbeats included)",
                this::millisSinceLastBatch));
        LOG.info("Capturing Airflow tables {} from {}", String.join(",", io.airlock.core.Topics.AIRFLOW_TABLES), database);
        return this;
    }

    private void handleBatch(List<ChangeEvent<String, String>> records, DebeziumEngine.RecordCommitter<ChangeEvent<String, String>> committer)
            throws InterruptedException {
        batchInHand.lock();
        try {
            if (closing) {
                // Not sent and not marked processed: captured again, once, after the restart.
                return;
            }
            sendAndMarkProcessed(records, committer);
        } finally {
            batchInHand.unlock();
        }
    }

    private void sendAndMarkProcessed(List<ChangeEvent<String, String>> records,
            DebeziumEngine.RecordCommitter<ChangeEvent<String, String>> committer) throws InterruptedException {
        lastBatchMillis = System.currentTimeMillis();
        List<Future<RecordMetadata>> sends = new ArrayList<>(records.size());
        Long lastCommitMillis = null;
        for (ChangeEvent<String, String> record : records) {
            var routed = router.route(record.destination(), record.key(), record.value());
            if (routed.isPresent()) {
                sends.add(producer.send(routed.get()));
                if (routed.get().timestamp() != null) {
                    lastCommitMillis = routed.get().timestamp();
                }
            }
        }
        producer.flush();
        for (Future<RecordMetadata> send : sends) {
            try {
                send.get();
            } catch (ExecutionException e) {
                // Not marking the batch processed: the engine stops and the records are captured again after a restart.
                throw new IllegalStateException("Kafka did not acknowledge a captured change", e.getCause());
            }
        }
        for (ChangeEvent<String, String> record : records) {
            committer.markProcessed(record);
        }
        committer.markBatchFinished();
        captured.addAndGet(sends.size());
        eventsIn.increment(sends.size());
        if (snapshotInKafka.getCount() > 0 && !records.isEmpty()) {
            ChangeEvent<String, String> last = records.get(records.size() - 1);
            if (router.endsInitialSnapshot(last.destination(), last.value())) {
                snapshotInKafka.countDown();
            }
        }
        if (lastCommitMillis != null) {
            lagMillis = Math.max(0, System.currentTimeMillis() - lastCommitMillis);
        }
    }

    /**
     * Waits until the connector task runs, which means its replication slot exists: from then on every change of the captured
     * tables arrives, either in the initial snapshot or streamed after it.
     *
     * @return false if the capture failed or did not start in time
     */
    public boolean awaitStarted(Duration timeout) throws InterruptedException {
        return awaitWhileRunning(started, timeout);
    }

    /**
     * Waits until Kafka acknowledged every row of the initial snapshot: the engine handed over the snapshot's last row or a
     * record of the streaming phase (a change or a heartbeat, every {@code heartbeat.interval.ms}: an empty snapshot ends with
     * the first heartbeat). A capture resuming from stored offsets takes no snapshot and passes at its first streamed record.
     *
     * @return false if the capture failed or the snapshot is not in Kafka within {@code timeout}
     */
    public boolean awaitSnapshotInKafka(Duration timeout) throws InterruptedException {
        return awaitWhileRunning(snapshotInKafka, timeout);
    }

    /** Waits for {@code latch} up to {@code timeout}, giving up at once when the engine stops or fails. */
    private boolean awaitWhileRunning(CountDownLatch latch, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (failure.get() == null && !engineStopped) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            if (latch.await(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)), TimeUnit.NANOSECONDS)) {
                return true;
            }
        }
        return false;
    }

    /** Change events acknowledged by Kafka since start. */
    public long capturedCount() {
        return captured.get();
    }

    /**
     * Whether the engine has handed over nothing — no change, no heartbeat (every {@code heartbeat.interval.ms}) — for three
     * heartbeat intervals and at least a minute: it runs but does not stream (PostgreSQL unreachable, the replication slot
     * held by another process), retrying. Not a failure, but not ready either.
     */
    public boolean isSilent() {
        long limit = Math.max(3 * capture.heartbeatInterval().toMillis(), SILENCE_AT_LEAST.toMillis());
        return millisSinceLastBatch() > limit;
    }

    /** Time since the engine last handed over a batch (changes or heartbeats). */
    public long millisSinceLastBatch() {
        return System.currentTimeMillis() - lastBatchMillis;
    }

    private static final Duration SILENCE_AT_LEAST = Duration.ofMinutes(1);

    /** True once the connector task runs and as long as the engine has not stopped on an error. */
    public boolean isCapturing() {
        return started.getCount() == 0 && !engineStopped;
    }

    /** Capture lag of the latest change: time it reached Kafka minus its commit time in PostgreSQL (0 before the first). */
    public long lagMillis() {
        return lagMillis;
    }

    /** Why the engine stopped, if it stopped on an error. */
    public Throwable failure() {
        return failure.get();
    }

    /**
     * Stops capturing. A batch being handed to Kafka is finished and marked processed first (up to 30 s): the engine
     * interrupts its handler when it stops, and a batch acknowledged by Kafka but not marked would be captured again after
     * the restart. Its offsets are committed as the engine stops.
     */
    @Override
    public void close() {
        meters.forEach(Metrics.globalRegistry::remove);
        meters.clear();
        closing = true;
        awaitBatchInHand();
        try {
            if (engine != null) {
                engine.close();
            }
        } catch (IOException e) {
            LOG.warn("Closing the Debezium engine failed", e);
        }
        executor.shutdown();
        try {
            if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(10));
    }

    private void awaitBatchInHand() {
        try {
            if (batchInHand.tryLock(30, TimeUnit.SECONDS)) {
                batchInHand.unlock();
            } else {
                LOG.warn("A captured batch was still waiting for Kafka after 30 s; it will be captured again after the restart");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
