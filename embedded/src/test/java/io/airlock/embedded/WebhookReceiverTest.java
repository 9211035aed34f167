package io.airlock.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.core.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(RealComponents.class)
class WebhookReceiverTest {

    private final HttpClient http = HttpClient.newHttpClient();
    private final WebhookReceiver receiver;

    WebhookReceiverTest(WebhookReceiver receiver) {
        this.receiver = receiver;
    }

    @AfterEach
    void clear() {
        receiver.clear();
    }

    @Test
    void shouldRecordSlackPostsWithTheirBody() throws Exception {
        HttpResponse<String> response = post(receiver.slackWebhook("soc"), "{\"text\":\"AL-001 failed-login burst\"}");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("ok");
        assertThat(receiver.slackPosts("soc")).singleElement().satisfies(r -> {
            assertThat(r.path()).isEqualTo("/slack/soc");
            assertThat(r.json().path("text").asText()).isEqualTo("AL-001 failed-login burst");
            assertThat(r.header("content-type")).hasValue("application/json");
        });
        assertThat(receiver.slackPosts("other")).isEmpty();
        assertThat(receiver.pagerDutyEvents()).isEmpty();
    }

    @Test
    void shouldAnswerPagerDutyEventsWithTheirDedupKey() throws Exception {
        HttpResponse<String> response = post(receiver.pagerDutyEventsUrl(),
                "{\"routing_key\":\"r\",\"event_action\":\"trigger\",\"dedup_key\":\"alert-42\"}");

        assertThat(response.statusCode()).isEqualTo(202);
        assertThat(response.body()).isEqualTo("{\"status\":\"success\",\"message\":\"Event processed\",\"dedup_key\":\"alert-42\"}");
        assertThat(receiver.pagerDutyEvents()).singleElement()
                .satisfies(r -> assertThat(r.json().path("event_action").asText()).isEqualTo("trigger"));
    }

    @Test
    void failNextShouldAnswerTheScriptedStatusThenRecover() throws Exception {
        receiver.failNext("/slack/", 2, 429, Map.of("Retry-After", "1"));

        HttpResponse<String> first = post(receiver.slackWebhook("soc"), "{\"text\":\"1\"}");
        HttpResponse<String> second = post(receiver.slackWebhook("soc"), "{\"text\":\"2\"}");
        HttpResponse<String> third = post(receiver.slackWebhook("soc"), "{\"text\":\"3\"}");

        assertThat(first.statusCode()).isEqualTo(429);
        assertThat(first.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(second.statusCode()).isEqualTo(429);
        assertThat(third.statusCode()).isEqualTo(200);
        assertThat(receiver.slackPosts()).hasSize(3);
    }

    @Test
    void failNextShouldOnlyAffectMatchingPaths() throws Exception {
        receiver.failNext("/pagerduty/", 1, 500, Map.of());

        assertThat(post(receiver.slackWebhook("soc"), "{}").statusCode()).isEqualTo(200);
        assertThat(post(receiver.pagerDutyEventsUrl(), "{\"dedup_key\":\"k\"}").statusCode()).isEqualTo(500);
        assertThat(post(receiver.pagerDutyEventsUrl(), "{\"dedup_key\":\"k\"}").statusCode()).isEqualTo(202);
    }

    @Test
    void shouldShowWhatItReceivedWithoutTheRoutingKeyOrTheWebhookPath() throws Exception {
        post(receiver.slackWebhook("soc-secret-segment"), "{\"text\":\"AL-001 failed-login burst\"}");
        post(receiver.pagerDutyEventsUrl(),
                "{\"routing_key\":\"R0UT1NGKEY\",\"event_action\":\"trigger\",\"dedup_key\":\"alert-42\"}");
        post(receiver.slackWebhook("soc-secret-segment"), "not json");
        post(receiver.pagerDutyEventsUrl(), "{\"routing_key\":\"R0UT1NGKEY\",\"event_action\":");

        HttpResponse<String> response = get(receiver.receivedUrl());

        assertThat(receiver.receivedUrl().getPath()).isEqualTo(WebhookReceiver.RECEIVED_PATH);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(response.body()).doesNotContain("R0UT1NGKEY").doesNotContain("soc-secret-segment");
        JsonNode received = Json.MAPPER.readTree(response.body());
        assertThat(received.path("slack")).hasSize(2);
        assertThat(received.path("slack").get(0)).isEqualTo(Json.MAPPER.readTree("{\"text\":\"AL-001 failed-login burst\"}"));
        assertThat(received.path("slack").get(1).asText()).isEqualTo("not json");
        assertThat(received.path("pagerduty")).hasSize(2);
        assertThat(received.path("pagerduty").get(0)).isEqualTo(Json.MAPPER.readTree(
                "{\"routing_key\":\"<redacted>\",\"event_action\":\"trigger\",\"dedup_key\":\"alert-42\"}"));
        assertThat(received.path("pagerduty").get(1).asText()).isEqualTo("{\"routing_key\":\"<redacted>\",\"event_action\":");
        assertThat(received.path("dropped")).isEqualTo(Json.MAPPER.readTree("{\"slack\":0,\"pagerduty\":0}"));
        assertThat(receiver.slackPosts()).as("the page itself is not a received request").hasSize(2);
    }

    @Test
    void shouldShowOnlyTheMostRecentThousandPerKindAndHowManyItDropped() throws Exception {
        for (int i = 0; i < WebhookReceiver.RECEIVED_LIMIT + 2; i++) {
            post(receiver.slackWebhook("soc"), "{\"n\":" + i + "}");
        }
        post(receiver.pagerDutyEventsUrl(), "{\"dedup_key\":\"k\"}");

        JsonNode received = Json.MAPPER.readTree(get(receiver.receivedUrl()).body());

        assertThat(received.path("slack")).hasSize(1000);
        assertThat(received.path("slack").get(0).path("n").asInt()).isEqualTo(2);
        assertThat(received.path("slack").get(999).path("n").asInt()).isEqualTo(1001);
        assertThat(received.path("pagerduty")).hasSize(1);
        assertThat(received.path("dropped")).isEqualTo(Json.MAPPER.readTree("{\"slack\":2,\"pagerduty\":0}"));
    }

    @Test
    void shouldAnswerOnlyGetOnTheReceivedPage() throws Exception {
        assertThat(post(receiver.receivedUrl(), "{}").statusCode()).isEqualTo(405);
        assertThat(get(receiver.receivedUrl().resolve("/slack/soc")).statusCode()).isEqualTo(405);
    }

    private HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(URI uri, String json) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
