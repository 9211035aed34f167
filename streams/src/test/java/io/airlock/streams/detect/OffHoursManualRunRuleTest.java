package io.airlock.streams.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.core.Alert;
import io.airlock.core.Severity;
import io.airlock.streams.DagRunRow;
import io.airlock.streams.DetectionConfig;
import io.airlock.streams.TestCalendars;
import io.airlock.streams.TopologyFixture;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OffHoursManualRunRuleTest {

    /** Sunday 2026-10-25 02:30 CET in Berlin, the second 02:30 of the night the clocks go back. */
    private static final Instant SUNDAY_NIGHT = Instant.parse("2026-10-25T01:30:00Z");
    /** Monday 2026-10-26 10:00 CET. */
    private static final Instant MONDAY_MORNING = Instant.parse("2026-10-26T09:00:00Z");
    private final TopologyFixture fixture = new TopologyFixture(TestCalendars.berlinConfig());
    private long nextId = 1;

    @AfterEach
    void close() {
        fixture.close();
    }

    private DagRunRow manualRun(boolean airflow3, String dag, Instant queued, String user) {
        long id = nextId++;
        String runId = "manual__" + queued;
        DagRunRow row = airflow3 ? DagRunRow.airflow3(id, dag, runId).triggeringUser(user) : DagRunRow.airflow2(id, dag, runId);
        return row.runType("manual").queuedAt(queued);
    }

    private void created(TopologyFixture into, DagRunRow row, Instant at) {
        into.dagRun(row.key(), row.insert(at), at);
    }

    private void created(DagRunRow row, Instant at) {
        created(fixture, row, at);
    }

    private Alert onlyAlert() {
        Map<String, Alert> alerts = TopologyFixture.latest(fixture.alertUpdates());
        assertThat(alerts).hasSize(1);
        return alerts.values().iterator().next();
    }

    @Test
    void shouldRaiseAMediumAlertForTheDagOfAManualRunTriggeredOnSundayNight() {
        created(manualRun(true, "payments_export", SUNDAY_NIGHT, "mallory"), SUNDAY_NIGHT);

        Alert alert = onlyAlert();
        assertThat(alert.ruleId()).isEqualTo("AL-011");
        assertThat(alert.severity()).isEqualTo(Severity.MEDIUM);
        assertThat(alert.entity()).isEqualTo("payments_export");
        assertThat(alert.count()).isEqualTo(1);
        assertThat(alert.runbook()).isEqualTo("docs/runbooks/AL-011-off-hours-manual-run.md");
        assertThat(alert.techniqueIds()).contains("T1053");
        assertThat(alert.summary()).contains("DAG 'payments_export'", "triggered by 'mallory'",
                "SUN 2026-10-25 02:30 Europe/Berlin (UTC+01:00)");
    }

    @Test
    void shouldSayWhenAirflow2DoesNotRecordTheTriggeringUser() {
        created(manualRun(false, "payments_export", SUNDAY_NIGHT, null), SUNDAY_NIGHT);

        assertThat(onlyAlert().summary()).contains("triggering user not recorded");
    }

    @Test
    void shouldIgnoreScheduledRunsAndManualRunsInBusinessHours() {
        long id = 90;
        DagRunRow scheduled = DagRunRow.airflow3(id, "etl", "scheduled__2026-10-25").runType("scheduled").queuedAt(SUNDAY_NIGHT);
        DagRunRow backfill = DagRunRow.airflow2(id + 1, "etl", "backfill__2026-10-25").runType("backfill").queuedAt(SUNDAY_NIGHT);
        created(scheduled, SUNDAY_NIGHT);
        created(backfill, SUNDAY_NIGHT);
        created(manualRun(true, "etl", MONDAY_MORNING, "alice"), MONDAY_MORNING);

        assertThat(fixture.alertUpdates()).isEmpty();
    }

    @Test
    void shouldNotAlertAgainWhenTheRunChangesState() {
        DagRunRow run = manualRun(true, "etl", SUNDAY_NIGHT, "alice");
        created(run, SUNDAY_NIGHT);
        Instant started = SUNDAY_NIGHT.plusSeconds(5);
        fixture.dagRun(run.key(), run.state("running").startDate(started).update(started), started);
        Instant ended = SUNDAY_NIGHT.plusSeconds(300);
        fixture.dagRun(run.key(), run.state("success").endDate(ended).update(ended), ended);

        assertThat(fixture.alertUpdates()).hasSize(1);
    }

    @Test
    void shouldGroupRepeatedManualRunsOfOneDagIntoOneAlert() {
        created(manualRun(true, "etl", SUNDAY_NIGHT, "alice"), SUNDAY_NIGHT);
        created(manualRun(true, "etl", SUNDAY_NIGHT.plus(Duration.ofMinutes(30)), "bob"), SUNDAY_NIGHT.plus(Duration.ofMinutes(30)));
        created(manualRun(false, "etl", SUNDAY_NIGHT.plus(Duration.ofMinutes(80)), null), SUNDAY_NIGHT.plus(Duration.ofMinutes(80)));
        created(manualRun(true, "other", SUNDAY_NIGHT, "alice"), SUNDAY_NIGHT);

        List<Alert> updates = fixture.alertUpdates();
        Map<String, Alert> latest = TopologyFixture.latest(updates);
        assertThat(latest).hasSize(2);
        Alert etl = latest.values().stream().filter(a -> a.entity().equals("etl")).findFirst().orElseThrow();
        assertThat(etl.count()).isEqualTo(3);
        assertThat(etl.evidence()).hasSize(3);
        assertThat(etl.summary()).contains("3 manual runs", "triggered by 'alice', 'bob'");
    }

    @Test
    void shouldOpenANewAlertAfterTheWindow() {
        created(manualRun(true, "etl", SUNDAY_NIGHT, "alice"), SUNDAY_NIGHT);
        created(manualRun(true, "etl", SUNDAY_NIGHT.plus(Duration.ofMinutes(61)), "alice"), SUNDAY_NIGHT.plus(Duration.ofMinutes(61)));

        assertThat(TopologyFixture.latest(fixture.alertUpdates())).hasSize(2);
    }

    @Test
    void shouldNotAlertOnRunsOfTheInitialSnapshotNorOnRunsAnotherDagsOperatorCreated() {
        DagRunRow history = manualRun(true, "hist_dag", SUNDAY_NIGHT, "alice");
        fixture.dagRun(history.key(), history.change("r", MONDAY_MORNING, null), MONDAY_MORNING);
        created(manualRun(true, "child3", SUNDAY_NIGHT, null).triggeredBy("OPERATOR"), SUNDAY_NIGHT);
        created(manualRun(true, "by_hand", SUNDAY_NIGHT, "alice").triggeredBy("UI"), SUNDAY_NIGHT);
        created(manualRun(false, "child_on_2_10", SUNDAY_NIGHT, null), SUNDAY_NIGHT); // 2.10 has no triggered_by: counts

        assertThat(TopologyFixture.latest(fixture.alertUpdates()).values()).extracting(Alert::entity)
                .containsExactlyInAnyOrder("by_hand", "child_on_2_10");
    }

    @Test
    void shouldCountARunSeenAgainInASnapshotOnce() {
        DagRunRow run = manualRun(true, "etl", SUNDAY_NIGHT, "alice");
        created(run, SUNDAY_NIGHT);
        fixture.dagRun(run.key(), run.change("r", SUNDAY_NIGHT.plusSeconds(60), null), SUNDAY_NIGHT.plusSeconds(60));

        assertThat(fixture.alertUpdates()).singleElement().extracting(Alert::count).isEqualTo(1L);
    }

    @Test
    void shouldGiveTheSameAlertIdsForTheSameInput() {
        List<String> ids = List.of(1, 2).stream().map(replay -> {
            try (var again = new TopologyFixture(TestCalendars.berlinConfig())) {
                for (int i = 0; i < 3; i++) {
                    Instant at = SUNDAY_NIGHT.plus(Duration.ofHours(2L * i));
                    created(again, DagRunRow.airflow3(10 + i, "etl", "manual__" + i).runType("manual").queuedAt(at), at);
                }
                return String.join(",", TopologyFixture.latest(again.alertUpdates()).keySet());
            }
        }).toList();

        assertThat(ids.get(0)).isEqualTo(ids.get(1)).contains(",");
    }

    @Test
    void shouldIgnoreRunsOfAllowListedTriggeringUsers() {
        DetectionConfig config = TestCalendars.berlinConfig()
                .withAllowList(new DetectionConfig.AllowList(Set.of("ops-bot"), Set.of(), List.of()));
        try (var allowing = new TopologyFixture(config)) {
            created(allowing, manualRun(true, "etl", SUNDAY_NIGHT, "ops-bot"), SUNDAY_NIGHT);
            assertThat(allowing.alertUpdates()).isEmpty();
        }
    }

    @Test
    void shouldDoNothingWhenDisabled() {
        DetectionConfig config = TestCalendars.berlinConfig().withRule(RuleDefinition.OFF_HOURS_MANUAL_RUN,
                RuleDefinition.OFF_HOURS_MANUAL_RUN.defaults().disabled());
        try (var disabled = new TopologyFixture(config)) {
            created(disabled, manualRun(true, "etl", SUNDAY_NIGHT, "alice"), SUNDAY_NIGHT);
            assertThat(disabled.alertUpdates()).isEmpty();
        }
    }
}
