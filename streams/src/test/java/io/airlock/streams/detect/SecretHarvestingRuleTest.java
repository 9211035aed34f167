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
        assertThat(alert.summary()).contains("'userpass-eve' (entity ent-eve)", "read 25 secret paths",
                "(a path read again within 15 min counts once; threshold 20 within 5 min)", "secret/app/key-0",
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
    void shouldCountReadsExactlyTheWindowApartAsWithinItButNotAMillisecondMore() {
        Instant edge = T0.plus(Duration.ofMinutes(5));
        for (int i = 0; i < 19; i++) {
            VaultOperation.read("secret/data/app/key-" + i).by("userpass-eve", "ent-eve").at(T0.plusSeconds(10L * i)).pipeTo(fixture);
            VaultOperation.read("secret/data/app/key-" + i).by("userpass-bob", "ent-bob").at(T0.plusSeconds(10L * i)).pipeTo(fixture);
        }
        VaultOperation.read("secret/data/app/key-19").by("userpass-eve", "ent-eve").at(edge).pipeTo(fixture);
        VaultOperation.read("secret/data/app/key-19").by("userpass-bob", "ent-bob").at(edge.plusMillis(1)).pipeTo(fixture);

        assertThat(TopologyFixture.latest(al021(fixture.alertUpdates())).values()).singleElement().satisfies(alert -> {
            assertThat(alert.entity()).isEqualTo("ent-eve");
            assertThat(alert.count()).isEqualTo(20);
            assertThat(alert.firstSeen()).isEqualTo(T0.plus(VaultOperation.LATENCY));
            assertThat(alert.lastSeen()).isEqualTo(edge.plus(VaultOperation.LATENCY));
        });
    }

    /** Eve's reads of key-1…key-19 at T0 + 10…190 s and of other-0 at {@code latest}, in that order, then key-0 at T0. */
    private static List<Alert> withTheFirstReadArrivingLast(Instant latest) {
        try (var fixture = new TopologyFixture()) {
            reads("app/key-", 20, T0, Duration.ofSeconds(10)).subList(1, 20).forEach(op -> op.pipeTo(fixture));
            reads("app/other-", 1, latest, Duration.ZERO).forEach(op -> op.pipeTo(fixture));
            assertThat(al021(fixture.alertUpdates())).isEmpty();
            reads("app/key-", 1, T0, Duration.ZERO).forEach(op -> op.pipeTo(fixture));
            return al021(fixture.alertUpdates());
        }
    }

    @Test
    void shouldRaiseTheAlertWhenTheThresholdCompletingReadArrivesLastAndOutOfOrderWithinTheGrace() {
        List<Alert> updates = withTheFirstReadArrivingLast(T0.plus(Duration.ofMinutes(9))); // key-0 arrives 9 min late

        String inOrderId;
        try (var inOrder = new TopologyFixture()) {
            reads("app/key-", 20, T0, Duration.ofSeconds(10)).forEach(op -> op.pipeTo(inOrder));
            inOrderId = al021(inOrder.alertUpdates()).get(0).id();
        }
        assertThat(updates).singleElement().satisfies(alert -> {
            assertThat(alert.id()).isEqualTo(inOrderId);
            assertThat(alert.count()).isEqualTo(20);
            assertThat(alert.firstSeen()).isEqualTo(T0.plus(VaultOperation.LATENCY));
            assertThat(alert.lastSeen()).isEqualTo(T0.plusSeconds(190).plus(VaultOperation.LATENCY));
            assertThat(alert.evidence()).hasSize(20).doesNotHaveDuplicates();
            assertThat(alert.summary()).contains("secret/app/key-0, secret/app/key-1").doesNotContain("other-0");
        });
    }

    /** A read is counted while a window holding it is open: up to window (5 min) + grace (10 min) behind the latest. */
    @Test
    void shouldCountAReadTheWindowPlusTheGraceBehindTheLatestButDropItAMillisecondLater() {
        Instant edge = T0.plus(Duration.ofMinutes(15));

        assertThat(withTheFirstReadArrivingLast(edge)).singleElement().satisfies(alert -> {
            assertThat(alert.count()).isEqualTo(20);
            assertThat(alert.firstSeen()).isEqualTo(T0.plus(VaultOperation.LATENCY));
        });
        assertThat(withTheFirstReadArrivingLast(edge.plusMillis(1))).isEmpty();
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

    /**
     * A pipeline identity's nightly fan-out, then a read every four minutes (a heartbeat DAG) until the next night's: each
     * fan-out is its own alert with its own count. Before, the trickle kept the first burst open for good — one alert for a
     * week, its count growing with every path read again after the window (1 659 "secret paths" of 53), and a harvest on the
     * seventh night only grew it, without a new alert.
     */
    @Test
    void shouldEndABurstOneWindowAfterTheThresholdLastHeldSoATrickleNeitherKeepsItOpenNorAbsorbsTheNextBurst() {
        List<VaultOperation> night = new ArrayList<>(reads("nightly/key-", 25, T0, Duration.ofSeconds(5)));
        Instant quiet = T0.plus(Duration.ofMinutes(3));
        for (int i = 0; i < 60; i++) { // four hours of a heartbeat reading one of three paths
            night.add(VaultOperation.read("secret/data/heartbeat/" + (i % 3)).by("userpass-eve", "ent-eve")
                    .at(quiet.plus(Duration.ofMinutes(4L * i))));
        }
        Instant later = quiet.plus(Duration.ofHours(4)).plusSeconds(30);
        night.addAll(reads("harvest/key-", 22, later, Duration.ofSeconds(5)));
        night.forEach(op -> op.pipeTo(fixture));

        Map<String, Alert> alerts = TopologyFixture.latest(al021(fixture.alertUpdates()));
        assertThat(alerts.values()).extracting(Alert::firstSeen).containsExactlyInAnyOrder(T0.plus(VaultOperation.LATENCY),
                later.plus(VaultOperation.LATENCY));
        assertThat(alerts.values()).allSatisfy(a -> assertThat(a.lastSeen()).isBefore(a.firstSeen().plus(Duration.ofMinutes(6))));
        assertThat(alerts.values()).extracting(Alert::count).allSatisfy(count -> assertThat(count).isBetween(22L, 28L));
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

    private static final Instant ELEVEN = Instant.parse("2026-03-02T11:00:00Z");

    /**
     * The responses of a harvest with one path read again: oidc-alice reads secret/data/team/app00…app18 at
     * 11:00:01…11:00:19, app00 again at 11:00:20, and prod/db (the twentieth path) at 11:00:21.
     */
    private static List<Response> harvestWithAReread() {
        List<Response> reads = new ArrayList<>();
        for (int i = 0; i < 19; i++) {
            reads.add(respondedAt(String.format("secret/data/team/app%02d", i), "read-" + i, ELEVEN.plusSeconds(1 + i)));
        }
        reads.add(respondedAt("secret/data/team/app00", "reread-0", ELEVEN.plusSeconds(20)));
        reads.add(respondedAt("secret/data/prod/db", "read-db", ELEVEN.plusSeconds(21)));
        return reads;
    }

    /** A read's response line, written at {@code at}. */
    private record Response(VaultOperation read, Instant at) {
    }

    private static Response respondedAt(String path, String requestId, Instant at) {
        return new Response(VaultOperation.read(path).by("oidc-alice", "ent-alice").requestId(requestId)
                .at(at.minus(VaultOperation.LATENCY)), at);
    }

    private static void pipeResponses(List<Response> responses, TopologyFixture to) {
        for (Response response : responses) {
            var line = response.read().responseLine();
            to.vaultAudit(line.key(), line.json(), response.at());
        }
    }

    @Test
    void shouldBeginABurstWithTheFirstReadOfAPathReadAgainBeforeTheThreshold() {
        pipeResponses(harvestWithAReread(), fixture);

        Map<String, Alert> alerts = TopologyFixture.latest(al021(fixture.alertUpdates()));
        assertThat(alerts).hasSize(1);
        Alert alert = alerts.values().iterator().next();
        String firstApp00Read = fixture.events().stream()
                .filter(e -> e.vaultKvPath().equals("secret/team/app00") && e.timestamp().equals(ELEVEN.plusSeconds(1)))
                .map(io.airlock.core.NormalizedEvent::id).findFirst().orElseThrow();
        assertThat(alert.firstSeen()).isEqualTo(ELEVEN.plusSeconds(1));
        assertThat(alert.lastSeen()).isEqualTo(ELEVEN.plusSeconds(21));
        assertThat(alert.count()).isEqualTo(20);
        assertThat(alert.evidence()).hasSize(21).doesNotHaveDuplicates().first().isEqualTo(firstApp00Read);
        assertThat(alert.summary()).contains("between 2026-03-02T11:00:01Z and 2026-03-02T11:00:21Z",
                "secret/team/app00, secret/team/app01");
    }

    @Test
    void shouldRaiseTheSameAlertForTheHarvestPipedTwiceOrShuffledWithinTheGrace() {
        pipeResponses(harvestWithAReread(), fixture);
        List<Alert> once = al021(fixture.alertUpdates());
        Alert expected = TopologyFixture.latest(once).values().iterator().next();

        try (var twice = new TopologyFixture()) {
            pipeResponses(harvestWithAReread(), twice);
            pipeResponses(harvestWithAReread(), twice);
            assertThat(al021(twice.alertUpdates())).as("a replay changes nothing").isEqualTo(once);
        }
        for (long seed = 1; seed <= 20; seed++) {
            List<Response> shuffled = new ArrayList<>(harvestWithAReread());
            java.util.Collections.shuffle(shuffled, new java.util.Random(seed));
            try (var outOfOrder = new TopologyFixture()) {
                pipeResponses(shuffled, outOfOrder);
                Map<String, Alert> alerts = TopologyFixture.latest(al021(outOfOrder.alertUpdates()));
                assertThat(alerts).as("seed %d", seed).hasSize(1);
                Alert alert = alerts.values().iterator().next();
                assertThat(alert.firstSeen()).as("seed %d", seed).isEqualTo(expected.firstSeen());
                assertThat(alert.lastSeen()).as("seed %d", seed).isEqualTo(expected.lastSeen());
                assertThat(alert.count()).as("seed %d", seed).isEqualTo(20);
                assertThat(alert.evidence()).as("seed %d", seed).containsExactlyInAnyOrderElementsOf(expected.evidence());
            }
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
