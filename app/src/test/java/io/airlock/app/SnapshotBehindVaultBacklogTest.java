package io.airlock.app;

import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.airlock.core.Json;
import io.airlock.core.Topics;
import io.airlock.embedded.EmbeddedKafka;
import io.airlock.embedded.RealComponents;
import io.airlock.streams.AirlockTopology;
import io.airlock.streams.DagRunRow;
import io.airlock.streams.DetectionConfig;
import io.airlock.streams.StreamsSettings;
import io.airlock.streams.VaultOperation;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Vault audit backlog and a later CDC snapshot of {@code dag_run}, both already in Kafka when detection starts — a first
 * start of {@code --only streams} after the ingest stage, or a restart after an outage. The snapshot row carries the
 * snapshot's time as record timestamp; the reads happened during the run it describes, hours earlier. AL-022 must know the
 * run before it judges those reads.
 */
@ExtendWith(RealComponents.class)
class SnapshotBehindVaultBacklogTest {

    private static final Instant SNAPSHOT = Instant.parse("2026-03-02T12:00:00Z");

    @Test
    void shouldJudgeBacklogReadsAgainstTheRunsOfALaterSnapshot(EmbeddedKafka kafka, @TempDir Path stateDir) throws Exception {
        var topics = new Topics(RealComponents.uniqueName("snapshot-order"));
        kafka.createTopics(1, topics.all().toArray(String[]::new));
        Instant start = SNAPSHOT.minus(Duration.ofHours(3));
        var run = DagRunRow.airflow3(8001, "nightly", "scheduled__1").state("success").queuedAt(start).startDate(start.plusSeconds(5))
                .endDate(start.plus(Duration.ofMinutes(20)));
        try (var producer = new KafkaProducer<>(Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                new StringSerializer(), new StringSerializer())) {
            int n = 0;
            // during the run, two hours after it, and one line at the snapshot's time that moves event time past both
            for (Instant at : List.of(start.plus(Duration.ofMinutes(10)), start.plus(Duration.ofHours(2)), SNAPSHOT)) {
                VaultOperation read = n < 2
                        ? VaultOperation.read("airflow/data/connections/conn-" + n).by("kubernetes-airflow-worker", "ent-airflow")
                        : VaultOperation.read("secret/data/team/notes").by("alice", "ent-alice");
                read = read.at(at).requestId("req-" + n++);
                for (var line : List.of(read.requestLine(), read.responseLine())) {
                    producer.send(new ProducerRecord<>(topics.vaultAudit(), null, at.toEpochMilli(), line.key(), line.json())).get();
                }
            }
            // the capture stamps a snapshot row with source.ts_ms: the snapshot's time
            producer.send(new ProducerRecord<>(topics.cdc("dag_run"), null, SNAPSHOT.toEpochMilli(), "{\"id\":8001}",
                    run.change("r", SNAPSHOT, null))).get();
        }

        var streams = new KafkaStreams(AirlockTopology.build(DetectionConfig.defaults(), topics),
                StreamsSettings.of(kafka.bootstrapServers(), topics, stateDir, 1));
        try {
            streams.start();
            // the read two hours after the run is decided after the one during it (event-time order, one task): once its
            // alert is out, a verdict on the earlier read would be out too
            await().atMost(ofSeconds(90)).untilAsserted(() -> assertThat(al022Summaries(kafka, topics))
                    .anySatisfy(summary -> assertThat(summary).contains("conn-1")));
            assertThat(al022Summaries(kafka, topics)).as("the read during the run is inside it").noneMatch(s -> s.contains("conn-0"));
        } finally {
            streams.close(Duration.ofSeconds(30));
        }
    }

    private static List<String> al022Summaries(EmbeddedKafka kafka, Topics topics) {
        return kafka.readAll(topics.alerts()).stream().map(r -> Json.tree(r.value()))
                .filter(alert -> "AL-022".equals(alert.path("rule.id").asText()))
                .map(alert -> alert.path("summary").asText()).toList();
    }
}
