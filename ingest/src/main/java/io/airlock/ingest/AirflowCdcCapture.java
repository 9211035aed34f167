package io.airlock.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.core.DeadLetter;
import io.airlock.core.Json;
import io.airlock.ingest.internal.CdcRecordRouter;
import io.airlock.ingest.internal.DebeziumProperties;
import io.airlock.ingest.internal.DebeziumRetryLog;
import io.airlock.ingest.internal.IngestMeters;
import io.airlock.ingest.internal.OversizedChangeShortener;
import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Metrics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Captures {@code log}, {@code dag_run} and (where it exists) {@code ab_user} of an Airflow metadata database with the embedded Debezium
 * engine and writes the change events to {@code <prefix>.cdc.airflow.<table>}. A record is marked processed (so its LSN may
 * be confirmed to PostgreSQL) only after Kafka acknowledged it; the connector's offsets live in a Kafka topic, so a
 * restart resumes where the last acknowledged batch ended.
 *
 * <p>A change too large for Kafka never stops the capture: it is sent with its largest values left out
 * ({@link OversizedChangeShortener}), or, if even that is refused, as a {@link DeadLetter} to the dead-letter topic; either
 * way it is marked processed.
 *
 * <p>Meters ({@link IngestMeters}): {@code airlock.events.in{source=airflow}}, {@code airlock.cdc.lag.ms},
 * {@code airlock.cdc.idle.ms}, {@code airlock.cdc.shortened}, {@code airlock.cdc.dead.lettered}.
 */
public final class AirflowCdcCapture implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AirflowCdcCapture.class);

    /** The producer's {@code max.request.size}, Kafka's default, set explicitly because the limits below follow from it. */
    static final int MAX_REQUEST_BYTES = 1 << 20;
    /** A change whose key and value are larger is sent with its largest values left out; the rest is the record's overhead. */
    static final int RECORD_LIMIT_BYTES = 900 << 10;
    /** Values smaller than this are never left out. */
    static final int MIN_SHORTENED_VALUE_BYTES = 1 << 10;
    /** How much of a dead-lettered change its dead letter keeps. */
    static final int DEAD_LETTER_VALUE_BYTES = 256 << 10;
    private static final String STAGE = "ingest:airflow-cdc";

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
    private final Counter cdcShortened = IngestMeters.cdcShortened();
    private final Counter cdcDeadLettered = IngestMeters.cdcDeadLettered();
    private final OversizedChangeShortener shortener = new OversizedChangeShortener(RECORD_LIMIT_BYTES, MIN_SHORTENED_VALUE_BYTES);
    private final List<Meter> meters = new ArrayList<>();
    private volatile long lagMillis;
    /** Held while a batch is sent and marked; {@link #close()} waits for it. */
    private final ReentrantLock batchInHand = new ReentrantLock();
    private volatile boolean engineStopped;
    private volatile boolean closing;
    private volatile long lastBatchMillis = System.currentTimeMillis();
    private DebeziumEngine<ChangeEvent<String, String>> engine;
    /** The failure Debezium retries since the last batch it handed over, and when it was last logged; null while none. */
    private final AtomicReference<Retried> retrying = new AtomicReference<>();
    private Runnable retryListening = () -> { };
    /** Whether the slot did not exist before this start, so that Debezium creates it (see {@link #warnOfSlotLeftBehind}). */
    private volatile boolean slotCreatedByThisStart;
    /** Whether the database is deleted once the capture stopped, so that no slot left behind can keep WAL. */
    private boolean databaseDeletedAfterStop;

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
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, MAX_REQUEST_BYTES);
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    /**
     * The database is deleted once the capture stopped ({@code airlock run} without a file, on its embedded PostgreSQL):
     * a replication slot left behind goes with it, so {@link #close()} does not warn of it. Call before {@link #start()}.
     */
    public AirflowCdcCapture databaseDeletedAfterStop() {
        this.databaseDeletedAfterStop = true;
        return this;
    }

    /**
     * Checks the database ({@link AirflowDatabasePreflight}: logical WAL, privileges, tables, publication, a free slot and WAL
     * sender, each problem in plain words), then starts capturing in the background.
     * Without {@code ab_user} (Airflow 3 without the FAB auth manager) it warns and captures {@code log} and {@code dag_run}.
     */
    public AirflowCdcCapture start() {
        AirflowDatabasePreflight.Findings found = new AirflowDatabasePreflight(database).check();
        slotCreatedByThisStart = !found.slotExists();
        if (found.abUserAbsent()) {
            LOG.warn("Airflow database {}: {}", database, AirflowDatabasePreflight.AB_USER_ABSENT);
        }
        Properties props = DebeziumProperties.of(database, capture, found.tables());
        retryListening = DebeziumRetryLog.listen(this::retried);
        engine = DebeziumEngine.create(io.debezium.engine.format.Json.class)
                .using(props)
                .notifying(this::handleBatch)
                .using(new DebeziumEngine.ConnectorCallback() {
                    @Override
                    public void taskStarted() {
                        started.countDown();
                    }
                })
                .using((success, message, error) -> {
                    if (!success && error != null) {
                        failure.set(error); // before engineStopped: a waiter woken by that reads why
                        LOG.error("Airflow capture stopped: {}", message, error);
                    } else {
                        LOG.info("Airflow capture stopped");
                    }
                    engineStopped = true;
                })
                .build();
        executor.execute(engine);
        meters.add(IngestMeters.millisGauge(IngestMeters.CDC_LAG,
                "Capture lag behind PostgreSQL: time a change reached Kafka minus its commit time, latest change", () -> lagMillis));
        meters.add(IngestMeters.millisGauge(IngestMeters.CDC_IDLE,
                "Time since the Debezium engine last handed over a batch (heartbeats included)",
                this::millisSinceLastBatch));
        LOG.info("Capturing Airflow tables {} from {}", String.join(",", found.tables()), database);
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
        retrying.set(null);
        List<Send> sends = new ArrayList<>(records.size());
        Long lastCommitMillis = null;
        for (ChangeEvent<String, String> record : records) {
            var routed = router.route(record.destination(), record.key(), record.value());
            if (routed.isPresent()) {
                sends.add(send(routed.get()));
                if (routed.get().timestamp() != null) {
                    lastCommitMillis = routed.get().timestamp();
                }
            }
        }
        producer.flush();
        int changes = 0;
        for (Send send : sends) {
            Send acknowledged = awaitAcknowledged(send);
            if (acknowledged.deadLetter()) {
                cdcDeadLettered.increment();
            } else {
                changes++;
            }
        }
        // Before the batch is marked: its offsets may be committed from then on, and close() must not take the snapshot
        // for unfinished (and call the slot safe to drop) once they say it is done.
        if (snapshotInKafka.getCount() > 0 && !records.isEmpty()) {
            ChangeEvent<String, String> last = records.get(records.size() - 1);
            if (router.endsInitialSnapshot(last.destination(), last.value())) {
                snapshotInKafka.countDown();
            }
        }
        for (ChangeEvent<String, String> record : records) {
            committer.markProcessed(record);
        }
        committer.markBatchFinished();
        captured.addAndGet(changes);
        eventsIn.increment(changes);
        if (lastCommitMillis != null) {
            lagMillis = Math.max(0, System.currentTimeMillis() - lastCommitMillis);
        }
    }

    /**
     * A change handed to the producer, or the dead letter standing in for it.
     *
     * @param change   the change as routed (before any shortening), for a second attempt
     * @param sent     what was sent
     * @param level    how far the change was reduced to be sent
     */
    private record Send(ProducerRecord<String, String> change, ProducerRecord<String, String> sent, Future<RecordMetadata> ack,
            Reduction level) {

        boolean deadLetter() {
            return level == Reduction.DEAD_LETTERED;
        }
    }

    /** How far a change too large for Kafka was reduced, in the order they are tried. */
    private enum Reduction {
        AS_CAPTURED, SHORTENED, ALL_SHORTENED, DEAD_LETTERED
    }

    /** Sends {@code change}, shortened first if it is too large for Kafka, or its dead letter if even that is. */
    private Send send(ProducerRecord<String, String> change) {
        OversizedChangeShortener.Fitted fitted = shortener.fit(change.key(), change.value());
        if (!fitted.shortened()) {
            return new Send(change, change, producer.send(change), Reduction.AS_CAPTURED);
        }
        ProducerRecord<String, String> shortened = withValue(change, fitted.value());
        cdcShortened.increment();
        if (!fitted.fits()) {
            return deadLetter(change, shortened, "record too large for Kafka: " + fitted.bytes() + " bytes with the values of "
                    + String.join(", ", fitted.shortenedColumns()) + " left out, the limit is " + RECORD_LIMIT_BYTES + " bytes");
        }
        LOG.warn("The Airflow change of {} at LSN {} is too large for Kafka ({} bytes): sent with the values of {} left out ({} bytes)",
                table(change), lsn(shortened), OversizedChangeShortener.utf8Length(change.value()),
                String.join(", ", fitted.shortenedColumns()), fitted.bytes());
        return new Send(change, shortened, producer.send(shortened), Reduction.SHORTENED);
    }

    /**
     * Waits for Kafka's acknowledgement of {@code send}. A change Kafka refused as too large although it was within
     * {@link #RECORD_LIMIT_BYTES} (a topic or broker with a lower {@code max.message.bytes}) is sent again with every large
     * value left out, and failing that as a dead letter; it then lands after the batch's later changes.
     *
     * @return the send Kafka acknowledged
     * @throws IllegalStateException if Kafka did not acknowledge (the batch is not marked processed and the engine stops)
     */
    private Send awaitAcknowledged(Send send) throws InterruptedException {
        Send attempt = send;
        while (true) {
            try {
                attempt.ack().get();
                return attempt;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof RecordTooLargeException) || attempt.deadLetter()) {
                    // Not marking the batch processed: the engine stops and the records are captured again after a restart.
                    throw new IllegalStateException("Kafka did not acknowledge a captured change", e.getCause());
                }
                attempt = sendSmaller(attempt);
                producer.flush();
            }
        }
    }

    private Send sendSmaller(Send refused) {
        ProducerRecord<String, String> change = refused.change();
        long bytes = OversizedChangeShortener.utf8Length(refused.sent().value());
        if (refused.level().compareTo(Reduction.ALL_SHORTENED) < 0) {
            OversizedChangeShortener.Fitted all = shortener.shortenAll(change.key(), change.value());
            if (all.shortened() && all.bytes() < bytes) {
                ProducerRecord<String, String> shortened = withValue(change, all.value());
                if (refused.level() == Reduction.AS_CAPTURED) {
                    cdcShortened.increment();
                }
                LOG.warn("Kafka refused the Airflow change of {} at LSN {} as too large ({} bytes): sending it with the values of {} "
                        + "left out ({} bytes)", table(change), lsn(shortened), bytes, String.join(", ", all.shortenedColumns()),
                        all.bytes());
                return new Send(change, shortened, producer.send(shortened), Reduction.ALL_SHORTENED);
            }
        }
        return deadLetter(change, refused.sent(), "rejected by Kafka: record too large (" + bytes + " bytes"
                + (refused.level() == Reduction.AS_CAPTURED ? "" : " with its large values left out") + ")");
    }

    /** Sends the {@link DeadLetter} of a change: its source topic, LSN as offset, the reason and the head of {@code sent}. */
    private Send deadLetter(ProducerRecord<String, String> change, ProducerRecord<String, String> sent, String reason) {
        byte[] value = sent.value().getBytes(StandardCharsets.UTF_8);
        String lsn = lsn(sent);
        byte[] key = change.key() == null ? null : change.key().getBytes(StandardCharsets.UTF_8);
        DeadLetter letter = DeadLetter.ofHead(change.topic(), -1, lsn.matches("\\d+") ? Long.parseLong(lsn) : -1, STAGE, reason,
                key, value, 0, value.length, value.length, DEAD_LETTER_VALUE_BYTES);
        LOG.warn("The Airflow change of {} at LSN {} is too large for Kafka ({}): sent to {}", table(change), lsn,
                reason, capture.topics().dlq());
        var record = new ProducerRecord<>(capture.topics().dlq(), null, change.key(), Json.writeString(letter));
        return new Send(change, record, producer.send(record), Reduction.DEAD_LETTERED);
    }

    private static ProducerRecord<String, String> withValue(ProducerRecord<String, String> r, String value) {
        return new ProducerRecord<>(r.topic(), r.partition(), r.timestamp(), r.key(), value, r.headers());
    }

    /** The captured table, from the topic the change is routed to ({@code <prefix>.cdc.airflow.<table>}). */
    private static String table(ProducerRecord<String, String> r) {
        return r.topic().substring(r.topic().lastIndexOf('.') + 1);
    }

    /** {@code source.lsn} of a change small enough to parse cheaply (a shortened one), or "unknown". */
    private static String lsn(ProducerRecord<String, String> r) {
        try {
            JsonNode lsn = Json.tree(r.value()).path("source").path("lsn");
            return lsn.isNumber() ? lsn.asText() : "unknown";
        } catch (RuntimeException e) {
            return "unknown";
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

    /** A failure Debezium retries, and when it was logged. */
    private record Retried(String why, long loggedMillis) {
    }

    /** How often {@link #retried} logs a failure again while it lasts. */
    static final Duration RETRIED_REPORT_EVERY = Duration.ofMinutes(10);

    /**
     * A failure Debezium reported, mostly one it retries (it retries every SQL error, a missing privilege too, for ever; on
     * any other it stops the engine, logged next as {@code Airflow capture stopped}): logged as one ERROR line when it is
     * new, and again every {@link #RETRIED_REPORT_EVERY} while it lasts, instead of Debezium's stack traces every 10 s
     * ({@link DebeziumRetryLog}); {@link #retryingAfter()} names it until the next batch arrives.
     */
    void retried(Throwable error) {
        String why = summary(error, database.password());
        long now = System.currentTimeMillis();
        Retried last = retrying.get();
        if (last != null && last.why().equals(why) && now - last.loggedMillis() < RETRIED_REPORT_EVERY.toMillis()) {
            return;
        }
        retrying.set(new Retried(why, now));
        // "failed", not "retried": Debezium reports a failure it does not retry the same way, and stops the engine after this
        LOG.error("The Airflow capture failed (this line is repeated every {} min while Debezium retries it; a failure it does "
                + "not retry is followed by 'Airflow capture stopped'; its stack traces with logger io.debezium at DEBUG): {}{}",
                RETRIED_REPORT_EVERY.toMinutes(), why,
                "42501".equals(SqlFailures.sqlState(error)) ? " — a privilege is missing: airlock check-config --connect names it and the "
                        + "statement that grants it; the capture resumes by itself once it is granted" : "");
    }

    /** The failure Debezium has been retrying since the capture last handed over a batch, in one line; empty while none. */
    public Optional<String> retryingAfter() {
        return Optional.ofNullable(retrying.get()).map(Retried::why);
    }

    /** Whether the engine has stopped, on an error or not. */
    public boolean hasStopped() {
        return engineStopped;
    }

    /**
     * Why the engine stopped, in one line: the failure's message and, when it says something else, that of its root cause
     * ({@code Creation of replication slot failed; caused by: ERROR: all replication slots are in use Hint: ...}), which
     * Debezium otherwise leaves in its stack trace. Messages only, the database password removed if one contained it.
     */
    public Optional<String> failureSummary() {
        return Optional.ofNullable(failure.get()).map(error -> summary(error, database.password()));
    }

    /**
     * {@link #failureSummary()} of {@code error}; {@code password} (may be empty) is replaced wherever it occurs.
     *
     * <p>Messages, deliberately, unlike other log lines, which name exception types only: an operator acts on them
     * ({@code permission denied for table log}, {@code all replication slots are in use}, {@code Connection refused},
     * {@code password authentication failed for user "airlock"}), and a type ({@code PSQLException}) says none of it. They
     * are PostgreSQL's, the driver's and Debezium's words about the capture's own connection and statements, which name
     * objects and roles, not row contents: the capture only reads Airflow's data (its one write, the heartbeat, is a logical
     * message of the time), so no constraint error quotes a row; the one secret they can hold, the password, is redacted.
     */
    static String summary(Throwable error, String password) {
        Throwable root = error;
        for (Throwable c = error.getCause(); c != null && c != root; c = c.getCause()) {
            if (c.getMessage() != null && !c.getMessage().isBlank()) {
                root = c;
            }
        }
        String message = oneLine(error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage());
        String rootMessage = oneLine(root.getMessage() == null ? "" : root.getMessage());
        String text = root == error || rootMessage.isEmpty() || message.contains(rootMessage) ? message
                : message + "; caused by: " + rootMessage;
        return password.isEmpty() ? text : text.replace(password, "<redacted>");
    }

    private static String oneLine(String text) {
        return text.strip().replaceAll("\\s*\\R\\s*", " ");
    }

    /**
     * Stops capturing. A batch being handed to Kafka is finished and marked processed first (up to 30 s): the engine
     * interrupts its handler when it stops, and a batch acknowledged by Kafka but not marked would be captured again after
     * the restart. Its offsets are committed as the engine stops.
     */
    @Override
    public void close() {
        // Until the engine's threads ended: stopping interrupts Debezium mid-work, which it logs as an ERROR with stack traces
        Runnable stopped = DebeziumRetryLog.stopping();
        try {
            stop();
        } finally {
            stopped.run();
            retryListening.run();
        }
        producer.close(Duration.ofSeconds(10));
        if (engine != null && slotCreatedByThisStart && snapshotInKafka.getCount() > 0 && !databaseDeletedAfterStop) {
            warnOfSlotLeftBehind();
        }
    }

    /** Stops the engine and waits for its thread. */
    private void stop() {
        meters.forEach(Metrics.globalRegistry::remove);
        meters.clear();
        closing = true;
        awaitBatchInHand();
        try {
            if (engine != null && !engineStopped) {
                engine.close();
            }
        } catch (IllegalStateException e) {
            // "Engine has been already shut down" or "is already being shutting down": it stopped by itself, on a failure
            // reported already (or just then), so there is nothing left to stop; any other refusal is worth a warning.
            if (e.getMessage() == null || !e.getMessage().contains("already")) {
                LOG.warn("Closing the Debezium engine failed", e);
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
    }

    /**
     * Warns, once, that the replication slot this start created is left behind although its initial snapshot (or, resuming
     * from stored offsets, its first streamed change) never reached Kafka: it keeps WAL on the Airflow database until
     * Airlock starts again. It is not dropped here: when {@code <prefix>.cdc.offsets} still holds a finished snapshot (the
     * old slot was lost to a failover, or dropped by hand while the {@code <prefix>.cdc.*} topics were kept), the next start
     * takes no snapshot and streams from this slot, which alone holds the changes made since it was created; and another
     * instance starting at the same time may be using it. Whether the offsets hold a finished snapshot, only the operator
     * can tell, so the line says when dropping it is safe.
     */
    private void warnOfSlotLeftBehind() {
        try (var c = AirflowDatabasePreflight.connect(database);
                var s = c.prepareStatement("SELECT 1 FROM pg_replication_slots WHERE slot_name = ?")) {
            s.setString(1, database.slotName());
            try (var rs = s.executeQuery()) {
                if (!rs.next()) {
                    return; // never created: the start failed before
                }
            }
        } catch (java.sql.SQLException e) {
            // cannot tell: warn anyway, the slot may exist
        }
        LOG.warn("Replication slot {} was created by this start, which stopped before its snapshot (or first streamed change) "
                + "reached Kafka: it keeps WAL on the Airflow database until Airlock starts again and resumes from it. Drop it "
                + "(SELECT pg_drop_replication_slot('{}')) only while no Airlock instance runs and only if {} holds no finished "
                + "snapshot (a first install) or you delete that topic with it, so that the next start takes a new snapshot; if "
                + "the slot replaced one lost to a failover or dropped by hand, keep it: it holds changes the next start streams",
                database.slotName(), database.slotName(), capture.offsetsTopic());
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
