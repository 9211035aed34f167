package io.airlock.streams.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.core.Alert;
import io.airlock.core.Severity;
import io.airlock.streams.DetectionConfig;
import io.airlock.streams.TopologyFixture;
import io.airlock.streams.VaultOperation;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SecretHarvestingRuleTest {

    private static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");
    private final TopologyFixture fixture = new TopologyFixture();

    @AfterEach
    void close() {
        fixture.close();
    }

    private static List<VaultOperation> reads(String prefix, int count, Instant start, Duration step) {
        List<VaultOperation> reads = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            reads.add(VaultOperation.read("secret/data/" + prefix + i).by("userpass-eve", "ent-eve").at(start.plus(step.multipliedBy(i))));
        }
        return reads;
    }

    private static List<Alert> al021(List<Alert> alerts) {
        return alerts.stream().filter(a -> a.ruleId().equals("AL-021")).toList();
    }

    @Test
    void shouldRaiseOneHighAlertWhenOneIdentityReadsTwentyFiveDistinctPathsInFourMinutes() {
        reads("app/key-", 25, T0, Duration.ofSeconds(10)).forEach(op -> op.pipeTo(fixture));

        List<Alert> updates = al021(fixture.alertUpdates());
        Map<String, Alert> alerts = TopologyFixture.latest(updates);
        // the alert's first version at once, its growth coalesced into the latest version (AlertUpdateCoalescer)
        assertThat(updates).hasSize(2).extracting(Alert::count).containsExactly(20L, 25L);
        assertThat(alerts).hasSize(1);
        Alert alert = alerts.values().iterator().next();
        assertThat(alert.severity()).isEqualTo(Severity.HIGH);
        assertThat(alert.entity()).isEqualTo("ent-eve");
        assertThat(alert.firstSeen()).isEqualTo(T0.plus(VaultOperation.LATENCY));
        assertThat(alert.evidence()).hasSize(25).doesNotHaveDuplicates();
        assertThat(alert.techniqueIds()).contains("T1555", "T1552");
        assertThat(alert.runbook()).isEqualTo("docs/runbooks/AL-021-secret-harvesting.md");
        assertThat(alert.summary()).contains("'userpass-eve' (entity ent-eve)", "25 distinct secret paths", "secret/app/key-0",
                "(+20 more)");
    }

    @Test
    void shouldRaiseTheSameAlertWhenTheReadsArriveNewestFirst() {
        List<VaultOperation> reads = new java.util.ArrayList<>(reads("app/key-", 25, T0, Duration.ofSeconds(10)));
        java.util.Collections.reverse(reads); // one identity's lines reach events from several partitions, out of order
        reads.forEach(op -> op.pipeTo(fixture));

        Map<String, Alert> alerts = TopologyFixture.latest(al021(fixture.alertUpdates()));
        assertThat(alerts).hasSize(1);
        Alert alert = alerts.values().iterator().next();
        assertThat(alert.count()).isEqualTo(25);
        assertThat(alert.firstSeen()).isEqualTo(T0.plus(VaultOperation.LATENCY));
        assertThat(alert.evidence()).hasSize(25).doesNotHaveDuplicates();
    }

    @Test
    void shouldNotCountRereadsOfTheSamePath() {
        reads("app/key-", 19, T0, Duration.ofSeconds(1)).forEach(op -> op.pipeTo(fixture));
        for (int i = 0; i < 30; i++) {
            VaultOperation.read("secret/data/app/key-0").by("userpass-eve", "ent-eve").at(T0.plusSeconds(30 + i)).pipeTo(fixture);
        }
        assertThat(al021(fixture.alertUpdates())).isEmpty();
    }

    @Test
    void shouldNotCountListsMetadataReadsOrDeniedReads() {
        reads("app/key-", 19, T0, Duration.ofSeconds(1)).forEach(op -> op.pipeTo(fixture));
        for (int i = 0; i < 5; i++) {
            VaultOperation.list("secret/metadata/other/dir-" + i + "/").by("userpass-eve", "ent-eve").at(T0.plusSeconds(30 + i)).pipeTo(fixture);
            VaultOperation.read("secret/metadata/other/key-" + i).by("userpass-eve", "ent-eve").at(T0.plusSeconds(40 + i)).pipeTo(fixture);
            VaultOperation.read("secret/data/locked/key-" + i).by("userpass-eve", "ent-eve").at(T0.plusSeconds(50 + i)).denied()
                    .pipeTo(fixture);
        }
        assertThat(al021(fixture.alertUpdates())).isEmpty();
    }

    @Test
    void shouldNotAlertWhenReadsAreSpreadOverMoreThanTheWindow() {
        reads("app/key-", 25, T0, Duration.ofSeconds(75)).forEach(op -> op.pipeTo(fixture));
        assertThat(al021(fixture.alertUpdates())).isEmpty();
    }

    @Test
    void shouldKeepIdentitiesApart() {
        for (int i = 0; i < 12; i++) {
            VaultOperation.read("secret/data/app/key-" + i).by("userpass-eve", "ent-eve").at(T0.plusSeconds(i)).pipeTo(fixture);
            VaultOperation.read("secret/data/app/key-" + (i + 12)).by("userpass-bob", "ent-bob").at(T0.plusSeconds(i)).pipeTo(fixture);
        }
        assertThat(al021(fixture.alertUpdates())).isEmpty();
    }

    @Test
    void shouldHonourAConfiguredThresholdAndWindow() {
        var config = DetectionConfig.defaults().withRule(RuleDefinition.SECRET_HARVESTING, RuleSettings.of(3, Duration.ofMinutes(1)));
        try (var tuned = new TopologyFixture(config)) {
            reads("app/key-", 3, T0, Duration.ofSeconds(20)).forEach(op -> op.pipeTo(tuned));
            assertThat(al021(tuned.alertUpdates())).singleElement().satisfies(a -> assertThat(a.count()).isEqualTo(3));
        }
    }

    @Test
    void shouldGiveTheSameAlertIdsForTheSameInput() {
        List<VaultOperation> input = reads("app/key-", 22, T0, Duration.ofSeconds(5));
        input.forEach(op -> op.pipeTo(fixture));
        try (var replay = new TopologyFixture()) {
            input.forEach(op -> op.pipeTo(replay));
            assertThat(al021(replay.alertUpdates())).isEqualTo(al021(fixture.alertUpdates())).isNotEmpty();
        }
    }

    @Test
    void shouldRaiseNothingWhenDisabled() {
        var config = DetectionConfig.defaults().withRule(RuleDefinition.SECRET_HARVESTING,
                RuleDefinition.SECRET_HARVESTING.defaults().disabled());
        try (var disabled = new TopologyFixture(config)) {
            reads("app/key-", 25, T0, Duration.ofSeconds(1)).forEach(op -> op.pipeTo(disabled));
            assertThat(al021(disabled.alertUpdates())).isEmpty();
        }
    }
}
