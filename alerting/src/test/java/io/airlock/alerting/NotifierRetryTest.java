package io.airlock.alerting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.airlock.alerting.internal.Sleeper;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class NotifierRetryTest {

    private static final String SLACK_PATH = "/services/T000/B000/XXXXSECRETXXXX";
    private static final String ROUTING_KEY = "R0UT1NGK3Y-S3CR3T";

    private StubHttpServer server;
    private final List<Duration> waits = new CopyOnWriteArrayList<>();
    private final Sleeper recordingSleeper = waits::add;
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

    private SlackNotifier slack() {
        return new SlackNotifier(Secret.of(server.uri(SLACK_PATH).toString()), AlertLinks.none(), policy, recordingSleeper);
    }

    private PagerDutyNotifier pagerDuty() {
        return new PagerDutyNotifier(server.uri("/v2/enqueue"), Secret.of(ROUTING_KEY), AlertLinks.none(), policy,
                recordingSleeper);
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
        SlackNotifier notifier = new SlackNotifier(Secret.of(closedPort.toString()), AlertLinks.none(),
                policy.withMaxAttempts(2), recordingSleeper);

        assertThatThrownBy(() -> notifier.send(TestAlerts.failedLoginBurst().build()))
                .isInstanceOf(DeliveryException.class)
                .isNotInstanceOf(PermanentDeliveryException.class)
                .hasMessageNotContaining("SECRET")
                .hasMessageNotContaining(String.valueOf(closedPort.getPort()));
        assertThat(waits).hasSize(1);
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
