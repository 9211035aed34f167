package io.airlock.bench;

import io.airlock.core.Topics;
import io.airlock.embedded.AirflowDatabase;
import io.airlock.embedded.AirflowSchema;
import io.airlock.embedded.EmbeddedKafka;
import io.airlock.embedded.EmbeddedPostgres;
import io.airlock.ingest.AirflowCdcCapture;
import io.airlock.ingest.AirflowDatabaseSettings;
import io.airlock.ingest.CaptureSettings;
import io.airlock.ingest.internal.DebeziumProperties;
import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.format.Json;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/**
 * CDC capture throughput: rows/s streamed from PostgreSQL's WAL into {@code airlock.cdc.airflow.log}, beside the same
 * Debezium connector feeding a no-op consumer (the raw baseline). Both read the same number of rows that were written
 * while the connector was stopped, so the database's insert speed does not enter the figure.
 *
 * <p>{@code java -cp … io.airlock.bench.CdcCaptureBenchmark [rows]} (default 100 000).
 */
public final class CdcCaptureBenchmark {

    private CdcCaptureBenchmark() {
    }

    /**
     * The result of alternating rounds, best of each.
     *
     * @param airlockRowsPerSecond rows/s through Airlock's capture into Kafka (acknowledged on the log topic)
     * @param rawRowsPerSecond rows/s through the same Debezium connector with a no-op consumer
     */
    public record Comparison(double airlockRowsPerSecond, double rawRowsPerSecond) {
        /** Airlock over raw (goal: at least 0.8). */
        public double ratio() {
            return rawRowsPerSecond == 0 ? 0 : airlockRowsPerSecond / rawRowsPerSecond;
        }
    }

    public static void main(String[] args) throws Exception {
        BenchSuite.useBenchLogging();
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        try (var postgres = EmbeddedPostgres.start(); var kafka = EmbeddedKafka.start()) {
            Comparison c = compare(postgres, kafka, rows, 2);
            System.out.printf("%nCDC capture: %,.0f rows/s (raw %,.0f rows/s), ratio %.2f%n", c.airlockRowsPerSecond(),
                    c.rawRowsPerSecond(), c.ratio());
            System.out.printf("{\"cdc_rows_per_s\": %.0f, \"cdc_raw_rows_per_s\": %.0f, \"cdc_ratio\": %.3f}%n",
                    c.airlockRowsPerSecond(), c.rawRowsPerSecond(), c.ratio());
        }
    }

    /**
     * Alternating rounds of raw Debezium and Airlock's capture, each streaming {@code rows} rows from a fresh database, best
     * of each (the JIT warms up during the first round whichever variant runs it).
     *
     * @throws IllegalStateException if Airlock's topic does not hold every row exactly once
     */
    public static Comparison compare(EmbeddedPostgres postgres, EmbeddedKafka kafka, int rows, int rounds) throws Exception {
        double raw = 0;
        double airlock = 0;
        for (int round = 0; round < rounds; round++) {
            raw = Math.max(raw, measure("raw Debezium, no-op consumer", postgres, kafka, rows, true));
            airlock = Math.max(airlock, measure("Airlock capture to Kafka", postgres, kafka, rows, false));
        }
        return new Comparison(airlock, raw);
    }

    private static double measure(String label, EmbeddedPostgres postgres, EmbeddedKafka kafka, int inserted, boolean raw) throws Exception {
        int rows = inserted;
        String name = (raw ? "bench_raw_" : "bench_airlock_") + System.nanoTime() % 100_000;
        postgres.createDatabase(name);
        postgres.createAirflowSchema(name, AirflowSchema.V2_10);
        var airflow = new AirflowDatabase(postgres, name, AirflowSchema.V2_10);
        var topics = new Topics(name.replace('_', '-'));
        kafka.createTopics(1, topics.all().toArray(String[]::new));
        var db = new AirflowDatabaseSettings(postgres.host(), postgres.port(), name, postgres.superuser(), postgres.password(), "disable",
                name, null);
        var capture = CaptureSettings.of(kafka.bootstrapServers(), topics);

        // First start: the (empty) snapshot completes and one streamed row proves it, so the measured run only streams.
        try (Runner first = raw ? new RawRunner(db, capture) : new AirlockRunner(db, capture, kafka, topics)) {
            first.awaitStarted();
            airflow.bulkAuditLog(1);
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (first.count() < 1 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
        }
        airflow.bulkAuditLog(rows);
        // The raw runner counts afresh; Airlock's count is the topic's end offset, which holds the marker row too.
        int target = raw ? rows : rows + 1;
        long t0 = System.nanoTime();
        try (Runner runner = raw ? new RawRunner(db, capture) : new AirlockRunner(db, capture, kafka, topics)) {
            runner.awaitStarted();
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
            while (runner.count() < target && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            long count = runner.count() - (target - rows);
            System.out.printf("%-32s %,d rows in %.2f s = %,.0f rows/s%n", label, count, seconds, count / seconds);
            if (!raw) {
                verifyExactlyOnce(kafka, topics.cdc("log"), target);
            }
            return Math.min(count, rows) / seconds;
        }
    }

    /** Reads the topic back: every inserted row exactly once, or the figure is worthless. */
    private static void verifyExactlyOnce(EmbeddedKafka kafka, String topic, int rows) {
        var props = new Properties();
        props.put("bootstrap.servers", kafka.bootstrapServers());
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<>(props,
                new org.apache.kafka.common.serialization.StringDeserializer(), new org.apache.kafka.common.serialization.StringDeserializer())) {
            var tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            var ids = new java.util.HashSet<String>();
            long total = 0;
            while (consumer.position(tp) < end) {
                for (var r : consumer.poll(Duration.ofMillis(500))) {
                    total++;
                    ids.add(r.key());
                }
            }
            System.out.printf("%-32s %,d records, %,d distinct rows (expected %,d)%n", "  read back:", total, ids.size(), rows);
            if (total != rows || ids.size() != rows) {
                throw new IllegalStateException(topic + " holds " + total + " records of " + ids.size() + " distinct rows, expected "
                        + rows + " exactly once");
            }
        }
    }

    private interface Runner extends AutoCloseable {
        void awaitStarted() throws InterruptedException;

        long count();

        @Override
        void close();
    }

    /** The capture as Airlock runs it; counts records acknowledged on the log topic. */
    private static final class AirlockRunner implements Runner {
        private final AirflowCdcCapture capture;
        private final Admin admin;
        private final TopicPartition partition;

        AirlockRunner(AirflowDatabaseSettings db, CaptureSettings settings, EmbeddedKafka kafka, Topics topics) {
            this.capture = new AirflowCdcCapture(db, settings).start();
            this.admin = kafka.admin();
            this.partition = new TopicPartition(topics.cdc("log"), 0);
        }

        @Override
        public void awaitStarted() throws InterruptedException {
            capture.awaitStarted(Duration.ofSeconds(60));
        }

        @Override
        public long count() {
            LongSupplier end = () -> {
                try {
                    return admin.listOffsets(java.util.Map.of(partition, OffsetSpec.latest())).partitionResult(partition).get().offset();
                } catch (Exception e) {
                    return 0;
                }
            };
            return end.getAsLong();
        }

        @Override
        public void close() {
            capture.close();
            admin.close();
        }
    }

    /** The same connector configuration with a consumer that only counts and marks records processed. */
    private static final class RawRunner implements Runner {
        private final AtomicLong count = new AtomicLong();
        private final CountDownLatch started = new CountDownLatch(1);
        private final ExecutorService executor = Executors.newSingleThreadExecutor();
        private final DebeziumEngine<ChangeEvent<String, String>> engine;

        RawRunner(AirflowDatabaseSettings db, CaptureSettings settings) {
            Properties props = DebeziumProperties.of(db, settings);
            engine = DebeziumEngine.create(Json.class)
                    .using(props)
                    .notifying((List<ChangeEvent<String, String>> records, DebeziumEngine.RecordCommitter<ChangeEvent<String, String>> committer) -> {
                        for (ChangeEvent<String, String> r : records) {
                            if (r.destination() != null && r.destination().endsWith(".log")) {
                                count.incrementAndGet();
                            }
                            committer.markProcessed(r);
                        }
                        committer.markBatchFinished();
                    })
                    .using(new DebeziumEngine.ConnectorCallback() {
                        @Override
                        public void taskStarted() {
                            started.countDown();
                        }
                    })
                    .build();
            executor.execute(engine);
        }

        @Override
        public void awaitStarted() throws InterruptedException {
            started.await(60, TimeUnit.SECONDS);
        }

        @Override
        public long count() {
            return count.get();
        }

        @Override
        public void close() {
            try {
                engine.close();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            executor.shutdown();
        }
    }
}
