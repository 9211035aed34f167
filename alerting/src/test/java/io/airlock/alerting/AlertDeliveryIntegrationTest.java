package io.airlock.alerting;

import static io.airlock.alerting.KafkaFixtures.json;
import static io.airlock.alerting.KafkaFixtures.raw;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.core.Alert;
import io.airlock.core.Json;
import io.airlock.core.Severity;
import io.airlock.core.StableIds;
import io.airlock.core.Topics;
import io.airlock.embedded.EmbeddedKafka;
import io.airlock.embedded.EmbeddedOpenSearch;
import io.airlock.embedded.RealComponents;
import io.airlock.embedded.ReceivedRequest;
import io.airlock.embedded.WebhookReceiver;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.opensearch.client.opensearch.OpenSearchClient;

/** Kafka → AlertDeliveryLoop → OpenSearch + Slack + PagerDuty, all real (webhooks at a local receiver). */
@ExtendWith(RealComponents.class)
class AlertDeliveryIntegrationTest {

    private final EmbeddedKafka kafka;
    private final WebhookReceiver webhooks;
    private final Topics topics = new Topics(RealComponents.uniqueName("alerts-it"));
    private final String slackName = RealComponents.uniqueName("soc");
    private final String group = RealComponents.uniqueName("alert-delivery");
    private OpenSearchSettings settings;
    private OpenSearchClient client;
    private AlertDeliveryLoop loop;
    private Thread thread;

    AlertDeliveryIntegrationTest(EmbeddedKafka kafka, EmbeddedOpenSearch openSearch, WebhookReceiver webhooks) {
        this.kafka = kafka;
        this.webhooks = webhooks;
        this.settings = OpenSearchSettings.local(openSearch.httpUri()).withIndexPrefix(RealComponents.uniqueName("alerts-it"));
    }

    @BeforeEach
    void start() throws Exception {
        kafka.createTopics(1, topics.alerts(), topics.dlq());
        client = OpenSearchClients.create(settings);
        new IndexTemplates(client, settings).install();
        AlertLinks links = AlertLinks.of(URI.create("http://127.0.0.1:5601"), URI.create("https://docs.example.com/airlock/"),
                settings.indexNames());
        AlertRouter router = AlertRouter.defaults(
                new SlackNotifier(Secret.of(webhooks.slackWebhook(slackName).toString()), links),
                new PagerDutyNotifier(webhooks.pagerDutyEventsUrl(), Secret.of("it-routing-key"), links, RetryPolicy.defaults()));
        loop = new AlertDeliveryLoop(KafkaFixtures.loopConfig(kafka, group), topics, settings.indexNames(),
                new OpenSearchIndexer(client, RetryPolicy.defaults()), router, RetryPolicy.defaults());
        thread = new Thread(loop, "alert-delivery-it");
        thread.start();
    }

    @AfterEach
    void stop() throws Exception {
        loop.close();
        thread.join(30_000);
        client._transport().close();
    }

    @Test
    void shouldIndexNotifyAndPageOnceForAHighAlertAndItsUpdate() throws Exception {
        String id = StableIds.of("AL-001", slackName);
        Alert first = TestAlerts.failedLoginBurst().id(id).severity(Severity.HIGH).entity("<!channel> alice").count(5).build();
        Alert update = TestAlerts.failedLoginBurst().id(id).severity(Severity.HIGH).entity("<!channel> alice").count(8).build();

        KafkaFixtures.produce(kafka, topics.alerts(), List.of(json(id, first), json(id, update)));

        await().atMost(ofSeconds(60)).untilAsserted(() -> assertThat(KafkaFixtures.committed(kafka, group, topics.alerts())).isEqualTo(2));
        client.indices().refresh(r -> r.index(settings.indexNames().alertsIndex()));
        assertThat(client.count(c -> c.index(settings.indexNames().alertsIndex())).count()).isEqualTo(1);
        assertThat(client.get(g -> g.index(settings.indexNames().alertsIndex()).id(id), Alert.class).source().count()).isEqualTo(8);

        List<ReceivedRequest> slack = webhooks.slackPosts(slackName);
        assertThat(slack).hasSize(1);
        assertThat(slack.get(0).body()).contains("&lt;!channel&gt; alice").doesNotContain("<!channel>");
        List<JsonNode> pages = pagesFor(id);
        assertThat(pages).hasSize(1);
        assertThat(pages.get(0).path("event_action").asText()).isEqualTo("trigger");
        assertThat(pages.get(0).path("payload").path("severity").asText()).isEqualTo("error");
        assertThat(KafkaFixtures.readAll(kafka, topics.dlq())).isEmpty();
    }

    @Test
    void shouldDeadLetterAMalformedAlertAndCarryOn() throws Exception {
        String id = StableIds.of("AL-023", slackName);
        Alert after = TestAlerts.failedLoginBurst().id(id).severity(Severity.MEDIUM).build();

        KafkaFixtures.produce(kafka, topics.alerts(), List.of(
                raw("bad-key", "{\"alert.id\": \"truncated"),
                json(id, after)));

        await().atMost(ofSeconds(60)).untilAsserted(() -> assertThat(webhooks.slackPosts(slackName)).hasSize(1));
        await().atMost(ofSeconds(30)).untilAsserted(() -> assertThat(KafkaFixtures.committed(kafka, group, topics.alerts())).isEqualTo(2));
        var dead = KafkaFixtures.readAll(kafka, topics.dlq());
        assertThat(dead).hasSize(1);
        assertThat(KafkaFixtures.keys(dead)).containsExactly("bad-key");
        JsonNode letter = Json.tree(dead.get(0).value());
        assertThat(letter.path("source_topic").asText()).isEqualTo(topics.alerts());
        assertThat(letter.path("offset").asLong()).isZero();
        assertThat(letter.path("reason").asText()).startsWith("not a valid Alert");
        assertThat(letter.path("value").asText()).isEqualTo("{\"alert.id\": \"truncated");
        assertThat(pagesFor(id)).isEmpty(); // medium: Slack only
    }

    private List<JsonNode> pagesFor(String alertId) {
        return webhooks.pagerDutyEvents().stream().map(ReceivedRequest::json)
                .filter(e -> alertId.equals(e.path("dedup_key").asText())).toList();
    }
}
