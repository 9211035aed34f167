package io.airlock.alerting;

import io.airlock.alerting.internal.DeadLetters;
import io.airlock.alerting.internal.KafkaDeliveryLoop;
import io.airlock.core.Alert;
import io.airlock.core.IndexNames;
import io.airlock.core.Json;
import io.airlock.core.MalformedRecordException;
import io.airlock.core.Topics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers alerts from {@code <prefix>.alerts}: indexes each into {@code <prefix>-alerts} ({@code _id} = alert id, so an
 * update overwrites), then notifies through the {@link AlertRouter}. Offsets are committed only once the batch is
 * indexed and every due notification is confirmed, or permanently refused (HTTP 4xx other than 429) and dead-lettered
 * with the reason; so after a crash every unconfirmed notification is attempted again. Silenced alerts and alerts
 * from maintenance windows are indexed but notify nobody. While OpenSearch or a
 * webhook is unavailable nothing is committed and the batch is retried; channels that already accepted an alert are
 * not notified again. An OpenSearch outage does not hold back notifications: people are told at once, and the
 * documents follow when OpenSearch is back. Run it on its own thread; {@link #close()} stops it.
 */
public final class AlertDeliveryLoop extends KafkaDeliveryLoop {

    private static final Logger log = LoggerFactory.getLogger(AlertDeliveryLoop.class);

    private final IndexNames names;
    private final DocumentIndexer indexer;
    private final AlertRouter router;
    /** Permanent rejections of the current batch, marked in the router once their dead letters are acknowledged. */
    private final List<Runnable> onAcknowledged = new ArrayList<>();

    /**
     * @param kafkaConfig Kafka client settings with at least {@code bootstrap.servers} and {@code group.id}
     */
    public AlertDeliveryLoop(Map<String, Object> kafkaConfig, Topics topics, IndexNames names, DocumentIndexer indexer,
                             AlertRouter router, RetryPolicy backoff) {
        this(newConsumer(withAlertDefaults(kafkaConfig)), newDeadLetterProducer(kafkaConfig), topics, names, indexer, router,
                backoff);
    }

    /**
     * Notifications are paced (a Slack webhook takes about one message a second), so the alert consumer takes smaller
     * batches ({@code max.poll.records=50}) and may spend longer on one ({@code max.poll.interval.ms} 10 min) than Kafka's
     * defaults, unless {@code kafkaConfig} says otherwise.
     */
    static Map<String, Object> withAlertDefaults(Map<String, Object> kafkaConfig) {
        Map<String, Object> config = new HashMap<>(kafkaConfig);
        config.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 50);
        config.putIfAbsent(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, 600_000);
        return config;
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
        onAcknowledged.clear();
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
            if (!delivery.rejected().isEmpty()) {
                onAcknowledged.add(() -> router.markRejected(alert, delivery.rejected().keySet()));
            }
            if (delivery.notified().isEmpty() && delivery.rejected().isEmpty() && delivery.suppressed().isEmpty()) {
                log.debug("alert {} rule {} from {}-{}@{}: no notification due", alert.id(), alert.ruleId(),
                        record.topic(), record.partition(), record.offset());
            }
        }
        if (openSearchDown != null) {
            throw openSearchDown;
        }
    }

    @Override
    protected void acknowledged() {
        onAcknowledged.forEach(Runnable::run);
        onAcknowledged.clear();
    }
}
