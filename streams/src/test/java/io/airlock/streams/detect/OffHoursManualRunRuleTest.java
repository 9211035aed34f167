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
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OffHoursManualRunRuleTest {

    /**
     * Sunday 2026-10-25 02:30 CET in Berlin, the second 02:30 of the night the clocks go back: off-hours whatever the offset
     * (the tests of business hours across the changes of the clocks use weekdays).
     */
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

    /** A manual run of {@code dag} queued at {@code at}, whose DAG is named for the day and hour it was queued. */
    private void manualRunOf(TopologyFixture into, String dag, Instant at) {
        created(into, manualRun(true, dag, at, "alice"), at);
    }

    /**
     * The same UTC time of day on the Friday before and the Monday after each change of the clocks falls on either side of
     * 08:00 or 18:00 Berlin time: a run is off-hours on exactly one of the two days, which an offset taken from the wrong
     * side of the change would swap.
     */
    @Test
    void shouldFollowBusinessHoursInBerlinAcrossBothChangesOfTheClocks() {
        manualRunOf(fixture, "fri_before_spring", Instant.parse("2026-03-27T16:30:00Z"));   // 17:30 CET
        manualRunOf(fixture, "mon_after_spring", Instant.parse("2026-03-30T16:30:00Z"));    // 18:30 CEST (17:30 at CET's offset)
        manualRunOf(fixture, "fri_before_autumn", Instant.parse("2026-10-23T06:30:00Z"));   // 08:30 CEST
        manualRunOf(fixture, "mon_after_autumn", Instant.parse("2026-10-26T06:30:00Z"));    // 07:30 CET (08:30 at CEST's offset)

        Map<String, Alert> alerts = TopologyFixture.latest(fixture.alertUpdates());
        assertThat(alerts.values()).extracting(Alert::entity).containsExactlyInAnyOrder("mon_after_spring", "mon_after_autumn");
        assertThat(alerts.values()).extracting(Alert::summary)
                .anySatisfy(s -> assertThat(s).contains("DAG 'mon_after_spring'", "at MON 2026-03-30 18:30 Europe/Berlin"))
                .anySatisfy(s -> assertThat(s).contains("DAG 'mon_after_autumn'", "at MON 2026-10-26 07:30 Europe/Berlin"));
    }

    /** As {@link #shouldFollowBusinessHoursInBerlinAcrossBothChangesOfTheClocks}, in New York (2026-03-08 and 2026-11-01). */
    @Test
    void shouldFollowBusinessHoursInNewYorkAcrossBothChangesOfTheClocks() {
        try (var newYork = new TopologyFixture(DetectionConfig.defaults().withCalendar(TestCalendars.newYork()))) {
            manualRunOf(newYork, "fri_before_spring", Instant.parse("2026-03-06T12:30:00Z"));   // 07:30 EST
            manualRunOf(newYork, "mon_after_spring", Instant.parse("2026-03-09T12:30:00Z"));    // 08:30 EDT (07:30 at EST's offset)
            manualRunOf(newYork, "fri_before_autumn", Instant.parse("2026-10-30T22:30:00Z"));   // 18:30 EDT
            manualRunOf(newYork, "mon_after_autumn", Instant.parse("2026-11-02T22:30:00Z"));    // 17:30 EST (18:30 at EDT's offset)

            Map<String, Alert> alerts = TopologyFixture.latest(newYork.alertUpdates());
            assertThat(alerts.values()).extracting(Alert::entity).containsExactlyInAnyOrder("fri_before_spring", "fri_before_autumn");
            assertThat(alerts.values()).extracting(Alert::summary)
                    .anySatisfy(s -> assertThat(s).contains("at FRI 2026-03-06 07:30 America/New_York"))
                    .anySatisfy(s -> assertThat(s).contains("at FRI 2026-10-30 18:30 America/New_York"));
        }
    }

    @Test
    void shouldTreatAConfiguredHolidayAsOffHours() {
        try (var christmas = new TopologyFixture(TestCalendars.berlinConfig(LocalDate.of(2026, 12, 24)))) {
            manualRunOf(christmas, "on_the_holiday", Instant.parse("2026-12-24T10:00:00Z"));   // Thu 11:00 CET, holiday
            manualRunOf(christmas, "the_day_before", Instant.parse("2026-12-23T10:00:00Z"));   // Wed 11:00 CET, working day

            assertThat(TopologyFixture.latest(christmas.alertUpdates()).values()).singleElement().satisfies(alert -> {
                assertThat(alert.entity()).isEqualTo("on_the_holiday");
                assertThat(alert.summary()).contains("THU 2026-12-24 11:00 Europe/Berlin (a holiday)");
            });
        }
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
    void shouldGroupARunThatArrivesAfterALaterOneWithinTheGraceIntoItsAlert() {
        Instant later = SUNDAY_NIGHT.plus(Duration.ofMinutes(8));
        created(manualRun(true, "etl", later, "bob"), later);
        String alertId = onlyAlert().id();
        created(manualRun(true, "etl", SUNDAY_NIGHT, "alice"), SUNDAY_NIGHT); // committed 8 min before, captured after

        List<Alert> updates = fixture.alertUpdates();
        assertThat(updates).singleElement().satisfies(alert -> {
            assertThat(alert.id()).isEqualTo(alertId);
            assertThat(alert.count()).isEqualTo(2);
            assertThat(alert.firstSeen()).isEqualTo(SUNDAY_NIGHT);
            assertThat(alert.lastSeen()).isEqualTo(later);
            assertThat(alert.evidence()).hasSize(2).doesNotHaveDuplicates();
            assertThat(alert.summary()).contains("2 manual runs between SUN 2026-10-25 02:30 Europe/Berlin (UTC+01:00)",
                    "triggered by 'bob', 'alice'");
        });
    }

    @Test
    void shouldAlertOnARunCapturedLaterThanTheGraceAloneWithoutDisturbingTheOpenAlert() {
        Instant open = SUNDAY_NIGHT.plus(Duration.ofMinutes(150));
        created(manualRun(true, "etl", open, "bob"), open);
        created(manualRun(true, "etl", SUNDAY_NIGHT, "alice"), SUNDAY_NIGHT); // 150 min behind: past window (1 h) + grace
        Instant grows = open.plus(Duration.ofMinutes(10));
        created(manualRun(true, "etl", grows, "carol"), grows);

        Map<String, Alert> alerts = TopologyFixture.latest(fixture.alertUpdates());
        assertThat(alerts).hasSize(2);
        assertThat(alerts.values()).filteredOn(a -> a.firstSeen().equals(SUNDAY_NIGHT)).singleElement().satisfies(a -> {
            assertThat(a.count()).isEqualTo(1);
            assertThat(a.summary()).contains("triggered by 'alice'").doesNotContain("bob", "carol");
        });
        assertThat(alerts.values()).filteredOn(a -> a.firstSeen().equals(open)).singleElement().satisfies(a -> {
            assertThat(a.count()).isEqualTo(2);
            assertThat(a.lastSeen()).isEqualTo(grows);
            assertThat(a.summary()).contains("triggered by 'bob', 'carol'").doesNotContain("alice");
        });
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
