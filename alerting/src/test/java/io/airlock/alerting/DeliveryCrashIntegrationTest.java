package io.airlock.alerting;

import static io.airlock.alerting.KafkaFixtures.json;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
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
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.opensearch.client.opensearch.OpenSearchClient;

/**
 * At-least-once delivery under failure, all real (Kafka, OpenSearch, webhooks on loopback): a crash between a confirmed
 * PagerDuty trigger and its delivery-state write re-sends the trigger with the same {@code dedup_key} (one incident), and a
 * PagerDuty answer slower than the request timeout is retried and then committed.
 */
@ExtendWith(RealComponents.class)
class DeliveryCrashIntegrationTest {

    private final EmbeddedKafka kafka;
    private final WebhookReceiver webhooks;
    private final Topics topics = new Topics(RealComponents.uniqueName("crash-it"));
    private final String slackName = RealComponents.uniqueName("soc");
    private final String routingKey = RealComponents.uniqueName("rk");
    private final String group = RealComponents.uniqueName("alert-delivery-crash");
    private final OpenSearchSettings settings;
    private final StartedLoops loops = new StartedLoops();
    private final List<Throwable> uncaught = new CopyOnWriteArrayList<>();
    private OpenSearchClient client;
    private AlertLinks links;
    private SlowPagerDuty slowServer;

    DeliveryCrashIntegrationTest(EmbeddedKafka kafka, EmbeddedOpenSearch openSearch, WebhookReceiver webhooks) {
        this.kafka = kafka;
        this.webhooks = webhooks;
        this.settings = OpenSearchSettings.local(openSearch.httpUri()).withIndexPrefix(RealComponents.uniqueName("crash-it"));
    }

    @BeforeEach
    void start() throws Exception {
        kafka.createTopics(1, topics.alerts(), topics.dlq());
        client = OpenSearchClients.create(settings);
        new IndexTemplates(client, settings).install();
        links = AlertLinks.of(URI.create("http://127.0.0.1:5601"), URI.create("https://docs.example.com/airlock/"),
                settings.indexNames());
    }

    @AfterEach
    void stop() throws Exception {
        loops.close();
        if (slowServer != null) {
            slowServer.close();
        }
        client._transport().close();
    }

    @Test
    void shouldNotOpenADuplicateIncidentAfterACrashBetweenSendAndCommit() throws Exception {
        String id = StableIds.of("AL-001", slackName);
        Alert alert = TestAlerts.failedLoginBurst().id(id).severity(Severity.HIGH).build();
        PagerDutyNotifier pagerDuty = new PagerDutyNotifier(webhooks.pagerDutyEventsUrl(), Secret.of(routingKey), links,
                RetryPolicy.defaults());
        CrashAfterFirstSend crashing = new CrashAfterFirstSend(pagerDuty);
        startLoop(AlertRouter.defaults(slack(), crashing), "crash-it-1");

        KafkaFixtures.produce(kafka, topics.alerts(), List.of(json(id, alert)));

        // the trigger was accepted, then the process "died" before committing
        await().atMost(ofSeconds(60)).until(() -> loops.thread(0).getState() == Thread.State.TERMINATED);
        assertThat(crashing.crashed).isTrue();
        assertThat(uncaught).singleElement().isInstanceOf(SimulatedCrash.class);
        assertThat(pagesFor(id)).hasSize(1);
        assertThat(KafkaFixtures.committed(kafka, group, topics.alerts())).as("no offset committed before the crash")
                .isEqualTo(-1);

        // restart: a new process (fresh router memory), same consumer group
        startLoop(AlertRouter.defaults(slack(), new PagerDutyNotifier(webhooks.pagerDutyEventsUrl(), Secret.of(routingKey),
                links, RetryPolicy.defaults())), "crash-it-2");

        await().atMost(ofSeconds(60)).untilAsserted(() ->
                assertThat(KafkaFixtures.committed(kafka, group, topics.alerts())).isEqualTo(1));
        List<JsonNode> pages = pagesFor(id);
        assertThat(pages).as("the trigger is sent again after the crash").hasSize(2);
        assertThat(pages).allSatisfy(p -> assertThat(p.path("event_action").asText()).isEqualTo("trigger"));
        assertThat(pages.stream().map(p -> p.path("dedup_key").asText()).distinct().toList())
                .as("one dedup_key: PagerDuty folds both triggers into one incident").containsExactly(id);
        // Slack confirmed before the crash only if its delivery state was acknowledged too; if the crash came between
        // its confirmation and that acknowledgement, it is told once more (the documented window), never more
        assertThat(webhooks.slackPosts(slackName)).hasSizeBetween(1, 2);

        client.indices().refresh(r -> r.index(settings.indexNames().alertsIndex()));
        assertThat(client.count(c -> c.index(settings.indexNames().alertsIndex())).count()).isEqualTo(1);
        assertThat(client.get(g -> g.index(settings.indexNames().alertsIndex()).id(id), Alert.class).found()).isTrue();
        assertThat(KafkaFixtures.readAll(kafka, topics.dlq())).isEmpty();
    }

    @Test
    void shouldRetryASlowPagerDutyAndCommitOnceItAnswers() throws Exception {
        slowServer = SlowPagerDuty.start(Duration.ofSeconds(2));
        String id = StableIds.of("AL-001", slackName);
        Alert alert = TestAlerts.failedLoginBurst().id(id).severity(Severity.CRITICAL).build();
        RetryPolicy oneSecond = RetryPolicy.defaults().withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(1));
        startLoop(AlertRouter.defaults(slack(),
                new PagerDutyNotifier(slowServer.eventsUrl(), Secret.of(routingKey), links, oneSecond)), "slow-it");

        KafkaFixtures.produce(kafka, topics.alerts(), List.of(json(id, alert)));

        await().atMost(ofSeconds(60)).untilAsserted(() ->
                assertThat(KafkaFixtures.committed(kafka, group, topics.alerts())).isEqualTo(1));
        List<JsonNode> posts = slowServer.requests().stream().map(Json::tree).toList();
        assertThat(posts).as("first attempt timed out, the retry was answered").hasSize(2);
        assertThat(posts).allSatisfy(p -> {
            assertThat(p.path("dedup_key").asText()).isEqualTo(id);
            assertThat(p.path("routing_key").asText()).isEqualTo(routingKey);
            assertThat(p.path("event_action").asText()).isEqualTo("trigger");
        });
        assertThat(slowServer.answeredPromptly()).isEqualTo(1);
        assertThat(webhooks.slackPosts(slackName)).hasSize(1);
        client.indices().refresh(r -> r.index(settings.indexNames().alertsIndex()));
        assertThat(client.count(c -> c.index(settings.indexNames().alertsIndex())).count()).isEqualTo(1);
        assertThat(KafkaFixtures.readAll(kafka, topics.dlq())).isEmpty();
    }

    private SlackNotifier slack() {
        return new SlackNotifier("slack", Secret.of(webhooks.slackWebhook(slackName).toString()), links, RetryPolicy.defaults(),
                Duration.ZERO);
    }

    private AlertDeliveryLoop startLoop(AlertRouter router, String threadName) {
        AlertDeliveryLoop loop = new AlertDeliveryLoop(KafkaFixtures.loopConfig(kafka, group), topics, settings.indexNames(),
                new OpenSearchIndexer(client, RetryPolicy.defaults()), router, RetryPolicy.defaults());
        return loops.start(loop, threadName, (t, e) -> uncaught.add(e));
    }

    private List<JsonNode> pagesFor(String alertId) {
        return webhooks.pagerDutyEvents().stream().map(ReceivedRequest::json)
                .filter(e -> routingKey.equals(e.path("routing_key").asText()))
                .filter(e -> alertId.equals(e.path("dedup_key").asText())).toList();
    }

    /**
     * The real notifier, except that right after its first confirmed send the process "dies": an {@link Error} (a
     * RuntimeException would not do, the loop retries those) escapes the loop, which closes its consumer without
     * committing and ends its thread. Closing the loop from here is no crash: {@code close()} only wakes the consumer,
     * and the wakeup aborts the wait for {@code commitSync}, not the commit request already on its way, so the offset
     * is still committed (found while writing this test).
     */
    private static final class CrashAfterFirstSend implements Notifier {
        private final Notifier real;
        private final AtomicBoolean once = new AtomicBoolean();
        volatile boolean crashed;

        CrashAfterFirstSend(Notifier real) {
            this.real = real;
        }

        @Override
        public String channel() {
            return real.channel();
        }

        @Override
        public void send(Alert alert) throws DeliveryException {
            real.send(alert);
            if (once.compareAndSet(false, true)) {
                crashed = true;
                throw new SimulatedCrash();
            }
        }
    }

    /** Stands for the process dying (OOM, kill -9) between the confirmed POST and the offset commit. */
    private static final class SimulatedCrash extends Error {
        private static final long serialVersionUID = 1L;

        SimulatedCrash() {
            super("simulated crash after the PagerDuty trigger was accepted", null, false, false);
        }
    }

    /** A PagerDuty Events API stand-in whose first answer comes only after {@code delay}. */
    private static final class SlowPagerDuty implements AutoCloseable {
        private final HttpServer server;
        private final ExecutorService executor;
        private final List<String> bodies = new CopyOnWriteArrayList<>();
        private final AtomicInteger prompt = new AtomicInteger();
        private final CountDownLatch never = new CountDownLatch(1);
        private final Duration delay;

        private SlowPagerDuty(HttpServer server, ExecutorService executor, Duration delay) {
            this.server = server;
            this.executor = executor;
            this.delay = delay;
        }

        static SlowPagerDuty start(Duration delay) throws IOException {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
                Thread t = new Thread(r, "slow-pagerduty");
                t.setDaemon(true);
                return t;
            });
            SlowPagerDuty slow = new SlowPagerDuty(server, executor, delay);
            server.createContext("/v2/enqueue", slow::handle);
            server.setExecutor(executor);
            server.start();
            return slow;
        }

        URI eventsUrl() {
            return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v2/enqueue");
        }

        List<String> requests() {
            return List.copyOf(bodies);
        }

        int answeredPromptly() {
            return prompt.get();
        }

        private void handle(HttpExchange exchange) throws IOException {
            try (exchange; InputStream in = exchange.getRequestBody()) {
                String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                bodies.add(body);
                if (bodies.size() == 1) {
                    try {
                        never.await(delay.toMillis(), TimeUnit.MILLISECONDS); // hold the answer back
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                } else {
                    prompt.incrementAndGet();
                }
                String dedupKey = Json.tree(body.getBytes(StandardCharsets.UTF_8)).path("dedup_key").asText();
                byte[] answer = ("{\"status\":\"success\",\"message\":\"Event processed\",\"dedup_key\":\"" + dedupKey + "\"}")
                        .getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(202, answer.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(answer);
                }
            } catch (IOException clientGone) {
                // the client timed out and closed the connection: expected for the delayed answer
            }
        }

        @Override
        public void close() {
            server.stop(0);
            executor.shutdownNow();
        }
    }
}
