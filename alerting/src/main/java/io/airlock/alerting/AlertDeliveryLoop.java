package io.airlock.alerting;

import io.airlock.alerting.internal.DeadLetters;
import io.airlock.alerting.internal.KafkaDeliveryLoop;
import io.airlock.core.Alert;
import io.airlock.core.IndexNames;
import io.airlock.core.Json;
import io.airlock.core.MalformedRecordException;
import io.airlock.core.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers alerts from {@code <prefix>.alerts}: indexes each into {@code <prefix>-alerts} ({@code _id} = alert id, so an
 * update overwrites), then notifies through the {@link AlertRouter}. Offsets are committed only once the batch is
 * indexed and every due notification is confirmed, or permanently refused and dead-lettered. While OpenSearch or a
 * webhook is unavailable nothing is committed and the batch is retried; channels that already accepted an alert are
 * not notified again. An OpenSearch outage does not hold back notifications: people are told at once, and the
 * documents follow when OpenSearch is back. Run it on its own thread; {@link #close()} stops it.
 */
public final class AlertDeliveryLoop extends KafkaDeliveryLoop {

    private static final Logger log = LoggerFactory.getLogger(AlertDeliveryLoop.class);

    private final IndexNames names;
    private final DocumentIndexer indexer;
    private final AlertRouter router;

    /**
     * @param kafkaConfig Kafka client settings with at least {@code bootstrap.servers} and {@code group.id}
     */
    public AlertDeliveryLoop(Map<String, Object> kafkaConfig, Topics topics, IndexNames names, DocumentIndexer indexer,
                             AlertRouter router, RetryPolicy backoff) {
        this(newConsumer(kafkaConfig), newDeadLetterProducer(kafkaConfig), topics, names, indexer, router, backoff);
    }

    /** A loop over given clients (it closes them); for tests with {@code MockConsumer}. */
    public AlertDeliveryLoop(Consumer<byte[], byte[]> consumer, Producer<byte[], byte[]> dlqProducer, Topics topics,
                             IndexNames names, DocumentIndexer indexer, AlertRouter router, RetryPolicy backoff) {
        super("alert-delivery", consumer, dlqProducer, topics.alerts(), topics.dlq(), backoff);
        this.names = names;
        this.indexer = indexer;
        this.router = router;
    }

    @Override
    protected void deliver(List<ConsumerRecord<byte[], byte[]>> records, DeadLetters deadLetters) throws DeliveryException {
        List<ConsumerRecord<byte[], byte[]>> parsed = new ArrayList<>(records.size());
        List<Alert> alerts = new ArrayList<>(records.size());
        List<IndexItem> items = new ArrayList<>(records.size());
        for (ConsumerRecord<byte[], byte[]> record : records) {
            try {
                if (record.value() == null) {
                    throw new MalformedRecordException("empty value (tombstone)");
                }
                Alert alert = Json.read(record.value(), Alert.class);
                parsed.add(record);
                alerts.add(alert);
                items.add(IndexItem.alert(names, alert));
            } catch (MalformedRecordException e) {
                deadLetters.send(record, "malformed", e.getMessage());
            }
        }
        if (alerts.isEmpty()) {
            return;
        }
        // 1. OpenSearch (SOC view); a refused document is dead-lettered, but people are still told
        DeliveryException openSearchDown = null;
        try {
            for (BulkResult.Rejected rejected : indexer.index(items).rejected()) {
                deadLetters.send(parsed.get(rejected.position()), "opensearch-rejected",
                        "opensearch rejected the alert document: HTTP " + rejected.status() + " " + rejected.errorType()
                                + ": " + rejected.reason());
            }
        } catch (PermanentDeliveryException e) {
            for (ConsumerRecord<byte[], byte[]> record : parsed) {
                deadLetters.send(record, "opensearch-refused", e.getMessage());
            }
        } catch (DeliveryException e) {
            // OpenSearch is down: still tell people now, but commit nothing until the documents are in
            openSearchDown = e;
        }
        // 2. people, in order; a retriable failure aborts the batch, already-notified channels are remembered
        for (int i = 0; i < alerts.size(); i++) {
            Alert alert = alerts.get(i);
            AlertRouter.Delivery delivery = router.deliver(alert);
            ConsumerRecord<byte[], byte[]> record = parsed.get(i);
            delivery.rejected().forEach((channel, reason) ->
                    deadLetters.send(record, channel + "-rejected", reason));
            if (delivery.notified().isEmpty() && delivery.rejected().isEmpty()) {
                log.debug("alert {} rule {} from {}-{}@{}: no notification due", alert.id(), alert.ruleId(),
                        record.topic(), record.partition(), record.offset());
            }
        }
        if (openSearchDown != null) {
            throw openSearchDown;
        }
    }
}
