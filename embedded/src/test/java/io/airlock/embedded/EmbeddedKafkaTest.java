package io.airlock.embedded;

import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(RealComponents.class)
class EmbeddedKafkaTest {

    @Test
    void shouldConsumeExactlyTheThreeProducedRecords(EmbeddedKafka kafka) throws Exception {
        String topic = RealComponents.uniqueName("events");
        kafka.createTopics(1, topic);

        try (var producer = producer(kafka, Map.of())) {
            for (int i = 1; i <= 3; i++) {
                producer.send(new ProducerRecord<>(topic, "key-" + i, "value-" + i)).get();
            }
        }

        assertThat(consumeAll(kafka, topic, "read_uncommitted", 3))
                .extracting(ConsumerRecord::key, ConsumerRecord::value)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("key-1", "value-1"),
                        org.assertj.core.groups.Tuple.tuple("key-2", "value-2"),
                        org.assertj.core.groups.Tuple.tuple("key-3", "value-3"));
    }

    @Test
    void shouldShowCommittedAndHideAbortedTransactionsToReadCommittedConsumers(EmbeddedKafka kafka) throws Exception {
        String topic = RealComponents.uniqueName("alerts");
        kafka.createTopics(1, topic);

        try (var producer = producer(kafka, Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, RealComponents.uniqueName("tx")))) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "a", "aborted"));
            producer.abortTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "c1", "committed-1"));
            producer.send(new ProducerRecord<>(topic, "c2", "committed-2"));
            producer.commitTransaction();
        }

        assertThat(consumeAll(kafka, topic, "read_committed", 2))
                .extracting(ConsumerRecord::value)
                .containsExactly("committed-1", "committed-2");
    }

    @Test
    void shouldCreateTopicsIdempotently(EmbeddedKafka kafka) throws ExecutionException, InterruptedException {
        String topic = RealComponents.uniqueName("dlq");
        kafka.createTopics(3, topic);
        kafka.createTopics(3, topic);

        try (Admin admin = kafka.admin()) {
            var description = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
            assertThat(description.partitions()).hasSize(3);
            assertThat(description.partitions().get(0).replicas()).hasSize(1);
        }
    }

    @Test
    void shouldNotAutoCreateTopicsOnProduce(EmbeddedKafka kafka) throws ExecutionException, InterruptedException {
        String topic = RealComponents.uniqueName("missing");

        try (var producer = producer(kafka, Map.of(ProducerConfig.MAX_BLOCK_MS_CONFIG, 1000))) {
            assertThatThrownBy(() -> producer.send(new ProducerRecord<>(topic, "k", "v")).get())
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(org.apache.kafka.common.errors.TimeoutException.class)
                    .hasMessageContaining("not present in metadata");
        }
        try (Admin admin = kafka.admin()) {
            assertThat(admin.listTopics().names().get()).doesNotContain(topic);
        }
    }

    private static KafkaProducer<String, String> producer(EmbeddedKafka kafka, Map<String, Object> extra) {
        Map<String, Object> config = new java.util.HashMap<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true));
        config.putAll(extra);
        return new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
    }

    private static List<ConsumerRecord<String, String>> consumeAll(EmbeddedKafka kafka, String topic, String isolation,
            int expected) {
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(Map.<String, Object>of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, RealComponents.uniqueName("group"),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation), new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            await().atMost(ofSeconds(30)).untilAsserted(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                assertThat(records).hasSizeGreaterThanOrEqualTo(expected);
            });
            // one more poll: nothing beyond the expected records may arrive
            consumer.poll(Duration.ofMillis(500)).forEach(records::add);
        }
        return records;
    }
}
