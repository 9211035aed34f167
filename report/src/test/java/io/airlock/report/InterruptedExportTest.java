package io.airlock.report;

import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.airlock.core.NormalizedEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An export that fails, is interrupted or killed midway leaves {@code --out} as it was (new or empty), so the retry can use
 * it: the report is written next to it and moved in once complete.
 */
class InterruptedExportTest {

    private static final ReportQuery QUERY = new ReportQuery(SampleData.DAY, SampleData.DAY.plusSeconds(86_400), List.of(), List.of());
    private static final int EVENTS = 50;

    @TempDir
    Path tmp;

    static List<NormalizedEvent> events() {
        List<NormalizedEvent> events = new ArrayList<>();
        for (int i = 0; i < EVENTS; i++) {
            events.add(NormalizedEvent.builder(SampleData.DAY.plusSeconds(i), "ev-" + i, NormalizedEvent.DATASET_AB_USER)
                    .category("authentication").action("login").outcome("success").userName("alice").build());
        }
        return events;
    }

    /** The sample events, calling {@code midway} after the tenth. */
    static RecordSource stoppingAfterTen(Runnable midway) {
        RecordSource all = SampleData.source(events(), List.of());
        return new RecordSource() {
            @Override
            public void read(RecordKind kind, ReportQuery query, LongConsumer total, Consumer<ReportRecord> sink) throws IOException {
                int[] n = {0};
                all.read(kind, query, total, record -> {
                    sink.accept(record);
                    if (kind == RecordKind.EVENTS && ++n[0] == 10) {
                        midway.run();
                    }
                });
            }

            @Override
            public String indexOf(RecordKind kind) {
                return all.indexOf(kind);
            }
        };
    }

    private static ReportExporter exporter(RecordSource source) {
        return new ReportExporter(source, ReportProgress.NONE, Clock.fixed(Instant.parse("2026-11-05T10:00:00Z"), java.time.ZoneOffset.UTC));
    }

    private List<String> namesIn(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void shouldWriteNothingIntoOutUntilTheReportIsComplete() throws IOException {
        Path created = tmp.resolve("new");
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        List<String> seenMidway = new ArrayList<>();

        exporter(stoppingAfterTen(() -> seenMidway.add(Files.exists(created) ? "created exists" : "created absent")))
                .export(QUERY, EnumSet.of(ReportFormat.CSV, ReportFormat.HTML), created, Optional.empty());
        exporter(stoppingAfterTen(() -> seenMidway.add(isEmpty(empty) ? "empty empty" : "empty written to")))
                .export(QUERY, EnumSet.of(ReportFormat.CSV, ReportFormat.HTML), empty, Optional.empty());

        assertThat(seenMidway).containsExactly("created absent", "empty empty");
        for (Path dir : List.of(created, empty)) {
            assertThat(ReportVerifier.verify(dir, Optional.empty()).problem()).isEmpty();
            assertThat(namesIn(dir)).containsExactly("alerts.csv", "events.csv", "manifest.json", "report.html");
        }
        assertThat(namesIn(tmp)).as("no partial directory left").containsExactly("empty", "new");
    }

    private static boolean isEmpty(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void shouldLeaveAnEmptyOutEmptyWhenTheExportDiesMidwayAndLetTheRetryWrite() throws IOException {
        Path out = Files.createDirectories(tmp.resolve("out"));

        // an Error, as an interrupted or dying thread throws it: not an IOException the old clean-up caught
        assertThatThrownBy(() -> exporter(stoppingAfterTen(() -> {
            throw new OutOfMemoryError("simulated");
        })).export(QUERY, EnumSet.of(ReportFormat.CSV), out, Optional.empty())).isInstanceOf(OutOfMemoryError.class);

        assertThat(out).isEmptyDirectory();
        assertThat(namesIn(tmp)).containsExactly("out");
        var retry = exporter(SampleData.source(events(), List.of())).export(QUERY, EnumSet.of(ReportFormat.CSV), out, Optional.empty());
        assertThat(retry.events()).isEqualTo(EVENTS);
        assertThat(ReportVerifier.verify(out, Optional.empty()).problem()).isEmpty();
    }

    @Test
    void shouldLeaveOutAsItWasWhenTheExportIsKilledAndLetTheRetryCleanUpAndWrite() throws Exception {
        Path out = tmp.resolve("killed");
        Path midway = tmp.resolve("midway");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), KilledExport.class.getName(),
                out.toString(), midway.toString()).redirectErrorStream(true).redirectOutput(tmp.resolve("child.log").toFile()).start();
        try {
            await().atMost(ofSeconds(60)).until(() -> Files.exists(midway) || !child.isAlive());
            assertThat(child.isAlive()).as("the child is midway through the export").isTrue();
        } finally {
            child.destroyForcibly(); // SIGKILL: nothing of the export runs after this
            child.waitFor();
        }

        assertThat(out).as("the killed export left no half-written report in --out").doesNotExist();
        List<String> leftovers = namesIn(tmp).stream().filter(n -> n.startsWith(".killed.airlock-partial-")).toList();
        assertThat(leftovers).hasSize(1);
        assertThat(namesIn(tmp.resolve(leftovers.get(0)))).contains("events.csv").doesNotContain("manifest.json");
        Matcher name = Pattern.compile("\\.killed\\.airlock-partial-(.+)-\\d+-[0-9a-f]{8}")
                .matcher(leftovers.get(0));
        assertThat(name.matches()).as(leftovers.get(0)).isTrue();
        String host = name.group(1);
        Path running = Files.createDirectories(tmp.resolve(".killed.airlock-partial-" + host + "-" + ProcessHandle.current().pid()
                + "-0123abcd"));
        Path otherHost = Files.createDirectories(tmp.resolve(".killed.airlock-partial-" + host + "x-1-0123abcd"));
        Path someonesBackup = Files.createDirectories(tmp.resolve(".killed.airlock-partial-backup"));

        var retry = exporter(SampleData.source(events(), List.of())).export(QUERY, EnumSet.of(ReportFormat.CSV), out, Optional.empty());

        assertThat(retry.events()).isEqualTo(EVENTS);
        assertThat(ReportVerifier.verify(out, Optional.empty()).problem()).isEmpty();
        assertThat(tmp.resolve(leftovers.get(0))).as("left by a process that is gone: removed").doesNotExist();
        assertThat(running).as("of a running export: left alone").exists();
        assertThat(otherHost).as("of another host, whose processes this one cannot see: left alone").exists();
        assertThat(someonesBackup).as("not a name an export writes: left alone").exists();
    }

    /** The child process of the kill test: exports, says when it is midway, and waits there to be killed. */
    public static final class KilledExport {
        public static void main(String[] args) throws Exception {
            Path out = Path.of(args[0]);
            Path midway = Path.of(args[1]);
            exporter(stoppingAfterTen(() -> {
                try {
                    Files.writeString(midway, "10 records written");
                    new CountDownLatch(1).await(); // until killed
                } catch (IOException | InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            })).export(QUERY, EnumSet.of(ReportFormat.CSV), out, Optional.empty());
        }
    }
}
