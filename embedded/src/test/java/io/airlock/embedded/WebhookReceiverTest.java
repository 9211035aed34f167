package io.airlock.embedded;

import static org.assertj.core.api.Assertions.assertThat;

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

    private HttpResponse<String> post(URI uri, String json) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
