package io.airlock.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.airlock.core.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The figures of one {@code ./airlock bench} run: each beside its raw baseline, judged against the goals of issues #7 and
 * #8, printed as a table and written as JSON with the keys {@code cdc_rows_per_s}, {@code cdc_ratio},
 * {@code detect_events_per_s}, {@code detect_ratio}, {@code index_docs_per_s}, {@code index_ratio}, {@code e2e_p50_ms},
 * {@code e2e_p99_ms}, {@code rss_mb} (plus baselines, start-up time and the end-to-end figures per rate). A stage that
 * failed keeps its keys, with {@code null}, and its goals count as missed; one left out ({@code --only}) keeps them too,
 * with its goals "not run".
 */
public final class BenchReport {

    /** The goals; a figure that was not measured misses its goal. */
    static final List<Goal> GOALS = List.of(
            Goal.atLeast("cdc_ratio", 0.8),
            Goal.atLeast("detect_events_per_s", 30_000),
            Goal.atLeast("detect_ratio", 0.5),
            Goal.atLeast("index_ratio", 0.8),
            Goal.atMost("e2e_p99_ms", 1_000),
            Goal.atMost("rss_mb", 1_024));

    /** The keys issue #8 asks for, in its order. */
    static final List<String> KEYS = List.of("cdc_rows_per_s", "cdc_ratio", "detect_events_per_s", "detect_ratio",
            "index_docs_per_s", "index_ratio", "e2e_p50_ms", "e2e_p99_ms", "rss_mb");

    private final String mode;
    private final Map<String, Double> figures = new LinkedHashMap<>();
    private final Map<String, String> failures = new LinkedHashMap<>();
    private final Set<String> notRunKeys = new HashSet<>();
    private final List<String> notRunStages = new ArrayList<>();
    private final List<Row> rows = new ArrayList<>();
    private final List<EndToEndBenchmark.Result> endToEnd = new ArrayList<>();
    private int goalRate;

    /** An empty report; {@code mode} is {@code quick} or {@code full}. */
    public BenchReport(String mode) {
        this.mode = Objects.requireNonNull(mode, "mode");
    }

    /** A comparison of one Airlock stage with its raw baseline on the same components. */
    public record Throughput(double airlock, double baseline) {
        /** Airlock's rate divided by the baseline's. */
        public double ratio() {
            return baseline > 0 ? airlock / baseline : 0;
        }
    }

    /** A goal: the figure under {@code key} at least (or at most) {@code bound}. */
    record Goal(String key, boolean atLeast, double bound) {
        static Goal atLeast(String key, double bound) {
            return new Goal(key, true, bound);
        }

        static Goal atMost(String key, double bound) {
            return new Goal(key, false, bound);
        }

        boolean met(Double value) {
            return value != null && !value.isNaN() && (atLeast ? value >= bound : value <= bound);
        }

        String text() {
            return (atLeast ? ">= " : "<= ") + number(bound);
        }
    }

    private record Row(String stage, String figure, String baseline, String ratio, String goalKeys) {
    }

    /** CDC capture rows/s beside raw Debezium with a no-op consumer. */
    public BenchReport cdc(Throughput t) {
        figures.put("cdc_rows_per_s", t.airlock());
        figures.put("cdc_baseline_rows_per_s", t.baseline());
        figures.put("cdc_ratio", t.ratio());
        rows.add(new Row("CDC capture", rate(t.airlock(), "rows/s"), "raw Debezium " + rate(t.baseline(), "rows/s"), ratio(t.ratio()),
                "cdc_ratio"));
        return this;
    }

    /** Detection events/s (all rules, exactly-once) beside a pass-through topology's records/s. */
    public BenchReport detection(Throughput t, long stateStoreBytes, long changelogBytes) {
        figures.put("detect_events_per_s", t.airlock());
        figures.put("detect_baseline_events_per_s", t.baseline());
        figures.put("detect_ratio", t.ratio());
        figures.put("detect_state_store_mb", stateStoreBytes / 1e6);
        figures.put("detect_changelog_mb", changelogBytes / 1e6);
        rows.add(new Row("Detection", rate(t.airlock(), "events/s"), "pass-through " + rate(t.baseline(), "records/s"),
                ratio(t.ratio()), "detect_events_per_s,detect_ratio"));
        return this;
    }

    /** Indexing docs/s beside a plain bulk loader. */
    public BenchReport indexing(Throughput t) {
        figures.put("index_docs_per_s", t.airlock());
        figures.put("index_baseline_docs_per_s", t.baseline());
        figures.put("index_ratio", t.ratio());
        rows.add(new Row("Indexing", rate(t.airlock(), "docs/s"), "plain bulk " + rate(t.baseline(), "docs/s"), ratio(t.ratio()),
                "index_ratio"));
        return this;
    }

    /**
     * End-to-end runs of {@code airlock run}, one per rate; the latency keys come from the run at {@code goalRate} (or the
     * nearest rate measured), {@code rss_mb} and {@code startup_ms} are the highest of all runs.
     */
    public BenchReport endToEnd(List<EndToEndBenchmark.Result> runs, int goalRate) {
        if (runs.isEmpty()) {
            return this;
        }
        endToEnd.addAll(runs);
        this.goalRate = goalRate;
        EndToEndBenchmark.Result at = runs.stream()
                .min((a, b) -> Integer.compare(Math.abs(a.rate() - goalRate), Math.abs(b.rate() - goalRate))).orElseThrow();
        figures.put("e2e_p50_ms", at.p50Ms());
        figures.put("e2e_p99_ms", at.p99Ms());
        figures.put("rss_mb", (double) runs.stream().mapToLong(EndToEndBenchmark.Result::peakRssMb).max().orElse(0));
        figures.put("startup_ms", (double) runs.stream().mapToLong(EndToEndBenchmark.Result::startupMs).max().orElse(0));
        for (EndToEndBenchmark.Result r : runs) {
            String tag = r == at ? "e2e_p50_ms,e2e_p99_ms" : "";
            rows.add(new Row("End-to-end @ " + r.rate() + "/s", String.format(Locale.ROOT, "p50 %s ms, p99 %s ms (%d alerts)",
                    number(r.p50Ms()), number(r.p99Ms()), r.samples()), String.format(Locale.ROOT, "load %s events/s",
                    number(r.achievedRate())), "", tag));
            rows.add(new Row("airlock run @ " + r.rate() + "/s", String.format(Locale.ROOT, "peak RSS %d MB, CPU %.2f cores",
                    r.peakRssMb(), r.cpuCores()), String.format(Locale.ROOT, "start-up %.1f s; indexed %,d of %,d", r.startupMs() / 1000.0,
                    r.indexed(), r.written()), "", ""));
        }
        rows.add(new Row("Pipeline JVM", "peak RSS " + number(figures.get("rss_mb")) + " MB", "", "", "rss_mb"));
        return this;
    }

    /** An extra figure for the JSON only (e.g. the machine's load average), not judged against a goal. */
    public BenchReport extra(String key, double value) {
        figures.put(key, value);
        return this;
    }

    /** Records that a stage could not be measured; its keys stay {@code null} and its goals count as missed. */
    public BenchReport failed(String stage, String reason) {
        failures.put(stage, reason);
        rows.add(new Row(stage, "not measured: " + reason, "", "", ""));
        return this;
    }

    /**
     * Records that a stage was left out on purpose ({@code --only}): its keys stay {@code null} and its goals read "not run"
     * (JSON {@code met: null}) instead of missed; not every goal is then met.
     */
    public BenchReport notRun(String stage, List<String> goalKeys) {
        notRunStages.add(stage);
        notRunKeys.addAll(goalKeys);
        return this;
    }

    /** The figure under {@code key}, or null when it was not measured. */
    Double figure(String key) {
        return figures.get(key);
    }

    /** Whether every goal was met. */
    public boolean allGoalsMet() {
        return GOALS.stream().allMatch(g -> g.met(figures.get(g.key())));
    }

    /** The table: each stage with its figure, baseline and ratio, then each goal with met or missed. */
    public String table() {
        StringBuilder out = new StringBuilder();
        String format = "%-24s %-44s %-36s %-6s%n";
        out.append(String.format(Locale.ROOT, format, "stage", "Airlock", "baseline", "ratio"));
        for (Row r : rows) {
            out.append(String.format(Locale.ROOT, format, r.stage(), r.figure(), r.baseline(), r.ratio()));
        }
        out.append(String.format(Locale.ROOT, "%n%-22s %12s %12s  %s%n", "goal", "figure", "goal", "result"));
        for (Goal g : GOALS) {
            Double value = figures.get(g.key());
            out.append(String.format(Locale.ROOT, "%-22s %12s %12s  %s%n", g.key(), value == null ? "-" : number(value), g.text(),
                    notRunKeys.contains(g.key()) ? "not run" : g.met(value) ? "met" : "MISSED"));
        }
        return out.toString();
    }

    /** The JSON document: the keys first (null when not measured), then the extras. */
    public ObjectNode json() {
        ObjectNode root = Json.MAPPER.createObjectNode();
        for (String key : KEYS) {
            put(root, key, figures.get(key));
        }
        figures.forEach((key, value) -> {
            if (!KEYS.contains(key)) {
                put(root, key, value);
            }
        });
        root.put("mode", mode);
        root.put("cpus", Runtime.getRuntime().availableProcessors());
        ObjectNode goals = root.putObject("goals");
        for (Goal g : GOALS) {
            ObjectNode goal = goals.putObject(g.key()).put("goal", g.text());
            if (notRunKeys.contains(g.key())) {
                goal.putNull("met");
            } else {
                goal.put("met", g.met(figures.get(g.key())));
            }
        }
        if (!notRunStages.isEmpty()) {
            notRunStages.forEach(root.putArray("not_run")::add);
        }
        root.put("all_goals_met", allGoalsMet());
        if (!endToEnd.isEmpty()) {
            root.put("e2e_goal_rate_events_per_s", goalRate);
            ArrayNode runs = root.putArray("e2e");
            for (EndToEndBenchmark.Result r : endToEnd) {
                runs.addObject().put("events_per_s", r.rate()).put("achieved_events_per_s", Math.round(r.achievedRate()))
                        .put("p50_ms", round(r.p50Ms())).put("p99_ms", round(r.p99Ms())).put("max_ms", round(r.maxMs()))
                        .put("alerts_measured", r.samples()).put("alerts_missing", r.missing()).put("rss_mb", r.peakRssMb())
                        .put("startup_ms", r.startupMs()).put("ready_ms", r.readyMs()).put("events_written", r.written()).put("events_indexed", r.indexed())
                        .put("cpu_cores", round(r.cpuCores()));
            }
        }
        if (!failures.isEmpty()) {
            ObjectNode failed = root.putObject("not_measured");
            failures.forEach(failed::put);
        }
        return root;
    }

    /** Writes {@link #json()} to {@code file}, pretty-printed. */
    public void write(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(json()) + "\n");
    }

    private static void put(ObjectNode node, String key, Double value) {
        if (value == null || value.isNaN() || value.isInfinite()) {
            node.putNull(key);
        } else if (key.endsWith("_ratio") || key.endsWith("_ms") || key.endsWith("_mb") || key.startsWith("load_")) {
            node.put(key, round(value));
        } else {
            node.put(key, Math.round(value));
        }
    }

    private static double round(double value) {
        return Math.round(value * 1000) / 1000.0;
    }

    private static String rate(double value, String unit) {
        return String.format(Locale.ROOT, "%,.0f %s", value, unit);
    }

    private static String ratio(double value) {
        return String.format(Locale.ROOT, "%.2f", value);
    }

    private static String number(double value) {
        if (Double.isNaN(value)) {
            return "-";
        }
        return (value == Math.rint(value) || Math.abs(value) >= 100) && Math.abs(value) < 1e12
                ? String.format(Locale.ROOT, "%,d", Math.round(value)) : String.format(Locale.ROOT, "%,.2f", value);
    }
}
