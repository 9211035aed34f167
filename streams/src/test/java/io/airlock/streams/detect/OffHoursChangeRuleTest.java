package io.airlock.streams.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.airlock.core.Alert;
import io.airlock.core.Severity;
import io.airlock.streams.AbUserRow;
import io.airlock.streams.DetectionConfig;
import io.airlock.streams.LogRow;
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

class OffHoursChangeRuleTest {

    /** Saturday 2026-03-28 23:30 in Berlin (CET). */
    private static final Instant SATURDAY_NIGHT = Instant.parse("2026-03-28T22:30:00Z");
    private final TopologyFixture fixture = new TopologyFixture(TestCalendars.berlinConfig(LocalDate.of(2026, 12, 24)));
    private long nextId = 100;

    @AfterEach
    void close() {
        fixture.close();
    }

    private void change(TopologyFixture into, String event, String user, String dag, Instant at) {
        LogRow row = LogRow.airflow3(nextId++).event(event).owner(user).dag(dag).at(at);
        into.log(row.key(), row.insert(), at);
    }

    private void change(String event, String user, String dag, Instant at) {
        change(fixture, event, user, dag, at);
    }

    private Alert onlyAlert() {
        Map<String, Alert> alerts = TopologyFixture.latest(fixture.alertUpdates());
        assertThat(alerts).hasSize(1);
        return alerts.values().iterator().next();
    }

    @Test
    void shouldRaiseAMediumAlertForAPatchDagOnSaturdayNightInBerlin() {
        change("patch_dag", "alice", "etl", SATURDAY_NIGHT);

        Alert alert = onlyAlert();
        assertThat(alert.ruleId()).isEqualTo("AL-010");
        assertThat(alert.ruleName()).isEqualTo("off-hours change");
        assertThat(alert.severity()).isEqualTo(Severity.MEDIUM);
        assertThat(alert.entity()).isEqualTo("alice");
        assertThat(alert.count()).isEqualTo(1);
        assertThat(alert.firstSeen()).isEqualTo(SATURDAY_NIGHT);
        assertThat(alert.evidence()).hasSize(1);
        assertThat(alert.techniqueIds()).contains("T1078");
        assertThat(alert.runbook()).isEqualTo("docs/runbooks/AL-010-off-hours-change.md");
        assertThat(alert.summary()).contains("'alice'", "'patch_dag' on DAG 'etl'", "SAT 2026-03-28 23:30 Europe/Berlin");
    }

    @Test
    void shouldAlertOnAirflow2UiRestAndCliChangesToo() {
        LogRow ui = LogRow.airflow2(1).event("trigger").owner("bob").dag("etl").at(SATURDAY_NIGHT);
        LogRow rest = LogRow.airflow2(2).event("api.variable.edit").owner("carol").at(SATURDAY_NIGHT);
        LogRow cli = LogRow.airflow2(3).event("cli_connections_add").owner("dave").at(SATURDAY_NIGHT);
        for (LogRow row : List.of(ui, rest, cli)) {
            fixture.log(row.key(), row.insert(), SATURDAY_NIGHT);
        }

        assertThat(TopologyFixture.latest(fixture.alertUpdates()).values()).extracting(Alert::entity)
                .containsExactlyInAnyOrder("bob", "carol", "dave");
    }

    @Test
    void shouldAlertOnOffHoursChangesWhoseAuditRowNamesNoUser() {
        LogRow anonymous = LogRow.airflow2(1).event("trigger").owner(null).dag("etl").at(SATURDAY_NIGHT);
        LogRow blank = LogRow.airflow2(2).event("trigger").owner("").dag("etl").at(SATURDAY_NIGHT.plusSeconds(60));
        for (LogRow row : List.of(anonymous, blank)) {
            fixture.log(row.key(), row.insert(), row == anonymous ? SATURDAY_NIGHT : SATURDAY_NIGHT.plusSeconds(60));
        }

        Alert alert = onlyAlert();
        assertThat(alert.entity()).isEqualTo(OffHoursChangeRule.NO_USER);
        assertThat(alert.count()).isEqualTo(2);
        assertThat(alert.summary()).startsWith("Airflow user (no user recorded in the audit log) made 2 changes");
    }

    /** Airflow's action loggers (2.10 and 3.x) write {@code owner = 'anonymous'} for a user who is not logged in. */
    @Test
    void shouldNameAnAnonymousChangeAnonymousNotNoUser() {
        LogRow paused = LogRow.airflow2(1).event("paused").owner("anonymous").dag("etl").extra("{\"is_paused\": true}")
                .at(SATURDAY_NIGHT);
        fixture.log(paused.key(), paused.insert(), SATURDAY_NIGHT);

        Alert alert = onlyAlert();
        assertThat(alert.entity()).isEqualTo("anonymous");
        assertThat(alert.summary()).startsWith("Airflow user 'anonymous' made");
    }

    @Test
    void shouldFollowBusinessHoursInLocalTimeAfterTheSpringChange() {
        change("patch_dag", "alice", "etl", Instant.parse("2026-03-30T06:00:00Z"));   // Mon 08:00 CEST
        assertThat(fixture.alertUpdates()).isEmpty();

        change("patch_dag", "alice", "etl", Instant.parse("2026-03-30T05:59:00Z"));   // Mon 07:59 CEST
        assertThat(onlyAlert().summary()).contains("MON 2026-03-30 07:59 Europe/Berlin");
    }

    /**
     * The same UTC time of day on the Friday before and the Monday after each change of the clocks falls on either side of
     * 08:00 or 18:00 local time: a change is off-hours on exactly one of the two days, which an offset taken from the wrong
     * side of the change would swap.
     */
    @Test
    void shouldFollowBusinessHoursInLocalTimeAcrossTheAutumnChange() {
        change("patch_dag", "friday", "etl", Instant.parse("2026-10-23T06:30:00Z"));   // Fri 08:30 CEST
        change("patch_dag", "monday", "etl", Instant.parse("2026-10-26T06:30:00Z"));   // Mon 07:30 CET (08:30 at CEST's offset)

        Alert alert = onlyAlert();
        assertThat(alert.entity()).isEqualTo("monday");
        assertThat(alert.summary()).contains("MON 2026-10-26 07:30 Europe/Berlin");
    }

    /** As {@link #shouldFollowBusinessHoursInLocalTimeAcrossTheAutumnChange}, in New York (2026-03-08 and 2026-11-01). */
    @Test
    void shouldFollowBusinessHoursInNewYorkAcrossBothChangesOfTheClocks() {
        try (var newYork = new TopologyFixture(DetectionConfig.defaults().withCalendar(TestCalendars.newYork()))) {
            change(newYork, "patch_dag", "fri-before-spring", "etl", Instant.parse("2026-03-06T12:30:00Z"));  // 07:30 EST
            change(newYork, "patch_dag", "mon-after-spring", "etl", Instant.parse("2026-03-09T12:30:00Z"));   // 08:30 EDT
            change(newYork, "patch_dag", "fri-before-autumn", "etl", Instant.parse("2026-10-30T22:30:00Z"));  // 18:30 EDT
            change(newYork, "patch_dag", "mon-after-autumn", "etl", Instant.parse("2026-11-02T22:30:00Z"));   // 17:30 EST

            Map<String, Alert> alerts = TopologyFixture.latest(newYork.alertUpdates());
            assertThat(alerts.values()).extracting(Alert::entity, Alert::count)
                    .containsExactlyInAnyOrder(tuple("fri-before-spring", 1L), tuple("fri-before-autumn", 1L));
            assertThat(alerts.values()).extracting(Alert::summary).anySatisfy(s -> assertThat(s).contains("FRI 2026-03-06 07:30 America/New_York"))
                    .anySatisfy(s -> assertThat(s).contains("FRI 2026-10-30 18:30 America/New_York"));
        }
    }

    @Test
    void shouldTreatAConfiguredHolidayAsOffHours() {
        // the wall clock after the changes: rules count an event stamped ahead of it at the clock (CountedTimes)
        try (var december = new TopologyFixture(TestCalendars.berlinConfig(LocalDate.of(2026, 12, 24)),
                Instant.parse("2026-12-25T00:00:00Z"))) {
            change(december, "delete_variable", "alice", null, Instant.parse("2026-12-24T10:00:00Z"));  // Thu 11:00 CET, holiday
            change(december, "delete_variable", "bob", null, Instant.parse("2026-12-23T10:00:00Z"));    // Wed 11:00 CET, working day

            assertThat(TopologyFixture.latest(december.alertUpdates()).values()).singleElement()
                    .satisfies(alert -> assertThat(alert.entity()).isEqualTo("alice"));
        }
    }

    @Test
    void shouldIgnoreWorkerReadOnlyAndAuthenticationEvents() {
        change("cli_task_run", "airflow", "etl", SATURDAY_NIGHT);
        change("success", "airflow", "etl", SATURDAY_NIGHT);
        change("failed", "airflow", "etl", SATURDAY_NIGHT);
        change("graph", "alice", "etl", SATURDAY_NIGHT);
        change("get_dag", "alice", "etl", SATURDAY_NIGHT);
        change("cli_variables_list", "alice", null, SATURDAY_NIGHT);
        change("login", "alice", null, SATURDAY_NIGHT);

        assertThat(fixture.alertUpdates()).isEmpty();
    }

    @Test
    void shouldTellA2xUiMarkSuccessFromTheWorkersRowOfTheSameName() {
        LogRow worker = LogRow.airflow2(nextId++).event("success").owner("airflow").dag("etl").task("load").at(SATURDAY_NIGHT);
        LogRow marked = LogRow.airflow2(nextId++).event("success").owner("mallory").dag("etl").task("security_scan")
                .extra("[('dag_id', 'etl'), ('task_id', 'security_scan'), ('confirmed', 'true')]").at(SATURDAY_NIGHT.plusSeconds(60));
        fixture.log(worker.key(), worker.insert(), SATURDAY_NIGHT);
        fixture.log(marked.key(), marked.insert(), SATURDAY_NIGHT.plusSeconds(60));

        assertThat(onlyAlert()).satisfies(alert -> {
            assertThat(alert.entity()).isEqualTo("mallory");
            assertThat(alert.summary()).contains("'success' on DAG 'etl'");
        });
    }

    /** 2.10 logs a row named {@code clear} for every preview of the Clear dialog: only the confirmed one changes anything. */
    @Test
    void shouldNotCountThe2xClearDialogsPreviewsButTheConfirmedClear() {
        for (String options : List.of("\"only_failed\": \"false\"", "\"only_failed\": \"true\"")) {
            LogRow preview = LogRow.airflow2(nextId++).event("clear").owner("mallory").dag("etl").task("load")
                    .extra("{\"confirmed\": \"false\", " + options + "}").at(SATURDAY_NIGHT);
            fixture.log(preview.key(), preview.insert(), SATURDAY_NIGHT);
        }
        assertThat(fixture.alertUpdates()).isEmpty();

        Instant confirmedAt = SATURDAY_NIGHT.plusSeconds(30);
        LogRow confirmed = LogRow.airflow2(nextId++).event("clear").owner("mallory").dag("etl").task("load")
                .extra("{\"confirmed\": \"true\", \"only_failed\": \"true\"}").at(confirmedAt);
        fixture.log(confirmed.key(), confirmed.insert(), confirmedAt);

        Alert alert = onlyAlert();
        assertThat(alert.count()).isEqualTo(1);
        assertThat(alert.firstSeen()).isEqualTo(confirmedAt);
        assertThat(alert.summary()).contains("'clear' on DAG 'etl'");
    }

    @Test
    void shouldNotCountA2xRestClearDryRunButTheRealOne() {
        LogRow dryRun = LogRow.airflow2(nextId++).event("api.post_clear_task_instances").owner("mallory").dag("etl")
                .extra("{\"dry_run\": true, \"task_ids\": [\"load\"]}").at(SATURDAY_NIGHT);
        LogRow byDefault = LogRow.airflow2(nextId++).event("api.post_clear_task_instances").owner("mallory").dag("etl")
                .extra("{\"task_ids\": [\"load\"]}").at(SATURDAY_NIGHT.plusSeconds(10));
        for (LogRow row : List.of(dryRun, byDefault)) {
            fixture.log(row.key(), row.insert(), row.dttm());
        }
        assertThat(fixture.alertUpdates()).isEmpty();

        LogRow real = LogRow.airflow2(nextId++).event("api.post_clear_task_instances").owner("mallory").dag("etl")
                .extra("{\"dry_run\": false, \"task_ids\": [\"load\"]}").at(SATURDAY_NIGHT.plusSeconds(20));
        fixture.log(real.key(), real.insert(), real.dttm());

        assertThat(onlyAlert().count()).isEqualTo(1);
    }

    /** The 3.0 Clear dialogs preview through the clearing endpoints, {@code dry_run} true in the body (rows as 3.0 writes them). */
    @Test
    void shouldNotCountThe3xClearDialogsPreviewsButTheRealClear() {
        String run = "scheduled__2026-03-28T00:00:00+00:00";
        List<LogRow> previews = List.of(
                LogRow.airflow3(nextId++).event("post_clear_task_instances").owner("bob").dag("etl").run(run)
                        .extra("{\"dry_run\": true, \"task_ids\": [\"load\"], \"dag_run_id\": \"" + run
                                + "\", \"only_failed\": false, \"include_downstream\": true, \"method\": \"POST\"}"),
                LogRow.airflow3(nextId++).event("post_clear_task_instances").owner("bob").dag("etl").run(run)
                        .extra("{\"task_ids\": [\"load\"], \"dag_run_id\": \"" + run + "\", \"only_failed\": true, \"method\": \"POST\"}"),
                LogRow.airflow3(nextId++).event("clear_dag_run").owner("bob").dag("etl").run(run)
                        .extra("{\"dry_run\": true, \"only_failed\": false, \"method\": \"POST\"}"));
        for (LogRow row : previews) {
            row.at(SATURDAY_NIGHT);
            fixture.log(row.key(), row.insert(), row.dttm());
        }
        assertThat(fixture.alertUpdates()).isEmpty();

        LogRow real = LogRow.airflow3(nextId++).event("clear_dag_run").owner("bob").dag("etl").run(run)
                .extra("{\"dry_run\": false, \"only_failed\": false, \"method\": \"POST\"}").at(SATURDAY_NIGHT.plusSeconds(20));
        fixture.log(real.key(), real.insert(), real.dttm());

        Alert alert = onlyAlert();
        assertThat(alert.count()).isEqualTo(1);
        assertThat(alert.summary()).contains("'clear_dag_run' on DAG 'etl'");
    }

    @Test
    void shouldGroupOneUsersOffHoursChangesIntoOneGrowingAlert() {
        change("patch_dag", "alice", "etl", SATURDAY_NIGHT);
        change("trigger_dag_run", "alice", "etl", SATURDAY_NIGHT.plus(Duration.ofMinutes(40)));
        change("bulk_variables", "alice", null, SATURDAY_NIGHT.plus(Duration.ofMinutes(90)));

        List<Alert> updates = fixture.alertUpdates();
        // the alert's first version at once, its growth coalesced into the latest version (AlertUpdateCoalescer)
        assertThat(updates).hasSize(2).extracting(Alert::id).containsOnly(updates.get(0).id());
        Alert last = updates.get(1);
        assertThat(last.count()).isEqualTo(3);
        assertThat(last.evidence()).hasSize(3).doesNotHaveDuplicates();
        assertThat(last.lastSeen()).isEqualTo(SATURDAY_NIGHT.plus(Duration.ofMinutes(90)));
        assertThat(last.summary()).contains("3 changes", "'patch_dag' on DAG 'etl'", "'trigger_dag_run' on DAG 'etl'",
                "'bulk_variables'", "between SAT 2026-03-28 23:30 Europe/Berlin and SUN 2026-03-29 01:00 Europe/Berlin");
    }

    @Test
    void shouldOpenANewAlertAfterAnHourWithoutChanges() {
        change("patch_dag", "alice", "etl", SATURDAY_NIGHT);
        change("patch_dag", "alice", "etl", SATURDAY_NIGHT.plus(Duration.ofMinutes(61)));

        assertThat(TopologyFixture.latest(fixture.alertUpdates())).hasSize(2);
    }

    @Test
    void shouldAlertOnAChangeLoggedLaterThanTheGraceAloneWithoutDisturbingTheOpenAlert() {
        change("patch_dag", "late", "etl", SATURDAY_NIGHT.plus(Duration.ofMinutes(150)));
        change("delete_connection", "late", null, SATURDAY_NIGHT); // a CLI host's clock two and a half hours behind
        change("trigger_dag_run", "late", "etl", SATURDAY_NIGHT.plus(Duration.ofMinutes(160)));

        Map<String, Alert> alerts = TopologyFixture.latest(fixture.alertUpdates());
        assertThat(alerts).hasSize(2);
        assertThat(alerts.values()).filteredOn(a -> a.firstSeen().equals(SATURDAY_NIGHT)).singleElement().satisfies(a -> {
            assertThat(a.count()).isEqualTo(1);
            assertThat(a.summary()).contains("'delete_connection'").doesNotContain("patch_dag");
        });
        assertThat(alerts.values()).filteredOn(a -> !a.firstSeen().equals(SATURDAY_NIGHT)).singleElement().satisfies(a -> {
            assertThat(a.count()).isEqualTo(2);
            assertThat(a.summary()).contains("'patch_dag' on DAG 'etl'", "'trigger_dag_run' on DAG 'etl'")
                    .doesNotContain("delete_connection");
        });
    }

    @Test
    void shouldKeepUsersApart() {
        change("patch_dag", "alice", "etl", SATURDAY_NIGHT);
        change("patch_dag", "bob", "etl", SATURDAY_NIGHT.plusSeconds(60));

        assertThat(TopologyFixture.latest(fixture.alertUpdates()).values()).extracting(Alert::entity)
                .containsExactlyInAnyOrder("alice", "bob");
    }

    @Test
    void shouldRaiseAHighAlertWhenTheUserHadAFailedLoginBurstInThePrevious24Hours() {
        AbUserRow alice = AbUserRow.of(1, "alice");
        Instant burst = SATURDAY_NIGHT.minus(Duration.ofHours(20));
        fixture.abUser(alice, alice.change("r", burst.minusSeconds(60), null), burst.minusSeconds(60));
        for (int i = 1; i <= 5; i++) {
            Instant at = burst.plusSeconds(10L * i);
            fixture.abUser(alice, alice.failCount(i).update(at), at);
        }
        fixture.alertUpdates();

        change("patch_dag", "alice", "etl", SATURDAY_NIGHT);

        Alert alert = onlyAlert();
        assertThat(alert.ruleId()).isEqualTo("AL-010");
        assertThat(alert.severity()).isEqualTo(Severity.HIGH);
        assertThat(alert.summary()).contains("failed-login burst (AL-001)", "within 24 h before");
    }

    @Test
    void shouldStayMediumWhenTheAuthenticationAlertIsOlderThanTheWindowOrAfterTheChange() {
        authAlerts().put("alice", UserAuthAlerts.NONE.withFailedLoginBurst(SATURDAY_NIGHT.minus(Duration.ofHours(25))));
        authAlerts().put("bob", UserAuthAlerts.NONE.withLoginAfterBurst(SATURDAY_NIGHT.plus(Duration.ofMinutes(5))));

        change("patch_dag", "alice", "etl", SATURDAY_NIGHT);
        change("patch_dag", "bob", "etl", SATURDAY_NIGHT);

        assertThat(TopologyFixture.latest(fixture.alertUpdates()).values()).extracting(Alert::severity)
                .containsOnly(Severity.MEDIUM);
    }

    @Test
    void shouldEscalateAnOpenAlertWhenALoginAfterBurstAppearsDuringIt() {
        change("patch_dag", "alice", "etl", SATURDAY_NIGHT);
        authAlerts().put("alice", UserAuthAlerts.NONE.withLoginAfterBurst(SATURDAY_NIGHT.plus(Duration.ofMinutes(10))));
        change("delete_dag", "alice", "etl", SATURDAY_NIGHT.plus(Duration.ofMinutes(20)));
        authAlerts().delete("alice");
        change("delete_variable", "alice", null, SATURDAY_NIGHT.plus(Duration.ofMinutes(30)));

        List<Alert> updates = fixture.alertUpdates();
        assertThat(updates).extracting(Alert::severity).containsExactly(Severity.MEDIUM, Severity.HIGH, Severity.HIGH);
        assertThat(updates).extracting(Alert::id).containsOnly(updates.get(0).id());
        assertThat(updates.get(2).summary()).contains("login after a failed-login burst (AL-003)");
    }

    @Test
    void shouldEscalateWhenTheBurstIsCapturedAfterTheChangesItPreceded() {
        // The audit log and ab_user are captured independently: the change (10 min after the burst in event time)
        // reaches detection before the failed logins do.
        Instant burst = SATURDAY_NIGHT.minus(Duration.ofMinutes(10));
        change("patch_dag", "alice", "etl", SATURDAY_NIGHT);
        var alice = io.airlock.streams.AbUserRow.of(1, "alice");
        fixture.abUser(alice, alice.change("r", burst.minusSeconds(60), null), burst.minusSeconds(60));
        for (int i = 1; i <= 5; i++) {
            fixture.abUser(alice, alice.failCount(i).update(burst.plusSeconds(i)), burst.plusSeconds(i));
        }

        List<Alert> al010 = fixture.alertUpdates().stream().filter(a -> a.ruleId().equals("AL-010")).toList();
        assertThat(al010).extracting(Alert::severity).containsExactly(Severity.MEDIUM, Severity.HIGH);
        assertThat(al010).extracting(Alert::id).containsOnly(al010.get(0).id());
        assertThat(al010.get(1).summary()).contains("failed-login burst (AL-001)");
    }

    @Test
    void shouldHonourAConfiguredLookBackWindow() {
        DetectionConfig config = TestCalendars.berlinConfig().withRule(RuleDefinition.OFF_HOURS_CHANGE,
                RuleSettings.of(1, Duration.ofHours(48)));
        try (var tuned = new TopologyFixture(config)) {
            tuned.<String, UserAuthAlerts>keyValueStore(UserAuthAlerts.STORE)
                    .put("alice", UserAuthAlerts.NONE.withFailedLoginBurst(SATURDAY_NIGHT.minus(Duration.ofHours(30))));
            change(tuned, "patch_dag", "alice", "etl", SATURDAY_NIGHT);
            assertThat(tuned.alertUpdates()).singleElement().extracting(Alert::severity).isEqualTo(Severity.HIGH);
        }
    }

    @Test
    void shouldCountADuplicatedOrResnapshottedAuditRowOnce() {
        LogRow row = LogRow.airflow3(7).event("patch_dag").owner("alice").dag("etl").at(SATURDAY_NIGHT);
        fixture.log(row.key(), row.insert(), SATURDAY_NIGHT);
        fixture.log(row.key(), row.insert(), SATURDAY_NIGHT);
        fixture.log(row.key(), row.snapshot(), SATURDAY_NIGHT.plusSeconds(600));

        assertThat(fixture.alertUpdates()).singleElement().extracting(Alert::count).isEqualTo(1L);
    }

    @Test
    void shouldGiveTheSameAlertIdsForTheSameInput() {
        List<String> ids = List.of(1, 2).stream().map(run -> {
            try (var replay = new TopologyFixture(TestCalendars.berlinConfig())) {
                for (int i = 0; i < 3; i++) {
                    LogRow row = LogRow.airflow3(500 + i).event("patch_dag").owner("alice").dag("etl")
                            .at(SATURDAY_NIGHT.plus(Duration.ofHours(2L * i)));
                    replay.log(row.key(), row.insert(), row.dttm());
                }
                return String.join(",", TopologyFixture.latest(replay.alertUpdates()).keySet());
            }
        }).toList();

        assertThat(ids.get(0)).isEqualTo(ids.get(1)).contains(",");
    }

    @Test
    void shouldNotAlertOnAllowListedUsers() {
        DetectionConfig config = TestCalendars.berlinConfig()
                .withAllowList(new DetectionConfig.AllowList(Set.of("deploy-bot"), Set.of(), List.of()));
        try (var allowing = new TopologyFixture(config)) {
            change(allowing, "patch_dag", "deploy-bot", "etl", SATURDAY_NIGHT);
            change(allowing, "patch_dag", "alice", "etl", SATURDAY_NIGHT);
            assertThat(allowing.alertUpdates()).extracting(Alert::entity).containsExactly("alice");
        }
    }

    @Test
    void shouldLeaveOutTheRulesOwnExceptionsButNotForTheOtherRules() {
        DetectionConfig config = TestCalendars.berlinConfig().withRule(RuleDefinition.OFF_HOURS_CHANGE,
                RuleDefinition.OFF_HOURS_CHANGE.defaults().withAllowEntities(Set.of("airflow")));
        try (var excepting = new TopologyFixture(config)) {
            change(excepting, "patch_dag", "airflow", "etl", SATURDAY_NIGHT);
            change(excepting, "patch_dag", "alice", "etl", SATURDAY_NIGHT);
            var airflow = AbUserRow.of(1, "airflow");
            excepting.abUser(airflow, airflow.change("r", SATURDAY_NIGHT, null), SATURDAY_NIGHT);
            for (int i = 1; i <= 5; i++) {
                excepting.abUser(airflow, airflow.failCount(i).update(SATURDAY_NIGHT.plusSeconds(i)), SATURDAY_NIGHT.plusSeconds(i));
            }

            assertThat(TopologyFixture.latest(excepting.alertUpdates()).values()).extracting(Alert::ruleId, Alert::entity)
                    .containsExactlyInAnyOrder(tuple("AL-010", "alice"), tuple("AL-001", "airflow"));
        }
    }

    @Test
    void shouldUseTheConfiguredChangeList() {
        DetectionConfig config = TestCalendars.berlinConfig().withChangeEvents(Set.of("my_plugin_*"));
        try (var custom = new TopologyFixture(config)) {
            change(custom, "patch_dag", "alice", "etl", SATURDAY_NIGHT);
            change(custom, "my_plugin_reset", "bob", null, SATURDAY_NIGHT);
            assertThat(custom.alertUpdates()).extracting(Alert::entity).containsExactly("bob");
        }
    }

    @Test
    void shouldDoNothingWhenDisabled() {
        DetectionConfig config = TestCalendars.berlinConfig().withRule(RuleDefinition.OFF_HOURS_CHANGE,
                RuleDefinition.OFF_HOURS_CHANGE.defaults().disabled());
        try (var disabled = new TopologyFixture(config)) {
            change(disabled, "patch_dag", "alice", "etl", SATURDAY_NIGHT);
            assertThat(disabled.alertUpdates()).isEmpty();
        }
    }

    private org.apache.kafka.streams.state.KeyValueStore<String, UserAuthAlerts> authAlerts() {
        return fixture.keyValueStore(UserAuthAlerts.STORE);
    }
}
