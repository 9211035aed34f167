package io.airlock.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.app.backtest.Backtest;
import io.airlock.streams.DagRunRow;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo's Vault story, replayed offline: a read of Airflow's identity while no DAG run runs raises AL-022, others do not. */
class DemoScenarioBacktestTest {

    @Test
    void shouldRaiseAl022ForTheReadBetweenRunsOnly(@TempDir Path dir) throws Exception {
        Instant now = Instant.parse("2026-11-23T12:30:00Z");
        // the snapshot is read after the runs' times it reports (a run's time never counts later than its change's commit)
        Instant snapshotAt = now.minus(Duration.ofMinutes(6));
        Path cdc = Files.write(dir.resolve("cdc.jsonl"), List.of(
                DagRunRow.airflow2(1, "etl_daily", "scheduled__earlier").runType("scheduled").state("success")
                        .queuedAt(now.minus(Duration.ofMinutes(30))).startDate(now.minus(Duration.ofMinutes(30)))
                        .endDate(now.minus(Duration.ofMinutes(25))).change("r", snapshotAt, null),
                DagRunRow.airflow2(2, "etl_daily", "scheduled__current").runType("scheduled").state("running")
                        .queuedAt(now.minus(Duration.ofMinutes(8))).startDate(now.minus(Duration.ofMinutes(8)))
                        .change("r", snapshotAt, null)));
        Path audit = dir.resolve("audit.log");
        var vault = new VaultAuditWriter(audit);
        vault.read(now.minus(Duration.ofMinutes(5)), AttackSimulation.AIRFLOW_IDENTITY, "airflow", "connections/pg", false, Map.of());
        vault.read(now.minus(Duration.ofMinutes(15)), AttackSimulation.AIRFLOW_IDENTITY, "airflow", "variables/aws", false, Map.of());
        vault.read(now.minus(Duration.ofMinutes(2)), AttackSimulation.AIRFLOW_IDENTITY, "airflow", "connections/pg", false, Map.of());
        vault.read(now, AttackSimulation.AIRFLOW_IDENTITY, "airflow", "connections/pg", false, Map.of());

        Path out = dir.resolve("alerts.jsonl");
        var console = new ByteArrayOutputStream();
        int exit = new Backtest(new PrintStream(console, true, StandardCharsets.UTF_8)).run(cdc, audit, null, out, null);

        assertThat(exit).isZero();
        assertThat(Files.readAllLines(out)).singleElement().satisfies(line -> {
            assertThat(line).contains("\"rule.id\":\"AL-022\"").contains("\"count\":1");
        });
    }
}
