package io.airlock.streams.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.core.Alert;
import io.airlock.core.Severity;
import io.airlock.streams.DetectionConfig;
import io.airlock.streams.TopologyFixture;
import io.airlock.streams.VaultOperation;
import java.time.Instant;
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
