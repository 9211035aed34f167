package io.airlock.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.core.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchReportTest {

    private static EndToEndBenchmark.Result e2e(int rate, double p50, double p99, long rssMb, long startupMs) {
        return new EndToEndBenchmark.Result(rate, rate * 0.99, p50, p99, p99 + 5, 30, 0, rssMb, startupMs, startupMs + 500, rate * 60L, rate * 60L + 12,
                0.8);
    }

    private static BenchReport allMeasured(double detectEventsPerS, double e2eP99AtGoalRate) {
        return new BenchReport("quick")
                .cdc(new BenchReport.Throughput(25_600, 31_300))
                .detection(new BenchReport.Throughput(detectEventsPerS, 60_000), 12_000_000, 30_000_000)
                .indexing(new BenchReport.Throughput(36_500, 36_300))
                .endToEnd(List.of(e2e(1000, 150, 400, 600, 9_000), e2e(2000, 180, e2eP99AtGoalRate, 650, 9_500),
                        e2e(5000, 300, 2_500, 900, 10_100)), 2000);
    }

    @Test
    void shouldWriteEveryKeyOfIssue8WithTheFiguresOfTheGoalRate(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("out/bench.json");
        allMeasured(41_000, 640).write(file);

        JsonNode json = Json.tree(Files.readString(file));
        assertThat(json.fieldNames()).toIterable().startsWith(BenchReport.KEYS.toArray(String[]::new));
        assertThat(json.get("cdc_rows_per_s").asLong()).isEqualTo(25_600);
        assertThat(json.get("cdc_ratio").asDouble()).isEqualTo(0.818);
        assertThat(json.get("detect_events_per_s").asLong()).isEqualTo(41_000);
        assertThat(json.get("detect_ratio").asDouble()).isEqualTo(0.683);
        assertThat(json.get("index_docs_per_s").asLong()).isEqualTo(36_500);
        assertThat(json.get("index_ratio").asDouble()).isEqualTo(1.006);
        // latency of the 2k events/s run; RSS and start-up are the worst of all runs
        assertThat(json.get("e2e_p50_ms").asDouble()).isEqualTo(180);
        assertThat(json.get("e2e_p99_ms").asDouble()).isEqualTo(640);
        assertThat(json.get("rss_mb").asDouble()).isEqualTo(900);
        assertThat(json.get("startup_ms").asLong()).isEqualTo(10_100);
        assertThat(json.get("e2e")).hasSize(3);
        assertThat(json.get("e2e").get(2).get("p99_ms").asDouble()).isEqualTo(2_500);
        assertThat(json.get("e2e").get(2).get("events_indexed").asLong()).isEqualTo(300_012);
        assertThat(json.get("all_goals_met").asBoolean()).isTrue();
    }

    @Test
    void shouldMarkEachMissedGoalInTheJsonAndTheTable() {
        BenchReport report = allMeasured(12_000, 1_400);

        JsonNode goals = report.json().get("goals");
        assertThat(goals.get("detect_events_per_s").get("met").asBoolean()).isFalse();
        assertThat(goals.get("detect_ratio").get("met").asBoolean()).isFalse();
        assertThat(goals.get("e2e_p99_ms").get("met").asBoolean()).isFalse();
        assertThat(goals.get("cdc_ratio").get("met").asBoolean()).isTrue();
        assertThat(goals.get("rss_mb").get("met").asBoolean()).isTrue();
        assertThat(report.allGoalsMet()).isFalse();
        assertThat(report.table())
                .containsPattern("detect_events_per_s\\s+12,000\\s+>= 30,000\\s+MISSED")
                .containsPattern("e2e_p99_ms\\s+1,400\\s+<= 1,000\\s+MISSED")
                .containsPattern("cdc_ratio\\s+0\\.82\\s+>= 0\\.80\\s+met")
                .contains("raw Debezium 31,300 rows/s");
    }

    @Test
    void shouldKeepTheKeysOfAStageThatWasNotMeasuredAsNullAndMissItsGoals() {
        BenchReport report = new BenchReport("full")
                .cdc(new BenchReport.Throughput(25_600, 31_300))
                .failed("Detection", "IllegalStateException: timed out");

        JsonNode json = report.json();
        assertThat(json.get("detect_events_per_s").isNull()).isTrue();
        assertThat(json.get("e2e_p99_ms").isNull()).isTrue();
        assertThat(json.get("not_measured").get("Detection").asText()).contains("timed out");
        assertThat(json.get("goals").get("detect_ratio").get("met").asBoolean()).isFalse();
        assertThat(report.table()).contains("not measured: IllegalStateException: timed out")
                .containsPattern("rss_mb\\s+-\\s+<= 1,024\\s+MISSED");
    }

    @Test
    void shouldSayNotRunForTheGoalsOfAStageLeftOutRatherThanMissed() {
        BenchReport report = new BenchReport("full")
                .notRun("CDC capture", List.of("cdc_ratio"))
                .detection(new BenchReport.Throughput(12_000, 40_000), 5_000_000, 20_000_000);

        JsonNode json = report.json();
        assertThat(json.get("cdc_ratio").isNull()).isTrue();
        assertThat(json.get("goals").get("cdc_ratio").get("met").isNull()).isTrue();
        assertThat(json.get("goals").get("detect_ratio").get("met").asBoolean()).isFalse();
        assertThat(json.get("goals").get("index_ratio").get("met").asBoolean()).as("neither run nor left out").isFalse();
        assertThat(json.get("not_run").get(0).asText()).isEqualTo("CDC capture");
        assertThat(json.get("all_goals_met").asBoolean()).isFalse();
        assertThat(report.table()).containsPattern("cdc_ratio\\s+-\\s+>= 0.80\\s+not run")
                .containsPattern("detect_ratio\\s+0.30\\s+>= 0.50\\s+MISSED");
    }

    @Test
    void shouldTakeNearestRankPercentiles() {
        List<Double> sorted = List.of(10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0, 90.0, 100.0);
        assertThat(EndToEndBenchmark.percentile(sorted, 50)).isEqualTo(50.0);
        assertThat(EndToEndBenchmark.percentile(sorted, 99)).isEqualTo(100.0);
        assertThat(EndToEndBenchmark.percentile(List.of(), 99)).isNaN();
    }
}
