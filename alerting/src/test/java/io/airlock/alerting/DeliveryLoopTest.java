package io.airlock.alerting;

import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.core.Alert;
import io.airlock.core.IndexNames;
import io.airlock.core.Json;
import io.airlock.core.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The loops' commit discipline with Kafka's mock clients and fake sinks. */
class DeliveryLoopTest {

    private static final Topics TOPICS = Topics.defaults();
    private static final IndexNames NAMES = IndexNames.defaults();
    private static final RetryPolicy FAST = RetryPolicy.defaults().withBackoff(Duration.ofMillis(10), Duration.ofMillis(50));

    /** A mock consumer that, like a broker, hands out the records again after a seek back. */
    static final class RedeliveringConsumer extends MockConsumer<byte[], byte[]> {
        private final List<ConsumerRecord<byte[], byte[]>> log = new CopyOnWriteArrayList<>();

        RedeliveringConsumer() {
            super("earliest");
        }

        @Override
        public synchronized void addRecord(ConsumerRecord<byte[], byte[]> record) {
            log.add(record);
            super.addRecord(record);
        }

        @Override
        public synchronized void seek(TopicPartition partition, long offset) {
            super.seek(partition, offset);
            log.stream().filter(r -> r.partition() == partition.partition() && r.offset() >= offset)
                    .forEach(super::addRecord);
        }
    }

    private final RedeliveringConsumer consumer = new RedeliveringConsumer();
    private final MockProducer<byte[], byte[]> dlq = new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    private final List<List<IndexItem>> indexed = new CopyOnWriteArrayList<>();
    private Thread thread;
    private AutoCloseable loop;

    @AfterEach
    void stop() throws Exception {
        if (loop != null) {
            loop.close();
            thread.join(10_000);
            assertThat(thread.isAlive()).isFalse();
        }
    }

    private void run(AutoCloseable loop, String topic, List<byte[]> values) {
        TopicPartition tp = new TopicPartition(topic, 0);
        consumer.schedulePollTask(() -> {
            consumer.rebalance(List.of(tp));
            consumer.updateBeginningOffsets(Map.of(tp, 0L));
            for (int i = 0; i < values.size(); i++) {
                consumer.addRecord(new ConsumerRecord<>(topic, 0, i, ("key-" + i).getBytes(StandardCharsets.UTF_8), values.get(i)));
            }
        });
        this.loop = loop;
        thread = new Thread((Runnable) loop, "loop-under-test");
        thread.start();
    }

    private long committed(String topic) {
        TopicPartition tp = new TopicPartition(topic, 0);
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(Set.of(tp));
        return committed.get(tp) == null ? -1 : committed.get(tp).offset();
    }

    private static byte[] json(Object value) {
        return Json.write(value);
    }

    @Test
    void shouldIndexEventsAndDeadLetterAMalformedRecordThenCommitEverything() {
        DocumentIndexer indexer = items -> {
            indexed.add(items);
            return new BulkResult(items.size(), List.of());
        };
        run(new EventIndexingLoop(consumer, dlq, TOPICS, NAMES, indexer, FAST), TOPICS.events(), List.of(
                json(TestAlerts.failedLogin("ev-1", "alice", TestAlerts.T0)),
                "{not json".getBytes(StandardCharsets.UTF_8),
                json(TestAlerts.failedLogin("ev-2", "alice", TestAlerts.T0.plusSeconds(1)))));

        await().atMost(ofSeconds(10)).untilAsserted(() -> assertThat(committed(TOPICS.events())).isEqualTo(3));
        assertThat(indexed).hasSize(1);
        assertThat(indexed.get(0)).extracting(IndexItem::id).containsExactly("ev-1", "ev-2");
        assertThat(indexed.get(0)).extracting(IndexItem::index).containsOnly("airlock-events-2025.03.14");
        assertThat(dlq.history()).hasSize(1);
        var letter = dlq.history().get(0);
        assertThat(letter.topic()).isEqualTo(TOPICS.dlq());
        assertThat(new String(letter.key(), StandardCharsets.UTF_8)).isEqualTo("key-1");
        JsonNode value = Json.tree(letter.value());
        assertThat(value.path("source_topic").asText()).isEqualTo(TOPICS.events());
        assertThat(value.path("partition").asInt()).isZero();
        assertThat(value.path("offset").asLong()).isEqualTo(1);
        assertThat(value.path("key").asText()).isEqualTo("key-1");
        assertThat(value.path("value").asText()).isEqualTo("{not json");
        assertThat(value.path("reason").asText()).startsWith("not a valid NormalizedEvent").isNotBlank();
    }

    @Test
    void shouldNotCommitWhileOpenSearchIsDownAndDeliverTheBacklogWhenItReturns() {
        AtomicInteger calls = new AtomicInteger();
        DocumentIndexer flaky = items -> {
            if (calls.incrementAndGet() <= 3) {
                throw new DeliveryException("opensearch: connection refused");
            }
            indexed.add(items);
            return new BulkResult(items.size(), List.of());
        };
        run(new EventIndexingLoop(consumer, dlq, TOPICS, NAMES, flaky, FAST), TOPICS.events(), List.of(
                json(TestAlerts.failedLogin("ev-1", "alice", TestAlerts.T0)),
                json(TestAlerts.failedLogin("ev-2", "alice", TestAlerts.T0))));

        await().atMost(ofSeconds(10)).untilAsserted(() -> assertThat(indexed).hasSize(1));
        assertThat(calls.get()).isEqualTo(4);
        assertThat(indexed.get(0)).extracting(IndexItem::id).containsExactly("ev-1", "ev-2");
        await().atMost(ofSeconds(10)).untilAsserted(() -> assertThat(committed(TOPICS.events())).isEqualTo(2));
        assertThat(dlq.history()).isEmpty();
    }

    @Test
    void shouldCommitNothingBeforeTheIndexerAnswers() {
        DocumentIndexer never = items -> {
            throw new DeliveryException("opensearch: 503");
        };
        run(new EventIndexingLoop(consumer, dlq, TOPICS, NAMES, never, FAST), TOPICS.events(),
                List.of(json(TestAlerts.failedLogin("ev-1", "alice", TestAlerts.T0))));

        AtomicInteger polls = new AtomicInteger();
        await().atMost(ofSeconds(10)).until(() -> {
            consumer.schedulePollTask(polls::incrementAndGet);
            return polls.get() >= 5; // the loop kept polling (and retrying)…
        });
        assertThat(committed(TOPICS.events())).isEqualTo(-1); // …without committing
    }

    @Test
    void shouldDeadLetterDocumentsOpenSearchRejectsAndCommit() {
        DocumentIndexer rejectsSecond = items -> new BulkResult(1,
                List.of(new BulkResult.Rejected(1, items.get(1).id(), 400, "mapper_parsing_exception", "failed to parse")));
        run(new EventIndexingLoop(consumer, dlq, TOPICS, NAMES, rejectsSecond, FAST), TOPICS.events(), List.of(
                json(TestAlerts.failedLogin("ev-1", "alice", TestAlerts.T0)),
                json(TestAlerts.failedLogin("ev-2", "alice", TestAlerts.T0))));

        await().atMost(ofSeconds(10)).untilAsserted(() -> assertThat(committed(TOPICS.events())).isEqualTo(2));
        assertThat(dlq.history()).hasSize(1);
        JsonNode value = Json.tree(dlq.history().get(0).value());
        assertThat(value.path("offset").asLong()).isEqualTo(1);
        assertThat(value.path("reason").asText()).contains("HTTP 400", "mapper_parsing_exception");
    }

    /** With {@code runbooks.base-url}, the indexed alert links its runbook as a URL; on Kafka it keeps the relative path. */
    @Test
    void shouldIndexAlertsWithTheirRunbookResolvedAgainstTheConfiguredBase() {
        DocumentIndexer indexer = items -> {
            indexed.add(items);
            return new BulkResult(items.size(), List.of());
        };
        AlertRouterTest.RecordingNotifier slack = new AlertRouterTest.RecordingNotifier("slack");
        AlertRouterTest.RecordingNotifier pagerDuty = new AlertRouterTest.RecordingNotifier("pagerduty");
        Alert alert = TestAlerts.failedLoginBurst().runbook("docs/runbooks/AL-001-failed-login-burst.md").build();
        AlertLinks links = AlertLinks.of(null, java.net.URI.create("https://wiki.example.com/airlock/"), NAMES);
        run(new AlertDeliveryLoop(consumer, dlq, TOPICS, NAMES, indexer, AlertRouter.defaults(slack, pagerDuty), FAST)
                .linkingRunbooks(links), TOPICS.alerts(), List.of(json(alert)));

        await().atMost(ofSeconds(10)).untilAsserted(() -> assertThat(committed(TOPICS.alerts())).isEqualTo(1));
        assertThat(alert.runbook()).startsWith("docs/runbooks/");
        assertThat(indexed.get(0)).singleElement().satisfies(item -> assertThat(((Alert) item.document()).runbook())
                .isEqualTo("https://wiki.example.com/airlock/" + alert.runbook()));
    }

    @Test
    void shouldIndexThenNotifyAndDeadLetterMalformedAlerts() {
        AlertRouterTest.RecordingNotifier slack = new AlertRouterTest.RecordingNotifier("slack");
        AlertRouterTest.RecordingNotifier pagerDuty = new AlertRouterTest.RecordingNotifier("pagerduty");
        DocumentIndexer indexer = items -> {
            indexed.add(items);
            return new BulkResult(items.size(), List.of());
        };
        Alert alert = TestAlerts.failedLoginBurst().build();
        run(new AlertDeliveryLoop(consumer, dlq, TOPICS, NAMES, indexer, AlertRouter.defaults(slack, pagerDuty), FAST),
                TOPICS.alerts(), List.of(
                        "{\"alert.id\":\"x\",\"count\":0}".getBytes(StandardCharsets.UTF_8),
                        json(alert),
                        json(TestAlerts.failedLoginBurst().count(6).build())));

        await().atMost(ofSeconds(10)).untilAsserted(() -> assertThat(committed(TOPICS.alerts())).isEqualTo(3));
        assertThat(indexed.get(0)).extracting(IndexItem::index).containsOnly("airlock-alerts");
        assertThat(indexed.get(0)).extracting(IndexItem::id).containsOnly(alert.id());
        assertThat(slack.sent).hasSize(1);
        assertThat(pagerDuty.sent).hasSize(1);
        assertThat(dlq.history()).hasSize(1);
        assertThat(Json.tree(dlq.history().get(0).value()).path("reason").asText()).contains("Alert");
    }

    @Test
    void shouldDeadLetterAnAlertAChannelRejectsForGood() {
        AlertRouterTest.RecordingNotifier slack = new AlertRouterTest.RecordingNotifier("slack");
        slack.failWith = new PermanentDeliveryException("slack: rejected alert with HTTP 404: no_service");
        AlertRouterTest.RecordingNotifier pagerDuty = new AlertRouterTest.RecordingNotifier("pagerduty");
        DocumentIndexer indexer = items -> new BulkResult(items.size(), List.of());
        run(new AlertDeliveryLoop(consumer, dlq, TOPICS, NAMES, indexer, AlertRouter.defaults(slack, pagerDuty), FAST),
                TOPICS.alerts(), List.of(json(TestAlerts.failedLoginBurst().build())));

        await().atMost(ofSeconds(10)).untilAsserted(() -> assertThat(committed(TOPICS.alerts())).isEqualTo(1));
        assertThat(pagerDuty.sent).hasSize(1);
        assertThat(dlq.history()).hasSize(1);
        assertThat(Json.tree(dlq.history().get(0).value()).path("reason").asText()).contains("HTTP 404");
    }

    @Test
    void shouldNotifyAtOnceWhileOpenSearchIsDownButCommitOnlyOnceItIsBack() {
        AlertRouterTest.RecordingNotifier slack = new AlertRouterTest.RecordingNotifier("slack");
        AlertRouterTest.RecordingNotifier pagerDuty = new AlertRouterTest.RecordingNotifier("pagerduty");
        AtomicInteger calls = new AtomicInteger();
        DocumentIndexer flaky = items -> {
            if (calls.incrementAndGet() <= 3) {
                throw new DeliveryException("opensearch: connection refused");
            }
            indexed.add(items);
            return new BulkResult(items.size(), List.of());
        };
        run(new AlertDeliveryLoop(consumer, dlq, TOPICS, NAMES, flaky, AlertRouter.defaults(slack, pagerDuty), FAST),
                TOPICS.alerts(), List.of(json(TestAlerts.failedLoginBurst().build())));

        await().atMost(ofSeconds(10)).untilAsserted(() -> assertThat(slack.sent).hasSize(1));
        await().atMost(ofSeconds(10)).untilAsserted(() -> assertThat(committed(TOPICS.alerts())).isEqualTo(1));
        assertThat(calls.get()).isEqualTo(4);
        assertThat(indexed).hasSize(1);
        assertThat(slack.sent).hasSize(1);
        assertThat(pagerDuty.sent).hasSize(1);
    }

    @Test
    void shouldKeepRunningAfterAnUnexpectedExceptionAndDeadLetterOnlyThePoisonRecord() {
        AtomicInteger calls = new AtomicInteger();
        DocumentIndexer buggy = items -> {
            calls.incrementAndGet();
            if (items.stream().anyMatch(i -> i.id().equals("poison"))) {
                throw new NullPointerException("a bug that quotes the payload: secret-ish");
            }
            indexed.add(items);
            return new BulkResult(items.size(), List.of());
        };
        run(new EventIndexingLoop(consumer, dlq, TOPICS, NAMES, buggy, FAST), TOPICS.events(), List.of(
                json(TestAlerts.failedLogin("ev-1", "alice", TestAlerts.T0)),
                json(TestAlerts.failedLogin("poison", "alice", TestAlerts.T0)),
                json(TestAlerts.failedLogin("ev-3", "alice", TestAlerts.T0))));

        await().atMost(ofSeconds(10)).untilAsserted(() -> assertThat(committed(TOPICS.events())).isEqualTo(3));
        assertThat(thread.isAlive()).isTrue();
        assertThat(indexed).flatExtracting(b -> b).extracting(IndexItem::id).containsExactly("ev-1", "ev-3");
        assertThat(dlq.history()).singleElement().satisfies(letter -> {
            JsonNode value = Json.tree(letter.value());
            assertThat(value.path("offset").asLong()).isEqualTo(1);
            assertThat(value.path("reason").asText()).startsWith("unexpected java.lang.NullPointerException at ")
                    .doesNotContain("secret-ish");
        });
        assertThat(calls.get()).isEqualTo(io.airlock.alerting.internal.KafkaDeliveryLoop.ISOLATE_AFTER + 3);
    }

    @Test
    void shouldRetryATransientUnexpectedFailureWithoutDeadLettering() {
        AtomicInteger calls = new AtomicInteger();
        DocumentIndexer once = items -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("connection pool shut down");
            }
            indexed.add(items);
            return new BulkResult(items.size(), List.of());
        };
        run(new EventIndexingLoop(consumer, dlq, TOPICS, NAMES, once, FAST), TOPICS.events(),
                List.of(json(TestAlerts.failedLogin("ev-1", "alice", TestAlerts.T0))));

        await().atMost(ofSeconds(10)).untilAsserted(() -> assertThat(committed(TOPICS.events())).isEqualTo(1));
        assertThat(indexed).hasSize(1);
        assertThat(dlq.history()).isEmpty();
    }

    @Test
    void shouldKeepTheBacklogInKafkaWhileOpenSearchDeniesAccessAndDeadLetterNothing() throws Exception {
        try (StubHttpServer openSearch = new StubHttpServer()) {
            String denied = "{\"error\":{\"type\":\"security_exception\",\"reason\":\"no permissions\"},\"status\":403}";
            openSearch.then(401, Map.of(), "Unauthorized")
                    .then(403, Map.of(), denied).then(403, Map.of(), denied)
                    .otherwise(200, "{\"took\":1,\"errors\":false,\"items\":[{\"index\":{\"_index\":\"i\",\"_id\":\"ev-1\","
                            + "\"status\":201,\"result\":\"created\"}}]}");
            OpenSearchSettings settings = OpenSearchSettings.local(openSearch.uri("")).withCredentials("airlock", Secret.of("hunter2"));
            var client = OpenSearchClients.create(settings);
            try {
                run(new EventIndexingLoop(consumer, dlq, TOPICS, NAMES, new OpenSearchIndexer(client, FAST, settings), FAST),
                        TOPICS.events(), List.of(json(TestAlerts.failedLogin("ev-1", "alice", TestAlerts.T0))));

                await().atMost(ofSeconds(10)).untilAsserted(() -> assertThat(committed(TOPICS.events())).isEqualTo(1));
                assertThat(openSearch.requests()).hasSize(4);
                assertThat(dlq.history()).isEmpty();
            } finally {
                client._transport().close();
            }
        }
    }

    @Test
    void shouldNotifyAChannelAgainWhenTheDeadLetterOfItsRejectionWasNotAcknowledged() {
        AtomicInteger sends = new AtomicInteger();
        MockProducer<byte[], byte[]> flakyDlq = new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer()) {
            @Override
            public synchronized java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata> send(
                    org.apache.kafka.clients.producer.ProducerRecord<byte[], byte[]> record) {
                if (sends.incrementAndGet() == 1) {
                    return java.util.concurrent.CompletableFuture.failedFuture(new org.apache.kafka.common.errors.TimeoutException("dlq"));
                }
                return super.send(record);
            }
        };
        AlertRouterTest.RecordingNotifier slack = new AlertRouterTest.RecordingNotifier("slack");
        slack.failWith = new PermanentDeliveryException("slack: rejected alert with HTTP 404: no_service");
        AlertRouterTest.RecordingNotifier pagerDuty = new AlertRouterTest.RecordingNotifier("pagerduty");
        DocumentIndexer indexer = items -> new BulkResult(items.size(), List.of());
        run(new AlertDeliveryLoop(consumer, flakyDlq, TOPICS, NAMES, indexer, AlertRouter.defaults(slack, pagerDuty), FAST),
                TOPICS.alerts(), List.of(json(TestAlerts.failedLoginBurst().build())));

        await().atMost(ofSeconds(10)).untilAsserted(() -> assertThat(committed(TOPICS.alerts())).isEqualTo(1));
        assertThat(slack.attempts).hasSize(2);
        assertThat(pagerDuty.sent).hasSize(1);
        assertThat(flakyDlq.history()).singleElement()
                .satisfies(l -> assertThat(Json.tree(l.value()).path("reason").asText()).contains("HTTP 404"));
    }

    @Test
    void shouldIndexASilencedAlertButNotifyNobody() {
        AlertRouterTest.RecordingNotifier slack = new AlertRouterTest.RecordingNotifier("slack");
        AlertRouter silencing = new AlertRouter(List.of(new AlertRouter.Route(slack, io.airlock.core.Severity.LOW)),
                AlertRouter.DEFAULT_REPEAT_INTERVAL,
                List.of(new Silence("AL-001", "alice", java.time.Instant.now().plusSeconds(3600), "pen test")), List.of(),
                java.time.Clock.systemUTC());
        DocumentIndexer indexer = items -> {
            indexed.add(items);
            return new BulkResult(items.size(), List.of());
        };
        run(new AlertDeliveryLoop(consumer, dlq, TOPICS, NAMES, indexer, silencing, FAST), TOPICS.alerts(),
                List.of(json(TestAlerts.failedLoginBurst().build())));

        await().atMost(ofSeconds(10)).untilAsserted(() -> assertThat(committed(TOPICS.alerts())).isEqualTo(1));
        assertThat(indexed).hasSize(1);
        assertThat(slack.sent).isEmpty();
        assertThat(dlq.history()).isEmpty();
    }

    @Test
    void shouldCloseCleanlyWhileBackingOff() throws Exception {
        DocumentIndexer down = items -> {
            throw new DeliveryException("down");
        };
        RetryPolicy slow = RetryPolicy.defaults().withBackoff(Duration.ofSeconds(30), Duration.ofSeconds(30));
        run(new EventIndexingLoop(consumer, dlq, TOPICS, NAMES, down, slow), TOPICS.events(),
                List.of(json(TestAlerts.failedLogin("ev-1", "alice", TestAlerts.T0))));
        await().atMost(ofSeconds(10)).until(() -> thread.getState() == Thread.State.TIMED_WAITING);

        loop.close();

        thread.join(5_000);
        assertThat(thread.isAlive()).isFalse();
        assertThat(consumer.closed()).isTrue();
        assertThat(dlq.closed()).isTrue();
        loop = null;
    }

    @Test
    void shouldPauseTheConsumerWhileTooManyAlertsAreInFlightAndCatchUpOnceTheReceiverAnswers() {
        java.util.concurrent.CountDownLatch answer = new java.util.concurrent.CountDownLatch(1);
        List<String> sent = new CopyOnWriteArrayList<>();
        Notifier stuck = new Notifier() {
            @Override
            public String channel() {
                return "stuck";
            }

            @Override
            public void send(Alert alert) throws DeliveryException {
                try {
                    answer.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new DeliveryException("interrupted");
                }
                sent.add(alert.id());
            }
        };
        AtomicInteger documents = new AtomicInteger();
        DocumentIndexer indexer = items -> {
            documents.addAndGet(items.size());
            return new BulkResult(items.size(), List.of());
        };
        AlertRouter router = new AlertRouter(List.of(new AlertRouter.Route(stuck, io.airlock.core.Severity.LOW)),
                AlertRouter.DEFAULT_REPEAT_INTERVAL);
        TopicPartition tp = new TopicPartition(TOPICS.alerts(), 0);
        for (int i = 0; i < 10; i++) { // one new alert per poll
            int offset = i;
            consumer.schedulePollTask(() -> {
                if (offset == 0) {
                    consumer.rebalance(List.of(tp));
                    consumer.updateBeginningOffsets(Map.of(tp, 0L));
                }
                consumer.addRecord(new ConsumerRecord<>(TOPICS.alerts(), 0, offset, ("key-" + offset).getBytes(StandardCharsets.UTF_8),
                        json(TestAlerts.failedLoginBurst().id("alert-" + offset).build())));
            });
        }
        loop = new AlertDeliveryLoop(consumer, dlq, TOPICS, NAMES, indexer, router, FAST, 3, 1);
        thread = new Thread((Runnable) loop, "loop-under-test");
        thread.start();

        await().atMost(ofSeconds(10)).until(() -> consumer.paused().contains(tp));
        AtomicInteger polls = new AtomicInteger();
        await().atMost(ofSeconds(10)).until(() -> {
            consumer.schedulePollTask(polls::incrementAndGet);
            return polls.get() >= 20; // every record is in Kafka by now; the paused loop keeps polling…
        });
        assertThat(documents.get()).as("…but takes no more than 3 alerts in flight").isEqualTo(3);
        assertThat(committed(TOPICS.alerts())).isEqualTo(-1);

        answer.countDown();

        await().atMost(ofSeconds(10)).untilAsserted(() -> assertThat(committed(TOPICS.alerts())).isEqualTo(10));
        assertThat(sent).hasSize(10).doesNotHaveDuplicates();
        assertThat(documents.get()).isEqualTo(10);
        assertThat(consumer.paused()).isEmpty();
    }

    private static List<String> versions(List<Alert> alerts) {
        return alerts.stream().map(a -> a.id() + "#" + a.count()).toList();
    }

    @Test
    void shouldKeepNotifyingTheOtherReceiverWhileOneIsDownAndSendItTheNewestVersionWhenItIsBack() {
        var slack = new AlertRouterTest.RecordingNotifier("slack-outage");
        var pager = new AlertRouterTest.RecordingNotifier("pager-outage");
        slack.failWith = new DeliveryException("slack-outage answers 500");
        AtomicInteger documents = new AtomicInteger();
        DocumentIndexer indexer = items -> {
            documents.addAndGet(items.size());
            return new BulkResult(items.size(), List.of());
        };
        AlertRouter router = new AlertRouter(List.of(new AlertRouter.Route(slack, io.airlock.core.Severity.LOW),
                new AlertRouter.Route(pager, io.airlock.core.Severity.LOW)), AlertRouter.DEFAULT_REPEAT_INTERVAL);
        // ten updates of one burst, then two new alerts: far more records than the loop may hold open (4)
        List<Alert> alerts = new java.util.ArrayList<>();
        for (int count = 1; count <= 10; count++) {
            alerts.add(TestAlerts.failedLoginBurst().id("alert-0").count(count).build());
        }
        alerts.add(TestAlerts.failedLoginBurst().id("alert-1").count(1).build());
        alerts.add(TestAlerts.failedLoginBurst().id("alert-2").count(1).build());
        TopicPartition tp = new TopicPartition(TOPICS.alerts(), 0);
        for (int i = 0; i < alerts.size(); i++) { // one record per poll
            int offset = i;
            consumer.schedulePollTask(() -> {
                if (offset == 0) {
                    consumer.rebalance(List.of(tp));
                    consumer.updateBeginningOffsets(Map.of(tp, 0L));
                }
                consumer.addRecord(new ConsumerRecord<>(TOPICS.alerts(), 0, offset, alerts.get(offset).id().getBytes(StandardCharsets.UTF_8),
                        json(alerts.get(offset))));
            });
        }
        loop = new AlertDeliveryLoop(consumer, dlq, TOPICS, NAMES, indexer, router, FAST, 4, 1);
        thread = new Thread((Runnable) loop, "loop-under-test");
        thread.start();

        await().atMost(ofSeconds(10)).untilAsserted(() -> assertThat(pager.sent).extracting(Alert::id)
                .as("the pager hears of every new alert although the other receiver is down")
                .containsExactly("alert-0", "alert-1", "alert-2"));
        await().atMost(ofSeconds(10)).untilAsserted(() -> assertThat(versions(slack.attempts))
                .as("while down, the receiver's retries move on to the alert's newest version").contains("alert-0#10"));
        assertThat(slack.sent).isEmpty();
        await().atMost(ofSeconds(10)).untilAsserted(() -> assertThat(committed(TOPICS.alerts()))
                .as("the overtaken versions are committed, nothing from the newest on").isEqualTo(9));

        slack.failWith = null;

        await().atMost(ofSeconds(10)).untilAsserted(() -> assertThat(committed(TOPICS.alerts())).isEqualTo(12));
        assertThat(versions(slack.sent)).as("back, it gets each alert once, in its newest version")
                .containsExactly("alert-0#10", "alert-1#1", "alert-2#1");
        assertThat(pager.sent).as("and the pager nothing twice").hasSize(3);
        assertThat(documents.get()).isBetween(3, 12);
        assertThat(dlq.history()).isEmpty();
        assertThat(consumer.paused()).isEmpty();
    }

    @Test
    void shouldCountRetriedAlertDocumentsWhileOpenSearchRefusesConnections() throws Exception {
        var meters = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        io.micrometer.core.instrument.Metrics.addRegistry(meters);
        int port;
        try (var socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort(); // closed again: connections to it are refused
        }
        var client = OpenSearchClients.create(OpenSearchSettings.local(java.net.URI.create("http://127.0.0.1:" + port)));
        try {
            var down = new OpenSearchIndexer(client, FAST.withMaxAttempts(2));
            run(new AlertDeliveryLoop(consumer, dlq, TOPICS, NAMES, down, new AlertRouter(List.of(), Duration.ZERO), FAST),
                    TOPICS.alerts(), List.of(json(TestAlerts.failedLoginBurst().build())));

            await().atMost(ofSeconds(30)).untilAsserted(() -> assertThat(documents(meters, "alerts", "retried")).isGreaterThanOrEqualTo(3));
            assertThat(documents(meters, "alerts", "indexed")).isZero();
            assertThat(committed(TOPICS.alerts())).isEqualTo(-1);
            assertThat(dlq.history()).isEmpty();
        } finally {
            loop.close();
            loop = null;
            thread.join(10_000);
            client._transport().close();
            io.micrometer.core.instrument.Metrics.removeRegistry(meters);
            meters.close();
        }
    }

    @Test
    void shouldCountRetriedEventDocumentsWhileTheIndexerIsUnavailable() {
        var meters = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        io.micrometer.core.instrument.Metrics.addRegistry(meters);
        try {
            AtomicInteger calls = new AtomicInteger();
            DocumentIndexer flaky = items -> {
                if (calls.incrementAndGet() <= 2) {
                    throw new DeliveryException("opensearch: 503");
                }
                return new BulkResult(items.size(), List.of());
            };
            run(new EventIndexingLoop(consumer, dlq, TOPICS, NAMES, flaky, FAST), TOPICS.events(), List.of(
                    json(TestAlerts.failedLogin("ev-1", "alice", TestAlerts.T0)),
                    json(TestAlerts.failedLogin("ev-2", "alice", TestAlerts.T0))));

            await().atMost(ofSeconds(10)).untilAsserted(() -> assertThat(committed(TOPICS.events())).isEqualTo(2));
            assertThat(documents(meters, "events", "retried")).as("two failed bulks of two documents").isEqualTo(4);
            assertThat(documents(meters, "events", "indexed")).isEqualTo(2);
        } finally {
            io.micrometer.core.instrument.Metrics.removeRegistry(meters);
            meters.close();
        }
    }

    private static double documents(io.micrometer.core.instrument.MeterRegistry meters, String kind, String outcome) {
        var counter = meters.find("airlock.opensearch.documents").tags("index_kind", kind, "outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void shouldCountEventsTheIndexAlreadyHeldApartFromTheOnesItWrote() {
        var meters = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        io.micrometer.core.instrument.Metrics.addRegistry(meters);
        try {
            DocumentIndexer secondAlreadyThere = items -> new BulkResult(items.size(), 1, List.of());
            run(new EventIndexingLoop(consumer, dlq, TOPICS, NAMES, secondAlreadyThere, FAST), TOPICS.events(), List.of(
                    json(TestAlerts.failedLogin("ev-1", "alice", TestAlerts.T0)),
                    json(TestAlerts.failedLogin("ev-2", "alice", TestAlerts.T0))));

            await().atMost(ofSeconds(10)).untilAsserted(() -> assertThat(committed(TOPICS.events())).isEqualTo(2));
            assertThat(documents(meters, "events", "indexed")).isEqualTo(1);
            assertThat(documents(meters, "events", "already_indexed")).isEqualTo(1);
            assertThat(documents(meters, "events", "failed")).isZero();
            assertThat(dlq.history()).isEmpty();
        } finally {
            io.micrometer.core.instrument.Metrics.removeRegistry(meters);
            meters.close();
        }
    }

    @Test
    void shouldCountEventDocumentsIndexedAndRefused() {
        var meters = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        io.micrometer.core.instrument.Metrics.addRegistry(meters);
        try {
            DocumentIndexer rejectsSecond = items -> new BulkResult(1,
                    List.of(new BulkResult.Rejected(1, items.get(1).id(), 400, "mapper_parsing_exception", "failed to parse")));
            run(new EventIndexingLoop(consumer, dlq, TOPICS, NAMES, rejectsSecond, FAST), TOPICS.events(), List.of(
                    json(TestAlerts.failedLogin("ev-1", "alice", TestAlerts.T0)),
                    json(TestAlerts.failedLogin("ev-2", "alice", TestAlerts.T0))));

            await().atMost(ofSeconds(10)).untilAsserted(() -> assertThat(committed(TOPICS.events())).isEqualTo(2));
            assertThat(meters.get("airlock.opensearch.documents").tags("index_kind", "events", "outcome", "indexed").counter()
                    .count()).isEqualTo(1);
            assertThat(meters.get("airlock.opensearch.documents").tags("index_kind", "events", "outcome", "failed").counter()
                    .count()).isEqualTo(1);
        } finally {
            io.micrometer.core.instrument.Metrics.removeRegistry(meters);
            meters.close();
        }
    }
}
