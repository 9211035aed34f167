package io.airlock.app;

import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.core.Json;
import io.airlock.core.Topics;
import io.airlock.embedded.AirflowDatabase;
import io.airlock.embedded.AirflowSchema;
import io.airlock.embedded.EmbeddedKafka;
import io.airlock.embedded.EmbeddedPostgres;
import io.airlock.embedded.RealComponents;
import io.airlock.streams.detect.SecretReadOutsideRunsRule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Airlock's first start against an Airflow that has been running for a while: the Vault audit file already holds reads by
 * Airflow's workers made during a DAG run that only the CDC snapshot of {@code dag_run} tells about. Detection is already
 * running when the ingest stage starts (the case where it would see the backlog first): AL-022 must judge those reads
 * against the snapshot's run, so the ingest stage reads the audit file only once the snapshot is in Kafka.
 */
@ExtendWith(RealComponents.class)
class FirstStartVaultBacklogTest {

    private static final String WORKER = "kubernetes-airflow-worker";

    @Test
    void shouldJudgeTheAuditBacklogOfAFirstStartAgainstTheRunsOfTheSnapshot(EmbeddedPostgres postgres, EmbeddedKafka kafka,
            @TempDir Path stateDir, @TempDir Path vaultDir) throws Exception {
        String name = RealComponents.uniqueName("first-start");
        var airflow = AirflowDatabase.create(postgres, name, AirflowSchema.V2_10);
        airflow.bulkAuditLog(50_000); // a busy Airflow's audit log: its snapshot takes a few seconds
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        airflow.dagRun("nightly", "scheduled__first-start", "scheduled", "success", now.minus(Duration.ofMinutes(60)),
                now.minus(Duration.ofMinutes(30)));

        var topics = new Topics(name);
        kafka.createTopics(1, topics.all().toArray(String[]::new));
        var vault = new VaultAuditWriter(Files.createFile(CaptureAndDetectSettings.auditFile(vaultDir)));
        vault.read(now.minus(Duration.ofMinutes(45)), WORKER, "airflow", "connections/during-the-run", false, Map.of());
        vault.read(now.minus(Duration.ofMinutes(10)), WORKER, "airflow", "connections/after-the-run", false, Map.of());
        // someone else's read, now: moves event time past both reads and AL-022's grace, so both are judged
        vault.read(now, "alice", "secret", "team/notes", false, Map.of());
        var settings = CaptureAndDetectSettings.of(postgres, name, kafka, topics, stateDir, vaultDir);

        try (var detection = new Pipeline(settings).start(EnumSet.of(Stage.STREAMS))) {
            await().atMost(ofSeconds(60)).until(() -> detection.streamsState() == KafkaStreams.State.RUNNING);
            try (var ingest = new Pipeline(settings).start(EnumSet.of(Stage.INGEST))) {
                await().atMost(ofSeconds(90)).untilAsserted(() -> {
                    List<String> afterTheRun = eventIdsOfPath(kafka, topics, "after-the-run");
                    assertThat(afterTheRun).as("the read after the run is on events").isNotEmpty();
                    assertThat(outsideRunsEvidence(kafka, topics)).as("and is reported (request and response: one read, one of them as evidence)")
                            .containsAnyElementsOf(afterTheRun);
                });

                assertThat(eventIdsOfPath(kafka, topics, "during-the-run")).as("the read during the run is on events").isNotEmpty()
                        .as("and was not reported: the snapshot's run was known when it was judged")
                        .doesNotContainAnyElementsOf(outsideRunsEvidence(kafka, topics));
                assertThat(kafka.readAll(topics.vaultAudit())).as("every audit line captured once").hasSize(6);
            }
        }
    }

    /** The evidence (event ids) of every AL-022 alert update on the alerts topic. */
    private static Set<String> outsideRunsEvidence(EmbeddedKafka kafka, Topics topics) {
        return kafka.readAll(topics.alerts()).stream().map(r -> Json.tree(r.value()))
                .filter(a -> SecretReadOutsideRunsRule.RULE.id().equals(a.path("rule.id").asText()))
                .flatMap(a -> stream(a.path("evidence"))).collect(Collectors.toSet());
    }

    private static List<String> eventIdsOfPath(EmbeddedKafka kafka, Topics topics, String pathEnd) {
        return kafka.readAll(topics.events()).stream().map(r -> Json.tree(r.value()))
                .filter(e -> e.path("vault.path").asText().endsWith(pathEnd)).map(e -> e.get("event.id").asText()).toList();
    }

    private static java.util.stream.Stream<String> stream(JsonNode array) {
        return java.util.stream.StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText);
    }
}
