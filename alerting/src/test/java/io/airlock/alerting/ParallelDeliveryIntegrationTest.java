package io.airlock.alerting;

import static io.airlock.alerting.KafkaFixtures.json;
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
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.opensearch.client.opensearch.OpenSearchClient;

/**
 * Parallel delivery, all real (Kafka, OpenSearch, webhooks on loopback): receivers do not wait for each other, one
 * alert's versions reach a receiver in order, offsets are committed only after every notification is confirmed or
 * dead-lettered, and the delivery metrics move.
 */
@ExtendWith(RealComponents.class)
class ParallelDeliveryIntegrationTest {

    private static final RetryPolicy QUICK = RetryPolicy.defaults().withBackoff(Duration.ofMillis(20), Duration.ofMillis(200))
            .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(60));

    private final EmbeddedKafka kafka;
    private final Topics topics = new Topics(RealComponents.uniqueName("parallel-it"));
    private final String group = RealComponents.uniqueName("alert-delivery-parallel");
    private final String rule = RealComponents.uniqueName("AL-T");
    private final OpenSearchSettings settings;
    private final List<LocalReceiver> receivers = new ArrayList<>();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private OpenSearchClient client;
    private AlertLinks links;
    private AlertDeliveryLoop loop;
    private Thread thread;

    ParallelDeliveryIntegrationTest(EmbeddedKafka kafka, EmbeddedOpenSearch openSearch) {
        this.kafka = kafka;
        this.settings = OpenSearchSettings.local(openSearch.httpUri()).withIndexPrefix(RealComponents.uniqueName("parallel-it"));
    }

    @BeforeEach
    void start() throws Exception {
        Metrics.addRegistry(meters);
        kafka.createTopics(1, topics.alerts(), topics.dlq());
        client = OpenSearchClients.create(settings);
        new IndexTemplates(client, settings).install();
        links = AlertLinks.of(URI.create("http://127.0.0.1:5601"), URI.create("https://docs.example.com/airlock/"),
                settings.indexNames());
    }

    @AfterEach
    void stop() throws Exception {
        if (loop != null) {
            loop.close();
            thread.join(30_000);
        }
        receivers.forEach(LocalReceiver::close);
        client._transport().close();
        Metrics.removeRegistry(meters);
        meters.close();
    }

    @Test
    void shouldNotifyAFastReceiverWhileAnotherHoldsItsAnswersAndCommitOnlyOnceBothConfirmed() throws Exception {
        LocalReceiver fast = receiver();
        LocalReceiver slow = receiver().holdAnswers();
        String fastName = RealComponents.uniqueName("soc");
        String slowName = RealComponents.uniqueName("oncall");
        start(List.of(new AlertRouter.Route(slack(fastName, fast), Severity.LOW),
                new AlertRouter.Route(new PagerDutyNotifier(slowName, slow.pagerDutyEventsUrl(), Secret.of("rk-slow"), links, QUICK),
                        Severity.HIGH)), AlertRouter.DEFAULT_REPEAT_INTERVAL);

        List<Alert> alerts = IntStream.range(0, 6).mapToObj(i -> alert("burst-" + i, 1)).toList();
        produce(alerts);

        await().atMost(ofSeconds(60)).untilAsserted(() ->
                assertThat(fast.confirmedAlertIds()).containsExactlyInAnyOrderElementsOf(ids(alerts)));
        assertThat(slow.confirmed()).as("the slow receiver has confirmed nothing yet").isEmpty();
        assertThat(KafkaFixtures.committed(kafka, group, topics.alerts()))
                .as("nothing is committed while a notification of the first record is unconfirmed").isEqualTo(-1);

        slow.release();

        await().atMost(ofSeconds(60)).untilAsserted(() ->
                assertThat(KafkaFixtures.committed(kafka, group, topics.alerts())).isEqualTo(alerts.size()));
        assertThat(slow.confirmedAlertIds()).as("each page once").containsExactlyInAnyOrderElementsOf(ids(alerts));
        assertThat(fast.posts()).hasSize(alerts.size());
        assertThat(KafkaFixtures.readAll(kafka, topics.dlq())).isEmpty();
    }

    @Test
    void shouldDeliverEachAlertsUpdatesInOrderPerReceiverDespiteRetriesAndUnevenAnswers() throws Exception {
        LocalReceiver soc = receiver().failFirstAttemptsOfEachVersion(1).randomDelayUpTo(15);
        LocalReceiver vault = receiver().randomDelayUpTo(15);
        start(List.of(new AlertRouter.Route(slack(RealComponents.uniqueName("soc"), soc), Severity.LOW),
                new AlertRouter.Route(slack(RealComponents.uniqueName("vault"), vault), Severity.LOW)), Duration.ZERO);

        List<Alert> updates = new ArrayList<>();
        for (int version = 1; version <= 5; version++) {
            for (String entity : List.of("alice", "bob", "carol", "dave")) {
                updates.add(alert(entity, version));
            }
        }
        produce(updates);

        await().atMost(ofSeconds(60)).untilAsserted(() ->
                assertThat(KafkaFixtures.committed(kafka, group, topics.alerts())).isEqualTo(updates.size()));
        for (LocalReceiver receiver : List.of(soc, vault)) {
            for (String entity : List.of("alice", "bob", "carol", "dave")) {
                String id = id(entity);
                List<Integer> versions = receiver.posts().stream().filter(p -> p.alertId().equals(id)).map(LocalReceiver.Post::version)
                        .toList();
                assertThat(versions).as("every attempt for %s in version order", entity).isSorted();
                List<Integer> confirmed = receiver.confirmed().stream().filter(p -> p.alertId().equals(id))
                        .map(LocalReceiver.Post::version).toList();
                // a version still waiting (or being retried) when a newer one arrives is overtaken by it
                assertThat(confirmed).as("versions of %s confirmed once each, in order, up to the newest", entity)
                        .doesNotHaveDuplicates().isSorted().endsWith(5);
                if (receiver == soc) {
                    assertThat(confirmed).as("each confirmed version of %s was refused once first", entity)
                            .allSatisfy(v -> assertThat(versions.stream().filter(v::equals)).hasSize(2));
                }
            }
        }
    }

    @Test
    void shouldRetryAFailingReceiverDeadLetterARefusingOneAndCountEveryOutcome() throws Exception {
        LocalReceiver ok = receiver();
        LocalReceiver flaky = receiver().failFirst(3);
        LocalReceiver gone = receiver().refuseWith(404);
        String okName = RealComponents.uniqueName("soc");
        String flakyName = RealComponents.uniqueName("flaky");
        String goneName = RealComponents.uniqueName("gone");
        Secret goneWebhook = gone.slackWebhook();
        start(List.of(new AlertRouter.Route(slack(okName, ok), Severity.LOW),
                new AlertRouter.Route(new PagerDutyNotifier(flakyName, flaky.pagerDutyEventsUrl(), Secret.of("rk-flaky-secret"),
                        links, QUICK), Severity.LOW),
                new AlertRouter.Route(new SlackNotifier(goneName, goneWebhook, links, QUICK, Duration.ZERO), Severity.LOW)),
                AlertRouter.DEFAULT_REPEAT_INTERVAL);

        List<Alert> alerts = IntStream.range(0, 3).mapToObj(i -> alert("user-" + i, 1)).toList();
        produce(alerts);

        await().atMost(ofSeconds(60)).untilAsserted(() ->
                assertThat(KafkaFixtures.committed(kafka, group, topics.alerts())).isEqualTo(alerts.size()));
        assertThat(ok.confirmedAlertIds()).containsExactlyInAnyOrderElementsOf(ids(alerts));
        assertThat(flaky.confirmedAlertIds()).containsExactlyInAnyOrderElementsOf(ids(alerts));
        assertThat(flaky.posts()).hasSize(alerts.size() + 3);
        List<JsonNode> letters = KafkaFixtures.readAll(kafka, topics.dlq()).stream().map(r -> Json.tree(r.value())).toList();
        assertThat(letters).hasSize(alerts.size()).allSatisfy(letter -> assertThat(letter.path("reason").asText())
                .contains(goneName, "HTTP 404").doesNotContain(goneWebhook.reveal()));

        assertThat(count("airlock.notifications", "receiver", okName, "outcome", "sent")).isEqualTo(3);
        assertThat(count("airlock.notifications", "receiver", flakyName, "outcome", "sent")).isEqualTo(3);
        assertThat(count("airlock.notifications", "receiver", flakyName, "outcome", "retried")).isEqualTo(3);
        assertThat(count("airlock.notifications", "receiver", goneName, "outcome", "dead_lettered")).isEqualTo(3);
        assertThat(count("airlock.alerts", "rule", rule, "severity", "high")).isEqualTo(3);
        await().atMost(ofSeconds(30)).untilAsserted(() ->
                assertThat(count("airlock.opensearch.documents", "index_kind", "alerts", "outcome", "indexed")).isEqualTo(3));
        assertThat(meters.find("airlock.notification.latency").tag("receiver", okName).timer())
                .satisfies(t -> {
                    assertThat(t.count()).isEqualTo(3);
                    assertThat(t.max(java.util.concurrent.TimeUnit.MILLISECONDS)).isPositive();
                });
        assertThat(meters.getMeters()).as("no tag carries a URL or routing key")
                .flatExtracting(m -> m.getId().getTags()).extracting(Tag::getValue)
                .noneMatch(v -> v.contains("http") || v.contains("/") || v.contains("rk-flaky-secret"));
    }

    private double count(String name, String... tags) {
        return meters.find(name).tags(tags).counters().stream().mapToDouble(c -> c.count()).sum();
    }

    private LocalReceiver receiver() throws Exception {
        LocalReceiver receiver = new LocalReceiver();
        receivers.add(receiver);
        return receiver;
    }

    private SlackNotifier slack(String name, LocalReceiver receiver) {
        return new SlackNotifier(name, receiver.slackWebhook(), links, QUICK, Duration.ZERO);
    }

    private void start(List<AlertRouter.Route> routes, Duration repeatInterval) {
        AlertRouter router = new AlertRouter(routes, repeatInterval);
        loop = new AlertDeliveryLoop(KafkaFixtures.loopConfig(kafka, group), topics, settings.indexNames(),
                new OpenSearchIndexer(client, RetryPolicy.defaults()), router, QUICK);
        thread = new Thread(loop, "alert-delivery-parallel-it");
        thread.start();
    }

    private String id(String entity) {
        return StableIds.of(rule, entity);
    }

    /** A high alert about {@code entity}; version n has count 4 + n and says {@code version-n} in its summary. */
    private Alert alert(String entity, int version) {
        return TestAlerts.failedLoginBurst().id(id(entity)).rule(rule).entity(entity).severity(Severity.HIGH)
                .count(4 + version).summary("failed logins for " + entity + ", version-" + version).build();
    }

    private void produce(List<Alert> alerts) throws Exception {
        KafkaFixtures.produce(kafka, topics.alerts(), alerts.stream().map(a -> json(a.id(), a)).toList());
    }

    private static List<String> ids(List<Alert> alerts) {
        return alerts.stream().map(Alert::id).toList();
    }
}
