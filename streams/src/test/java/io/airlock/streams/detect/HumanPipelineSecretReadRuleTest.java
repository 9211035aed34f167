package io.airlock.streams.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.airlock.core.Alert;
import io.airlock.core.Severity;
import io.airlock.streams.DetectionConfig;
import io.airlock.streams.TestCalendars;
import io.airlock.streams.TopologyFixture;
import io.airlock.streams.VaultOperation;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HumanPipelineSecretReadRuleTest {

    /** A Monday, inside business hours (UTC). */
    private static final Instant MONDAY_10 = Instant.parse("2026-03-02T10:00:00Z");
    private static final Instant SUNDAY_03 = Instant.parse("2026-03-01T03:00:00Z");
    private final TopologyFixture fixture = new TopologyFixture();

    @AfterEach
    void close() {
        fixture.close();
    }

    private static VaultOperation aliceReads(String path, Instant at) {
        return VaultOperation.read(path).by("userpass-alice", "ent-alice").at(at);
    }

    private static List<Alert> al024(List<Alert> alerts) {
        return alerts.stream().filter(a -> a.ruleId().equals("AL-024")).toList();
    }

    @Test
    void shouldRaiseAMediumAlertWhenAPersonReadsAnAirflowConnectionInBusinessHours() {
        aliceReads("airflow/data/connections/prod_db", MONDAY_10).pipeTo(fixture);

        assertThat(al024(fixture.alertUpdates())).singleElement().satisfies(alert -> {
            assertThat(alert.severity()).isEqualTo(Severity.MEDIUM);
            assertThat(alert.entity()).isEqualTo("ent-alice");
            assertThat(alert.count()).isEqualTo(1);
            assertThat(alert.techniqueIds()).contains("T1552");
            assertThat(alert.runbook()).isEqualTo("docs/runbooks/AL-024-human-read-of-pipeline-secrets.md");
            assertThat(alert.summary()).contains("userpass-alice", "airflow/connections/prod_db", "10.0.4.17");
        });
    }

    @Test
    void shouldRaiseAHighAlertOffHours() {
        aliceReads("airflow/data/variables/api_key", SUNDAY_03).pipeTo(fixture);

        assertThat(al024(fixture.alertUpdates())).singleElement().satisfies(alert -> {
            assertThat(alert.severity()).isEqualTo(Severity.HIGH);
            assertThat(alert.summary()).contains("off-hours", "2026-03-01 03:00 UTC");
        });
    }

    private static VaultOperation reads(String person, String path, Instant at) {
        return VaultOperation.read(path).by("userpass-" + person, "ent-" + person).at(at);
    }

    /** The severity of each person's alert, by entity. */
    private static java.util.Map<String, Severity> severities(TopologyFixture from) {
        java.util.Map<String, Severity> severities = new java.util.TreeMap<>();
        TopologyFixture.latest(al024(from.alertUpdates())).values().forEach(a -> severities.put(a.entity(), a.severity()));
        return severities;
    }

    /**
     * The same UTC time of day on the Friday before and the Monday after each change of the clocks falls on either side of
     * 08:00 or 18:00 local time: a read is off-hours (high) on exactly one of the two days, which an offset taken from the
     * wrong side of the change would swap.
     */
    @Test
    void shouldFollowBusinessHoursInLocalTimeAcrossBothChangesOfTheClocksInBerlinAndNewYork() {
        try (var berlin = new TopologyFixture(TestCalendars.berlinConfig());
                var newYork = new TopologyFixture(DetectionConfig.defaults().withCalendar(TestCalendars.newYork()))) {
            String path = "airflow/data/connections/prod_db";
            reads("fri-before-spring", path, Instant.parse("2026-03-27T16:30:00Z")).pipeTo(berlin);   // 17:30 CET
            reads("mon-after-spring", path, Instant.parse("2026-03-30T16:30:00Z")).pipeTo(berlin);    // 18:30 CEST
            reads("fri-before-autumn", path, Instant.parse("2026-10-23T06:30:00Z")).pipeTo(berlin);   // 08:30 CEST
            reads("mon-after-autumn", path, Instant.parse("2026-10-26T06:30:00Z")).pipeTo(berlin);    // 07:30 CET
            reads("fri-before-spring", path, Instant.parse("2026-03-06T12:30:00Z")).pipeTo(newYork);  // 07:30 EST
            reads("mon-after-spring", path, Instant.parse("2026-03-09T12:30:00Z")).pipeTo(newYork);   // 08:30 EDT
            reads("fri-before-autumn", path, Instant.parse("2026-10-30T22:30:00Z")).pipeTo(newYork);  // 18:30 EDT
            reads("mon-after-autumn", path, Instant.parse("2026-11-02T22:30:00Z")).pipeTo(newYork);   // 17:30 EST

            assertThat(severities(berlin)).containsExactlyInAnyOrderEntriesOf(java.util.Map.of(
                    "ent-fri-before-spring", Severity.MEDIUM, "ent-mon-after-spring", Severity.HIGH,
                    "ent-fri-before-autumn", Severity.MEDIUM, "ent-mon-after-autumn", Severity.HIGH));
            assertThat(severities(newYork)).containsExactlyInAnyOrderEntriesOf(java.util.Map.of(
                    "ent-fri-before-spring", Severity.HIGH, "ent-mon-after-spring", Severity.MEDIUM,
                    "ent-fri-before-autumn", Severity.HIGH, "ent-mon-after-autumn", Severity.MEDIUM));
        }
    }

    @Test
    void shouldRaiseAHighAlertForAReadOnAConfiguredHoliday() {
        try (var christmas = new TopologyFixture(TestCalendars.berlinConfig(LocalDate.of(2026, 12, 24)))) {
            reads("alice", "airflow/data/connections/prod_db", Instant.parse("2026-12-24T10:00:00Z")).pipeTo(christmas); // Thu 11:00, holiday
            reads("bob", "airflow/data/connections/prod_db", Instant.parse("2026-12-23T10:00:00Z")).pipeTo(christmas);   // Wed 11:00

            List<Alert> alerts = List.copyOf(TopologyFixture.latest(al024(christmas.alertUpdates())).values());
            assertThat(alerts).extracting(Alert::entity, Alert::severity)
                    .containsExactlyInAnyOrder(tuple("ent-alice", Severity.HIGH), tuple("ent-bob", Severity.MEDIUM));
            assertThat(alerts).filteredOn(a -> a.entity().equals("ent-alice")).singleElement()
                    .satisfies(a -> assertThat(a.summary()).contains("off-hours, latest THU 2026-12-24 11:00 Europe/Berlin (a holiday)"));
        }
    }

    @Test
    void shouldGroupAReadThatArrivesAfterALaterOneWithinTheGraceIntoItsAlert() {
        Instant later = MONDAY_10.plus(Duration.ofMinutes(8));
        aliceReads("airflow/data/variables/api_key", later).pipeTo(fixture);
        String alertId = al024(fixture.alertUpdates()).get(0).id();
        aliceReads("airflow/data/connections/prod_db", MONDAY_10).pipeTo(fixture); // 8 min behind: within the grace

        assertThat(al024(fixture.alertUpdates())).singleElement().satisfies(alert -> {
            assertThat(alert.id()).isEqualTo(alertId);
            assertThat(alert.count()).isEqualTo(2);
            assertThat(alert.firstSeen()).isEqualTo(MONDAY_10.plus(VaultOperation.LATENCY));
            assertThat(alert.lastSeen()).isEqualTo(later.plus(VaultOperation.LATENCY));
            assertThat(alert.severity()).isEqualTo(Severity.MEDIUM);
        });
    }

    @Test
    void shouldAlertOnAReadArrivingLaterThanTheGraceAloneWithoutDisturbingTheOpenAlert() {
        Instant open = MONDAY_10.plus(Duration.ofMinutes(150));
        aliceReads("airflow/data/variables/api_key", open).pipeTo(fixture);
        aliceReads("airflow/data/connections/prod_db", MONDAY_10).pipeTo(fixture); // 150 min behind: past window (1 h) + grace
        aliceReads("airflow/data/connections/crm", open.plus(Duration.ofMinutes(10))).pipeTo(fixture);

        var alerts = TopologyFixture.latest(al024(fixture.alertUpdates())).values();
        assertThat(alerts).hasSize(2);
        assertThat(alerts).filteredOn(a -> a.firstSeen().equals(MONDAY_10.plus(VaultOperation.LATENCY))).singleElement()
                .satisfies(a -> {
                    assertThat(a.count()).isEqualTo(1);
                    assertThat(a.summary()).contains("airflow/connections/prod_db").doesNotContain("api_key", "crm");
                });
        assertThat(alerts).filteredOn(a -> a.firstSeen().equals(open.plus(VaultOperation.LATENCY))).singleElement().satisfies(a -> {
            assertThat(a.count()).isEqualTo(2);
            assertThat(a.summary()).contains("airflow/variables/api_key, airflow/connections/crm").doesNotContain("prod_db");
        });
    }

    @Test
    void shouldGroupReadsOfOnePersonWithinTheWindowAndStartAnewAfterIt() {
        aliceReads("airflow/data/connections/prod_db", MONDAY_10).pipeTo(fixture);
        aliceReads("airflow/data/variables/api_key", MONDAY_10.plusSeconds(600)).pipeTo(fixture);
        aliceReads("airflow/data/connections/prod_db", MONDAY_10.plusSeconds(1200)).pipeTo(fixture);
        aliceReads("airflow/data/connections/prod_db", MONDAY_10.plusSeconds(3 * 3600)).pipeTo(fixture);

        List<Alert> updates = al024(fixture.alertUpdates());
        // the alert's first version at once, its growth coalesced into the latest version (AlertUpdateCoalescer)
        assertThat(updates).hasSize(3);
        assertThat(TopologyFixture.latest(updates).values()).hasSize(2).first().satisfies(first -> {
            assertThat(first.count()).isEqualTo(2);
            assertThat(first.evidence()).hasSize(3);
            assertThat(first.lastSeen()).isEqualTo(MONDAY_10.plusSeconds(1200).plus(VaultOperation.LATENCY));
        });
    }

    @Test
    void shouldEscalateAnOpenAlertWhenAReadFallsOffHours() {
        Instant evening = Instant.parse("2026-03-02T17:50:00Z");
        aliceReads("airflow/data/connections/prod_db", evening).pipeTo(fixture);
        aliceReads("airflow/data/connections/crm", evening.plusSeconds(1200)).pipeTo(fixture);

        assertThat(al024(fixture.alertUpdates())).extracting(Alert::severity).containsExactly(Severity.MEDIUM, Severity.HIGH);
    }

    @Test
    void shouldIgnoreTheServiceIdentityOtherPathsAndDeniedReads() {
        VaultOperation.read("airflow/data/connections/prod_db").by("approle-airflow", "ent-airflow").at(MONDAY_10).pipeTo(fixture);
        aliceReads("team/data/alice/notes", MONDAY_10).pipeTo(fixture);
        aliceReads("airflow/data/connections/prod_db", MONDAY_10.plusSeconds(5)).denied().pipeTo(fixture);
        VaultOperation.list("airflow/metadata/connections/").by("userpass-alice", "ent-alice").at(MONDAY_10).pipeTo(fixture);

        assertThat(al024(fixture.alertUpdates())).isEmpty();
    }

    @Test
    void shouldNotAlertOnAnAllowListedPerson() {
        var config = DetectionConfig.defaults().withAllowList(new DetectionConfig.AllowList(Set.of("userpass-alice"), Set.of(), List.of()));
        try (var allowing = new TopologyFixture(config)) {
            aliceReads("airflow/data/connections/prod_db", MONDAY_10).pipeTo(allowing);
            assertThat(al024(allowing.alertUpdates())).isEmpty();
        }
    }

    @Test
    void shouldRaiseNothingWhenDisabled() {
        var config = DetectionConfig.defaults().withRule(RuleDefinition.HUMAN_PIPELINE_SECRET_READ,
                RuleDefinition.HUMAN_PIPELINE_SECRET_READ.defaults().disabled());
        try (var disabled = new TopologyFixture(config)) {
            aliceReads("airflow/data/connections/prod_db", SUNDAY_03).pipeTo(disabled);
            assertThat(al024(disabled.alertUpdates())).isEmpty();
        }
    }
}
