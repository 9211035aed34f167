package io.airlock.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link WebhookReceiver#failFor}: an outage of one webhook for a while, then normal answers; accepted vs refused. */
class WebhookReceiverOutageTest {

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void shouldRefuseOneWebhookForTheOutageThenAcceptAgain() throws Exception {
        try (WebhookReceiver receiver = WebhookReceiver.start()) {
            receiver.failFor("/slack/soc", Duration.ofSeconds(2), 503, Map.of("Retry-After", "1"));

            HttpResponse<String> during = post(receiver.slackWebhook("soc"));
            assertThat(during.statusCode()).isEqualTo(503);
            assertThat(during.headers().firstValue("Retry-After")).hasValue("1");
            assertThat(post(receiver.slackWebhook("other")).statusCode()).as("other webhooks unaffected").isEqualTo(200);

            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                    .until(() -> post(receiver.slackWebhook("soc")).statusCode() == 200);

            assertThat(receiver.refused("/slack/soc")).isNotEmpty().allMatch(r -> r.path().equals("/slack/soc"));
            assertThat(receiver.accepted("/slack/soc")).hasSize(1);
            assertThat(receiver.accepted("/slack/")).hasSize(2);
            assertThat(receiver.slackPosts("soc")).hasSize(receiver.refused("/slack/soc").size() + 1);
        }
    }

    private HttpResponse<String> post(URI uri) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"t\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
