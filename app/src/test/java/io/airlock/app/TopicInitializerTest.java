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

    /**
     * A first start on three weeks of Vault history: a topic whose retention is shorter than twice the 3 days Airlock stamps
     * records of history back deletes them before they are read. The start says which topic and which setting to raise.
     */
    @Test
    void shouldWarnOnceOfATopicWhoseRetentionIsShorterThanTwiceTheRecordTimeFloor(EmbeddedKafka kafka) {
        var topics = new Topics("topic-initializer-retention");
        kafka.createTopics(1, java.util.Map.of("retention.ms", Long.toString(java.time.Duration.ofDays(1).toMillis())),
                topics.vaultAudit());
        var logged = new ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent>();
        logged.start();
        var logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(TopicInitializer.class);
        logger.addAppender(logged);
        try {
            TopicInitializer.ensureTopics(kafka.bootstrapServers(), KafkaSecurity.PLAINTEXT, topics, 1, 1);
        } finally {
            logger.detachAppender(logged);
        }

        assertThat(logged.list).filteredOn(e -> e.getLevel() == ch.qos.logback.classic.Level.WARN)
                .extracting(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage).singleElement()
                .satisfies(m -> assertThat(m).contains(topics.vaultAudit(), "retention.ms=86400000", "at least 518400000"));
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
