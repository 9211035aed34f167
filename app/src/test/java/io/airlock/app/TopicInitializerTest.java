package io.airlock.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.core.KafkaSecurity;
import io.airlock.core.Topics;
import io.airlock.embedded.EmbeddedKafka;
import io.airlock.embedded.RealComponents;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What detection is told about its input: the most partitions of any input topic, the normalization tasks there will be. */
@ExtendWith(RealComponents.class)
class TopicInitializerTest {

    @Test
    void shouldCountThePartitionsOfTheWidestInputTopic(EmbeddedKafka kafka) {
        var topics = new Topics("topic-initializer-widest");
        kafka.createTopics(2, topics.cdc("log"), topics.cdc("dag_run"));
        kafka.createTopics(3, topics.vaultAudit());
        kafka.createTopics(6, topics.events()); // not an input: written by the normalizers

        assertThat(TopicInitializer.inputPartitions(kafka.bootstrapServers(), KafkaSecurity.PLAINTEXT, topics)).hasValue(3);
    }

    @Test
    void shouldSayNothingBeforeAnyInputTopicExists(EmbeddedKafka kafka) {
        var topics = new Topics("topic-initializer-none");

        assertThat(TopicInitializer.inputPartitions(kafka.bootstrapServers(), KafkaSecurity.PLAINTEXT, topics)).isEmpty();

        TopicInitializer.ensureTopics(kafka.bootstrapServers(), KafkaSecurity.PLAINTEXT, topics, 4, 1);
        assertThat(TopicInitializer.inputPartitions(kafka.bootstrapServers(), KafkaSecurity.PLAINTEXT, topics)).hasValue(4);
    }

    @org.junit.jupiter.api.Test
    void shouldSayInPlainWordsThatKafkaDidNotAnswer() {
        var timedOut = new java.util.concurrent.ExecutionException(
                new org.apache.kafka.common.errors.TimeoutException("Timed out waiting for a node assignment. Call: listTopics"));

        assertThat(TopicInitializer.failure("create Airlock's topics", "kafka-1:9092", timedOut).getMessage())
                .isEqualTo("Kafka at kafka-1:9092 did not answer within 30 s: is kafka.bootstrap-servers right, and the broker up and "
                        + "reachable from here?");
    }
}
