package io.airlock.alerting;

import static io.airlock.alerting.KafkaFixtures.json;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.airlock.core.NormalizedEvent;
import io.airlock.core.Topics;
import io.airlock.embedded.EmbeddedKafka;
import io.airlock.embedded.EmbeddedOpenSearch;
import io.airlock.embedded.RealComponents;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.opensearch.client.opensearch.OpenSearchClient;

/** Kafka → EventIndexingLoop → OpenSearch, including an OpenSearch outage. */
@ExtendWith(RealComponents.class)
class EventIndexingIntegrationTest {

    @Test
    void shouldKeepTheBacklogInKafkaWhileOpenSearchIsDownAndIndexEachEventOnce(EmbeddedKafka kafka,
                                                                                 EmbeddedOpenSearch openSearch) throws Exception {
        Topics topics = new Topics(RealComponents.uniqueName("events-it"));
        String group = RealComponents.uniqueName("event-indexing");
        kafka.createTopics(1, topics.events(), topics.dlq());
        OpenSearchSettings settings = OpenSearchSettings.local(openSearch.httpUri())
                .withIndexPrefix(RealComponents.uniqueName("events-it"));
        OpenSearchClient client = OpenSearchClients.create(settings);
        new IndexTemplates(client, settings).install();
        List<Map.Entry<String, byte[]>> events = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            NormalizedEvent event = TestAlerts.failedLogin("ev-" + i, "alice", TestAlerts.T0.plusSeconds(i));
            events.add(json(event.principal(), event));
        }
        RetryPolicy quick = RetryPolicy.defaults().withMaxAttempts(2).withBackoff(Duration.ofMillis(200), Duration.ofSeconds(1));
        EventIndexingLoop loop = new EventIndexingLoop(KafkaFixtures.loopConfig(kafka, group), topics, settings.indexNames(),
                new OpenSearchIndexer(client, quick), quick);

        openSearch.stop();
        Thread thread = new Thread(loop, "event-indexing-it");
        try {
            KafkaFixtures.produce(kafka, topics.events(), events);
            KafkaFixtures.produce(kafka, topics.events(), events); // a replay: same ids
            thread.start();

            await().during(ofSeconds(3)).atMost(ofSeconds(10))
                    .until(() -> KafkaFixtures.committed(kafka, group, topics.events()) == -1);
        } finally {
            openSearch.restart();
        }

        await().atMost(ofSeconds(90)).untilAsserted(() ->
                assertThat(KafkaFixtures.committed(kafka, group, topics.events())).isEqualTo(6));
        client.indices().refresh(r -> r.index(settings.indexNames().eventsPattern()));
        assertThat(client.count(c -> c.index(settings.indexNames().eventsPattern())).count()).isEqualTo(3);
        assertThat(KafkaFixtures.readAll(kafka, topics.dlq())).isEmpty();
        loop.close();
        thread.join(30_000);
        assertThat(thread.isAlive()).isFalse();
        client._transport().close();
    }
}
