package io.airlock.alerting;

import io.airlock.core.Json;
import io.airlock.embedded.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Producing to, reading from and inspecting the embedded broker. */
final class KafkaFixtures {

    private KafkaFixtures() {
    }

    static Map<String, Object> loopConfig(EmbeddedKafka kafka, String groupId) {
        return Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, groupId);
    }

    static void produce(EmbeddedKafka kafka, String topic, List<Map.Entry<String, byte[]>> records) throws Exception {
        try (var producer = new KafkaProducer<byte[], byte[]>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (var record : records) {
                producer.send(new ProducerRecord<>(topic, record.getKey().getBytes(StandardCharsets.UTF_8), record.getValue())).get();
            }
        }
    }

    static Map.Entry<String, byte[]> json(String key, Object value) {
        return Map.entry(key, Json.write(value));
    }

    static Map.Entry<String, byte[]> raw(String key, String value) {
        return Map.entry(key, value.getBytes(StandardCharsets.UTF_8));
    }

    /** Everything on partition 0 of a topic so far (read_committed). */
    static List<ConsumerRecord<byte[], byte[]>> readAll(EmbeddedKafka kafka, String topic) {
        try (var consumer = new KafkaConsumer<byte[], byte[]>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
            while (consumer.position(tp) < end) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            return records;
        }
    }

    /** The committed offset of a group on partition 0, or -1. */
    static long committed(EmbeddedKafka kafka, String groupId, String topic) throws Exception {
        try (Admin admin = kafka.admin()) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(groupId)
                    .partitionsToOffsetAndMetadata().get();
            OffsetAndMetadata offset = offsets.get(new TopicPartition(topic, 0));
            return offset == null ? -1 : offset.offset();
        }
    }

    static Set<String> keys(List<ConsumerRecord<byte[], byte[]>> records) {
        Set<String> keys = new java.util.LinkedHashSet<>();
        records.forEach(r -> keys.add(new String(r.key(), StandardCharsets.UTF_8)));
        return keys;
    }
}
