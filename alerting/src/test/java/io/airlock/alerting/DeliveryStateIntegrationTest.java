package io.airlock.alerting;

import static io.airlock.alerting.KafkaFixtures.json;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.core.Alert;
import io.airlock.core.IndexNames;
import io.airlock.core.Json;
import io.airlock.core.Severity;
import io.airlock.core.StableIds;
import io.airlock.core.Topics;
import io.airlock.embedded.EmbeddedKafka;
import io.airlock.embedded.RealComponents;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The delivery-state topic against a real Kafka, webhooks on loopback: after a restart that finds the alert records
 * uncommitted (a crash), a receiver that already confirmed an alert is not notified of it again, while an update after
 * the repeat interval still is.
 */
@ExtendWith(RealComponents.class)
class DeliveryStateIntegrationTest {

    private static final RetryPolicy QUICK = RetryPolicy.defaults().withBackoff(Duration.ofMillis(20), Duration.ofMillis(200))
            .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(60));
    private static final Duration REPEAT = Duration.ofMinutes(10);
    private static final DocumentIndexer INDEXED = items -> new BulkResult(items.size(), List.of());

    private final EmbeddedKafka kafka;
    private final Topics topics = new Topics(RealComponents.uniqueName("state-it"));
    private final String group = RealComponents.uniqueName("alert-delivery-state");
    private final String rule = RealComponents.uniqueName("AL-S");
    private final String socName = RealComponents.uniqueName("soc");
    private final String oncallName = RealComponents.uniqueName("oncall");
    private final AlertLinks links = AlertLinks.of(java.net.URI.create("http://127.0.0.1:5601"),
            java.net.URI.create("https://docs.example.com/airlock/"), IndexNames.defaults());
    private final List<LocalReceiver> receivers = new ArrayList<>();
    private final StartedLoops loops = new StartedLoops();

    DeliveryStateIntegrationTest(EmbeddedKafka kafka) {
        this.kafka = kafka;
    }

    @BeforeEach
    void start() {
        kafka.createTopics(1, topics.alerts(), topics.dlq()); // the state topic is created by the loop
    }

    @AfterEach
    void stop() throws Exception {
        loops.close();
        receivers.forEach(LocalReceiver::close);
    }

    @Test
    void shouldNotTellSlackAgainWhenAStopLeftTheRecordsUncommitted() throws Exception {
        LocalReceiver soc = receiver();
        LocalReceiver oncall = receiver().holdAnswers();
        List<Alert> records = updates(3, 4); // 3 alerts, 4 versions each, all within the repeat interval

        AlertDeliveryLoop first = startLoop(soc, oncall);
        KafkaFixtures.produce(kafka, topics.alerts(), records.stream().map(a -> json(a.id(), a)).toList());

        // Slack confirmed every alert (and the state was written), PagerDuty holds its answers: nothing is committable
        await().atMost(ofSeconds(60)).untilAsserted(() -> assertThat(stateKeys())
                .containsExactlyInAnyOrderElementsOf(ids(records).stream().distinct().map(id -> socName + "/" + id).toList()));
        assertThat(soc.confirmedAlertIds()).containsExactlyInAnyOrderElementsOf(ids(records).stream().distinct().toList());
        first.close();
        // PagerDuty has confirmed nothing: its newest version of each alert (the last 3 records) stays uncommitted, so the
        // stop is a crash for them; earlier versions a newer one overtook while waiting may be committed
        assertThat(KafkaFixtures.committed(kafka, group, topics.alerts())).as("the newest versions are not committed")
                .isLessThanOrEqualTo(records.size() - 3);
        oncall.release();

        startLoop(soc, oncall); // a new process: fresh router memory, same consumer group

        await().atMost(ofSeconds(60)).untilAsserted(() ->
                assertThat(KafkaFixtures.committed(kafka, group, topics.alerts())).isEqualTo(records.size()));
        assertThat(soc.posts()).as("Slack told once per alert, before and after the restart")
                .extracting(LocalReceiver.Post::alertId).containsExactlyInAnyOrderElementsOf(ids(records).stream().distinct().toList());
        assertThat(oncall.confirmedAlertIds()).as("the page never confirmed before the crash is sent after it")
                .containsAll(ids(records).stream().distinct().toList());
        assertThat(KafkaFixtures.readAll(kafka, topics.dlq())).isEmpty();
    }

    @Test
    void shouldNotifyEachAlertOnceAfterAReplayAndAgainAfterTheRepeatInterval() throws Exception {
        LocalReceiver soc = receiver();
        List<Alert> records = updates(3, 3);
        AlertDeliveryLoop first = startLoop(soc, null);
        KafkaFixtures.produce(kafka, topics.alerts(), records.stream().map(a -> json(a.id(), a)).toList());
        await().atMost(ofSeconds(60)).untilAsserted(() ->
                assertThat(KafkaFixtures.committed(kafka, group, topics.alerts())).isEqualTo(records.size()));
        assertThat(soc.posts()).hasSize(3);
        first.close();

        // the group's offsets go back to the start: every record is uncommitted again, as after a kill -9 before any commit
        try (Admin admin = kafka.admin()) {
            admin.alterConsumerGroupOffsets(group, Map.of(new TopicPartition(topics.alerts(), 0), new OffsetAndMetadata(0)))
                    .all().get();
        }
        assertThat(KafkaFixtures.committed(kafka, group, topics.alerts())).isZero();

        startLoop(soc, null);
        await().atMost(ofSeconds(60)).untilAsserted(() ->
                assertThat(KafkaFixtures.committed(kafka, group, topics.alerts())).isEqualTo(records.size()));
        assertThat(soc.posts()).as("every alert still notified exactly once").extracting(LocalReceiver.Post::alertId)
                .containsExactlyInAnyOrderElementsOf(ids(records).stream().distinct().toList());

        // an update whose last_seen is the repeat interval after the notified one (the first version, or a newer one that
        // overtook it while it waited) is news again
        Alert later = alert("user-0", 3 + REPEAT.toMinutes());
        KafkaFixtures.produce(kafka, topics.alerts(), List.of(json(later.id(), later)));
        await().atMost(ofSeconds(60)).untilAsserted(() ->
                assertThat(KafkaFixtures.committed(kafka, group, topics.alerts())).isEqualTo(records.size() + 1));
        assertThat(soc.posts().stream().filter(p -> p.alertId().equals(later.id())).map(LocalReceiver.Post::version))
                .hasSize(2).endsWith(3 + (int) REPEAT.toMinutes());
        assertThat(soc.posts()).hasSize(4);

        // the state topic: compacted, keyed by receiver name, no webhook URL anywhere
        List<ConsumerRecord<String, String>> state = kafka.readAll(DeliveryStateTopic.name(topics));
        assertThat(state).isNotEmpty().allSatisfy(r -> {
            assertThat(r.key()).startsWith(socName + "/").doesNotContain("http");
            assertThat(r.value()).doesNotContain("http", "/services/");
        });
        JsonNode last = Json.tree(state.get(state.size() - 1).value());
        assertThat(last.toString()).contains(later.id()).contains(socName);
        try (Admin admin = kafka.admin()) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, DeliveryStateTopic.name(topics));
            Config config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
            assertThat(config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value()).contains("compact");
        }
    }

    @Test
    void shouldDeliverARejectedAlertOnceItsRecordIsReplayedAfterTheReceiverWasFixed() throws Exception {
        LocalReceiver soc = receiver().refuseWith(404); // a revoked webhook: no_service
        AlertDeliveryLoop first = startLoop(soc, null);
        Alert rejected = alert("user-0", 1);
        KafkaFixtures.produce(kafka, topics.alerts(), List.of(json(rejected.id(), rejected)));
        await().atMost(ofSeconds(60)).untilAsserted(() -> assertThat(KafkaFixtures.readAll(kafka, topics.dlq())).hasSize(1));
        await().atMost(ofSeconds(60)).untilAsserted(() ->
                assertThat(KafkaFixtures.committed(kafka, group, topics.alerts())).isEqualTo(1));

        // the alert grows within the repeat interval while the webhook is still revoked: held back, not dead-lettered again
        List<Alert> growth = List.of(alert("user-0", 2), alert("user-0", 3), alert("user-0", 4));
        KafkaFixtures.produce(kafka, topics.alerts(), growth.stream().map(a -> json(a.id(), a)).toList());
        await().atMost(ofSeconds(60)).untilAsserted(() ->
                assertThat(KafkaFixtures.committed(kafka, group, topics.alerts())).isEqualTo(4));
        assertThat(KafkaFixtures.readAll(kafka, topics.dlq())).as("one dead letter, not one per update").hasSize(1);
        assertThat(soc.posts()).extracting(LocalReceiver.Post::status).containsExactly(404);
        assertThat(lastStateEntry().path("count").asLong()).isEqualTo(rejected.count());
        assertThat(lastStateEntry().path("rejectedUpTo").asLong()).as("a rejection, and the growth held back since")
                .isEqualTo(growth.get(2).count());
        first.close();

        // the documented recovery: fix the cause, then replay (here: reset the group, a new process reads the state)
        soc.accept();
        try (Admin admin = kafka.admin()) {
            admin.alterConsumerGroupOffsets(group, Map.of(new TopicPartition(topics.alerts(), 0), new OffsetAndMetadata(0)))
                    .all().get();
        }
        startLoop(soc, null);
        await().atMost(ofSeconds(60)).untilAsserted(() -> assertThat(soc.confirmed()).isNotEmpty());
        await().atMost(ofSeconds(60)).untilAsserted(() ->
                assertThat(KafkaFixtures.committed(kafka, group, topics.alerts())).isEqualTo(4));

        // the replayed versions arrive together, the newest replaces the waiting ones in the lane (only it is sent)
        assertThat(soc.confirmed()).as("the alert delivered once, not once per replayed version")
                .extracting(LocalReceiver.Post::alertId).containsExactly(rejected.id());
        assertThat(KafkaFixtures.readAll(kafka, topics.dlq())).hasSize(1);
        assertThat(lastStateEntry().has("rejectedUpTo")).as("the newest entry is a delivery").isFalse();
    }

    private JsonNode lastStateEntry() {
        List<ConsumerRecord<String, String>> state = kafka.readAll(DeliveryStateTopic.name(topics));
        return Json.tree(state.get(state.size() - 1).value());
    }

    @Test
    void shouldReadWhatAnotherInstanceConfirmedBeforeTakingOverItsPartition() throws Exception {
        Topics shared = new Topics(RealComponents.uniqueName("state-it-2p"));
        String alerts = shared.alerts();
        kafka.createTopics(2, alerts, shared.dlq());
        LocalReceiver soc = receiver();
        LocalReceiver oncallA = receiver().holdAnswers();
        LocalReceiver oncallB = receiver().holdAnswers();
        AlertDeliveryLoop a = startLoop(soc, oncallA, shared);
        startLoop(soc, oncallB, shared);
        // both instances joined (and read the still empty state) before anything was confirmed
        await().atMost(ofSeconds(60)).ignoreExceptions() // the group does not exist until the first member joined
                .untilAsserted(() -> assertThat(assignedPartitionsPerMember()).containsExactly(1, 1));

        List<Alert> records = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            records.add(alert("user-" + i, 1));
            records.add(alert("user-" + i, 2));
        }
        KafkaFixtures.produce(kafka, alerts, records.stream().map(r -> json(r.id(), r)).toList());
        List<String> ids = ids(records).stream().distinct().toList();
        await().atMost(ofSeconds(60)).untilAsserted(() -> assertThat(stateKeys(shared)).hasSize(ids.size()));
        // pages held: the newest version of every alert stays uncommitted (an overtaken first version may be committed)
        assertThat(committed(alerts).values().stream().mapToLong(Long::longValue).sum()).as("pages held: at most the overtaken "
                + "versions committed").isLessThanOrEqualTo(records.size() - ids.size());

        a.close(); // instance A goes without committing; B takes its partition over
        oncallA.release();
        oncallB.release();

        await().atMost(ofSeconds(60)).untilAsserted(() -> assertThat(committed(alerts).values().stream().mapToLong(Long::longValue)
                .sum()).isEqualTo(records.size()));
        assertThat(soc.posts()).as("Slack told once per alert although B redelivered A's records")
                .extracting(LocalReceiver.Post::alertId).containsExactlyInAnyOrderElementsOf(ids);
    }

    private List<Integer> assignedPartitionsPerMember() throws Exception {
        try (Admin admin = kafka.admin()) {
            var description = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
            return description.members().stream().map(m -> m.assignment().topicPartitions().size()).toList();
        }
    }

    private Map<Integer, Long> committed(String topic) throws Exception {
        try (Admin admin = kafka.admin()) {
            Map<Integer, Long> offsets = new java.util.HashMap<>();
            admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().forEach((tp, o) -> {
                if (tp.topic().equals(topic) && o != null) {
                    offsets.put(tp.partition(), o.offset());
                }
            });
            return offsets;
        }
    }

    private LocalReceiver receiver() throws Exception {
        LocalReceiver receiver = new LocalReceiver();
        receivers.add(receiver);
        return receiver;
    }

    private AlertDeliveryLoop startLoop(LocalReceiver soc, LocalReceiver oncall) {
        return startLoop(soc, oncall, topics);
    }

    private AlertDeliveryLoop startLoop(LocalReceiver soc, LocalReceiver oncall, Topics loopTopics) {
        List<AlertRouter.Route> routes = new ArrayList<>();
        routes.add(new AlertRouter.Route(new SlackNotifier(socName, soc.slackWebhook(), links, QUICK, Duration.ZERO), Severity.LOW));
        if (oncall != null) {
            routes.add(new AlertRouter.Route(new PagerDutyNotifier(oncallName, oncall.pagerDutyEventsUrl(), Secret.of("rk-oncall"),
                    links, QUICK), Severity.LOW));
        }
        AlertDeliveryLoop loop = new AlertDeliveryLoop(KafkaFixtures.loopConfig(kafka, group), loopTopics, IndexNames.defaults(),
                INDEXED, new AlertRouter(routes, REPEAT), QUICK);
        return loops.start(loop, "alert-delivery-state-it-" + loops.size(), null);
    }

    private List<String> stateKeys() {
        return stateKeys(topics);
    }

    private List<String> stateKeys(Topics of) {
        return kafka.readAll(DeliveryStateTopic.name(of)).stream().map(ConsumerRecord::key).distinct().toList();
    }

    /** {@code alerts} alerts with {@code versions} versions each, in the order a detector would emit them. */
    private List<Alert> updates(int alerts, int versions) {
        List<Alert> records = new ArrayList<>();
        for (int version = 1; version <= versions; version++) {
            for (int i = 0; i < alerts; i++) {
                records.add(alert("user-" + i, version));
            }
        }
        return records;
    }

    /** Version n: count 4 + n, last_seen T0 + (4 + n) min, {@code version-n} in its summary. */
    private Alert alert(String entity, long version) {
        return TestAlerts.failedLoginBurst().id(StableIds.of(rule, entity)).rule(rule).entity(entity).severity(Severity.HIGH)
                .count(4 + version).summary("failed logins for " + entity + ", version-" + version).build();
    }

    private static List<String> ids(List<Alert> alerts) {
        return alerts.stream().map(Alert::id).toList();
    }
}
