package io.airlock.streams.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.core.Alert;
import io.airlock.core.Severity;
import io.airlock.core.Topics;
import io.airlock.streams.AirlockTopology;
import io.airlock.streams.DetectionConfig;
import io.airlock.streams.TopologyFixture;
import io.airlock.streams.VaultOperation;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FirstSeenSecretPathRuleTest {

    private static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");
    private static final Instant DAY_8 = T0.plus(Duration.ofDays(8));
    private final TopologyFixture fixture = new TopologyFixture();

    @AfterEach
    void close() {
        fixture.close();
    }

    private static VaultOperation workerReads(String path, Instant at) {
        return VaultOperation.read(path).by("approle-airflow", "ent-airflow").at(at);
    }

    private static List<Alert> al020(List<Alert> alerts) {
        return alerts.stream().filter(a -> a.ruleId().equals("AL-020")).toList();
    }

    @Test
    void shouldLearnForSevenDaysThenRaiseALowAlertForAPathTheIdentityNeverRead() {
        workerReads("airflow/data/connections/warehouse", T0).pipeTo(fixture);
        workerReads("airflow/data/variables/bucket", T0.plus(Duration.ofDays(6))).pipeTo(fixture);
        workerReads("airflow/data/connections/warehouse", DAY_8).pipeTo(fixture);
        workerReads("airflow/data/variables/bucket", DAY_8.plusSeconds(10)).pipeTo(fixture);
        assertThat(al020(fixture.alertUpdates())).isEmpty();

        workerReads("airflow/data/connections/payments", DAY_8.plusSeconds(20)).pipeTo(fixture);

        assertThat(al020(fixture.alertUpdates())).singleElement().satisfies(alert -> {
            assertThat(alert.severity()).isEqualTo(Severity.LOW);
            assertThat(alert.entity()).isEqualTo("ent-airflow");
            assertThat(alert.count()).isEqualTo(1);
            assertThat(alert.techniqueIds()).contains("T1555");
            assertThat(alert.runbook()).isEqualTo("docs/runbooks/AL-020-first-seen-secret-path.md");
            assertThat(alert.summary()).contains("approle-airflow", "never read before", "airflow/connections/payments");
        });
    }

    /**
     * Learning lasts from the first Vault operation's time (its response line's) for exactly the learning period: a first
     * read 1 ms before its end is learned, one at its end alerts.
     */
    @Test
    void shouldLearnUntilExactlyTheEndOfTheLearningPeriodAndAlertFromItsEndOn() {
        workerReads("airflow/data/connections/warehouse", T0).pipeTo(fixture);
        Instant learningEnds = T0.plus(VaultOperation.LATENCY).plus(Duration.ofDays(7));
        workerReads("airflow/data/connections/learned", learningEnds.minusMillis(1).minus(VaultOperation.LATENCY)).pipeTo(fixture);
        assertThat(al020(fixture.alertUpdates())).isEmpty();

        workerReads("airflow/data/connections/at-the-end", learningEnds.minus(VaultOperation.LATENCY)).pipeTo(fixture);
        workerReads("airflow/data/connections/just-after", learningEnds.plusMillis(1).minus(VaultOperation.LATENCY)).pipeTo(fixture);
        workerReads("airflow/data/connections/learned", learningEnds.plusSeconds(5)).pipeTo(fixture);

        assertThat(TopologyFixture.latest(al020(fixture.alertUpdates())).values()).singleElement().satisfies(alert -> {
            assertThat(alert.count()).isEqualTo(2);
            assertThat(alert.firstSeen()).isEqualTo(learningEnds);
            assertThat(alert.lastSeen()).isEqualTo(learningEnds.plusMillis(1));
            assertThat(alert.summary()).contains("airflow/connections/at-the-end, airflow/connections/just-after")
                    .doesNotContain("learned");
        });
    }

    @Test
    void shouldGroupANewPathReadThatArrivesAfterALaterOneWithinTheGraceIntoItsAlert() {
        workerReads("airflow/data/connections/warehouse", T0).pipeTo(fixture);
        workerReads("airflow/data/connections/later", DAY_8.plus(Duration.ofMinutes(8))).pipeTo(fixture);
        String alertId = al020(fixture.alertUpdates()).get(0).id();
        workerReads("airflow/data/connections/earlier", DAY_8).pipeTo(fixture); // 8 min behind: within the grace

        assertThat(al020(fixture.alertUpdates())).singleElement().satisfies(alert -> {
            assertThat(alert.id()).isEqualTo(alertId);
            assertThat(alert.count()).isEqualTo(2);
            assertThat(alert.firstSeen()).isEqualTo(DAY_8.plus(VaultOperation.LATENCY));
            assertThat(alert.lastSeen()).isEqualTo(DAY_8.plus(Duration.ofMinutes(8)).plus(VaultOperation.LATENCY));
            assertThat(alert.summary()).contains("airflow/connections/later, airflow/connections/earlier");
        });
    }

    @Test
    void shouldAlertOnANewPathReadArrivingLaterThanTheGraceAloneWithoutDisturbingTheOpenAlert() {
        workerReads("airflow/data/connections/warehouse", T0).pipeTo(fixture);
        Instant open = DAY_8.plus(Duration.ofMinutes(150));
        workerReads("airflow/data/connections/open", open).pipeTo(fixture);
        workerReads("airflow/data/connections/late", DAY_8).pipeTo(fixture); // 150 min behind: past grouping (1 h) + grace
        workerReads("airflow/data/connections/grows", open.plus(Duration.ofMinutes(10))).pipeTo(fixture);

        var alerts = TopologyFixture.latest(al020(fixture.alertUpdates())).values();
        assertThat(alerts).hasSize(2);
        assertThat(alerts).filteredOn(a -> a.firstSeen().equals(DAY_8.plus(VaultOperation.LATENCY))).singleElement().satisfies(a -> {
            assertThat(a.count()).isEqualTo(1);
            assertThat(a.summary()).contains("airflow/connections/late").doesNotContain("open", "grows");
        });
        assertThat(alerts).filteredOn(a -> a.firstSeen().equals(open.plus(VaultOperation.LATENCY))).singleElement().satisfies(a -> {
            assertThat(a.count()).isEqualTo(2);
            assertThat(a.summary()).contains("airflow/connections/open, airflow/connections/grows").doesNotContain("late");
        });
    }

    @Test
    void shouldStartTheLearningPeriodWithTheFirstVaultEventOfAnyIdentity() {
        VaultOperation.system("sys/mounts").by("userpass-admin", "ent-admin").at(T0).pipeTo(fixture);
        workerReads("airflow/data/connections/warehouse", DAY_8).pipeTo(fixture);

        assertThat(al020(fixture.alertUpdates())).singleElement().satisfies(a -> assertThat(a.entity()).isEqualTo("ent-airflow"));
    }

    @Test
    void shouldStartTheLearningPeriodWithAVaultOperationThatHasNoIdentity() {
        VaultOperation.system("auth/userpass/login/mallory").by(null, null).denied().at(T0).pipeTo(fixture); // a failed login
        workerReads("airflow/data/connections/warehouse", DAY_8).pipeTo(fixture);

        assertThat(al020(fixture.alertUpdates())).singleElement().satisfies(a -> assertThat(a.entity()).isEqualTo("ent-airflow"));
    }

    @Test
    void shouldGroupNewPathsOfOneIdentityIntoOneAlertAndIgnoreRepeats() {
        workerReads("airflow/data/connections/warehouse", T0).pipeTo(fixture);
        for (int i = 0; i < 3; i++) {
            workerReads("airflow/data/connections/new-" + i, DAY_8.plusSeconds(60L * i)).pipeTo(fixture);
            workerReads("airflow/data/connections/new-" + i, DAY_8.plusSeconds(60L * i + 1)).pipeTo(fixture);
        }

        List<Alert> updates = al020(fixture.alertUpdates());
        // the alert's first version at once, its growth coalesced into the latest version (AlertUpdateCoalescer)
        assertThat(updates).hasSize(2).extracting(Alert::count).containsExactly(1L, 3L);
        assertThat(TopologyFixture.latest(updates)).hasSize(1);
    }

    @Test
    void shouldKeepIdentitiesApart() {
        workerReads("airflow/data/connections/warehouse", T0).pipeTo(fixture);
        VaultOperation.read("airflow/data/connections/warehouse").by("userpass-alice", "ent-alice").at(DAY_8).pipeTo(fixture);

        assertThat(al020(fixture.alertUpdates())).singleElement().satisfies(a -> assertThat(a.entity()).isEqualTo("ent-alice"));
    }

    @Test
    void shouldAlertOnEveryFirstReadWithoutALearningPeriod() {
        var config = DetectionConfig.defaults().withRule(RuleDefinition.FIRST_SEEN_SECRET_PATH, RuleSettings.of(1, Duration.ZERO));
        try (var eager = new TopologyFixture(config)) {
            workerReads("airflow/data/connections/warehouse", T0).pipeTo(eager);
            workerReads("airflow/data/connections/warehouse", T0.plusSeconds(5)).pipeTo(eager);
            assertThat(al020(eager.alertUpdates())).singleElement().satisfies(a -> assertThat(a.count()).isEqualTo(1));
        }
    }

    @Test
    void shouldRouteVaultOperationsThroughOneNamedPartition() {
        String description = AirlockTopology.build(DetectionConfig.defaults(), Topics.defaults()).describe().toString();
        assertThat(description).contains(FirstSeenSecretPathRule.TOPIC + "-repartition", "al-020-detect");
    }

    @Test
    void shouldRaiseNothingWhenDisabled() {
        var config = DetectionConfig.defaults().withRule(RuleDefinition.FIRST_SEEN_SECRET_PATH,
                RuleSettings.of(1, Duration.ZERO).disabled());
        try (var disabled = new TopologyFixture(config)) {
            workerReads("airflow/data/connections/warehouse", T0).pipeTo(disabled);
            assertThat(al020(disabled.alertUpdates())).isEmpty();
            assertThat(AirlockTopology.build(config, Topics.defaults()).describe().toString()).doesNotContain("al-020");
        }
    }
}
