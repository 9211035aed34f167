package io.airlock.streams.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.core.Alert;
import io.airlock.core.NormalizedEvent;
import io.airlock.core.Severity;
import io.airlock.core.Topics;
import io.airlock.streams.AirflowLogins;
import io.airlock.streams.AirlockTopology;
import io.airlock.streams.DetectionConfig;
import io.airlock.streams.EventsFixture;
import io.airlock.streams.TopologyFixture;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PasswordSprayRuleTest {

    private static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");
    private static final Duration STEP = Duration.ofSeconds(50);
    private final TopologyFixture fixture = new TopologyFixture();

    @AfterEach
    void close() {
        fixture.close();
    }

    private static List<String> users(int n) {
        return IntStream.rangeClosed(1, n).mapToObj(i -> "user" + i).toList();
    }

    private static List<Alert> sprays(List<Alert> updates) {
        return updates.stream().filter(a -> a.ruleId().equals("AL-002")).toList();
    }

    @Test
    void shouldRaiseOneSprayAlertForFailuresOnTenDistinctUsersInTenMinutes() {
        new AirflowLogins().failedOnEach(users(10), T0, STEP).pipeInto(fixture);

        List<Alert> updates = fixture.alertUpdates();
        assertThat(updates).singleElement().satisfies(alert -> {
            assertThat(alert.ruleId()).isEqualTo("AL-002");
            assertThat(alert.ruleName()).isEqualTo("password spray");
            assertThat(alert.severity()).isEqualTo(Severity.HIGH);
            assertThat(alert.entity()).isEqualTo(PasswordSprayRule.ENTITY);
            assertThat(alert.count()).isEqualTo(10);
            assertThat(alert.firstSeen()).isEqualTo(T0);
            assertThat(alert.lastSeen()).isEqualTo(T0.plus(STEP.multipliedBy(9)));
            assertThat(alert.evidence()).hasSize(10).doesNotHaveDuplicates();
            assertThat(alert.techniqueIds()).containsExactly("T1110", "T1110.003");
            assertThat(alert.runbook()).isEqualTo("docs/runbooks/AL-002-password-spray.md");
            assertThat(alert.status()).isEqualTo(Alert.Status.OPEN);
            assertThat(alert.summary()).contains("10 Airflow users")
                    .contains("a user failing again within 20 min counts once; threshold 10 users within 10 min")
                    .contains("'user1', 'user2', 'user3', 'user4', 'user5' and 5 more")
                    .doesNotContain("user6");
        });
    }

    @Test
    void shouldNotCountRepeatedFailuresOfTheSameUsers() {
        var logins = new AirflowLogins();
        for (int round = 0; round < 3; round++) {
            logins.failedOnEach(users(9), T0.plus(Duration.ofMinutes(3L * round)), Duration.ofSeconds(10));
        }
        logins.pipeInto(fixture);

        assertThat(sprays(fixture.alertUpdates())).isEmpty();
    }

    @Test
    void shouldGrowOneAlertAsTheSprayReachesMoreUsers() {
        var logins = new AirflowLogins().failedOnEach(users(12), T0, STEP);
        logins.failed("user1", T0.plus(STEP.multipliedBy(12)));
        logins.pipeInto(fixture);

        List<Alert> updates = sprays(fixture.alertUpdates());
        // the alert's first version at once, its growth coalesced into the latest version (AlertUpdateCoalescer)
        assertThat(updates).extracting(Alert::count).containsExactly(10L, 12L);
        Map<String, Alert> alerts = TopologyFixture.latest(updates);
        assertThat(alerts).hasSize(1);
        Alert alert = alerts.values().iterator().next();
        assertThat(alert.count()).isEqualTo(12);
        assertThat(alert.evidence()).hasSize(13).doesNotHaveDuplicates();
        assertThat(alert.lastSeen()).isEqualTo(T0.plus(STEP.multipliedBy(12)));
        assertThat(alert.summary()).contains("12 Airflow users").contains("and 7 more");
    }

    @Test
    void shouldNotAlertWhenFailuresOnDistinctUsersAreSpreadBeyondTheWindow() {
        new AirflowLogins().failedOnEach(users(10), T0, Duration.ofMinutes(2)).pipeInto(fixture);

        assertThat(sprays(fixture.alertUpdates())).isEmpty();
    }

    @Test
    void shouldCountTheTenthUserExactlyTheWindowAfterTheFirstAsWithinIt() {
        new AirflowLogins().failedOnEach(users(9), T0, Duration.ofMinutes(1)).failed("user10", T0.plus(Duration.ofMinutes(10)))
                .pipeInto(fixture);

        assertThat(sprays(fixture.alertUpdates())).singleElement().satisfies(alert -> assertThat(alert.count()).isEqualTo(10));
    }

    @Test
    void shouldNotCountTheTenthUserAMillisecondAfterTheWindow() {
        new AirflowLogins().failedOnEach(users(9), T0, Duration.ofMinutes(1))
                .failed("user10", T0.plus(Duration.ofMinutes(10)).plusMillis(1)).pipeInto(fixture);

        assertThat(sprays(fixture.alertUpdates())).isEmpty();
    }

    /** Failures on user2…user10 at T0 + 1…9 min and on user11 at {@code latest}, in that order, then on user1 at T0. */
    private static List<Alert> withTheFirstUserArrivingLast(Instant latest) {
        try (var fixture = new TopologyFixture()) {
            var logins = new AirflowLogins().failedOnEach(users(10).subList(1, 10), T0.plus(Duration.ofMinutes(1)), Duration.ofMinutes(1));
            logins.failed("user11", latest).failed("user1", T0).pipeInto(fixture);
            return sprays(fixture.alertUpdates());
        }
    }

    @Test
    void shouldRaiseTheAlertWhenTheThresholdCompletingUserArrivesLastAndOutOfOrderWithinTheGrace() {
        // user1's failure arrives 9 min behind the latest, within the grace
        List<Alert> updates;
        try (var fixture = new TopologyFixture()) {
            var logins = new AirflowLogins().failedOnEach(users(10).subList(1, 10), T0.plus(Duration.ofMinutes(1)), Duration.ofMinutes(1));
            logins.failed("user1", T0).pipeInto(fixture);
            updates = sprays(fixture.alertUpdates());
        }
        String inOrderId;
        try (var inOrder = new TopologyFixture()) {
            new AirflowLogins().failedOnEach(users(10), T0, Duration.ofMinutes(1)).pipeInto(inOrder);
            inOrderId = sprays(inOrder.alertUpdates()).get(0).id();
        }

        assertThat(updates).singleElement().satisfies(alert -> {
            assertThat(alert.id()).isEqualTo(inOrderId);
            assertThat(alert.count()).isEqualTo(10);
            assertThat(alert.firstSeen()).isEqualTo(T0);
            assertThat(alert.lastSeen()).isEqualTo(T0.plus(Duration.ofMinutes(9)));
            assertThat(alert.evidence()).hasSize(10).doesNotHaveDuplicates();
            assertThat(alert.summary()).contains("10 Airflow users", "'user1', 'user2'");
        });
    }

    /** A failure is counted while a window holding it is open: up to window (10 min) + grace (10 min) behind the latest. */
    @Test
    void shouldCountAFailureTheWindowPlusTheGraceBehindTheLatestButDropItAMillisecondLater() {
        Instant edge = T0.plus(Duration.ofMinutes(20));

        assertThat(withTheFirstUserArrivingLast(edge)).singleElement().satisfies(alert -> {
            assertThat(alert.count()).isEqualTo(10);
            assertThat(alert.firstSeen()).isEqualTo(T0);
            assertThat(alert.lastSeen()).isEqualTo(T0.plus(Duration.ofMinutes(9)));
        });
        assertThat(withTheFirstUserArrivingLast(edge.plusMillis(1))).isEmpty();
    }

    @Test
    void shouldOpenANewAlertWhenASprayRestartsAfterAQuietWindow() {
        var logins = new AirflowLogins().failedOnEach(users(10), T0, STEP);
        logins.failedOnEach(users(10), T0.plus(Duration.ofHours(2)), STEP);
        logins.pipeInto(fixture);

        Map<String, Alert> alerts = TopologyFixture.latest(sprays(fixture.alertUpdates()));
        assertThat(alerts).hasSize(2);
        assertThat(alerts.values()).extracting(Alert::firstSeen).containsExactly(T0, T0.plus(Duration.ofHours(2)));
        assertThat(alerts.values()).allMatch(a -> a.count() == 10);
    }

    @Test
    void shouldGiveTheSameAlertsAndIdsOnReplay() {
        var logins = new AirflowLogins().failedOnEach(users(11), T0, STEP);
        logins.failedOnEach(users(10), T0.plus(Duration.ofHours(1)), STEP);
        logins.pipeInto(fixture);
        List<Alert> live = fixture.alertUpdates();

        try (var replay = new TopologyFixture()) {
            logins.pipeInto(replay);
            assertThat(replay.alertUpdates()).isEqualTo(live);
        }
        assertThat(TopologyFixture.latest(sprays(live))).hasSize(2);
    }

    @Test
    void shouldCountAFailedLoginDeliveredTwiceOnce() {
        try (var events = new EventsFixture()) {
            for (int i = 1; i <= 10; i++) {
                NormalizedEvent failure = EventsFixture.failedLogin("user" + i, T0.plus(STEP.multipliedBy(i)), "e-" + i);
                events.pipe(failure).pipe(failure);
            }
            assertThat(sprays(events.alertUpdates())).singleElement().satisfies(a -> {
                assertThat(a.count()).isEqualTo(10);
                assertThat(a.evidence()).hasSize(10).doesNotHaveDuplicates();
            });
        }
    }

    @Test
    void shouldIgnoreVaultFailuresAndAllowListedUsers() {
        var config = DetectionConfig.defaults().withAllowList(new DetectionConfig.AllowList(Set.of("user10"), Set.of(), List.of()));
        try (var events = new EventsFixture(config)) {
            for (int i = 1; i <= 10; i++) {
                events.pipe(EventsFixture.failedLogin("user" + i, T0.plusSeconds(i), "e-" + i));
            }
            events.pipe(EventsFixture.vaultLogin("vault-user", T0.plusSeconds(20), "v-1", NormalizedEvent.OUTCOME_FAILURE));
            assertThat(sprays(events.alertUpdates())).isEmpty();

            events.pipe(EventsFixture.failedLogin("user11", T0.plusSeconds(30), "e-11"));
            assertThat(sprays(events.alertUpdates())).singleElement().satisfies(a -> assertThat(a.count()).isEqualTo(10));
        }
    }

    @Test
    void shouldHonourAConfiguredThresholdAndWindow() {
        var config = DetectionConfig.defaults().withRule(RuleDefinition.PASSWORD_SPRAY, RuleSettings.of(3, Duration.ofMinutes(1)));
        try (var tuned = new TopologyFixture(config)) {
            var logins = new AirflowLogins().failedOnEach(users(3), T0, Duration.ofSeconds(40));
            logins.failedOnEach(List.of("x1", "x2", "x3"), T0.plus(Duration.ofHours(1)), Duration.ofSeconds(20));
            logins.pipeInto(tuned);

            assertThat(sprays(tuned.alertUpdates())).singleElement().satisfies(a -> {
                assertThat(a.count()).isEqualTo(3);
                assertThat(a.firstSeen()).isEqualTo(T0.plus(Duration.ofHours(1)));
            });
        }
    }

    @Test
    void shouldAddNothingWhenDisabled() {
        var config = DetectionConfig.defaults().withRule(RuleDefinition.PASSWORD_SPRAY, RuleDefinition.PASSWORD_SPRAY.defaults().disabled());
        assertThat(AirlockTopology.build(config, Topics.defaults()).describe().toString()).doesNotContain("al-002");
        try (var disabled = new TopologyFixture(config)) {
            new AirflowLogins().failedOnEach(users(20), T0, Duration.ofSeconds(5)).pipeInto(disabled);
            assertThat(sprays(disabled.alertUpdates())).isEmpty();
        }
    }

    @Test
    void shouldCountAllUsersInOneNamedSinglePartitionRepartitionTopic() {
        String description = AirlockTopology.build(DetectionConfig.defaults(), Topics.defaults()).describe().toString();
        assertThat(description).contains("al-002-failed-logins-all-users-repartition")
                .contains("al-002-detect")
                .contains(PasswordSprayRule.STORE);
    }
}
