package io.airlock.ingest.vault;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.core.Json;
import io.airlock.core.RecordTimes;
import io.airlock.core.Topics;
import io.airlock.embedded.EmbeddedKafka;
import io.airlock.embedded.RealComponents;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Fresh topics for one test and exact reads of everything on them (up to the end offsets at the time of reading). */
final class VaultTopics {

    final Topics topics;
    private final EmbeddedKafka kafka;

    VaultTopics(EmbeddedKafka kafka) {
        this.kafka = kafka;
        this.topics = new Topics(RealComponents.uniqueName("vault"));
        // Audit lines carry their own (possibly old) time as record timestamp: keep them regardless of time-based retention.
        kafka.createTopics(1, Map.of("retention.ms", "-1"), topics.all().toArray(String[]::new));
    }

    List<ConsumerRecord<String, String>> audit() {
        return readAll(topics.vaultAudit());
    }

    List<ConsumerRecord<String, String>> dlq() {
        return readAll(topics.dlq());
    }

    List<JsonNode> deadLetters() {
        return dlq().stream().map(r -> Json.tree(r.value())).toList();
    }

    List<String> auditKeys() {
        return audit().stream().map(ConsumerRecord::key).toList();
    }

    /** The time a record counts at: its {@link RecordTimes#TRUE_TIME_HEADER} if the capture raised its timestamp. */
    static long trueTime(ConsumerRecord<?, ?> record) {
        var header = record.headers().lastHeader(RecordTimes.TRUE_TIME_HEADER);
        return header == null ? record.timestamp() : java.nio.ByteBuffer.wrap(header.value()).getLong();
    }

    private List<ConsumerRecord<String, String>> readAll(String topic) {
        return kafka.readAll(topic);
    }
}
