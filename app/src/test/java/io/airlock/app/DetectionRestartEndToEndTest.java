package io.airlock.app;

import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.core.Json;
import io.airlock.core.NormalizedEvent;
import io.airlock.core.StableIds;
import io.airlock.core.Topics;
import io.airlock.embedded.AirflowDatabase;
import io.airlock.embedded.AirflowSchema;
import io.airlock.embedded.EmbeddedKafka;
import io.airlock.embedded.EmbeddedPostgres;
import io.airlock.embedded.RealComponents;
import io.airlock.streams.StreamsSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real-broker test: attacks written to the Airflow database and the Vault audit file produce the expected alerts on
 * {@code airlock.alerts}, exactly once across a restart of the Streams app mid-burst.
 *
 * <p>Capture (Debezium + Vault file tailer) runs in one {@link Pipeline}, Kafka Streams in another, so the Streams app can be
 * stopped and started on its own while capture keeps writing. Half of an AL-001 burst (3 of 5+ failed logins) and half of an
 * AL-021 burst (12 of 20+ distinct secret paths) are processed before the stop, and the rules are seen to have processed
 * them without an alert; a further part is written just before the stop (so it can still be in flight, but Streams
 * closes cleanly: the abrupt crash is {@code CrashRecoverySystemTest}'s {@code kill -9}), the rest while Streams is down;
 * after the restart each burst must give exactly one alert (one id, growing count) and every event must be on
 * {@code airlock.events} exactly once.
 */
@ExtendWith(RealComponents.class)
class DetectionRestartEndToEndTest {

    private static final String HARVESTER = "token-harvester";
    private static final int HALF = 12;

    @Test
    @SuppressWarnings("try") // the ingest stage only has to run, and be closed, while the Streams app restarts
    void shouldRaiseEachAlertExactlyOnceWhenTheStreamsAppRestartsMidBurst(EmbeddedPostgres postgres, EmbeddedKafka kafka,
            @TempDir Path stateDir, @TempDir Path vaultDir) throws Exception {
        String name = RealComponents.uniqueName("restart");
        var airflow = AirflowDatabase.create(postgres, name, AirflowSchema.V2_10);
        airflow.createUser("alice", "alice@example.com"); // before capture starts: a snapshot row, not a new account

        var topics = new Topics(name);
        kafka.createTopics(1, topics.all().toArray(String[]::new));
        Path auditFile = Files.createFile(CaptureAndDetectSettings.auditFile(vaultDir));
        var settings = CaptureAndDetectSettings.of(postgres, name, kafka, topics, stateDir, vaultDir);
        var vault = new VaultAuditWriter(auditFile);
        String identity = StableIds.of("entity", HARVESTER); // VaultAuditWriter's entity_id: what vault.identity is

        Pipeline streams = new Pipeline(settings).start(EnumSet.of(Stage.STREAMS));
        try (var ingest = new Pipeline(settings).start(EnumSet.of(Stage.INGEST))) {
            await().atMost(ofSeconds(60)).until(() -> streams.streamsState() == KafkaStreams.State.RUNNING);

            // First half of both bursts, processed by the first Streams instance.
            for (int i = 0; i < 3; i++) {
                airflow.failedLogin("alice");
            }
            for (int i = 1; i <= HALF; i++) {
                vault.read(Instant.now(), HARVESTER, "secret", "team/app-%02d".formatted(i), false, Map.of());
            }
            await().atMost(ofSeconds(60)).untilAsserted(() -> {
                List<JsonNode> events = events(kafka, topics);
                assertThat(failedLogins(events)).hasSize(3);
                assertThat(vaultEvents(events)).hasSize(2 * HALF); // request + response line per read
            });
            // The rules read these events back from events, in later transactions than the ones that wrote them: an alert
            // they caused need not be on alerts yet. Under exactly-once the Streams app commits its offset on events in the
            // transaction of the alerts processing them produced (AL-001 and AL-021 read events directly, and a new alert goes
            // out at once), so once that offset is past the last of them, any such alert would be committed.
            long lastEvent = kafka.readAll(topics.events()).stream().mapToLong(ConsumerRecord::offset).max().orElseThrow();
            await().atMost(ofSeconds(60)).until(() -> rulesConsumed(kafka, topics) > lastEvent);
            assertThat(kafka.readAll(topics.alerts())).as("no alert below the thresholds").isEmpty();

            // Second half: the first part written while Streams runs and closed under it, mid-burst; the rest while it is
            // down (capture keeps putting it into Kafka).
            airflow.failedLogin("alice");
            for (int i = HALF + 1; i <= HALF + HALF / 2; i++) {
                vault.read(Instant.now(), HARVESTER, "secret", "team/app-%02d".formatted(i), false, Map.of());
            }
            streams.close();
            assertThat(streams.streamsState()).isIn(KafkaStreams.State.NOT_RUNNING, KafkaStreams.State.PENDING_SHUTDOWN);
            for (int i = 0; i < 2; i++) {
                airflow.failedLogin("alice");
            }
            for (int i = HALF + HALF / 2 + 1; i <= 2 * HALF; i++) {
                vault.read(Instant.now(), HARVESTER, "secret", "team/app-%02d".formatted(i), false, Map.of());
            }
            await().atMost(ofSeconds(60)).untilAsserted(() -> {
                assertThat(kafka.readAll(topics.vaultAudit())).as("Vault audit lines captured").hasSize(4 * HALF);
                assertThat(kafka.readAll(topics.cdc("ab_user"))).as("ab_user updates captured")
                        .filteredOn(r -> r.value() != null && "u".equals(Json.tree(r.value()).path("op").asText())).hasSize(6);
            });

            try (var restarted = new Pipeline(settings).start(EnumSet.of(Stage.STREAMS))) {
                // The closed instance left its consumer group (Pipeline closes Streams with LEAVE_GROUP), so the new one gets
                // the tasks at once instead of after the old member's 45 s session timeout.
                await().atMost(ofSeconds(60)).untilAsserted(() -> {
                    Map<String, List<JsonNode>> byId = alertsById(kafka, topics);
                    assertThat(byId).hasSize(2);
                    assertThat(latestOf(byId, "AL-001").get("count").asLong()).isEqualTo(6);
                    assertThat(latestOf(byId, "AL-021").get("count").asLong()).isEqualTo(2 * HALF);
                    List<JsonNode> events = events(kafka, topics);
                    assertThat(failedLogins(events)).hasSize(6);
                    assertThat(vaultEvents(events)).hasSize(4 * HALF);
                });
                // ... and it stays that way: no late duplicate, no second alert for the same burst.
                await().during(ofSeconds(3)).atMost(ofSeconds(10)).untilAsserted(() -> assertThat(alertsById(kafka, topics)).hasSize(2));

                Map<String, List<JsonNode>> byId = alertsById(kafka, topics);
                List<JsonNode> loginBurst = updatesOf(byId, "AL-001");
                assertThat(loginBurst).allSatisfy(a -> assertThat(a.get("entity").asText()).isEqualTo("alice"));
                // The alert goes out at its threshold; later growth is coalesced (one update per flush), so which counts appear
                // in between depends on timing — but they only grow, and none repeats.
                assertThat(loginBurst).extracting(a -> a.get("count").asLong()).as("alert at the threshold, then growing, none repeated")
                        .startsWith(5L).endsWith(6L).isSorted().doesNotHaveDuplicates();
                assertThat(latestOf(byId, "AL-001").get("evidence")).hasSize(6);
                List<JsonNode> harvest = updatesOf(byId, "AL-021");
                assertThat(harvest).allSatisfy(a -> assertThat(a.get("entity").asText()).isEqualTo(identity));
                assertThat(harvest).extracting(a -> a.get("count").asLong()).as("alert at the threshold, then growing, none repeated")
                        .startsWith(20L).endsWith(24L).isSorted().doesNotHaveDuplicates();

                List<ConsumerRecord<String, String>> eventRecords = kafka.readAll(topics.events());
                Set<String> eventIds = eventRecords.stream().map(r -> Json.tree(r.value()).get("event.id").asText())
                        .collect(Collectors.toSet());
                assertThat(eventIds).as("every event exactly once on " + topics.events()).hasSize(eventRecords.size());
                assertThat(restarted.streamsState()).isEqualTo(KafkaStreams.State.RUNNING);
            }
        } finally {
            streams.close();
        }
    }

    /** The offset the Streams app has committed on {@code events} (one partition), the next one its rules will process. */
    private static long rulesConsumed(EmbeddedKafka kafka, Topics topics) {
        return kafka.committedOffsets(StreamsSettings.applicationId(topics), List.of(topics.events()))
                .getOrDefault(new TopicPartition(topics.events(), 0), 0L);
    }

    private static List<JsonNode> events(EmbeddedKafka kafka, Topics topics) {
        return kafka.readAll(topics.events()).stream().map(r -> Json.tree(r.value())).toList();
    }

    private static List<JsonNode> failedLogins(List<JsonNode> events) {
        return events.stream().filter(e -> NormalizedEvent.DATASET_AB_USER.equals(e.path("event.dataset").asText())
                && NormalizedEvent.OUTCOME_FAILURE.equals(e.path("event.outcome").asText())
                && "alice".equals(e.path("user.name").asText())).toList();
    }

    private static List<JsonNode> vaultEvents(List<JsonNode> events) {
        return events.stream().filter(e -> NormalizedEvent.DATASET_VAULT.equals(e.path("event.dataset").asText())).toList();
    }

    /** Every alert update on the alerts topic, in topic order, grouped by {@code alert.id}. */
    private static Map<String, List<JsonNode>> alertsById(EmbeddedKafka kafka, Topics topics) {
        return kafka.readAll(topics.alerts()).stream().map(r -> {
            JsonNode alert = Json.tree(r.value());
            assertThat(r.key()).as("alerts are keyed by alert id").isEqualTo(alert.get("alert.id").asText());
            return alert;
        }).collect(Collectors.groupingBy(a -> a.get("alert.id").asText(), LinkedHashMap::new, Collectors.toList()));
    }

    /** The updates of the one alert of {@code ruleId}; fails if the rule has no alert or more than one alert id. */
    private static List<JsonNode> updatesOf(Map<String, List<JsonNode>> byId, String ruleId) {
        List<List<JsonNode>> ofRule = byId.values().stream().filter(u -> ruleId.equals(u.get(0).get("rule.id").asText())).toList();
        assertThat(ofRule).as("alert ids of " + ruleId).hasSize(1);
        List<JsonNode> updates = ofRule.get(0);
        assertThat(updates).as("every update of one alert has its rule").allSatisfy(a -> assertThat(a.get("rule.id").asText())
                .isEqualTo(ruleId));
        return updates;
    }

    private static JsonNode latestOf(Map<String, List<JsonNode>> byId, String ruleId) {
        List<JsonNode> updates = updatesOf(byId, ruleId);
        return updates.get(updates.size() - 1);
    }
}
