package io.airlock.app;

import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.alerting.AlertLinks;
import io.airlock.alerting.OpenSearchSettings;
import io.airlock.alerting.Secret;
import io.airlock.core.Json;
import io.airlock.core.Topics;
import io.airlock.embedded.AirflowDatabase;
import io.airlock.embedded.AirflowSchema;
import io.airlock.embedded.EmbeddedKafka;
import io.airlock.embedded.EmbeddedOpenSearch;
import io.airlock.embedded.EmbeddedPostgres;
import io.airlock.embedded.RealComponents;
import io.airlock.embedded.ReceivedRequest;
import io.airlock.embedded.WebhookReceiver;
import io.airlock.ingest.AirflowDatabaseSettings;
import io.airlock.streams.DetectionConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The walking skeleton: six wrong passwords typed into Airflow (as Flask-AppBuilder records them) travel through Debezium,
 * Kafka Streams and delivery, and end as exactly one alert in OpenSearch, one Slack message and one PagerDuty incident.
 */
@ExtendWith(RealComponents.class)
class FailedLoginAttackEndToEndTest {

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void shouldRaiseExactlyOneAlertIndexedAndNotifiedForSixWrongPasswords(EmbeddedPostgres postgres, EmbeddedKafka kafka,
            EmbeddedOpenSearch openSearch, WebhookReceiver webhooks, @TempDir Path stateDir) throws Exception {
        String name = RealComponents.uniqueName("e2e");
        postgres.createDatabase(name);
        postgres.createAirflowSchema(name, AirflowSchema.V2_10);
        var airflow = new AirflowDatabase(postgres, name, AirflowSchema.V2_10);
        airflow.createUser("alice", "alice@example.com");
        airflow.createUser("bob", "bob@example.com");
        String passwordHash = passwordHashOf(postgres, name, "alice");
        assertThat(passwordHash).startsWith("pbkdf2:");

        var topics = new Topics(name);
        kafka.createTopics(1, topics.all().toArray(String[]::new));
        var search = OpenSearchSettings.local(openSearch.httpUri()).withIndexPrefix(name);
        String routingKey = "routing-" + name;
        var settings = new PipelineSettings(
                new AirflowDatabaseSettings(postgres.host(), postgres.port(), name, postgres.superuser(), postgres.password(), "disable",
                        name.replace('-', '_'), null),
                kafka.bootstrapServers(), topics, search, Secret.of(webhooks.slackWebhook(name).toString()), webhooks.pagerDutyEventsUrl(),
                Secret.of(routingKey), AlertLinks.of(URI.create("http://localhost:5601"), null, search.indexNames()),
                DetectionConfig.defaults(), stateDir, 1);

        try (var pipeline = new Pipeline(settings).start()) {
            await().atMost(ofSeconds(60)).until(() -> pipeline.streamsState() == KafkaStreams.State.RUNNING);
            // A record nobody can parse: it must land in the dead-letter topic while the pipeline keeps working.
            try (var producer = new KafkaProducer<>(producerProps(kafka), new StringSerializer(), new StringSerializer())) {
                producer.send(new ProducerRecord<>(topics.cdc("ab_user"), "{\"id\":999}", "{definitely not json")).get();
            }
            airflow.failedLogin("bob");
            for (int i = 0; i < 6; i++) {
                airflow.failedLogin("alice");
            }

            await().atMost(ofSeconds(90)).untilAsserted(() -> {
                assertThat(count(openSearch, name + "-alerts", null)).isEqualTo(1);
                assertThat(alertDocument(openSearch, name).get("count").asInt()).isEqualTo(6);
                assertThat(webhooks.slackPosts(name)).hasSize(1);
                assertThat(pagerDutyEvents(webhooks, routingKey)).hasSize(1);
                assertThat(count(openSearch, name + "-events-*", "event.outcome:failure")).isEqualTo(7);
            });
            // ... and it stays one: the sixth failure updated the alert instead of opening another or paging again.
            await().during(ofSeconds(3)).atMost(ofSeconds(10)).untilAsserted(() -> {
                assertThat(count(openSearch, name + "-alerts", null)).isEqualTo(1);
                assertThat(webhooks.slackPosts(name)).hasSize(1);
                assertThat(pagerDutyEvents(webhooks, routingKey)).hasSize(1);
            });

            JsonNode alert = alertDocument(openSearch, name);
            assertThat(alert.get("rule.id").asText()).isEqualTo("AL-001");
            assertThat(alert.get("entity").asText()).isEqualTo("alice");
            assertThat(alert.get("severity").asText()).isEqualTo("high");
            assertThat(alert.get("evidence")).hasSize(6);
            JsonNode trigger = pagerDutyEvents(webhooks, routingKey).get(0).json();
            assertThat(trigger.get("event_action").asText()).isEqualTo("trigger");
            assertThat(trigger.get("dedup_key").asText()).isEqualTo(alert.get("alert.id").asText());
            assertThat(webhooks.slackPosts(name).get(0).body()).contains("AL-001").contains("alice");

            List<ConsumerRecord<String, String>> everything = kafka.readAll(topics.all());
            assertThat(everything).isNotEmpty().noneSatisfy(r -> assertThat(String.valueOf(r.value())).contains(passwordHash));
            assertThat(everything).noneSatisfy(r -> assertThat(String.valueOf(r.value())).contains("\"password\""));
            assertThat(searchAllText(openSearch, name + "-*")).doesNotContain(passwordHash).doesNotContain("\"password\"");
            assertThat(everything).filteredOn(r -> r.topic().equals(topics.dlq())).singleElement().satisfies(dlq -> {
                JsonNode letter = Json.tree(dlq.value());
                assertThat(letter.get("source_topic").asText()).isEqualTo(topics.cdc("ab_user"));
                assertThat(letter.get("reason").asText()).isNotBlank();
            });
        }
    }

    private static String passwordHashOf(EmbeddedPostgres postgres, String db, String user) throws Exception {
        try (var c = postgres.connect(db); var s = c.prepareStatement("SELECT password FROM ab_user WHERE username = ?")) {
            s.setString(1, user);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    private static List<ReceivedRequest> pagerDutyEvents(WebhookReceiver webhooks, String routingKey) {
        return webhooks.pagerDutyEvents().stream().filter(r -> routingKey.equals(r.json().path("routing_key").asText())).toList();
    }

    private JsonNode get(EmbeddedOpenSearch openSearch, String path) throws Exception {
        var response = http.send(HttpRequest.newBuilder(openSearch.httpUri().resolve(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
        return Json.tree(response.body());
    }

    private long count(EmbeddedOpenSearch openSearch, String index, String query) throws Exception {
        get(openSearch, "/" + index + "/_refresh?ignore_unavailable=true&allow_no_indices=true");
        String q = query == null ? "" : "&q=" + java.net.URLEncoder.encode(query, java.nio.charset.StandardCharsets.UTF_8);
        JsonNode body = get(openSearch, "/" + index + "/_count?ignore_unavailable=true&allow_no_indices=true" + q);
        return body.path("count").asLong(-1);
    }

    private JsonNode alertDocument(EmbeddedOpenSearch openSearch, String prefix) throws Exception {
        return get(openSearch, "/" + prefix + "-alerts/_search").at("/hits/hits/0/_source");
    }

    private String searchAllText(EmbeddedOpenSearch openSearch, String pattern) throws Exception {
        get(openSearch, "/" + pattern + "/_refresh");
        return get(openSearch, "/" + pattern + "/_search?size=1000").toString();
    }

    private static Properties producerProps(EmbeddedKafka kafka) {
        var props = new Properties();
        props.put("bootstrap.servers", kafka.bootstrapServers());
        return props;
    }


}
