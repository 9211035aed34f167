package io.airlock.streams.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.airlock.core.Alert;
import io.airlock.core.NormalizedEvent;
import io.airlock.core.Severity;
import io.airlock.streams.AbUserRow;
import io.airlock.streams.DetectionConfig;
import io.airlock.streams.LogRow;
import io.airlock.streams.TestCalendars;
import io.airlock.streams.TopologyFixture;
import io.airlock.streams.normalize.AuditLogNormalizer;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AccountChangeRuleTest {

    /** Tuesday 2026-03-03 11:00 CET. */
    private static final Instant TUESDAY_MORNING = Instant.parse("2026-03-03T10:00:00Z");
    /**
     * Sunday 2026-03-29 03:15 CEST, just after the clocks went forward: off-hours whatever the offset (the tests of business
     * hours across the changes of the clocks use weekdays).
     */
    private static final Instant SUNDAY_NIGHT = Instant.parse("2026-03-29T01:15:00Z");
    private final TopologyFixture fixture = new TopologyFixture(TestCalendars.berlinConfig());
    private long nextLogId = 1;

    @AfterEach
    void close() {
        fixture.close();
    }

    private void inserted(TopologyFixture into, AbUserRow row, Instant at) {
        into.abUser(row, row.change("c", at, null), at);
    }

    private void audit(TopologyFixture into, String event, String owner, Instant at) {
        LogRow row = LogRow.airflow3(nextLogId++).event(event).owner(owner).at(at);
        into.log(row.key(), row.insert(), at);
    }

    /** The AL-012 alert updates (an off-hours audit-log change raises AL-010 as well). */
    private static List<Alert> accountAlerts(TopologyFixture from) {
        return from.alertUpdates().stream().filter(a -> a.ruleId().equals("AL-012")).toList();
    }

    private Alert onlyAlert() {
        Map<String, Alert> alerts = TopologyFixture.latest(accountAlerts(fixture));
        assertThat(alerts).hasSize(1);
        return alerts.values().iterator().next();
    }

    @Test
    void shouldRaiseAMediumAlertForANewAccountInBusinessHours() {
        inserted(fixture, AbUserRow.of(7, "mallory"), TUESDAY_MORNING);

        Alert alert = onlyAlert();
        assertThat(alert.ruleId()).isEqualTo("AL-012");
        assertThat(alert.severity()).isEqualTo(Severity.MEDIUM);
        assertThat(alert.entity()).isEqualTo("mallory");
        assertThat(alert.runbook()).isEqualTo("docs/runbooks/AL-012-account-or-privilege-change.md");
        assertThat(alert.techniqueIds()).contains("T1136", "T1098");
        assertThat(alert.summary()).contains("Airflow account 'mallory'", "account created", "TUE 2026-03-03 11:00 Europe/Berlin");
    }

    @Test
    void shouldRaiseAHighAlertForANewAccountOnSundayNight() {
        inserted(fixture, AbUserRow.of(7, "mallory"), SUNDAY_NIGHT);

        Alert alert = onlyAlert();
        assertThat(alert.severity()).isEqualTo(Severity.HIGH);
        assertThat(alert.summary()).contains("SUN 2026-03-29 03:15 Europe/Berlin", "outside business hours");
    }

    /**
     * The same UTC time of day on the Friday before and the Monday after each change of the clocks falls on either side of
     * 08:00 or 18:00 Berlin time: the account change is high on exactly one of the two days, which an offset taken from the
     * wrong side of the change would swap.
     */
    @Test
    void shouldFollowBusinessHoursInBerlinAcrossBothChangesOfTheClocks() {
        audit(fixture, "post_user", "fri-before-spring", Instant.parse("2026-03-27T16:30:00Z"));   // 17:30 CET
        audit(fixture, "post_user", "mon-after-spring", Instant.parse("2026-03-30T16:30:00Z"));    // 18:30 CEST (17:30 at CET's offset)
        audit(fixture, "post_user", "fri-before-autumn", Instant.parse("2026-10-23T06:30:00Z"));   // 08:30 CEST
        audit(fixture, "post_user", "mon-after-autumn", Instant.parse("2026-10-26T06:30:00Z"));    // 07:30 CET (08:30 at CEST's offset)

        Map<String, Alert> alerts = TopologyFixture.latest(accountAlerts(fixture));
        assertThat(alerts.values()).extracting(Alert::entity, Alert::severity).containsExactlyInAnyOrder(
                tuple("fri-before-spring", Severity.MEDIUM), tuple("mon-after-spring", Severity.HIGH),
                tuple("fri-before-autumn", Severity.MEDIUM), tuple("mon-after-autumn", Severity.HIGH));
        assertThat(alerts.values()).extracting(Alert::summary)
                .anySatisfy(s -> assertThat(s).contains("MON 2026-03-30 18:30 Europe/Berlin", "outside business hours"))
                .anySatisfy(s -> assertThat(s).contains("FRI 2026-03-27 17:30 Europe/Berlin").doesNotContain("outside business hours"))
                .anySatisfy(s -> assertThat(s).contains("MON 2026-10-26 07:30 Europe/Berlin", "outside business hours"))
                .anySatisfy(s -> assertThat(s).contains("FRI 2026-10-23 08:30 Europe/Berlin").doesNotContain("outside business hours"));
    }

    @Test
    void shouldRaiseAHighAlertForAnAccountChangeOnAConfiguredHoliday() {
        try (var christmas = new TopologyFixture(TestCalendars.berlinConfig(LocalDate.of(2026, 12, 24)))) {
            inserted(christmas, AbUserRow.of(7, "mallory"), Instant.parse("2026-12-24T10:00:00Z"));  // Thu 11:00 CET, holiday
            inserted(christmas, AbUserRow.of(8, "trudy"), Instant.parse("2026-12-23T10:00:00Z"));    // Wed 11:00 CET, working day

            Map<String, Alert> alerts = TopologyFixture.latest(accountAlerts(christmas));
            assertThat(alerts.values()).extracting(Alert::entity, Alert::severity)
                    .containsExactlyInAnyOrder(tuple("mallory", Severity.HIGH), tuple("trudy", Severity.MEDIUM));
            assertThat(alerts.values()).filteredOn(a -> a.entity().equals("mallory")).singleElement()
                    .satisfies(a -> assertThat(a.summary()).contains("THU 2026-12-24 11:00 Europe/Berlin (a holiday)", "outside business hours"));
        }
    }

    @Test
    void shouldGroupAChangeThatArrivesAfterALaterOneWithinTheGraceIntoItsAlert() {
        Instant later = TUESDAY_MORNING.plus(Duration.ofMinutes(8));
        audit(fixture, "patch_role", "admin", later);
        String alertId = onlyAlert().id();
        audit(fixture, "post_user", "admin", TUESDAY_MORNING); // logged 8 min before, captured after

        assertThat(accountAlerts(fixture)).singleElement().satisfies(alert -> {
            assertThat(alert.id()).isEqualTo(alertId);
            assertThat(alert.count()).isEqualTo(2);
            assertThat(alert.firstSeen()).isEqualTo(TUESDAY_MORNING);
            assertThat(alert.lastSeen()).isEqualTo(later);
            assertThat(alert.severity()).isEqualTo(Severity.MEDIUM);
            assertThat(alert.summary()).contains("(2 changes)", "'patch_role'", "'post_user'");
        });
    }

    @Test
    void shouldAlertOnAChangeCapturedLaterThanTheGraceAloneWithoutDisturbingTheOpenAlert() {
        Instant open = TUESDAY_MORNING.plus(Duration.ofMinutes(150));
        audit(fixture, "patch_role", "admin", open);
        audit(fixture, "post_user", "admin", TUESDAY_MORNING); // 150 min behind: past window (1 h) + grace
        Instant grows = open.plus(Duration.ofMinutes(10));
        audit(fixture, "delete_user", "admin", grows);

        Map<String, Alert> alerts = TopologyFixture.latest(accountAlerts(fixture));
        assertThat(alerts).hasSize(2);
        assertThat(alerts.values()).filteredOn(a -> a.firstSeen().equals(TUESDAY_MORNING)).singleElement().satisfies(a -> {
            assertThat(a.count()).isEqualTo(1);
            assertThat(a.summary()).contains("'post_user'").doesNotContain("patch_role", "delete_user");
        });
        assertThat(alerts.values()).filteredOn(a -> a.firstSeen().equals(open)).singleElement().satisfies(a -> {
            assertThat(a.count()).isEqualTo(2);
            assertThat(a.lastSeen()).isEqualTo(grows);
            assertThat(a.summary()).contains("'patch_role'", "'delete_user'").doesNotContain("post_user");
        });
    }

    @Test
    void shouldNotAlertOnSnapshotRowsOrLoginCounters() {
        AbUserRow alice = AbUserRow.of(1, "alice");
        fixture.abUser(alice, alice.change("r", TUESDAY_MORNING, null), TUESDAY_MORNING);
        fixture.abUser(alice, alice.loginCount(1).update(TUESDAY_MORNING.plusSeconds(5)), TUESDAY_MORNING.plusSeconds(5));
        fixture.abUser(alice, alice.failCount(1).update(TUESDAY_MORNING.plusSeconds(9)), TUESDAY_MORNING.plusSeconds(9));

        assertThat(accountAlerts(fixture)).isEmpty();
    }

    @Test
    void shouldAlertWhenAnAccountIsDeactivatedAndReactivated() {
        AbUserRow bob = AbUserRow.of(2, "bob");
        fixture.abUser(bob, bob.change("r", TUESDAY_MORNING, null), TUESDAY_MORNING);
        Instant off = TUESDAY_MORNING.plus(Duration.ofMinutes(5));
        fixture.abUser(bob, bob.active(false).update(off), off);
        Instant on = SUNDAY_NIGHT;
        fixture.abUser(bob, bob.active(true).update(on), on);

        List<Alert> updates = accountAlerts(fixture);
        assertThat(TopologyFixture.latest(updates)).hasSize(2);
        assertThat(updates.get(0).summary()).contains("account deactivated");
        assertThat(updates.get(0).severity()).isEqualTo(Severity.MEDIUM);
        assertThat(updates.get(1).summary()).contains("account activated");
        assertThat(updates.get(1).severity()).isEqualTo(Severity.HIGH);
    }

    @Test
    void shouldAlertWhenAnAccountIsDeleted() {
        AbUserRow carol = AbUserRow.of(3, "carol");
        fixture.abUser(carol, carol.change("d", TUESDAY_MORNING, null), TUESDAY_MORNING);

        assertThat(onlyAlert().summary()).contains("account deleted");
    }

    @Test
    void shouldAlertHighOnAPasswordResetOrRenameOfAnAccountAtNight() {
        AbUserRow admin = AbUserRow.of(4, "admin").loginCount(12);
        fixture.abUser(admin, admin.change("r", TUESDAY_MORNING, null), TUESDAY_MORNING);
        fixture.abUser(admin, admin.update(SUNDAY_NIGHT), SUNDAY_NIGHT);
        Instant later = SUNDAY_NIGHT.plusSeconds(60);
        fixture.abUser(admin, admin.username("admin-old").update(later), later);

        Map<String, Alert> alerts = TopologyFixture.latest(accountAlerts(fixture));
        assertThat(alerts.values()).extracting(Alert::entity).containsExactlyInAnyOrder("admin", "admin-old");
        assertThat(alerts.values()).allSatisfy(a -> assertThat(a.severity()).isEqualTo(Severity.HIGH));
        assertThat(alerts.values()).filteredOn(a -> a.entity().equals("admin")).singleElement().satisfies(a -> assertThat(a.summary())
                .contains("Airflow account 'admin'", "account edited (password or another column", "outside business hours"));
        assertThat(alerts.values()).filteredOn(a -> a.entity().equals("admin-old")).singleElement()
                .satisfies(a -> assertThat(a.summary()).contains("account renamed from 'admin'"));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"post_user", "patch_user", "delete_user", "post_role", "patch_role", "delete_role", "api.user.edit",
        "cli_users_create", "cli_users_manage_role", "cli_user_reset_password", "cli_roles_add_perms", "resetpasswords"})
    void shouldAlertOnTheActingUserOfAnAuditLoggedUserOrRoleChange(String event) {
        audit(fixture, event, "admin", TUESDAY_MORNING);

        Alert alert = onlyAlert();
        assertThat(alert.entity()).isEqualTo("admin");
        assertThat(alert.severity()).isEqualTo(Severity.MEDIUM);
        assertThat(alert.summary()).contains("Airflow user 'admin' changed accounts or roles", "'" + event + "'");
    }

    @Test
    void shouldAlertOnAUserOrRoleChangeThatNobodySigned() {
        audit(fixture, "patch_user", null, TUESDAY_MORNING);
        audit(fixture, "post_role", "", TUESDAY_MORNING.plusSeconds(60));

        Alert alert = onlyAlert();
        assertThat(alert.entity()).isEqualTo("(no user recorded)");
        assertThat(alert.count()).isEqualTo(2);
        assertThat(alert.summary()).startsWith("Airflow user (no user recorded in the audit log) changed accounts or roles (2 changes)")
                .contains("'patch_user'", "'post_role'");
    }

    /**
     * None of the 2.10 previews the normalizer recognises is an {@code iam} event today, so the rule's filter is checked on
     * the events themselves: an off-hours user change marked as a dry run is not counted, the same change without the mark is.
     */
    @Test
    void shouldNotCountAnAccountChangeMarkedAsADryRun() {
        DetectionConfig config = TestCalendars.berlinConfig();
        NormalizedEvent.Builder change = NormalizedEvent.builder(SUNDAY_NIGHT, "evt-1", NormalizedEvent.DATASET_LOG)
                .category("iam").action("api.post_user").userName("admin");

        assertThat(AccountChangeRule.isAccountChange(change.reason(AuditLogNormalizer.REASON_DRY_RUN).build(), config)).isFalse();
        assertThat(AccountChangeRule.isAccountChange(change.reason(null).build(), config)).isTrue();
    }

    @Test
    void shouldNotAlertOnUserReadsOrNonIamChanges() {
        audit(fixture, "cli_users_list", "admin", TUESDAY_MORNING);
        audit(fixture, "get_user", "admin", TUESDAY_MORNING);
        audit(fixture, "login", "admin", TUESDAY_MORNING);
        audit(fixture, "patch_variable", "admin", TUESDAY_MORNING);
        LogRow dagDelete = LogRow.airflow2(900).event("delete").owner("admin").dag("etl").at(TUESDAY_MORNING);
        fixture.log(dagDelete.key(), dagDelete.insert(), TUESDAY_MORNING);
        // 2.10's bulk actions of the DAG run and task instance lists, and 2.7-2.9 model views: no DAG, no account
        for (String modelView : new String[] {"action_muldelete", "add", "edit", "delete"}) {
            LogRow row = LogRow.airflow2(nextLogId++).event(modelView).owner("admin").at(TUESDAY_MORNING);
            fixture.log(row.key(), row.insert(), TUESDAY_MORNING);
        }

        assertThat(accountAlerts(fixture)).isEmpty();
    }

    @Test
    void shouldGroupOneActorsChangesAndEscalateWhenOneIsOffHours() {
        Instant evening = Instant.parse("2026-03-03T16:30:00Z");           // Tue 17:30 CET
        audit(fixture, "post_user", "admin", evening);
        audit(fixture, "patch_role", "admin", evening.plus(Duration.ofMinutes(40)));   // 18:10 CET, off-hours
        audit(fixture, "patch_user", "admin", evening.plus(Duration.ofMinutes(50)));

        List<Alert> updates = accountAlerts(fixture);
        assertThat(updates).extracting(Alert::id).containsOnly(updates.get(0).id());
        assertThat(updates).extracting(Alert::severity).containsExactly(Severity.MEDIUM, Severity.HIGH, Severity.HIGH);
        assertThat(updates.get(2).count()).isEqualTo(3);
        assertThat(updates.get(2).summary()).contains("(3 changes)", "'post_user'", "'patch_role'", "'patch_user'");
    }

    @Test
    void shouldCountADuplicatedInsertOnce() {
        AbUserRow mallory = AbUserRow.of(7, "mallory");
        String insert = mallory.change("c", TUESDAY_MORNING, null);
        fixture.abUser(mallory, insert, TUESDAY_MORNING);
        fixture.abUser(mallory, insert, TUESDAY_MORNING);

        assertThat(accountAlerts(fixture)).singleElement().extracting(Alert::count).isEqualTo(1L);
    }

    @Test
    void shouldGiveTheSameAlertIdsForTheSameInput() {
        List<String> ids = List.of(1, 2).stream().map(replay -> {
            try (var again = new TopologyFixture(TestCalendars.berlinConfig())) {
                LogRow row = LogRow.airflow3(42).event("post_user").owner("admin").at(SUNDAY_NIGHT);
                again.log(row.key(), row.insert(), SUNDAY_NIGHT);
                LogRow later = LogRow.airflow3(43).event("delete_user").owner("admin").at(SUNDAY_NIGHT.plus(Duration.ofHours(3)));
                again.log(later.key(), later.insert(), later.dttm());
                return String.join(",", TopologyFixture.latest(accountAlerts(again)).keySet());
            }
        }).toList();

        assertThat(ids.get(0)).isEqualTo(ids.get(1)).contains(",");
    }

    @Test
    void shouldIgnoreAllowListedEntities() {
        DetectionConfig config = TestCalendars.berlinConfig()
                .withAllowList(new DetectionConfig.AllowList(Set.of("provisioner"), Set.of(), List.of()));
        try (var allowing = new TopologyFixture(config)) {
            audit(allowing, "post_user", "provisioner", TUESDAY_MORNING);
            assertThat(accountAlerts(allowing)).isEmpty();
        }
    }

    @Test
    void shouldDoNothingWhenDisabled() {
        DetectionConfig config = TestCalendars.berlinConfig().withRule(RuleDefinition.ACCOUNT_CHANGE,
                RuleDefinition.ACCOUNT_CHANGE.defaults().disabled());
        try (var disabled = new TopologyFixture(config)) {
            inserted(disabled, AbUserRow.of(7, "mallory"), SUNDAY_NIGHT);
            audit(disabled, "post_user", "admin", SUNDAY_NIGHT);
            assertThat(accountAlerts(disabled)).isEmpty();
        }
    }
}
