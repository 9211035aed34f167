package io.airlock.alerting.internal;

import io.airlock.alerting.DeliveryException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;

/**
 * Writes that delivery must see acknowledged before it moves on (dead letters, delivery state), with every way Kafka can
 * fail them worded the same: as a {@link DeliveryException} naming the topic and what was written, never the payload.
 *
 * @param producer the producer to send with
 * @param topic    where the records go
 * @param purpose  what the topic is for, as in {@code "dead-letter"} ("dead-letter topic airlock.dlq refused …")
 * @param item     what one record is, as in {@code "letter"}
 * @param timeout  how long to wait for an acknowledgement; null waits as long as the producer's own timeouts allow
 */
record AcknowledgedSends(Producer<byte[], byte[]> producer, String topic, String purpose, String item, Duration timeout) {

    /** Sends the record and waits for Kafka's acknowledgement. */
    void sendAndAwait(ProducerRecord<byte[], byte[]> record) throws DeliveryException {
        Future<RecordMetadata> ack;
        try {
            ack = producer.send(record);
        } catch (KafkaException e) {
            throw new DeliveryException(name() + " refused the " + item + ": " + e.getClass().getSimpleName(), e);
        }
        await(ack);
    }

    /** Waits for the acknowledgement of a record sent earlier. */
    void await(Future<RecordMetadata> ack) throws DeliveryException {
        try {
            if (timeout == null) {
                ack.get();
            } else {
                ack.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (ExecutionException e) {
            throw new DeliveryException(name() + " did not acknowledge: " + e.getCause().getClass().getSimpleName(), e.getCause());
        } catch (TimeoutException e) {
            throw new DeliveryException(name() + " did not acknowledge within " + timeout.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeliveryException("interrupted while waiting for the " + purpose + " topic");
        }
    }

    private String name() {
        return purpose + " topic " + topic;
    }
}
