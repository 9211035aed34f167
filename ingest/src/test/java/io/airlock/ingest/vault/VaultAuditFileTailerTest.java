package io.airlock.ingest.vault;

import static java.time.Duration.ofMillis;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.core.Json;
import io.airlock.core.RecordTimes;
import io.airlock.embedded.EmbeddedKafka;
import io.airlock.embedded.RealComponents;
import io.airlock.ingest.vault.internal.FilePosition;
import io.airlock.ingest.vault.internal.PositionStore;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(RealComponents.class)
class VaultAuditFileTailerTest {

    private final EmbeddedKafka kafka;
    @TempDir
    Path dir;

    VaultAuditFileTailerTest(EmbeddedKafka kafka) {
        this.kafka = kafka;
    }

    private VaultAuditSettings settings(VaultTopics t) {
        return VaultAuditSettings.forFile(kafka.bootstrapServers(), t.topics, dir.resolve("audit.log"), dir.resolve("state/position.json"))
                .withPollInterval(ofMillis(20));
    }

    private FilePosition storedPosition() {
        return new PositionStore(dir.resolve("state/position.json")).read();
    }

    @Test
    void shouldSendAppendedLinesAndAPartialLineOnlyOnceItsNewlineArrives() throws IOException {
        var t = new VaultTopics(kafka);
        Path log = dir.resolve("audit.log");
        Instant time = Instant.parse("2026-03-02T10:15:30.123456789Z");
        String first = AuditLines.request("req-1", time);
        String second = AuditLines.response("req-1", time.plusMillis(3));
        String third = AuditLines.request("req-2", time.plusMillis(5));
        String fourth = AuditLines.request("req-3", time.plusMillis(7));
        Files.writeString(log, first + "\n" + second + "\n");
        try (var tailer = new VaultAuditFileTailer(settings(t)).start()) {
            await().atMost(ofSeconds(30)).until(() -> tailer.linesCaptured() == 2);
            long partialStart = Files.size(log);
            Files.writeString(log, third.substring(0, 100), java.nio.file.StandardOpenOption.APPEND);
            // The position stays at the start of the partial line: it was read but not sent.
            await().atMost(ofSeconds(30)).until(() -> storedPosition() != null && storedPosition().offset() == partialStart);
            assertThat(tailer.linesCaptured()).isEqualTo(2);
            Files.writeString(log, third.substring(100) + "\n" + fourth + "\n", java.nio.file.StandardOpenOption.APPEND);
            await().atMost(ofSeconds(30)).until(() -> tailer.linesCaptured() == 4);
        }
        List<ConsumerRecord<String, String>> audit = t.audit();
        assertThat(audit).extracting(ConsumerRecord::value).containsExactly(first, second, third, fourth);
        assertThat(audit).extracting(ConsumerRecord::key).containsExactly("req-1", "req-1", "req-2", "req-3");
        assertThat(VaultTopics.trueTime(audit.get(0))).isEqualTo(time.toEpochMilli());
        assertThat(VaultTopics.trueTime(audit.get(3))).isEqualTo(time.plusMillis(7).toEpochMilli());
        assertThat(t.dlq()).isEmpty();
        assertThat(storedPosition().offset()).isEqualTo(Files.size(log));
    }

    @Test
    void shouldStripTheConfiguredPrefixAndKeepTheJsonAsVaultWroteIt() throws IOException {
        var t = new VaultTopics(kafka);
        String spaced = "{ \"time\" : \"2026-03-02T10:00:00Z\",  \"type\":\"request\", \"request\":{\"id\":\"sp-1\"} }";
        String noId = "{\"time\":\"2026-03-02T10:00:01+02:00\",\"type\":\"request\",\"auth\":{},\"request\":{\"path\":\"sys/health\"}}";
        Files.writeString(dir.resolve("audit.log"), "@cee: " + spaced + "\n" + "@cee: " + noId + "\n");
        try (var tailer = new VaultAuditFileTailer(settings(t).withPrefix("@cee: ")).start()) {
            await().atMost(ofSeconds(30)).until(() -> tailer.linesCaptured() == 2);
        }
        List<ConsumerRecord<String, String>> audit = t.audit();
        assertThat(audit).extracting(ConsumerRecord::value).containsExactly(spaced, noId);
        assertThat(audit.get(0).key()).isEqualTo("sp-1");
        assertThat(audit.get(1).key()).isEqualTo(io.airlock.core.StableIds.of(noId));
        assertThat(VaultTopics.trueTime(audit.get(1))).isEqualTo(Instant.parse("2026-03-02T08:00:01Z").toEpochMilli());
    }

    /**
     * A line stamped before 1970 made the producer refuse to build its record (Kafka has no negative timestamps): the tailer
     * stopped, and after every restart stopped again on the same line. It is sent stamped 0 (the normalizer dead-letters it)
     * and the lines after it follow.
     */
    @Test
    void shouldSendALineStampedBefore1970StampedWithTheEpochAndTheLinesAfterIt() throws IOException {
        var t = new VaultTopics(kafka);
        Instant time = Instant.parse("2026-03-02T10:00:00Z");
        String old = AuditLines.request("old", Instant.parse("1969-12-31T23:59:59Z"));
        Files.writeString(dir.resolve("audit.log"), AuditLines.request("before", time) + "\n" + old + "\n"
                + AuditLines.request("after", time.plusSeconds(1)) + "\n");
        try (var tailer = new VaultAuditFileTailer(settings(t)).start()) {
            await().atMost(ofSeconds(30)).until(() -> tailer.linesCaptured() == 3 || tailer.failure() != null);
            assertThat(tailer.failure()).isNull();
        }
        List<ConsumerRecord<String, String>> audit = t.audit();
        assertThat(audit).extracting(ConsumerRecord::key).containsExactly("before", "old", "after");
        assertThat(audit).extracting(VaultTopics::trueTime).containsExactly(time.toEpochMilli(), 0L,
                time.plusSeconds(1).toEpochMilli());
        assertThat(audit.get(1).value()).isEqualTo(old);
    }

    /**
     * A first start on weeks of history stamped each line with its own time: the broker's 7-day time retention deleted the
     * whole topic, active segment included, within minutes. A line older than {@link RecordTimes#MAX_BEHIND} is stamped that
     * far back, its time in a header (the normalization task orders by it), and the capture says so once a minute.
     */
    @Test
    void shouldStampALineOfTwentyDaysAgoWithinTheRetentionFloorKeepItsTimeInAHeaderAndWarnOnce() throws IOException {
        var t = new VaultTopics(kafka);
        Instant old = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).minus(java.time.Duration.ofDays(20));
        Instant fresh = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).minusSeconds(60);
        Files.writeString(dir.resolve("audit.log"), AuditLines.request("old-1", old) + "\n" + AuditLines.request("old-2", old.plusMillis(5))
                + "\n" + AuditLines.request("fresh", fresh) + "\n");
        var logged = new ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent>();
        logged.start();
        var logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
                io.airlock.ingest.vault.internal.AuditRecordPublisher.class);
        logger.addAppender(logged);
        long sentAfter = System.currentTimeMillis();
        try (var tailer = new VaultAuditFileTailer(settings(t)).start()) {
            await().atMost(ofSeconds(30)).until(() -> tailer.linesCaptured() == 3);
        } finally {
            logger.detachAppender(logged);
        }
        List<ConsumerRecord<String, String>> audit = t.audit();
        long floor = sentAfter - RecordTimes.MAX_BEHIND.toMillis();
        assertThat(audit.subList(0, 2)).allSatisfy(r -> assertThat(r.timestamp()).isBetween(floor, floor + 60_000));
        assertThat(audit).extracting(VaultTopics::trueTime).containsExactly(old.toEpochMilli(), old.plusMillis(5).toEpochMilli(),
                fresh.toEpochMilli());
        assertThat(audit.get(2).timestamp()).isEqualTo(fresh.toEpochMilli());
        assertThat(audit.get(2).headers().lastHeader(RecordTimes.TRUE_TIME_HEADER)).isNull();
        var warnings = logged.list.stream().map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
                .filter(m -> m.contains("older than 3 days")).toList();
        assertThat(warnings).singleElement().satisfies(m -> assertThat(m).contains(t.topics.vaultAudit(), "20 days old",
                "retention.ms").doesNotContain("old-1", "old-2"));
    }

    @Test
    void shouldWaitForTheFileToAppear() throws IOException {
        var t = new VaultTopics(kafka);
        try (var tailer = new VaultAuditFileTailer(settings(t)).start();
                var vault = new AuditLogWriter(dir.resolve("audit.log"))) {
            IntStream.range(0, 5).forEach(i -> vault.line(AuditLines.numbered("late", i)));
            await().atMost(ofSeconds(30)).until(() -> tailer.linesCaptured() == 5);
        }
        assertThat(t.auditKeys()).containsExactly("late-0", "late-1", "late-2", "late-3", "late-4");
    }

    @Test
    void shouldWaitWithAWarningWhileThePathIsADirectoryOrAFifoAndReadTheFileThatReplacesIt() throws Exception {
        var t = new VaultTopics(kafka);
        Path audit = dir.resolve("audit.log");
        Files.createDirectory(audit); // a wrong vault.audit.file: the tailer failed on every read, and Airlock restarted forever
        var log = new ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent>();
        log.start();
        var logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(VaultAuditFileTailer.class);
        logger.addAppender(log);
        try (var tailer = new VaultAuditFileTailer(settings(t)).start()) {
            await().atMost(ofSeconds(30)).until(() -> log.list.stream().anyMatch(e -> e.getFormattedMessage()
                    .contains(audit + " is a directory: waiting for it")));
            Files.delete(audit);
            boolean fifo = new ProcessBuilder("mkfifo", audit.toString()).start().waitFor() == 0; // opening it would block
            if (fifo) {
                await().atMost(ofSeconds(30)).until(() -> log.list.stream().anyMatch(e -> e.getFormattedMessage()
                        .contains(audit + " is not a regular file (a FIFO or a device?): waiting for it")));
                Files.delete(audit);
            }
            try (var vault = new AuditLogWriter(audit)) {
                IntStream.range(0, 3).forEach(i -> vault.line(AuditLines.numbered("after-dir", i)));
                await().atMost(ofSeconds(30)).until(() -> tailer.linesCaptured() == 3);
            }
            assertThat(tailer.failure()).isNull();
        } finally {
            logger.detachAppender(log);
        }
        assertThat(t.auditKeys()).containsExactly("after-dir-0", "after-dir-1", "after-dir-2");
        assertThat(log.list).anyMatch(e -> e.getFormattedMessage().contains(audit + " can be read now"));
    }

    @Test
    void shouldCaptureEveryLineExactlyOnceAcrossTwoRenameRotationsUnderLoad() throws Exception {
        var t = new VaultTopics(kafka);
        Path log = dir.resolve("audit.log");
        int total = 3000;
        try (var tailer = new VaultAuditFileTailer(settings(t)).start(); var vault = new AuditLogWriter(log)) {
            Thread writer = loadWriter(vault, tailer, "rot", total);
            await().atMost(ofSeconds(60)).until(() -> tailer.linesCaptured() >= 1000);
            vault.rotateByRename(dir.resolve("audit.log.1"));
            await().atMost(ofSeconds(60)).until(() -> tailer.linesCaptured() >= 2000);
            Files.move(dir.resolve("audit.log.1"), dir.resolve("audit.log.2"));
            vault.rotateByRename(dir.resolve("audit.log.1"));
            writer.join(60_000);
            assertThat(writer.isAlive()).isFalse();
            await().atMost(ofSeconds(60)).until(() -> tailer.linesCaptured() == total);
        }
        List<String> keys = t.auditKeys();
        assertThat(keys).hasSize(total).doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(IntStream.range(0, total).mapToObj(i -> "rot-" + i).toList());
        assertThat(t.dlq()).isEmpty();
        assertThat(Files.size(dir.resolve("audit.log.2")) + Files.size(dir.resolve("audit.log.1")) + Files.size(log))
                .as("the writer really wrote into three files").isGreaterThan(0);
        assertThat(Files.size(dir.resolve("audit.log.2"))).isPositive();
        assertThat(Files.size(dir.resolve("audit.log.1"))).isPositive();
    }

    /**
     * copytruncate has an inherent race that logrotate documents: lines Vault writes between the copy and the truncation are in
     * the copy only, and the tailer (which follows the original) never sees them. What must hold is that nothing is sent twice
     * and nothing is invented.
     */
    @Test
    void shouldNotDuplicateLinesAcrossCopyTruncateUnderLoad() throws Exception {
        var t = new VaultTopics(kafka);
        Path log = dir.resolve("audit.log");
        int total = 3000;
        try (var tailer = new VaultAuditFileTailer(settings(t)).start(); var vault = new AuditLogWriter(log)) {
            Thread writer = byteLagWriter(vault, tailer, log, "ct", total);
            await().atMost(ofSeconds(60)).until(() -> tailer.linesCaptured() >= 1000);
            vault.copyTruncate(dir.resolve("audit.log.1"));
            await().atMost(ofSeconds(60)).until(() -> tailer.linesCaptured() >= 2000);
            vault.copyTruncate(dir.resolve("audit.log.2"));
            writer.join(60_000);
            String last = AuditLines.numbered("ct", total);
            vault.line(last);
            await().atMost(ofSeconds(60)).until(() -> t.auditKeys().contains("ct-" + total));
        }
        List<String> keys = t.auditKeys();
        var written = new HashSet<>(IntStream.rangeClosed(0, total).mapToObj(i -> "ct-" + i).toList());
        assertThat(keys).doesNotHaveDuplicates().allMatch(written::contains);
        assertThat(keys.size()).as("only lines in the copy/truncate windows may be missing").isGreaterThan(total / 2);
    }

    @Test
    void shouldResumeAfterRestartWithoutLosingOrRepeatingLines() throws IOException {
        var t = new VaultTopics(kafka);
        Path log = dir.resolve("audit.log");
        try (var vault = new AuditLogWriter(log)) {
            IntStream.range(0, 100).forEach(i -> vault.line(AuditLines.numbered("rs", i)));
            try (var tailer = new VaultAuditFileTailer(settings(t)).start()) {
                await().atMost(ofSeconds(30)).until(() -> tailer.linesCaptured() == 100);
            }
            assertThat(storedPosition().offset()).isEqualTo(Files.size(log));
            IntStream.range(100, 150).forEach(i -> vault.line(AuditLines.numbered("rs", i)));
            vault.raw(AuditLines.numbered("rs", 150).substring(0, 50).getBytes(StandardCharsets.UTF_8));
            try (var tailer = new VaultAuditFileTailer(settings(t)).start()) {
                await().atMost(ofSeconds(30)).until(() -> tailer.linesCaptured() == 50);
            }
            vault.raw((AuditLines.numbered("rs", 150).substring(50) + "\n").getBytes(StandardCharsets.UTF_8));
            try (var tailer = new VaultAuditFileTailer(settings(t)).start()) {
                await().atMost(ofSeconds(30)).until(() -> tailer.linesCaptured() == 1);
            }
        }
        assertThat(t.auditKeys()).containsExactlyElementsOf(IntStream.rangeClosed(0, 150).mapToObj(i -> "rs-" + i).toList());
        assertThat(t.dlq()).isEmpty();
    }

    /**
     * Disk full on the position file: {@code position.json.tmp} (where the next position is written before the rename) is made
     * a link to {@code /dev/full}, so every position write fails with the kernel's ENOSPC, as on a full file system. The
     * failures are asserted as the app exports them ({@code airlock_vault_position_write_failures_total}), not only through
     * the tailer's accessor.
     */
    @Test
    void shouldKeepCapturingWhenThePositionCannotBeStoredAndStoreItOnceItCanAgain() throws IOException {
        Path full = Path.of("/dev/full");
        if (!Files.isWritable(full)) {
            String why = "skipped: needs /dev/full (every write fails with ENOSPC), which here "
                    + (Files.exists(full) ? "is not writable by " + System.getProperty("user.name") : "does not exist");
            System.out.println(getClass().getSimpleName() + ".shouldKeepCapturingWhenThePositionCannotBeStored...: " + why);
            org.junit.jupiter.api.Assumptions.abort(why);
        }
        var prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Metrics.globalRegistry.add(prometheus);
        try {
            var t = new VaultTopics(kafka);
            Path log = dir.resolve("audit.log");
            Path tmp = dir.resolve("state/position.json.tmp");
            try (var vault = new AuditLogWriter(log); var tailer = new VaultAuditFileTailer(settings(t)).start()) {
                IntStream.range(0, 50).forEach(i -> vault.line(AuditLines.numbered("df", i)));
                await().atMost(ofSeconds(60)).until(() -> tailer.linesCaptured() == 50);
                await().atMost(ofSeconds(60)).until(() -> storedPosition() != null && storedPosition().offset() == Files.size(log));
                long savedBeforeDiskFull = storedPosition().offset();
                assertThat(exported(prometheus)).as("exported before the disk is full").isZero();

                Files.createSymbolicLink(tmp, full);
                IntStream.range(50, 120).forEach(i -> vault.line(AuditLines.numbered("df", i)));
                await().atMost(ofSeconds(60)).until(() -> tailer.linesCaptured() == 120 && tailer.positionWriteFailures() >= 2);
                assertThat(tailer.failure()).isNull();
                assertThat(storedPosition().offset()).as("the last good position stays readable").isEqualTo(savedBeforeDiskFull);
                await().atMost(ofSeconds(10)).untilAsserted(() -> assertThat(exported(prometheus))
                        .as("airlock_vault_position_write_failures_total").isGreaterThanOrEqualTo(2));

                Files.delete(tmp); // space freed
                await().atMost(ofSeconds(60)).until(() -> storedPosition().offset() == Files.size(log));
                long failures = tailer.positionWriteFailures();
                IntStream.range(120, 130).forEach(i -> vault.line(AuditLines.numbered("df", i)));
                await().atMost(ofSeconds(60)).until(() -> tailer.linesCaptured() == 130 && storedPosition().offset() == Files.size(log));
                assertThat(tailer.positionWriteFailures()).as("no failures once writable again").isEqualTo(failures);
                assertThat(exported(prometheus)).as("exported: every failure, none after").isEqualTo(failures);
                System.out.printf("FIGURES disk full: %d position writes failed, exported %s = %.0f%n", failures,
                        "airlock_vault_position_write_failures_total", exported(prometheus));
            }
            assertThat(t.auditKeys()).containsExactlyElementsOf(IntStream.range(0, 130).mapToObj(i -> "df-" + i).toList());
            assertThat(t.dlq()).isEmpty();
        } finally {
            Metrics.globalRegistry.remove(prometheus);
            prometheus.close();
        }
    }

    /** {@code airlock_vault_position_write_failures_total} as a Prometheus scrape shows it (0 when absent). */
    private static double exported(PrometheusMeterRegistry prometheus) {
        return prometheus.scrape().lines().filter(l -> l.startsWith("airlock_vault_position_write_failures_total "))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.indexOf(' ') + 1).trim())).findFirst().orElse(0);
    }

    /**
     * A stored position and the log's directory gone at start (its volume not mounted yet): the tailer stopped for good
     * (NoSuchFileException listing the directory) and Airlock restarted forever. It waits as for a missing file, then
     * resumes the same file where it stopped.
     */
    @Test
    void shouldWaitForAMissingDirectoryAndResumeTheStoredFileWhenItIsBack() throws Exception {
        var t = new VaultTopics(kafka);
        Path logs = dir.resolve("logs");
        Path log = logs.resolve("audit.log");
        Files.createDirectory(logs);
        var settings = VaultAuditSettings.forFile(kafka.bootstrapServers(), t.topics, log, dir.resolve("state/position.json"))
                .withPollInterval(ofMillis(20));
        try (var vault = new AuditLogWriter(log)) {
            IntStream.range(0, 10).forEach(i -> vault.line(AuditLines.numbered("mnt", i)));
            try (var tailer = new VaultAuditFileTailer(settings).start()) {
                await().atMost(ofSeconds(30)).until(() -> tailer.linesCaptured() == 10);
            }
            Path unmounted = dir.resolve("logs.elsewhere");
            Files.move(logs, unmounted);
            var logged = new ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent>();
            logged.start();
            var logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(VaultAuditFileTailer.class);
            logger.addAppender(logged);
            try (var tailer = new VaultAuditFileTailer(settings).start()) {
                await().atMost(ofSeconds(30)).until(() -> logged.list.stream().anyMatch(e -> e.getFormattedMessage()
                        .contains(log + " does not exist (yet): waiting for it")));
                assertThat(tailer.failure()).isNull();
                IntStream.range(10, 15).forEach(i -> vault.line(AuditLines.numbered("mnt", i)));
                Files.move(unmounted, logs); // mounted again: the same file, grown meanwhile
                await().atMost(ofSeconds(30)).until(() -> tailer.linesCaptured() == 5);
                assertThat(tailer.failure()).isNull();
            } finally {
                logger.detachAppender(logged);
            }
        }
        assertThat(t.auditKeys()).containsExactlyElementsOf(IntStream.range(0, 15).mapToObj(i -> "mnt-" + i).toList());
    }

    @Test
    void shouldFinishTheRotatedFileWhenTheLogWasRenamedWhileStopped() throws IOException {
        var t = new VaultTopics(kafka);
        Path log = dir.resolve("audit.log");
        try (var vault = new AuditLogWriter(log)) {
            IntStream.range(0, 100).forEach(i -> vault.line(AuditLines.numbered("rn", i)));
            try (var tailer = new VaultAuditFileTailer(settings(t)).start()) {
                await().atMost(ofSeconds(30)).until(() -> tailer.linesCaptured() == 100);
            }
            IntStream.range(100, 120).forEach(i -> vault.line(AuditLines.numbered("rn", i)));
            vault.rotateByRename(dir.resolve("audit.log.1"));
            IntStream.range(120, 150).forEach(i -> vault.line(AuditLines.numbered("rn", i)));
            try (var tailer = new VaultAuditFileTailer(settings(t)).start()) {
                await().atMost(ofSeconds(30)).until(() -> tailer.linesCaptured() == 50);
            }
        }
        assertThat(t.auditKeys()).containsExactlyElementsOf(IntStream.range(0, 150).mapToObj(i -> "rn-" + i).toList());
        assertThat(storedPosition()).isEqualTo(new FilePosition(io.airlock.ingest.vault.internal.FileIdentity.of(log).id(), Files.size(log)));
    }

    @Test
    void shouldDeadLetterEveryBadLineAndDeliverTheGoodOnesAroundIt() throws IOException {
        var t = new VaultTopics(kafka);
        Path log = dir.resolve("audit.log");
        Instant time = Instant.parse("2026-03-02T10:00:00Z");
        List<byte[]> bad = List.of(
                ("{\"time\":\"2026-03-02T10:00:00Z\",\"type\":\"request\",\"request\":{\"id\":\"trunc\"").getBytes(StandardCharsets.UTF_8),
                concat("{\"type\":\"request\",\"request\":{\"id\":\"utf\",\"path\":\"secret/".getBytes(StandardCharsets.UTF_8),
                        new byte[] {(byte) 0xC3, (byte) 0x28}, "\"}}".getBytes(StandardCharsets.UTF_8)),
                "{\"type\":\"request\u0000\",\"request\":{\"id\":\"nul\"}}".getBytes(StandardCharsets.UTF_8),
                ("{\"request\":{\"id\":\"big\"," + ("\"path\":\"" + "x".repeat(5000) + "\",").repeat(300) + "\"path\":\"\"}}")
                        .getBytes(StandardCharsets.UTF_8), // too long with only what is read: a field repeated

                ("{\"request\":{\"id\":\"deep\"},\"data\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}").getBytes(StandardCharsets.UTF_8),
                "{\"time\":\"2026-03-02T10:00:00Z\",\"type\":\"request\",\"request\":5}".getBytes(StandardCharsets.UTF_8),
                "{\"type\":\"request\",\"request\":{\"id\":7}}".getBytes(StandardCharsets.UTF_8),
                "[\"not\",\"an\",\"object\"]".getBytes(StandardCharsets.UTF_8),
                "vault: permission denied".getBytes(StandardCharsets.UTF_8),
                "{\"request\":{\"id\":\"a\"}}{\"request\":{\"id\":\"b\"}}".getBytes(StandardCharsets.UTF_8),
                new byte[0]);
        List<String> expectedReasons = List.of("unexpected end of input", "invalid UTF-8", "NUL byte", "line too long",
                "nested deeper than 1000", "field 'request' is a number, expected an object",
                "field 'request.id' is a number, expected a string", "not a JSON object", "not valid JSON", "data after the JSON object",
                "empty line");
        String unknownFields = "{\"time\":\"2026-03-02T10:00:00Z\",\"type\":\"request\",\"request\":{\"id\":\"unknown\",\"brand_new\":"
                + "{\"x\":[1,2]}},\"field_from_vault_2\":true}";
        String fromTheFuture = AuditLines.request("future", Instant.parse("2999-01-01T00:00:00Z"));
        List<Long> badOffsets = new ArrayList<>();
        List<String> goodKeys = new ArrayList<>();
        try (var out = Files.newOutputStream(log)) {
            long offset = 0;
            for (int i = 0; i < bad.size(); i++) {
                String good = AuditLines.request("good-" + i, time.plusSeconds(i));
                goodKeys.add("good-" + i);
                out.write((good + "\n").getBytes(StandardCharsets.UTF_8));
                offset += good.getBytes(StandardCharsets.UTF_8).length + 1;
                badOffsets.add(offset);
                out.write(bad.get(i));
                out.write('\n');
                offset += bad.get(i).length + 1;
            }
            out.write((unknownFields + "\n" + fromTheFuture + "\n" + AuditLines.request("good-last", time) + "\n").getBytes(StandardCharsets.UTF_8));
        }
        goodKeys.addAll(List.of("unknown", "future", "good-last"));
        try (var tailer = new VaultAuditFileTailer(settings(t)).start()) {
            await().atMost(ofSeconds(60)).until(() -> tailer.linesCaptured() == goodKeys.size() && tailer.linesDeadLettered() == bad.size());
            assertThat(tailer.failure()).isNull();
        }
        assertThat(t.auditKeys()).containsExactlyInAnyOrderElementsOf(goodKeys);
        ConsumerRecord<String, String> future = t.audit().stream().filter(r -> r.key().equals("future")).findFirst().orElseThrow();
        assertThat(future.timestamp()).as("stamped with the current time, the broker refuses the year 2999").isLessThan(
                Instant.parse("2100-01-01T00:00:00Z").toEpochMilli());
        List<JsonNode> letters = t.deadLetters();
        assertThat(letters).hasSize(bad.size());
        assertThat(letters).extracting(l -> l.get("offset").asLong()).containsExactlyElementsOf(badOffsets);
        assertThat(letters).allSatisfy(l -> {
            assertThat(l.get("source_topic").asText()).isEqualTo("vault-audit-file:" + log.toAbsolutePath());
            assertThat(l.get("stage").asText()).isEqualTo("ingest:vault-file");
            assertThat(l.get("partition").asInt()).isEqualTo(-1);
        });
        for (int i = 0; i < bad.size(); i++) {
            assertThat(letters.get(i).get("reason").asText()).as("reason of bad line %d", i).contains(expectedReasons.get(i));
        }
        JsonNode big = letters.get(3);
        assertThat(big.get("reason").asText()).contains("truncated to the first 262144 of " + bad.get(3).length + " bytes");
        assertThat(big.get("value").asText()).hasSize(262144).startsWith("{\"request\":{\"id\":\"big\",");
        assertThat(letters.get(1).get("value")).as("invalid UTF-8 kept as base64").isNull();
        assertThat(java.util.Base64.getDecoder().decode(letters.get(1).get("value_base64").asText())).isEqualTo(bad.get(1));
        assertThat(letters.get(0).get("value").asText()).isEqualTo(new String(bad.get(0), StandardCharsets.UTF_8));
    }

    /**
     * A read padded with ~14 000 query parameters (a 120 KB URL) makes request and response lines of ~1.3 MB, over the
     * 1 MiB limit: they arrive without their data, keyed by request.id, with their positions; the stored position and a
     * restart are right around them, also when the tailer reads such a line in several chunks and polls.
     */
    @Test
    void shouldSendAPaddedLineOverTheLimitCompactedWithItsKeyAndPosition() throws IOException {
        var t = new VaultTopics(kafka);
        Path log = dir.resolve("audit.log");
        Instant time = Instant.parse("2026-03-02T10:00:00Z");
        String before = AuditLines.request("before", time);
        String request = AuditLines.padded(AuditLines.request("padded", time.plusMillis(1)), 15_000);
        String response = AuditLines.padded(AuditLines.response("padded", time.plusMillis(2)), 15_000);
        String after = AuditLines.request("after", time.plusMillis(3));
        byte[] responseBytes = response.getBytes(StandardCharsets.UTF_8);
        assertThat(responseBytes.length).isGreaterThan(1_300_000);
        long requestStart = before.length() + 1;
        long responseStart = requestStart + request.length() + 1;
        long afterStart = responseStart + responseBytes.length + 1;
        Files.writeString(log, before + "\n" + request + "\n" + response.substring(0, 700_000));
        try (var tailer = new VaultAuditFileTailer(settings(t)).start()) {
            await().atMost(ofSeconds(30)).until(() -> tailer.linesCaptured() == 2);
            await().atMost(ofSeconds(30)).until(() -> storedPosition() != null && storedPosition().offset() == responseStart);
            Files.writeString(log, response.substring(700_000) + "\n" + after + "\n", java.nio.file.StandardOpenOption.APPEND);
            await().atMost(ofSeconds(30)).until(() -> tailer.linesCaptured() == 4);
            assertThat(tailer.linesCompacted()).isEqualTo(2);
            assertThat(tailer.linesDeadLettered()).isZero();
        }
        assertThat(storedPosition().offset()).isEqualTo(Files.size(log));
        List<ConsumerRecord<String, String>> audit = t.audit();
        assertThat(audit).extracting(ConsumerRecord::key).containsExactly("before", "padded", "padded", "after");
        assertThat(audit).extracting(r -> new String(r.headers().lastHeader("airlock.position").value(), StandardCharsets.UTF_8))
                .containsExactly("0", Long.toString(requestStart), Long.toString(responseStart), Long.toString(afterStart));
        for (ConsumerRecord<String, String> padded : audit.subList(1, 3)) {
            JsonNode line = Json.tree(padded.value());
            JsonNode original = Json.tree(padded == audit.get(1) ? request : response);
            assertThat(padded.value().length()).isLessThan(2048);
            assertThat(line.at("/request/data/airlock_omitted_bytes").asLong()).isGreaterThan(1_250_000);
            assertThat(line.at("/request/path").asText()).isEqualTo("airflow/data/connections/postgres_default");
            for (String read : List.of("/auth/display_name", "/auth/entity_id", "/request/id", "/request/operation", "/time")) {
                assertThat(line.at(read)).as(read).isEqualTo(original.at(read));
            }
            assertThat(line.get("type")).isEqualTo(original.get("type"));
            assertThat(VaultTopics.trueTime(padded)).isEqualTo(Instant.parse(original.get("time").asText()).toEpochMilli());
        }
        assertThat(Json.tree(audit.get(1).value()).at("/request/remote_address").asText()).isEqualTo("10.0.0.7");
        assertThat(Json.tree(audit.get(2).value()).at("/response/data/airlock_omitted_bytes").asLong()).isPositive();
        assertThat(Json.tree(audit.get(2).value()).at("/response/mount_type").asText()).isEqualTo("kv");
        assertThat(audit.get(3).value()).isEqualTo(after);
        assertThat(t.dlq()).isEmpty();

        String last = AuditLines.request("last", time.plusMillis(4));
        Files.writeString(log, last + "\n", java.nio.file.StandardOpenOption.APPEND);
        try (var tailer = new VaultAuditFileTailer(settings(t)).start()) {
            await().atMost(ofSeconds(30)).until(() -> tailer.linesCaptured() == 1);
        }
        assertThat(t.auditKeys()).as("a restart re-sends nothing").containsExactly("before", "padded", "padded", "after", "last");
    }

    @Test
    void shouldCaptureRealVaultAuditLinesVerbatim() throws IOException {
        var t = new VaultTopics(kafka);
        byte[] fixture;
        try (InputStream in = Objects.requireNonNull(getClass().getResourceAsStream("/vault/real-audit-lines.jsonl"))) {
            fixture = in.readAllBytes();
        }
        List<String> lines = new String(fixture, StandardCharsets.UTF_8).lines().toList();
        Files.write(dir.resolve("audit.log"), fixture);
        try (var tailer = new VaultAuditFileTailer(settings(t)).start()) {
            await().atMost(ofSeconds(30)).until(() -> tailer.linesCaptured() == lines.size());
        }
        List<ConsumerRecord<String, String>> audit = t.audit();
        assertThat(audit).extracting(ConsumerRecord::value).containsExactlyElementsOf(lines);
        for (ConsumerRecord<String, String> r : audit) {
            JsonNode line = Json.tree(r.value());
            String id = line.at("/request/id").asText("");
            assertThat(r.key()).isEqualTo(id.isEmpty() ? io.airlock.core.StableIds.of(r.value()) : id);
            assertThat(VaultTopics.trueTime(r)).isEqualTo(Instant.parse(line.get("time").asText()).toEpochMilli());
        }
        assertThat(t.dlq()).isEmpty();
    }

    /**
     * Writes {@code total} numbered lines, staying at most 300 lines ahead of what Kafka acknowledged so rotations in the test
     * thread really happen while lines are being written.
     */
    private static Thread loadWriter(AuditLogWriter vault, VaultAuditFileTailer tailer, String name, int total) {
        var failure = new AtomicReference<Throwable>();
        Thread writer = new Thread(() -> {
            try {
                for (int i = 0; i < total; i++) {
                    if (i - tailer.linesCaptured() > 300) {
                        await().pollDelay(ofMillis(0)).pollInterval(ofMillis(2)).atMost(ofSeconds(60))
                                .until(() -> vault.linesWritten() - tailer.linesCaptured() <= 150);
                    }
                    vault.line(AuditLines.numbered(name, i));
                }
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "audit-writer-" + name);
        writer.start();
        return writer;
    }

    /**
     * Like {@link #loadWriter} but paced by the tailer's byte lag on the file, since lines lost to copy-truncate never get
     * acknowledged and would stall a line-count throttle.
     */
    private static Thread byteLagWriter(AuditLogWriter vault, VaultAuditFileTailer tailer, Path log, String name, int total) {
        Thread writer = new Thread(() -> {
            for (int i = 0; i < total; i++) {
                await().pollDelay(ofMillis(0)).pollInterval(ofMillis(2)).atMost(ofSeconds(60))
                        .until(() -> Files.size(log) - tailer.currentOffset() < 100_000);
                vault.line(AuditLines.numbered(name, i));
            }
        }, "audit-writer-" + name);
        writer.start();
        return writer;
    }

    private static byte[] concat(byte[]... parts) {
        var out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
