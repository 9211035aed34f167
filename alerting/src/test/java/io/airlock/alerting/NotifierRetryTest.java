package io.airlock.alerting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.airlock.alerting.internal.Pacer;
import io.airlock.alerting.internal.Sleeper;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class NotifierRetryTest {

    private static final String SLACK_PATH = "/services/T000/B000/XXXXSECRETXXXX";
    private static final String ROUTING_KEY = "R0UT1NGK3Y-S3CR3T";

    private StubHttpServer server;
    private final List<Duration> waits = new CopyOnWriteArrayList<>();
    private final AtomicLong nanos = new AtomicLong();
    /** Records each wait and lets the fake clock move on by it, so waits are exact. */
    private final Sleeper recordingSleeper = d -> {
        waits.add(d);
        nanos.addAndGet(d.toNanos());
    };
    private final RetryPolicy policy = RetryPolicy.defaults().withMaxAttempts(4)
            .withBackoff(Duration.ofMillis(100), Duration.ofSeconds(2));

    @BeforeEach
    void start() throws IOException {
        server = new StubHttpServer();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private Pacer pacer(Duration interval) {
        return new Pacer(interval, 1, nanos::get);
    }

    private SlackNotifier slack() {
        return slack(policy, pacer(Duration.ofSeconds(1)));
    }

    private SlackNotifier slack(RetryPolicy retryPolicy, Pacer pacer) {
        return new SlackNotifier("soc-slack", Secret.of(server.uri(SLACK_PATH).toString()), AlertLinks.none(), retryPolicy,
                recordingSleeper, pacer);
    }

    private PagerDutyNotifier pagerDuty() {
        return new PagerDutyNotifier("oncall", server.uri("/v2/enqueue"), Secret.of(ROUTING_KEY), AlertLinks.none(), policy,
                recordingSleeper, pacer(Duration.ZERO));
    }

    @Test
    void shouldHonourRetryAfterAndDeliverExactlyOnce() throws Exception {
        server.then(429, Map.of("Retry-After", "1"), "rate_limited");

        slack().send(TestAlerts.failedLoginBurst().build());

        assertThat(server.requests()).hasSize(2);
        assertThat(waits).containsExactly(Duration.ofSeconds(1));
        assertThat(server.requests().get(1).body()).contains("\"blocks\"");
    }

    @Test
    void shouldPostAtMostOneMessagePerSecondToOneSlackWebhook() throws Exception {
        SlackNotifier notifier = slack();

        for (int i = 0; i < 4; i++) {
            notifier.send(TestAlerts.failedLoginBurst().id("burst-" + i).build());
        }

        assertThat(server.requests()).hasSize(4);
        assertThat(waits).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1));
    }

    @Test
    void shouldShareTheRateLimitOfAWebhookBetweenReceiversButNotBetweenWebhooks() throws Exception {
        Pacer shared = pacer(Duration.ofSeconds(1));
        SlackNotifier soc = slack(policy, shared);
        SlackNotifier socAgain = slack(policy, shared);
        SlackNotifier other = slack(policy, pacer(Duration.ofSeconds(1)));

        soc.send(TestAlerts.failedLoginBurst().build());
        other.send(TestAlerts.failedLoginBurst().build());
        socAgain.send(TestAlerts.failedLoginBurst().build());

        assertThat(waits).containsExactly(Duration.ofSeconds(1));
    }

    @Test
    void shouldHoldTheWebhookForEveryoneDuringRetryAfter() throws Exception {
        server.then(429, Map.of("Retry-After", "5"), "rate_limited");
        SlackNotifier notifier = slack();

        notifier.send(TestAlerts.failedLoginBurst().id("first").build());
        notifier.send(TestAlerts.failedLoginBurst().id("second").build());

        assertThat(server.requests()).hasSize(3);
        assertThat(waits).containsExactly(Duration.ofSeconds(5), Duration.ofSeconds(1));
    }

    @Test
    void shouldGiveUpRetriablyAtOnceWhenRetryAfterIsLongerThanAllowedAndNotPostUntilItPassed() {
        server.then(429, Map.of("Retry-After", "300"), "rate_limited");
        SlackNotifier notifier = slack();

        assertThatThrownBy(() -> notifier.send(TestAlerts.failedLoginBurst().build()))
                .isInstanceOf(DeliveryException.class).isNotInstanceOf(PermanentDeliveryException.class)
                .hasMessageContaining("Retry-After");
        assertThatThrownBy(() -> notifier.send(TestAlerts.failedLoginBurst().build()))
                .isInstanceOf(DeliveryException.class).hasMessageContaining("wait another 300 s");

        assertThat(server.requests()).hasSize(1);
        assertThat(waits).isEmpty();
        nanos.addAndGet(Duration.ofSeconds(300).toNanos());
        assertThatCode(() -> notifier.send(TestAlerts.failedLoginBurst().build())).doesNotThrowAnyException();
        assertThat(server.requests()).hasSize(2);
    }

    @Test
    void shouldTakeAnEndlessRetryAfterAsADayAndRetryLaterInsteadOfFailing() {
        server.then(429, Map.of("Retry-After", "10000000000"), "rate_limited");
        SlackNotifier notifier = slack();

        assertThatThrownBy(() -> notifier.send(TestAlerts.failedLoginBurst().build()))
                .isInstanceOf(DeliveryException.class).isNotInstanceOf(PermanentDeliveryException.class)
                .hasMessageContaining("Retry-After 86400 s is longer than delivery.max-retry-after");
        assertThatThrownBy(() -> notifier.send(TestAlerts.failedLoginBurst().build())).hasMessageContaining("wait another 900 s");

        nanos.addAndGet(Duration.ofMinutes(15).toNanos());
        assertThatCode(() -> notifier.send(TestAlerts.failedLoginBurst().build())).as("paused 15 minutes, not a day")
                .doesNotThrowAnyException();
        assertThat(server.requests()).hasSize(2);
    }

    @Test
    void shouldPostToAWebhookWhoseSchemeIsWrittenInUpperCaseAsTheConfigurationCheckAcceptsIt() throws Exception {
        String upper = server.uri(SLACK_PATH).toString().replaceFirst("^http:", "HTTP:");
        SlackNotifier notifier = new SlackNotifier("soc-slack", Secret.of(upper), AlertLinks.none(), policy, recordingSleeper,
                pacer(Duration.ZERO));

        notifier.send(TestAlerts.failedLoginBurst().build());

        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void shouldBackOffWhenRetryAfterIsZeroInsteadOfTryingAgainAtOnce() throws Exception {
        server.then(429, Map.of("Retry-After", "0"), "{\"status\":\"throttled\"}")
                .then(429, Map.of("Retry-After", "0"), "{\"status\":\"throttled\"}");

        pagerDuty().send(TestAlerts.failedLoginBurst().build());

        assertThat(server.requests()).hasSize(3);
        assertThat(waits).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
    }

    @Test
    void shouldBackOffExponentiallyOnPagerDutyRateLimitsWithoutRetryAfter() throws Exception {
        server.then(429, Map.of(), "{\"status\":\"throttled\"}").then(429, Map.of(), "{\"status\":\"throttled\"}");

        pagerDuty().send(TestAlerts.failedLoginBurst().build());

        assertThat(server.requests()).hasSize(3);
        assertThat(waits).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
    }

    @Test
    void shouldSayWhatBackoffItUsesWhenA429HasNoRetryAfter() throws Exception {
        server.then(429, Map.of(), "{\"status\":\"throttled\"}");
        var logged = new ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent>();
        logged.start();
        var logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
                io.airlock.alerting.internal.WebhookPoster.class);
        logger.addAppender(logged);
        try {
            pagerDuty().send(TestAlerts.failedLoginBurst().build());
        } finally {
            logger.detachAppender(logged);
        }

        assertThat(logged.list).extracting(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage).first()
                .asString().contains("HTTP 429", "retrying in 100 ms (backoff: the answer had no Retry-After)")
                .doesNotContain("Retry-After ms");
    }

    @Test
    void shouldNotFollowARedirectAndNameOnlyTheHostItPointsTo() {
        server.then(302, Map.of("Location", "https://events.eu.pagerduty.com/v2/enqueue?token=LOCATIONSECRET"), "");

        assertThatThrownBy(() -> pagerDuty().send(TestAlerts.failedLoginBurst().build()))
                .isInstanceOf(PermanentDeliveryException.class)
                .hasMessageContaining("oncall: alert")
                .hasMessageContaining("redirect (HTTP 302) to https://events.eu.pagerduty.com;")
                .hasMessageContaining("set this receiver's URL to that host")
                .hasMessageNotContaining("LOCATIONSECRET").hasMessageNotContaining(ROUTING_KEY);
        assertThat(server.requests()).as("not followed, not retried").hasSize(1);
        assertThat(waits).isEmpty();
    }

    @Test
    void shouldRejectOtherClientErrorsPermanentlyWithTheReason() {
        server.then(404, Map.of(), "no_service");

        assertThatThrownBy(() -> slack().send(TestAlerts.failedLoginBurst().build()))
                .isInstanceOf(PermanentDeliveryException.class)
                .hasMessageContaining("soc-slack").hasMessageContaining("HTTP 404").hasMessageContaining("no_service");
    }

    @Test
    void shouldRetryServerErrorsWithCappedExponentialBackoff() throws Exception {
        server.then(503, Map.of(), "").then(502, Map.of(), "").then(500, Map.of(), "");

        pagerDuty().send(TestAlerts.failedLoginBurst().build());

        assertThat(server.requests()).hasSize(4);
        assertThat(waits).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(400));
    }

    @Test
    void shouldFailPermanentlyOnBadRequestWithoutRevealingTheWebhook() {
        server.then(400, Map.of(), "invalid_blocks " + SLACK_PATH);

        assertThatThrownBy(() -> slack().send(TestAlerts.failedLoginBurst().build()))
                .isInstanceOf(PermanentDeliveryException.class)
                .hasMessageContaining("HTTP 400")
                .hasMessageContaining("invalid_blocks")
                .hasMessageNotContaining("XXXXSECRETXXXX")
                .hasMessageNotContaining("/services/");
        assertThat(server.requests()).hasSize(1);
        assertThat(waits).isEmpty();
    }

    @Test
    void shouldFailPermanentlyOnBadRequestWithoutRevealingTheRoutingKey() {
        server.then(400, Map.of(), "{\"status\":\"invalid event\",\"errors\":[\"routing_key " + ROUTING_KEY + " unknown\"]}");

        assertThatThrownBy(() -> pagerDuty().send(TestAlerts.failedLoginBurst().build()))
                .isInstanceOf(PermanentDeliveryException.class)
                .hasMessageContaining("HTTP 400")
                .hasMessageNotContaining(ROUTING_KEY);
        assertThat(server.requests().get(0).body()).contains("\"routing_key\":\"" + ROUTING_KEY + "\"");
    }

    @Test
    void shouldGiveUpRetriablyWhenTheEndpointStaysDown() {
        server.otherwise(503, "down");

        assertThatThrownBy(() -> slack().send(TestAlerts.failedLoginBurst().build()))
                .isInstanceOf(DeliveryException.class)
                .isNotInstanceOf(PermanentDeliveryException.class)
                .hasMessageContaining("not delivered after 4 attempts")
                .hasMessageNotContaining("SECRET");
        assertThat(server.requests()).hasSize(4);
    }

    @Test
    void shouldRetryConnectionFailuresWithoutRevealingTheWebhook() {
        URI closedPort = server.uri(SLACK_PATH);
        server.close();
        SlackNotifier notifier = new SlackNotifier("slack", Secret.of(closedPort.toString()), AlertLinks.none(),
                policy.withMaxAttempts(2), recordingSleeper, pacer(Duration.ZERO));

        assertThatThrownBy(() -> notifier.send(TestAlerts.failedLoginBurst().build()))
                .isInstanceOf(DeliveryException.class)
                .isNotInstanceOf(PermanentDeliveryException.class)
                .hasMessageNotContaining("SECRET")
                .hasMessageNotContaining(String.valueOf(closedPort.getPort()));
        assertThat(waits).hasSize(1);
    }

    @Test
    void shouldFailPermanentlyAndSayWhyWhenTheHttpClientRefusesTheUrl() {
        PagerDutyNotifier outOfRange = new PagerDutyNotifier("oncall", URI.create("http://127.0.0.1:99999/v2/enqueue"),
                Secret.of(ROUTING_KEY), AlertLinks.none(), policy, recordingSleeper, pacer(Duration.ZERO));

        assertThatThrownBy(() -> outOfRange.send(TestAlerts.failedLoginBurst().build()))
                .isInstanceOf(PermanentDeliveryException.class)
                .hasMessageContaining("oncall: alert").hasMessageContaining("the receiver's URL cannot be used")
                .hasMessageContaining("port").hasMessageNotContaining(ROUTING_KEY).hasMessageNotContaining("unexpected");
        assertThat(waits).isEmpty();
    }

    @Test
    void shouldRefuseASlackWebhookWithAPortOutOfRangeWithoutShowingIt() {
        assertThatThrownBy(() -> new SlackNotifier("soc-slack", Secret.of("http://127.0.0.1:99999" + SLACK_PATH),
                AlertLinks.none(), policy, recordingSleeper, pacer(Duration.ZERO)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining("SECRET");
    }

    @Test
    void shouldNeverPrintSecretsInToString() {
        assertThat(slack().toString()).doesNotContain("SECRET");
        assertThat(pagerDuty().toString()).doesNotContain(ROUTING_KEY);
        assertThat(Secret.of("hunter2").toString()).doesNotContain("hunter2");
        OpenSearchSettings settings = OpenSearchSettings.local(URI.create("http://127.0.0.1:9200"))
                .withCredentials("admin", Secret.of("hunter2"));
        assertThat(settings.toString()).doesNotContain("hunter2").contains("admin");
    }
}
