package io.airlock.streams.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.core.Alert;
import io.airlock.core.Severity;
import io.airlock.core.NormalizedEvent;
import io.airlock.streams.AbUserRow;
import io.airlock.streams.AirflowLogins;
import io.airlock.streams.DetectionConfig;
import io.airlock.streams.EventsFixture;
import io.airlock.streams.TopologyFixture;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FailedLoginBurstRuleTest {

    private static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");
    private final TopologyFixture fixture = new TopologyFixture();
    private final AbUserRow alice = AbUserRow.of(1, "alice");

    @AfterEach
    void close() {
        fixture.close();
    }

    private void failures(AbUserRow user, int from, int to, Instant start, Duration step) {
        for (int i = from; i <= to; i++) {
            Instant at = start.plus(step.multipliedBy(i - from));
            fixture.abUser(user, user.failCount(i).update(at), at);
        }
    }

    @Test
    void shouldRaiseOneAlertForSixFailedLoginsInFiveMinutes() {
        fixture.abUser(alice, alice.change("r", T0, null), T0);
        failures(alice, 1, 6, T0.plusSeconds(10), Duration.ofSeconds(30));

        List<Alert> updates = fixture.alertUpdates();
        Map<String, Alert> alerts = TopologyFixture.latest(updates);
        assertThat(updates).hasSize(2);
        assertThat(alerts).hasSize(1);
        Alert alert = alerts.values().iterator().next();
        assertThat(alert.ruleId()).isEqualTo("AL-001");
        assertThat(alert.severity()).isEqualTo(Severity.HIGH);
        assertThat(alert.entity()).isEqualTo("alice");
        assertThat(alert.count()).isEqualTo(6);
        assertThat(alert.firstSeen()).isEqualTo(T0.plusSeconds(10));
        assertThat(alert.lastSeen()).isEqualTo(T0.plusSeconds(160));
        assertThat(alert.evidence()).hasSize(6).doesNotHaveDuplicates();
        assertThat(alert.techniqueIds()).contains("T1110");
        assertThat(alert.runbook()).isEqualTo("docs/runbooks/AL-001-failed-login-burst.md");
        assertThat(alert.summary()).contains("alice").contains("6 failed logins");
    }

    @Test
    void shouldNotAlertBelowThresholdOrWhenFailuresAreSpreadOut() {
        fixture.abUser(alice, alice.change("r", T0, null), T0);
        failures(alice, 1, 4, T0, Duration.ofSeconds(10));
        failures(alice, 5, 12, T0.plus(Duration.ofMinutes(10)), Duration.ofMinutes(2));

        assertThat(fixture.alertUpdates()).isEmpty();
    }

    @Test
    void shouldCountFailuresExactlyTheWindowApartAsWithinItButNotAMillisecondMore() {
        var bob = AbUserRow.of(2, "bob");
        fixture.abUser(alice, alice.change("r", T0, null), T0);
        fixture.abUser(bob, bob.change("r", T0, null), T0);
        failures(alice, 1, 5, T0, Duration.ofSeconds(75)); // 0:00 … 5:00
        failures(bob, 1, 4, T0, Duration.ofSeconds(75));
        Instant late = T0.plus(Duration.ofMinutes(5)).plusMillis(1);
        fixture.abUser(bob, bob.failCount(5).update(late), late);

        assertThat(TopologyFixture.latest(fixture.alertUpdates()).values()).singleElement().satisfies(alert -> {
            assertThat(alert.entity()).isEqualTo("alice");
            assertThat(alert.count()).isEqualTo(5);
        });
    }

    /** Alice's failed logins e-1…e-4 at T0 + 1…4 min and e-9 at {@code latest}, in that order, then e-0 at T0. */
    private static List<Alert> withTheFirstFailureArrivingLast(Instant latest) {
        try (var events = new EventsFixture()) {
            for (int i = 1; i <= 4; i++) {
                events.pipe(EventsFixture.failedLogin("alice", T0.plus(Duration.ofMinutes(i)), "e-" + i));
            }
            events.pipe(EventsFixture.failedLogin("alice", latest, "e-9"));
            assertThat(events.alertUpdates()).isEmpty();
            events.pipe(EventsFixture.failedLogin("alice", T0, "e-0"));
            return events.alertUpdates();
        }
    }

    @Test
    void shouldRaiseTheAlertWhenTheThresholdCompletingFailureArrivesLastAndOutOfOrderWithinTheGrace() {
        Instant latest = T0.plus(Duration.ofMinutes(9)).plusSeconds(1); // e-0 arrives 9 min behind, within the 10 min grace
        List<Alert> updates = withTheFirstFailureArrivingLast(latest);

        String inOrderId;
        try (var inOrder = new EventsFixture()) {
            inOrder.pipe(EventsFixture.failedLogin("alice", T0, "e-0"));
            for (int i = 1; i <= 4; i++) {
                inOrder.pipe(EventsFixture.failedLogin("alice", T0.plus(Duration.ofMinutes(i)), "e-" + i));
            }
            inOrderId = inOrder.alertUpdates().get(0).id();
        }
        assertThat(updates).singleElement().satisfies(alert -> {
            assertThat(alert.id()).isEqualTo(inOrderId);
            assertThat(alert.entity()).isEqualTo("alice");
            assertThat(alert.count()).isEqualTo(5);
            assertThat(alert.firstSeen()).isEqualTo(T0);
            assertThat(alert.lastSeen()).isEqualTo(T0.plus(Duration.ofMinutes(4)));
            assertThat(alert.evidence()).containsExactly("e-0", "e-1", "e-2", "e-3", "e-4");
        });
    }

    /** A failure is counted while a window holding it is open: up to window (5 min) + grace (10 min) behind the latest. */
    @Test
    void shouldCountAFailureTheWindowPlusTheGraceBehindTheLatestButDropItAMillisecondLater() {
        Instant edge = T0.plus(Duration.ofMinutes(15));

        assertThat(withTheFirstFailureArrivingLast(edge)).singleElement().satisfies(alert -> {
            assertThat(alert.count()).isEqualTo(5);
            assertThat(alert.firstSeen()).isEqualTo(T0);
        });
        assertThat(withTheFirstFailureArrivingLast(edge.plusMillis(1))).isEmpty();
    }

    @Test
    void shouldOpenANewAlertWhenABurstRestartsAfterAQuietWindow() {
        fixture.abUser(alice, alice.change("r", T0, null), T0);
        failures(alice, 1, 5, T0, Duration.ofSeconds(5));
        failures(alice, 6, 10, T0.plus(Duration.ofHours(1)), Duration.ofSeconds(5));

        assertThat(TopologyFixture.latest(fixture.alertUpdates())).hasSize(2);
    }

    @Test
    void shouldKeepUsersApart() {
        var bob = AbUserRow.of(2, "bob");
        fixture.abUser(alice, alice.change("r", T0, null), T0);
        fixture.abUser(bob, bob.change("r", T0, null), T0);
        for (int i = 1; i <= 3; i++) {
            fixture.abUser(alice, alice.failCount(i).update(T0.plusSeconds(i)), T0.plusSeconds(i));
            fixture.abUser(bob, bob.failCount(i).update(T0.plusSeconds(i)), T0.plusSeconds(i));
        }
        assertThat(fixture.alertUpdates()).isEmpty();
    }

    @Test
    void shouldHonourAConfiguredThresholdAndWindow() {
        var config = DetectionConfig.defaults().withRule(RuleDefinition.FAILED_LOGIN_BURST, RuleSettings.of(3, Duration.ofMinutes(1)));
        try (var tuned = new TopologyFixture(config)) {
            tuned.abUser(alice, alice.change("r", T0, null), T0);
            for (int i = 1; i <= 3; i++) {
                tuned.abUser(alice, alice.failCount(i).update(T0.plusSeconds(i * 10L)), T0.plusSeconds(i * 10L));
            }
            assertThat(tuned.alertUpdates()).hasSize(1).allMatch(a -> a.count() == 3);
        }
    }

    @Test
    void shouldNotCountVaultAuthenticationFailures() {
        try (var events = new EventsFixture()) {
            for (int i = 0; i < 6; i++) {
                events.pipe(EventsFixture.vaultLogin("alice", T0.plusSeconds(i), "vault-" + i, NormalizedEvent.OUTCOME_FAILURE));
            }
            assertThat(events.alertUpdates()).isEmpty();
        }
    }

    @Test
    void shouldCountAFailedLoginDeliveredTwiceOnce() {
        try (var events = new EventsFixture()) {
            for (int i = 0; i < 4; i++) {
                NormalizedEvent failure = EventsFixture.failedLogin("alice", T0.plusSeconds(i * 10L), "e-" + i);
                events.pipe(failure).pipe(failure);
            }
            assertThat(events.alertUpdates()).isEmpty();

            events.pipe(EventsFixture.failedLogin("alice", T0.plusSeconds(50), "e-4"));
            assertThat(events.alertUpdates()).singleElement().satisfies(a -> {
                assertThat(a.count()).isEqualTo(5);
                assertThat(a.evidence()).containsExactly("e-0", "e-1", "e-2", "e-3", "e-4");
            });
        }
    }

    @Test
    void shouldRecordEachFiringForTheUserInUserAuthAlerts() {
        failures(alice, 1, 6, T0, Duration.ofSeconds(30));

        UserAuthAlerts recorded = fixture.<String, UserAuthAlerts>keyValueStore(UserAuthAlerts.STORE).get("alice");
        assertThat(recorded.lastFailedLoginBurst()).isEqualTo(T0.plusSeconds(150));
        assertThat(recorded.lastLoginAfterBurst()).isNull();
    }

    @Test
    void shouldNotRecordFailuresBelowThresholdInUserAuthAlerts() {
        failures(alice, 1, 4, T0, Duration.ofSeconds(30));

        assertThat(fixture.<String, UserAuthAlerts>keyValueStore(UserAuthAlerts.STORE).get("alice")).isNull();
    }

    @Test
    void shouldNeverAlertOnAnAllowListedUser() {
        var config = DetectionConfig.defaults().withAllowList(new DetectionConfig.AllowList(Set.of("svc-sync"), Set.of(), List.of()));
        try (var allowing = new TopologyFixture(config)) {
            var logins = new AirflowLogins();
            for (int i = 0; i < 10; i++) {
                logins.failed("svc-sync", T0.plusSeconds(i));
            }
            logins.pipeInto(allowing);
            assertThat(allowing.alertUpdates()).isEmpty();
            assertThat(allowing.<String, UserAuthAlerts>keyValueStore(UserAuthAlerts.STORE).get("svc-sync")).isNull();
        }
    }

    @Test
    void shouldAddNothingWhenDisabled() {
        var config = DetectionConfig.defaults().withRule(RuleDefinition.FAILED_LOGIN_BURST,
                RuleDefinition.FAILED_LOGIN_BURST.defaults().disabled());
        try (var disabled = new TopologyFixture(config)) {
            var logins = new AirflowLogins();
            for (int i = 0; i < 10; i++) {
                logins.failed("alice", T0.plusSeconds(i));
            }
            logins.pipeInto(disabled);
            assertThat(disabled.alertUpdates()).noneMatch(a -> a.ruleId().equals("AL-001"));
            assertThat(disabled.<String, UserAuthAlerts>keyValueStore(UserAuthAlerts.STORE).get("alice")).isNull();
            assertThat(disabled.<String, Object>keyValueStore(FailedLoginBurstRule.STORE)).isNull();
        }
    }
}
