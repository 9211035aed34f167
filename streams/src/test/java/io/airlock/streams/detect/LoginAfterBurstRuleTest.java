package io.airlock.streams.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LoginAfterBurstRuleTest {

    private static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");
    /** The last of five failures, 30 s apart, from {@link #burst}. */
    private static final Instant BURST_END = T0.plusSeconds(120);
    private final TopologyFixture fixture = new TopologyFixture();

    @AfterEach
    void close() {
        fixture.close();
    }

    /** Five failed logins of {@code user} from T0, 30 s apart: AL-001 fires at {@link #BURST_END}. */
    private static AirflowLogins burst(AirflowLogins logins, String user) {
        for (int i = 0; i < 5; i++) {
            logins.failed(user, T0.plusSeconds(30L * i));
        }
        return logins;
    }

    private static List<Alert> loginsAfterBurst(List<Alert> updates) {
        return updates.stream().filter(a -> a.ruleId().equals("AL-003")).toList();
    }

    @Test
    void shouldRaiseACriticalAlertForASuccessfulLoginRightAfterAFailedLoginBurst() {
        burst(new AirflowLogins(), "alice").succeeded("alice", BURST_END.plusSeconds(60)).pipeInto(fixture);

        List<Alert> updates = fixture.alertUpdates();
        assertThat(updates).extracting(Alert::ruleId).containsExactly("AL-001", "AL-003");
        Alert alert = updates.get(1);
        assertThat(alert.ruleName()).isEqualTo("login after burst");
        assertThat(alert.severity()).isEqualTo(Severity.CRITICAL);
        assertThat(alert.entity()).isEqualTo("alice");
        assertThat(alert.count()).isEqualTo(1);
        assertThat(alert.firstSeen()).isEqualTo(BURST_END.plusSeconds(60));
        assertThat(alert.lastSeen()).isEqualTo(BURST_END.plusSeconds(60));
        assertThat(alert.evidence()).hasSize(1).doesNotContainAnyElementsOf(updates.get(0).evidence());
        assertThat(alert.techniqueIds()).containsExactly("T1078", "T1110");
        assertThat(alert.runbook()).isEqualTo("docs/runbooks/AL-003-login-after-burst.md");
        assertThat(alert.summary()).contains("'alice'").contains("a successful login").contains("1 min after a failed-login burst");
    }

    @Test
    void shouldUpdateTheSameAlertForRepeatedLoginsWithinTheWindow() {
        burst(new AirflowLogins(), "alice")
                .succeeded("alice", BURST_END.plus(Duration.ofMinutes(1)))
                .succeeded("alice", BURST_END.plus(Duration.ofMinutes(10)))
                .succeeded("alice", BURST_END.plus(Duration.ofMinutes(25)))
                .pipeInto(fixture);

        List<Alert> updates = loginsAfterBurst(fixture.alertUpdates());
        // the alert's first version at once, its growth coalesced into the latest version (AlertUpdateCoalescer)
        assertThat(updates).extracting(Alert::count).containsExactly(1L, 3L);
        Map<String, Alert> alerts = TopologyFixture.latest(updates);
        assertThat(alerts).hasSize(1);
        Alert alert = alerts.values().iterator().next();
        assertThat(alert.firstSeen()).isEqualTo(BURST_END.plus(Duration.ofMinutes(1)));
        assertThat(alert.lastSeen()).isEqualTo(BURST_END.plus(Duration.ofMinutes(25)));
        assertThat(alert.evidence()).hasSize(3).doesNotHaveDuplicates();
        assertThat(alert.summary()).contains("3 successful logins");
    }

    @Test
    void shouldNotAlertForALoginWithoutAPrecedingBurst() {
        var logins = new AirflowLogins();
        for (int i = 0; i < 4; i++) {
            logins.failed("alice", T0.plusSeconds(10L * i));
        }
        logins.succeeded("alice", T0.plusSeconds(60)).pipeInto(fixture);

        assertThat(fixture.alertUpdates()).isEmpty();
    }

    @Test
    void shouldNotAlertForALoginMoreThanTheWindowAfterTheBurst() {
        burst(new AirflowLogins(), "alice").succeeded("alice", BURST_END.plus(Duration.ofMinutes(31))).pipeInto(fixture);

        assertThat(loginsAfterBurst(fixture.alertUpdates())).isEmpty();
    }

    @Test
    void shouldAlertForALoginAtTheEndOfTheWindowAfterTheBurst() {
        burst(new AirflowLogins(), "alice").succeeded("alice", BURST_END.plus(Duration.ofMinutes(30))).pipeInto(fixture);

        assertThat(loginsAfterBurst(fixture.alertUpdates())).hasSize(1);
    }

    @Test
    void shouldKeepUsersApart() {
        burst(new AirflowLogins(), "alice").succeeded("bob", BURST_END.plusSeconds(60)).pipeInto(fixture);

        assertThat(loginsAfterBurst(fixture.alertUpdates())).isEmpty();
    }

    @Test
    void shouldRecordTheFiringInUserAuthAlerts() {
        burst(new AirflowLogins(), "alice").succeeded("alice", BURST_END.plusSeconds(60)).pipeInto(fixture);

        UserAuthAlerts recorded = fixture.<String, UserAuthAlerts>keyValueStore(UserAuthAlerts.STORE).get("alice");
        assertThat(recorded.lastFailedLoginBurst()).isEqualTo(BURST_END);
        assertThat(recorded.lastLoginAfterBurst()).isEqualTo(BURST_END.plusSeconds(60));
    }

    @Test
    void shouldGiveTheSameAlertsAndIdsOnReplay() {
        var logins = burst(new AirflowLogins(), "alice").succeeded("alice", BURST_END.plusSeconds(60))
                .succeeded("alice", BURST_END.plusSeconds(600));
        logins.pipeInto(fixture);
        List<Alert> live = fixture.alertUpdates();

        try (var replay = new TopologyFixture()) {
            logins.pipeInto(replay);
            assertThat(replay.alertUpdates()).isEqualTo(live);
        }
        assertThat(TopologyFixture.latest(loginsAfterBurst(live))).hasSize(1);
    }

    @Test
    void shouldCountALoginDeliveredTwiceOnce() {
        try (var events = new EventsFixture()) {
            for (int i = 0; i < 5; i++) {
                events.pipe(EventsFixture.failedLogin("alice", T0.plusSeconds(30L * i), "f-" + i));
            }
            NormalizedEvent success = EventsFixture.successfulLogin("alice", BURST_END.plusSeconds(60), "s-1");
            events.pipe(success).pipe(success);

            assertThat(loginsAfterBurst(events.alertUpdates())).singleElement().satisfies(a -> {
                assertThat(a.count()).isEqualTo(1);
                assertThat(a.evidence()).containsExactly("s-1");
            });
        }
    }

    @Test
    void shouldNotAlertForALoginProcessedBeforeTheFailuresItFollows() {
        try (var events = new EventsFixture()) {
            events.pipe(EventsFixture.successfulLogin("alice", BURST_END.plusSeconds(60), "s-1"));
            for (int i = 0; i < 5; i++) {
                events.pipe(EventsFixture.failedLogin("alice", T0.plusSeconds(30L * i), "f-" + i));
            }
            assertThat(events.alertUpdates()).extracting(Alert::ruleId).containsExactly("AL-001");

            events.pipe(EventsFixture.successfulLogin("alice", BURST_END.plusSeconds(90), "s-2"));
            assertThat(events.alertUpdates()).extracting(Alert::ruleId).containsExactly("AL-003");
        }
    }

    @Test
    void shouldRaiseAl003ForASuccessAmidTheFailuresWhenAl001FiresAfterIt() {
        // parallel guesses: two failures, the right password, then failures of requests that started before it
        var logins = new AirflowLogins().failed("alice", T0).failed("alice", T0.plusMillis(50))
                .succeeded("alice", T0.plusMillis(100));
        for (int i = 1; i <= 5; i++) {
            logins.failed("alice", T0.plusMillis(100 + 50L * i));
        }
        logins.pipeInto(fixture);

        List<Alert> updates = fixture.alertUpdates();
        assertThat(updates).extracting(Alert::ruleId).contains("AL-001", "AL-003");
        Alert al003 = TopologyFixture.latest(loginsAfterBurst(updates)).values().stream().reduce((a, b) -> b).orElseThrow();
        assertThat(TopologyFixture.latest(loginsAfterBurst(updates))).hasSize(1);
        assertThat(al003.severity()).isEqualTo(Severity.CRITICAL);
        assertThat(al003.count()).as("the one success, once, though every later failure sees it").isEqualTo(1);
        assertThat(al003.firstSeen()).isEqualTo(T0.plusMillis(100));
        assertThat(al003.summary()).contains("amid a failed-login burst");
    }

    @Test
    void shouldNotRaiseAl003ForASuccessBeforeAnyFailureOrLongAfterTheLast() {
        // logged in, then someone else's burst on the account; and a success ten minutes after a lone failure, then a burst
        var logins = new AirflowLogins().succeeded("alice", T0.minusSeconds(10));
        burst(logins, "alice");
        logins.failed("bob", T0).succeeded("bob", T0.plusSeconds(600));
        for (int i = 1; i <= 5; i++) {
            logins.failed("bob", T0.plusSeconds(600 + i));
        }
        logins.pipeInto(fixture);

        assertThat(loginsAfterBurst(fixture.alertUpdates())).isEmpty();
    }

    @Test
    void shouldIgnoreVaultLoginsAfterABurst() {
        try (var events = new EventsFixture()) {
            for (int i = 0; i < 5; i++) {
                events.pipe(EventsFixture.failedLogin("alice", T0.plusSeconds(30L * i), "f-" + i));
            }
            events.pipe(EventsFixture.vaultLogin("alice", BURST_END.plusSeconds(60), "v-1", NormalizedEvent.OUTCOME_SUCCESS));

            assertThat(loginsAfterBurst(events.alertUpdates())).isEmpty();
        }
    }

    @Test
    void shouldNeverAlertOnAnAllowListedUser() {
        var config = DetectionConfig.defaults().withAllowList(new DetectionConfig.AllowList(Set.of("alice"), Set.of(), List.of()));
        try (var allowing = new TopologyFixture(config)) {
            burst(new AirflowLogins(), "alice").succeeded("alice", BURST_END.plusSeconds(60)).pipeInto(allowing);

            assertThat(allowing.alertUpdates()).isEmpty();
        }
    }

    @Test
    void shouldTakeABurstOfAUserExceptedFromAl001AsNoBurst() {
        var config = DetectionConfig.defaults().withRule(RuleDefinition.FAILED_LOGIN_BURST,
                RuleDefinition.FAILED_LOGIN_BURST.defaults().withAllowEntities(Set.of("svc-etl")));
        try (var excepting = new TopologyFixture(config)) {
            var logins = burst(new AirflowLogins(), "svc-etl").succeeded("svc-etl", BURST_END.plusSeconds(60));
            burst(logins, "alice").succeeded("alice", BURST_END.plusSeconds(60)).pipeInto(excepting);

            assertThat(TopologyFixture.latest(excepting.alertUpdates()).values()).extracting(Alert::ruleId, Alert::entity)
                    .containsExactlyInAnyOrder(tuple("AL-001", "alice"), tuple("AL-003", "alice"));
        }
    }

    @Test
    void shouldHonourAConfiguredWindow() {
        var config = DetectionConfig.defaults().withRule(RuleDefinition.LOGIN_AFTER_BURST, RuleSettings.of(1, Duration.ofMinutes(5)));
        try (var tuned = new TopologyFixture(config)) {
            var logins = burst(new AirflowLogins(), "alice").succeeded("alice", BURST_END.plus(Duration.ofMinutes(6)));
            burst(logins, "bob").succeeded("bob", BURST_END.plus(Duration.ofMinutes(4))).pipeInto(tuned);

            assertThat(loginsAfterBurst(tuned.alertUpdates())).extracting(Alert::entity).containsExactly("bob");
        }
    }

    @Test
    void shouldAddNothingWhenDisabled() {
        var config = DetectionConfig.defaults().withRule(RuleDefinition.LOGIN_AFTER_BURST,
                RuleDefinition.LOGIN_AFTER_BURST.defaults().disabled());
        assertThat(AirlockTopology.build(config, Topics.defaults()).describe().toString()).doesNotContain("al-003");
        try (var disabled = new TopologyFixture(config)) {
            burst(new AirflowLogins(), "alice").succeeded("alice", BURST_END.plusSeconds(60)).pipeInto(disabled);

            assertThat(disabled.alertUpdates()).extracting(Alert::ruleId).containsExactly("AL-001");
            assertThat(disabled.<String, UserAuthAlerts>keyValueStore(UserAuthAlerts.STORE).get("alice").lastLoginAfterBurst()).isNull();
        }
    }
}
