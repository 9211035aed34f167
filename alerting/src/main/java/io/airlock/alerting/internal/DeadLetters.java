package io.airlock.alerting.internal;

import io.airlock.alerting.DeliveryException;
import io.airlock.core.DeadLetter;
import io.airlock.core.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
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
        DeadLetter letter = DeadLetter.of(record.topic(), record.partition(), record.offset(), STAGE, reason, record.key(),
                record.value());
        log.warn("dead-lettering {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), kind);
        pending.add(producer.send(new ProducerRecord<>(topic, null, record.key(), Json.write(letter))));
    }

    /**
     * Sends one record to the dead-letter topic and waits for Kafka's acknowledgement. Unlike {@link #send}, safe to call
     * from several threads (each waits for its own letter only).
     *
     * @throws DeliveryException if Kafka did not acknowledge it (the caller tries again later)
     */
    public void sendNow(ConsumerRecord<byte[], byte[]> record, String kind, String reason) throws DeliveryException {
        DeadLetter letter = DeadLetter.of(record.topic(), record.partition(), record.offset(), STAGE, reason, record.key(),
                record.value());
        log.warn("dead-lettering {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), kind);
        try {
            producer.send(new ProducerRecord<>(topic, null, record.key(), Json.write(letter))).get();
        } catch (KafkaException e) {
            throw new DeliveryException("dead-letter topic " + topic + " refused the letter: " + e.getClass().getSimpleName(), e);
        } catch (ExecutionException e) {
            throw new DeliveryException("dead-letter topic " + topic + " did not acknowledge: "
                    + e.getCause().getClass().getSimpleName(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeliveryException("interrupted while waiting for the dead-letter topic");
        }
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

}
