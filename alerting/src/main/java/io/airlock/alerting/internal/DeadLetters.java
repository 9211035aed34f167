package io.airlock.alerting.internal;

import io.airlock.alerting.DeliveryException;
import io.airlock.core.DeadLetter;
import io.airlock.core.Json;
import java.util.ArrayList;
import java.util.List;
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


    private final Producer<byte[], byte[]> producer;
    private final AcknowledgedSends acknowledged;
    private final List<Future<RecordMetadata>> pending = new ArrayList<>();

    public DeadLetters(Producer<byte[], byte[]> producer, String topic) {
        this.producer = producer;
        this.acknowledged = new AcknowledgedSends(producer, topic, "dead-letter", "letter", null);
    }

    /**
     * Sends one record to the dead-letter topic (acknowledged by {@link #awaitAcknowledged()}).
     *
     * @param kind   short category for the log line ({@code malformed}, {@code opensearch-rejected}); the reason itself
     *               can quote the payload, so it goes only into the dead letter
     * @param reason why the record can never be delivered
     */
    public void send(ConsumerRecord<byte[], byte[]> record, String kind, String reason) {
        pending.add(producer.send(letter(record, kind, reason)));
    }

    /**
     * Sends one record to the dead-letter topic and waits for Kafka's acknowledgement. Unlike {@link #send}, safe to call
     * from several threads (each waits for its own letter only).
     *
     * @throws DeliveryException if Kafka did not acknowledge it (the caller tries again later)
     */
    public void sendNow(ConsumerRecord<byte[], byte[]> record, String kind, String reason) throws DeliveryException {
        acknowledged.sendAndAwait(letter(record, kind, reason));
    }

    /** Waits until Kafka acknowledged every dead letter sent since the last call. */
    public void awaitAcknowledged() throws DeliveryException {
        if (pending.isEmpty()) {
            return;
        }
        producer.flush();
        try {
            for (Future<RecordMetadata> f : pending) {
                acknowledged.await(f);
            }
        } finally {
            pending.clear();
        }
    }

    /** The dead letter of {@code record}, logged by position and {@code kind} only (the reason may quote the payload). */
    private ProducerRecord<byte[], byte[]> letter(ConsumerRecord<byte[], byte[]> record, String kind, String reason) {
        DeadLetter letter = DeadLetter.of(record.topic(), record.partition(), record.offset(), STAGE, reason, record.key(),
                record.value());
        log.warn("dead-lettering {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), kind);
        return new ProducerRecord<>(acknowledged.topic(), null, record.key(), Json.write(letter));
    }

}
