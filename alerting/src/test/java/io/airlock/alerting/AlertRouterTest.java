package io.airlock.alerting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.airlock.core.Alert;
import io.airlock.core.Severity;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AlertRouterTest {

    /** Records what it was sent; can be told to fail. */
    static final class RecordingNotifier implements Notifier {
        final String channel;
        final List<Alert> sent = new ArrayList<>();
        DeliveryException failWith;

        RecordingNotifier(String channel) {
            this.channel = channel;
        }

        @Override
        public String channel() {
            return channel;
        }

        @Override
        public void send(Alert alert) throws DeliveryException {
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
    void shouldReportPermanentRejectionsAndNotRetryThem() throws Exception {
        Alert alert = TestAlerts.failedLoginBurst().build();
        slack.failWith = new PermanentDeliveryException("slack: rejected with HTTP 400");

        AlertRouter.Delivery delivery = router.deliver(alert);

        assertThat(delivery.rejected()).containsOnlyKeys("slack");
        assertThat(delivery.notified()).containsExactly("pagerduty");
        assertThat(router.due(alert)).isEmpty();
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
