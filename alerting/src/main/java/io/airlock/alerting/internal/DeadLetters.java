package io.airlock.alerting.internal;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.airlock.alerting.DeliveryException;
import io.airlock.core.Json;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes records that can never be delivered to the dead-letter topic, keyed by the source key, and waits for Kafka's
 * acknowledgement before the source offsets may be committed. The value has the same shape as the streams stage's
 * dead letters: {@code source_topic, partition, offset, stage, reason, key, value} ({@code value_base64} instead of
 * {@code value} when the bytes are not UTF-8).
 */
public final class DeadLetters {

    private static final Logger log = LoggerFactory.getLogger(DeadLetters.class);
    static final String STAGE = "alerting";

    /** The dead-letter value. */
    public record DeadLetter(
            @JsonProperty("source_topic") String sourceTopic,
            @JsonProperty("partition") int partition,
            @JsonProperty("offset") long offset,
            @JsonProperty("stage") String stage,
            @JsonProperty("reason") String reason,
            @JsonProperty("key") String key,
            @JsonProperty("value") String value,
            @JsonProperty("value_base64") String valueBase64) {
    }

    private final Producer<byte[], byte[]> producer;
    private final String topic;
    private final List<Future<RecordMetadata>> pending = new ArrayList<>();

    public DeadLetters(Producer<byte[], byte[]> producer, String topic) {
        this.producer = producer;
        this.topic = topic;
    }

    /**
     * Sends one record to the dead-letter topic (acknowledged by {@link #awaitAcknowledged()}).
     *
     * @param kind   short category for the log line ({@code malformed}, {@code opensearch-rejected}); the reason itself
     *               can quote the payload, so it goes only into the dead letter
     * @param reason why the record can never be delivered
     */
    public void send(ConsumerRecord<byte[], byte[]> record, String kind, String reason) {
        String text = utf8OrNull(record.value());
        DeadLetter letter = new DeadLetter(record.topic(), record.partition(), record.offset(), STAGE, reason,
                record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8), text,
                text == null && record.value() != null ? Base64.getEncoder().encodeToString(record.value()) : null);
        log.warn("dead-lettering {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), kind);
        pending.add(producer.send(new ProducerRecord<>(topic, null, record.key(), Json.write(letter))));
    }

    /** Waits until Kafka acknowledged every dead letter sent since the last call. */
    public void awaitAcknowledged() throws DeliveryException {
        if (pending.isEmpty()) {
            return;
        }
        producer.flush();
        try {
            for (Future<RecordMetadata> f : pending) {
                f.get();
            }
        } catch (ExecutionException e) {
            throw new DeliveryException("dead-letter topic " + topic + " did not acknowledge: "
                    + e.getCause().getClass().getSimpleName(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeliveryException("interrupted while waiting for the dead-letter topic");
        } finally {
            pending.clear();
        }
    }

    private static String utf8OrNull(byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
