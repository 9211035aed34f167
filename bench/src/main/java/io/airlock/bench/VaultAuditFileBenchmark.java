package io.airlock.bench;

import io.airlock.core.Topics;
import io.airlock.embedded.EmbeddedKafka;
import io.airlock.ingest.vault.VaultAuditFileTailer;
import io.airlock.ingest.vault.VaultAuditSettings;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Locale;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Throughput of the Vault audit file tailer into an embedded single-node Kafka: writes N realistic audit lines (request and
 * response pairs, ~600 bytes each) to a file, tails it from the start and reports lines/s and MB/s until Kafka acknowledged
 * every line. Not a test: it prints figures.
 *
 * <pre>{@code mvn -B -o -q install -pl bench && java -cp "bench/target/classes:$(cat bench/target/cp.txt)" io.airlock.bench.VaultAuditFileBenchmark 500000}</pre>
 */
public final class VaultAuditFileBenchmark {

    private static final String[] PATHS = {"airflow/data/connections/postgres_default", "airflow/data/variables/s3_bucket",
        "secret/data/team-a/db", "database/creds/etl-readonly", "auth/token/lookup-self"};

    private VaultAuditFileBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int lines = args.length > 0 ? Integer.parseInt(args[0]) : 500_000;
        quietLogging();
        Path dir = Files.createTempDirectory("airlock-vault-bench-");
        Path log = dir.resolve("audit.log");
        long bytes = write(log, lines);
        System.out.printf(Locale.ROOT, "wrote %,d lines, %,d bytes (%.0f bytes/line) to %s%n", lines, bytes, (double) bytes / lines, log);
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            var topics = new Topics("bench");
            kafka.createTopics(1, topics.all().toArray(String[]::new));
            var settings = VaultAuditSettings.forFile(kafka.bootstrapServers(), topics, log, dir.resolve("position.json"))
                    .withPollInterval(Duration.ofMillis(50));
            long start = System.nanoTime();
            try (var tailer = new VaultAuditFileTailer(settings).start()) {
                while (tailer.linesCaptured() + tailer.linesDeadLettered() < lines) {
                    if (tailer.failure() != null) {
                        throw new IllegalStateException("tailer failed", tailer.failure());
                    }
                    Thread.sleep(5);
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                System.out.printf(Locale.ROOT, "tailed %,d lines into Kafka (acks=all, lz4) in %.2f s: %,.0f lines/s, %.1f MB/s "
                        + "(%d dead-lettered)%n", lines, seconds, lines / seconds, bytes / seconds / 1e6, tailer.linesDeadLettered());
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** This module ships no logback.xml: without one, logback logs everything at DEBUG, which would dominate the figures. */
    private static void quietLogging() {
        var root = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(ch.qos.logback.classic.Level.WARN);
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("io.airlock")).setLevel(ch.qos.logback.classic.Level.INFO);
    }

    /** Request/response pairs shaped like Vault 1.17 file-device output, HMAC'd strings, ~600 bytes a line. */
    static long write(Path log, int lines) throws IOException {
        Instant t0 = Instant.now().minusSeconds(3600);
        long bytes = 0;
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(log), 1 << 20)) {
            for (int i = 0; i < lines; i++) {
                String id = UUID.nameUUIDFromBytes(Integer.toString(i / 2).getBytes(StandardCharsets.UTF_8)).toString();
                String path = PATHS[(i / 2) % PATHS.length];
                String time = t0.plusNanos(i * 7_000L).toString();
                String hmac = "hmac-sha256:" + String.format(Locale.ROOT, "%064x", (long) i * 2_654_435_761L);
                String line = i % 2 == 0
                        ? "{\"time\":\"" + time + "\",\"type\":\"request\",\"auth\":{\"client_token\":\"" + hmac + "\",\"accessor\":\""
                                + hmac + "\",\"display_name\":\"approle-airflow\",\"policies\":[\"airflow\",\"default\"],\"entity_id\":"
                                + "\"5cb4e785-fe8a-5d82-b991-31e74980d2b8\",\"token_type\":\"service\"},\"request\":{\"id\":\"" + id
                                + "\",\"operation\":\"read\",\"mount_type\":\"kv\",\"client_token\":\"" + hmac + "\",\"namespace\":{\"id\":"
                                + "\"root\"},\"path\":\"" + path + "\",\"remote_address\":\"10.0.0.7\",\"remote_port\":50326}}"
                        : "{\"time\":\"" + time + "\",\"type\":\"response\",\"auth\":{\"client_token\":\"" + hmac + "\",\"display_name\":"
                                + "\"approle-airflow\",\"entity_id\":\"5cb4e785-fe8a-5d82-b991-31e74980d2b8\"},\"request\":{\"id\":\"" + id
                                + "\",\"operation\":\"read\",\"path\":\"" + path + "\",\"remote_address\":\"10.0.0.7\"},\"response\":"
                                + "{\"mount_type\":\"kv\",\"data\":{\"data\":{\"conn_uri\":\"" + hmac + "\",\"login\":\"" + hmac + "\"}}}}";
                byte[] b = (line + "\n").getBytes(StandardCharsets.UTF_8);
                out.write(b);
                bytes += b.length;
            }
        }
        return bytes;
    }
}
