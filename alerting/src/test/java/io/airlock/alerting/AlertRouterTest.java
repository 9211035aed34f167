package io.airlock.alerting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.airlock.core.Alert;
import io.airlock.core.Severity;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AlertRouterTest {

    /** Records what it was sent and every attempt; can be told to fail (from any thread: delivery loops use it too). */
    static final class RecordingNotifier implements Notifier {
        final String channel;
        final List<Alert> sent = new CopyOnWriteArrayList<>();
        final List<Alert> attempts = new CopyOnWriteArrayList<>();
        volatile DeliveryException failWith;

        RecordingNotifier(String channel) {
            this.channel = channel;
        }

        @Override
        public String channel() {
            return channel;
        }

        @Override
        public void send(Alert alert) throws DeliveryException {
            attempts.add(alert);
            if (failWith != null) {
                throw failWith;
            }
            sent.add(alert);
        }
    }

    private final RecordingNotifier slack = new RecordingNotifier("slack");
    private final RecordingNotifier pagerDuty = new RecordingNotifier("pagerduty");
    private final AlertRouter router = AlertRouter.defaults(slack, pagerDuty);

    @Test
    void shouldNotifyAGrowingAlertOnceWithinTheRepeatInterval() throws Exception {
        for (int count = 5; count <= 30; count++) { // last_seen grows a minute per count: 25 min in all
            router.deliver(TestAlerts.failedLoginBurst().count(count).build());
        }

        assertThat(slack.sent).hasSize(1);
        assertThat(pagerDuty.sent).hasSize(1);
        assertThat(slack.sent.get(0).count()).isEqualTo(5);
    }

    @Test
    void shouldNotifyAgainOnceTheRepeatIntervalPassedInEventTime() throws Exception {
        router.deliver(TestAlerts.failedLoginBurst().count(5).build());
        router.deliver(TestAlerts.failedLoginBurst().count(64).build()); // last_seen 59 min after the first
        router.deliver(TestAlerts.failedLoginBurst().count(65).build()); // 60 min after

        assertThat(slack.sent).extracting(Alert::count).containsExactly(5L, 65L);
    }

    @Test
    void shouldNotRenotifyAReplayOfTheSameAlert() throws Exception {
        Alert alert = TestAlerts.failedLoginBurst().build();
        router.deliver(alert);
        router.deliver(alert);

        assertThat(slack.sent).hasSize(1);
    }

    @Test
    void shouldPageOnlyForHighAndCritical() throws Exception {
        router.deliver(TestAlerts.failedLoginBurst().id("medium").severity(Severity.MEDIUM).build());
        router.deliver(TestAlerts.failedLoginBurst().id("low").severity(Severity.LOW).build());
        router.deliver(TestAlerts.failedLoginBurst().id("high").severity(Severity.HIGH).build());
        router.deliver(TestAlerts.failedLoginBurst().id("critical").severity(Severity.CRITICAL).build());

        assertThat(slack.sent).extracting(Alert::id).containsExactly("medium", "low", "high", "critical");
        assertThat(pagerDuty.sent).extracting(Alert::id).containsExactly("high", "critical");
    }

    @Test
    void shouldNotifyAResolutionEvenWithinTheRepeatInterval() throws Exception {
        router.deliver(TestAlerts.failedLoginBurst().build());
        router.deliver(TestAlerts.failedLoginBurst().status(Alert.Status.RESOLVED).build());

        assertThat(pagerDuty.sent).extracting(Alert::status).containsExactly(Alert.Status.OPEN, Alert.Status.RESOLVED);
    }

    @Test
    void shouldNotifyAnEscalationAtOnceButNotADeEscalation() throws Exception {
        router.deliver(TestAlerts.failedLoginBurst().severity(Severity.MEDIUM).count(5).build());
        router.deliver(TestAlerts.failedLoginBurst().severity(Severity.HIGH).count(5).build()); // AL-010 after AL-001
        router.deliver(TestAlerts.failedLoginBurst().severity(Severity.HIGH).count(6).build());
        router.deliver(TestAlerts.failedLoginBurst().severity(Severity.MEDIUM).count(7).build());

        assertThat(slack.sent).extracting(Alert::severity, Alert::count)
                .containsExactly(tuple(Severity.MEDIUM, 5L), tuple(Severity.HIGH, 5L));
        assertThat(pagerDuty.sent).extracting(Alert::severity).containsExactly(Severity.HIGH);
    }

    @Test
    void shouldNotTakeARememberedNotificationWithoutSeverityForAnEscalation() throws Exception {
        Alert high = TestAlerts.failedLoginBurst().severity(Severity.HIGH).build();
        AlertRouter.Notified before = new AlertRouter.Notified(high.count(), high.lastSeen(), Alert.Status.OPEN, null,
                Instant.now());
        router.restore("slack", high.id(), before); // persisted by 0.1.0, which did not remember severities

        router.deliver(high);

        assertThat(slack.sent).isEmpty();
    }

    @Test
    void shouldRetryOnlyTheChannelThatWasUnavailable() throws Exception {
        Alert alert = TestAlerts.failedLoginBurst().build();
        pagerDuty.failWith = new DeliveryException("pagerduty: down");

        assertThatThrownBy(() -> router.deliver(alert)).isInstanceOf(DeliveryException.class);
        pagerDuty.failWith = null;
        AlertRouter.Delivery retry = router.deliver(alert);

        assertThat(retry.notified()).containsExactly("pagerduty");
        assertThat(slack.sent).hasSize(1);
        assertThat(pagerDuty.sent).hasSize(1);
    }

    @Test
    void shouldReportPermanentRejectionsAndHoldBackTheAlertsGrowthOnceDeadLettered() throws Exception {
        Alert alert = TestAlerts.failedLoginBurst().count(5).build();
        slack.failWith = new PermanentDeliveryException("slack: rejected with HTTP 400");

        AlertRouter.Delivery delivery = router.deliver(alert);

        assertThat(delivery.rejected()).containsOnlyKeys("slack");
        assertThat(delivery.notified()).containsExactly("pagerduty");
        assertThat(router.due(alert)).containsExactly(slack); // until the dead letter is acknowledged
        router.markRejected(alert, delivery.rejected().keySet());
        assertThat(router.due(TestAlerts.failedLoginBurst().count(30).build()))
                .as("an update within the repeat interval is not sent (nor dead-lettered) again").isEmpty();
    }

    @Test
    void shouldSendARejectedVersionAgainWhenItIsSeenAgainAndRememberItAsDeliveredThen() throws Exception {
        Alert rejected = TestAlerts.failedLoginBurst().count(5).build();
        slack.failWith = new PermanentDeliveryException("slack: rejected with HTTP 404: no_service");
        router.markRejected(rejected, router.deliver(rejected).rejected().keySet());
        assertThat(router.wasRejected(rejected, slack)).isTrue();
        slack.failWith = null; // the webhook was fixed

        assertThat(router.deliver(TestAlerts.failedLoginBurst().count(4).build()).notified())
                .as("an older version replayed before it: already past").isEmpty();
        assertThat(router.deliver(rejected).notified()).as("the rejected version replayed").containsExactly("slack");
        assertThat(router.deliver(rejected).notified()).as("and told once").isEmpty();
        assertThat(router.wasRejected(rejected, slack)).isFalse();
        assertThat(slack.sent).extracting(Alert::count).containsExactly(5L);
    }

    @Test
    void shouldSendAVersionHeldBackAfterARejectionWhenItIsSeenAgainButNotANewerOne() throws Exception {
        Alert rejected = TestAlerts.failedLoginBurst().count(5).build();
        slack.failWith = new PermanentDeliveryException("slack: rejected with HTTP 404: no_service");
        router.markRejected(rejected, router.deliver(rejected).rejected().keySet());
        Alert grown = TestAlerts.failedLoginBurst().count(30).build(); // within the repeat interval
        assertThat(router.due(grown)).doesNotContain(slack);
        assertThat(router.heldBackAfterRejection(grown, slack)).get().extracting(AlertRouter.Notified::rejectedUpTo)
                .isEqualTo(30L);
        assertThat(router.heldBackAfterRejection(grown, slack)).as("nothing new to remember").isEmpty();
        assertThat(router.heldBackAfterRejection(grown, pagerDuty)).as("pagerduty was told").isEmpty();
        slack.failWith = null; // the webhook was fixed

        assertThat(router.due(TestAlerts.failedLoginBurst().count(31).build())).as("live growth: the repeat interval")
                .doesNotContain(slack);
        assertThat(router.deliver(grown).notified()).as("the held-back version replayed").containsExactly("slack");
        assertThat(router.due(rejected)).as("told now").isEmpty();
    }

    @Test
    void shouldTakeARestoredRejectionAsNotToldAndAnEntryWithoutTheFlagAsTold() {
        Alert alert = TestAlerts.failedLoginBurst().build();
        Instant confirmed = Instant.now();
        router.restore("slack", alert.id(), new AlertRouter.Notified(alert.count(), alert.lastSeen(), Alert.Status.OPEN,
                alert.severity(), confirmed, alert.count()));
        router.restore("pagerduty", alert.id(), new AlertRouter.Notified(alert.count(), alert.lastSeen(), Alert.Status.OPEN,
                alert.severity(), confirmed));

        assertThat(router.due(alert)).containsExactly(slack);
    }

    private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");

    private AlertRouter router(List<AlertRouter.Route> routes, List<Silence> silences, List<MaintenanceWindow> windows) {
        return new AlertRouter(routes, AlertRouter.DEFAULT_REPEAT_INTERVAL, silences, windows, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @Test
    void shouldRouteByRuleAndSeverityAndNotifyEachReceiverOnceWhenSeveralRoutesMatch() throws Exception {
        RecordingNotifier soc = new RecordingNotifier("soc-slack");
        RecordingNotifier vault = new RecordingNotifier("vault-slack");
        RecordingNotifier oncall = new RecordingNotifier("oncall");
        AlertRouter routed = router(List.of(
                new AlertRouter.Route(oncall, Severity.HIGH), new AlertRouter.Route(soc, Severity.HIGH),
                new AlertRouter.Route(soc, Severity.LOW, Set.of("AL-020")),
                new AlertRouter.Route(vault, Severity.LOW, Set.of("AL-020", "AL-021"))), List.of(), List.of());

        routed.deliver(TestAlerts.failedLoginBurst().id("a1").severity(Severity.HIGH).build());
        routed.deliver(TestAlerts.failedLoginBurst().id("a2").rule("AL-020").severity(Severity.LOW).build());
        routed.deliver(TestAlerts.failedLoginBurst().id("a3").rule("AL-021").severity(Severity.HIGH).build());
        routed.deliver(TestAlerts.failedLoginBurst().id("a4").rule("AL-023").severity(Severity.MEDIUM).build());

        assertThat(oncall.sent).extracting(Alert::id).containsExactly("a1", "a3");
        assertThat(soc.sent).extracting(Alert::id).containsExactly("a1", "a2", "a3");
        assertThat(vault.sent).extracting(Alert::id).containsExactly("a2", "a3");
    }

    @Test
    void shouldIndexButNotNotifyAnAlertLastSeenLongerAgoThanTheAgeLimit() throws Exception {
        AlertRouter limited = new AlertRouter(List.of(new AlertRouter.Route(slack, Severity.LOW)), AlertRouter.DEFAULT_REPEAT_INTERVAL,
                List.of(), List.of(), AlertRouter.DEFAULT_MAX_AGE, Clock.fixed(NOW, ZoneOffset.UTC));
        AlertRouter unlimited = new AlertRouter(List.of(new AlertRouter.Route(slack, Severity.LOW)), AlertRouter.DEFAULT_REPEAT_INTERVAL,
                List.of(), List.of(), Duration.ZERO, Clock.fixed(NOW, ZoneOffset.UTC));
        Instant history = NOW.minus(Duration.ofHours(24)).minusSeconds(1);
        Alert old = TestAlerts.failedLoginBurst().id("old").firstSeen(history.minusSeconds(60)).lastSeen(history).build();
        Alert recent = TestAlerts.failedLoginBurst().id("recent").firstSeen(history.minusSeconds(60)).lastSeen(history.plusSeconds(2))
                .build();

        AlertRouter.Delivery delivery = limited.deliver(old);
        limited.deliver(recent);
        unlimited.deliver(old);

        assertThat(delivery.suppressed()).contains("last seen 2025-05-31T11:59:59Z, longer ago than notifications.max-age (24h): "
                + "history, indexed but not notified");
        assertThat(slack.sent).extracting(Alert::id).as("an alert still growing is recent").containsExactly("recent", "old");
        assertThat(limited.isHistory(old)).isTrue();
        assertThat(limited.isHistory(recent)).isFalse();
        assertThat(unlimited.isHistory(old)).isFalse();
    }

    @Test
    void shouldNotNotifyASilencedAlertUntilTheSilenceEnds() throws Exception {
        Silence backup = new Silence("AL-024", "svc-backup", NOW.plusSeconds(60), "known job");
        AlertRouter silenced = router(List.of(new AlertRouter.Route(slack, Severity.LOW)), List.of(backup), List.of());
        AlertRouter later = new AlertRouter(List.of(new AlertRouter.Route(slack, Severity.LOW)),
                AlertRouter.DEFAULT_REPEAT_INTERVAL, List.of(backup), List.of(), Clock.fixed(NOW.plusSeconds(60), ZoneOffset.UTC));
        Alert backupRead = TestAlerts.failedLoginBurst().id("s1").rule("AL-024").entity("svc-backup").build();

        AlertRouter.Delivery delivery = silenced.deliver(backupRead);
        silenced.deliver(TestAlerts.failedLoginBurst().id("s2").rule("AL-024").entity("alice").build());
        silenced.deliver(TestAlerts.failedLoginBurst().id("s3").rule("AL-001").entity("svc-backup").build());
        later.deliver(backupRead);

        assertThat(delivery.suppressed()).contains("silenced until 2025-06-01T12:01:00Z (known job)");
        assertThat(delivery.notified()).isEmpty();
        assertThat(slack.sent).extracting(Alert::id).containsExactly("s2", "s3", "s1");
    }

    @Test
    void shouldSilenceEveryEntityOfARuleOrEveryRuleOfAnEntity() throws Exception {
        AlertRouter silenced = router(List.of(new AlertRouter.Route(slack, Severity.LOW)), List.of(
                new Silence("AL-020", null, NOW.plusSeconds(1), null), new Silence(null, "svc-ci", NOW.plusSeconds(1), null)),
                List.of());

        silenced.deliver(TestAlerts.failedLoginBurst().id("r1").rule("AL-020").entity("bob").build());
        silenced.deliver(TestAlerts.failedLoginBurst().id("r2").rule("AL-001").entity("svc-ci").build());
        silenced.deliver(TestAlerts.failedLoginBurst().id("r3").rule("AL-001").entity("bob").build());

        assertThat(slack.sent).extracting(Alert::id).containsExactly("r3");
    }

    @Test
    void shouldNotNotifyAlertsWhoseEventsHappenedInAMaintenanceWindowEvenWhenDeliveredLater() throws Exception {
        Instant from = TestAlerts.T0;
        MaintenanceWindow upgrade = new MaintenanceWindow(from, from.plus(Duration.ofHours(2)), Set.of("AL-001"), Set.of(),
                "Airflow upgrade");
        AlertRouter router = router(List.of(new AlertRouter.Route(slack, Severity.LOW)), List.of(), List.of(upgrade));

        AlertRouter.Delivery during = router.deliver(TestAlerts.failedLoginBurst().count(30).build()); // NOW is days later
        router.deliver(TestAlerts.failedLoginBurst().id("other-rule").rule("AL-023").count(30).build());
        router.deliver(TestAlerts.failedLoginBurst().count(120).build()); // last_seen = window end: activity went on

        assertThat(during.suppressed()).hasValueSatisfying(r -> assertThat(r).contains("maintenance window", "Airflow upgrade"));
        assertThat(slack.sent).extracting(Alert::id, Alert::count)
                .containsExactly(tuple("other-rule", 30L), tuple(TestAlerts.failedLoginBurst().build().id(), 120L));
    }

    @Test
    void shouldBuildNamedReceiversAndRoutesFromARoutingConfig() throws Exception {
        try (StubHttpServer server = new StubHttpServer()) {
            RoutingConfig config = RoutingConfig.none()
                    .withReceivers(List.of(
                            RoutingConfig.Receiver.slack("soc-slack", Secret.of(server.uri("/soc").toString())),
                            RoutingConfig.Receiver.slack("vault-slack", Secret.of(server.uri("/vault").toString())),
                            RoutingConfig.Receiver.pagerDuty("oncall", Secret.of("key-1"), server.uri("/v2/enqueue"))))
                    .withRoutes(List.of(
                            new RoutingConfig.RouteSpec(Severity.HIGH, Set.of(), List.of("oncall", "soc-slack")),
                            new RoutingConfig.RouteSpec(null, Set.of("AL-020"), List.of("vault-slack"))))
                    .withSlackInterval(Duration.ZERO);
            assertThat(config.maxAge()).isEqualTo(AlertRouter.DEFAULT_MAX_AGE);
            AlertRouter built = AlertRouter.from(config, AlertLinks.none(), RetryPolicy.defaults(),
                    Clock.fixed(TestAlerts.T0.plus(Duration.ofHours(1)), ZoneOffset.UTC)); // the test alerts are an hour old

            AlertRouter.Delivery high = built.deliver(TestAlerts.failedLoginBurst().severity(Severity.HIGH).build());
            AlertRouter.Delivery low = built.deliver(TestAlerts.failedLoginBurst().id("x").rule("AL-020").severity(Severity.LOW).build());

            assertThat(high.notified()).containsExactly("oncall", "soc-slack");
            assertThat(low.notified()).containsExactly("vault-slack");
            assertThat(server.requests()).extracting(StubHttpServer.Request::path).containsExactly("/v2/enqueue", "/soc", "/vault");
        }
    }

    @Test
    void shouldRefuseRoutesToUndefinedReceivers() {
        assertThatThrownBy(() -> RoutingConfig.none()
                .withReceivers(List.of(RoutingConfig.Receiver.slack("soc-slack", Secret.of("https://hooks.example.com/x"))))
                .withRoutes(List.of(new RoutingConfig.RouteSpec(Severity.LOW, Set.of(), List.of("soc")))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("route 1 names receiver 'soc'").hasMessageContaining("defined: soc-slack");
    }

    @Test
    void shouldKeepTheDefaultRoutesOfTheSimpleSettings() throws Exception {
        RoutingConfig config = RoutingConfig.defaults(Optional.of(Secret.of("https://hooks.example.com/x")),
                Optional.of(Secret.of("key")), PagerDutyNotifier.DEFAULT_EVENTS_URL);

        assertThat(config.receivers()).extracting(RoutingConfig.Receiver::name).containsExactly("slack", "pagerduty");
        assertThat(config.routes()).containsExactly(
                new RoutingConfig.RouteSpec(Severity.LOW, Set.of(), List.of("slack")),
                new RoutingConfig.RouteSpec(Severity.HIGH, Set.of(), List.of("pagerduty")));
        assertThat(RoutingConfig.defaults(Optional.empty(), Optional.empty(), PagerDutyNotifier.DEFAULT_EVENTS_URL).routes()).isEmpty();
    }

    @Test
    void shouldHonourAConfiguredRepeatInterval() throws Exception {
        AlertRouter quick = new AlertRouter(List.of(new AlertRouter.Route(slack, Severity.LOW)), Duration.ofMinutes(5));
        for (int count = 5; count <= 30; count++) {
            quick.deliver(TestAlerts.failedLoginBurst().count(count).build());
        }

        assertThat(slack.sent).extracting(Alert::count).containsExactly(5L, 10L, 15L, 20L, 25L, 30L);
    }
}
