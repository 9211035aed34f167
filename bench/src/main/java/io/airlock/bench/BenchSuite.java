package io.airlock.bench;

import io.airlock.embedded.EmbeddedKafka;
import io.airlock.embedded.EmbeddedOpenSearch;
import io.airlock.embedded.EmbeddedPostgres;
import io.airlock.embedded.WebhookReceiver;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./airlock bench [--quick] --out FILE.json}: starts the embedded components once (PostgreSQL, Kafka, OpenSearch,
 * webhook receiver) and measures, each beside its raw baseline on the same components, CDC capture
 * ({@link CdcCaptureBenchmark}), detection ({@link DetectionBenchmark}), indexing ({@link IndexingBenchmark}), then
 * {@code airlock run} end to end as a child process ({@link EndToEndBenchmark}); prints the table of {@link BenchReport}
 * and writes its JSON. A stage that fails is reported as not measured and the others still run (exit code 1).
 */
@Command(name = "airlock bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Measure capture, detection, indexing and end-to-end latency beside raw baselines; print a table, write JSON.")
public final class BenchSuite implements Callable<Integer> {

    /** The measurements, in the order they run. */
    enum Stage {
        CDC("CDC capture", "cdc_ratio"),
        DETECT("Detection", "detect_events_per_s", "detect_ratio"),
        INDEX("Indexing", "index_ratio"),
        E2E("End-to-end", "e2e_p99_ms", "rss_mb");

        final String title;
        final List<String> goalKeys;

        Stage(String title, String... goalKeys) {
            this.title = title;
            this.goalKeys = List.of(goalKeys);
        }
    }

    @Option(names = "--quick", description = "Smaller sizes and one end-to-end rate (2000 events/s): a few minutes.")
    boolean quick;

    @Option(names = "--out", paramLabel = "FILE", description = "Where to write the JSON figures (default: ${DEFAULT-VALUE}).")
    Path out = Path.of("airlock-bench.json");

    @Option(names = "--only", split = ",", paramLabel = "STAGE", description = "Run only these stages (${COMPLETION-CANDIDATES}).")
    Set<Stage> only;

    @Option(names = "--rates", split = ",", paramLabel = "EVENTS_PER_S",
            description = "End-to-end rates (default: 2000 with --quick, else 1000,2000,5000).")
    List<Integer> rates;

    @Option(names = "--e2e-seconds", paramLabel = "SECONDS",
            description = "Measured load per end-to-end rate, after the warm-up (--e2e-warm-up) (default: 30 with --quick, else 90).")
    Integer e2eSeconds;

    @Option(names = "--e2e-warm-up", paramLabel = "SECONDS",
            description = "Load before latencies count, per rate (default: a third of the measured time, at least 30 s with --quick, else 75 s).")
    Integer e2eWarmUp;

    @Option(names = "--pipeline-jvm-options", paramLabel = "OPTS", description = "JVM options of the airlock run child (default: ${DEFAULT-VALUE}).")
    String pipelineJvmOptions = "-Xmx512m";

    @Option(names = "--pipeline-config", paramLabel = "KEY=VALUE",
            description = "Extra airlock.yml setting of the airlock run child, e.g. --pipeline-config delivery.slack-interval=0s (repeatable).")
    Map<String, String> pipelineConfig = new LinkedHashMap<>();

    /**
     * Least warm-up of the pipeline before latencies count, {@code --quick} (2 000 events/s) and full: on two cores the JIT
     * compiler of the child JVM competes with the pipeline after start; at 2 000 events/s notifications came in bursts for
     * ~25 s, at 5 000 events/s the backlog built meanwhile took until ~60 s to drain (p99 15 s with a 30 s warm-up,
     * 744 ms with 75 s, docs/performance.md).
     */
    static final int WARM_UP_SECONDS = 30;
    static final int FULL_WARM_UP_SECONDS = 75;

    /** The end-to-end rate whose latency the e2e goals are judged at (issue #8: 2k events/s). */
    static final int GOAL_RATE = 2000;

    public static void main(String[] args) {
        useBenchLogging();
        System.exit(new CommandLine(new BenchSuite()).setCaseInsensitiveEnumValuesAllowed(true).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Set<Stage> stages = only == null || only.isEmpty() ? EnumSet.allOf(Stage.class) : EnumSet.copyOf(only);
        List<Integer> e2eRates = rates != null && !rates.isEmpty() ? rates : quick ? List.of(GOAL_RATE) : List.of(1000, GOAL_RATE, 5000);
        BenchReport report = new BenchReport(quick ? "quick" : "full");
        long t0 = System.nanoTime();
        loadAverage().ifPresent(l -> report.extra("load_average_1m_at_start", l));
        boolean failed = false;
        EnumSet.complementOf(EnumSet.copyOf(stages)).forEach(s -> report.notRun(s.title, s.goalKeys));
        boolean e2e = stages.contains(Stage.E2E);
        // only what the chosen stages need is started
        try (EmbeddedPostgres postgres = stages.contains(Stage.CDC) || e2e ? timed("PostgreSQL", EmbeddedPostgres::start) : null;
                EmbeddedKafka kafka = stages.contains(Stage.CDC) || stages.contains(Stage.DETECT) || e2e
                        ? timed("Kafka (KRaft, in this JVM)", BenchSuite::quietKafka) : null;
                EmbeddedOpenSearch openSearch = stages.contains(Stage.INDEX) || e2e ? timed("OpenSearch (child process)", EmbeddedOpenSearch::start) : null;
                WebhookReceiver webhooks = e2e ? WebhookReceiver.start() : null) {
            if (stages.contains(Stage.CDC)) {
                failed |= !stage(report, Stage.CDC.title, () -> {
                    var c = CdcCaptureBenchmark.compare(postgres, kafka, quick ? 20_000 : 300_000, quick ? 1 : 2);
                    report.cdc(new BenchReport.Throughput(c.airlockRowsPerSecond(), c.rawRowsPerSecond()));
                });
            }
            if (stages.contains(Stage.DETECT)) {
                failed |= !stage(report, Stage.DETECT.title, () -> {
                    var c = DetectionBenchmark.compare(kafka, quick ? 100_000 : 300_000, quick ? 1 : 2);
                    report.detection(new BenchReport.Throughput(c.airlockEventsPerSecond(), c.passThroughEventsPerSecond()),
                            c.stateStoreBytes(), c.changelogBytes());
                });
            }
            if (stages.contains(Stage.INDEX)) {
                failed |= !stage(report, Stage.INDEX.title, () -> {
                    var c = IndexingBenchmark.compare(openSearch, quick ? 10_000 : 200_000, 2);
                    report.indexing(new BenchReport.Throughput(c.airlockDocsPerSecond(), c.plainDocsPerSecond()));
                });
            }
            if (stages.contains(Stage.E2E)) {
                Path workDir = Files.createTempDirectory("airlock-bench-e2e");
                int seconds = e2eSeconds != null ? e2eSeconds : quick ? 30 : 90;
                int warmUp = e2eWarmUp != null ? e2eWarmUp : Math.max(quick ? WARM_UP_SECONDS : FULL_WARM_UP_SECONDS, seconds / 3);
                var options = new EndToEndBenchmark.Options(Duration.ofSeconds(warmUp), Duration.ofSeconds(seconds),
                        List.of(pipelineJvmOptions.trim().split("\\s+")), Map.copyOf(pipelineConfig), workDir);
                List<EndToEndBenchmark.Result> results = new ArrayList<>();
                for (int rate : e2eRates) {
                    failed |= !stage(report, "End-to-end @ " + rate + "/s",
                            () -> results.add(EndToEndBenchmark.run(postgres, kafka, openSearch, webhooks, rate, options)));
                }
                report.endToEnd(results, GOAL_RATE);
            }
        }
        loadAverage().ifPresent(l -> report.extra("load_average_1m_at_end", l));
        System.out.printf(Locale.ROOT, "%nAirlock benchmarks (%s, %d CPUs, %.1f min, load average %s)%n%n%s", quick ? "quick" : "full",
                Runtime.getRuntime().availableProcessors(), (System.nanoTime() - t0) / 6e10,
                loadAverage().map(l -> String.format(Locale.ROOT, "%.1f", l)).orElse("-"), report.table());
        report.write(out);
        System.out.println("\nwritten: " + out.toAbsolutePath());
        return failed ? 1 : 0;
    }

    private interface Measurement {
        void run() throws Exception;
    }

    /** Runs one measurement; a failure is reported, not thrown, so the other stages still run. */
    private static boolean stage(BenchReport report, String name, Measurement measurement) {
        System.out.printf(Locale.ROOT, "%n== %s%n", name);
        long t0 = System.nanoTime();
        try {
            measurement.run();
            System.out.printf(Locale.ROOT, "== %s: %.1f s%n", name, (System.nanoTime() - t0) / 1e9);
            return true;
        } catch (Exception e) {
            e.printStackTrace();
            report.failed(name, e.getClass().getSimpleName() + ": " + firstLine(e.getMessage()));
            return false;
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int newline = message.indexOf('\n');
        String line = newline < 0 ? message : message.substring(0, newline);
        return line.length() <= 160 ? line : line.substring(0, 157) + "...";
    }

    /**
     * Logs warnings only, from {@code logback-bench.xml}: the {@code logback.xml} on the classpath is airlock-app's, which the
     * {@code airlock run} child keeps using, as deployed. Call first in {@code main}, before anything logs.
     */
    static void useBenchLogging() {
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "logback-bench.xml");
        }
    }

    /** The 1-minute load average from /proc/loadavg: how much else ran on the machine while measuring. */
    static Optional<Double> loadAverage() {
        try {
            return Optional.of(Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]));
        } catch (java.io.IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Starts the embedded broker without the storage-formatting lines Kafka's test kit prints to stdout. */
    static EmbeddedKafka quietKafka() {
        PrintStream console = System.out;
        System.setOut(new PrintStream(OutputStream.nullOutputStream()));
        try {
            return EmbeddedKafka.start();
        } finally {
            System.setOut(console);
        }
    }

    private static <T> T timed(String what, Supplier<T> start) {
        long t0 = System.nanoTime();
        T component = start.get();
        System.out.printf(Locale.ROOT, "started %-28s %5.1f s%n", what, (System.nanoTime() - t0) / 1e9);
        return component;
    }
}
