package io.airlock.alerting;

import io.airlock.alerting.internal.DeadLetters;
import io.airlock.alerting.internal.DeliveryMetrics;
import io.airlock.alerting.internal.KafkaDeliveryLoop;
import io.airlock.core.IndexNames;
import io.airlock.core.Json;
import io.airlock.core.MalformedRecordException;
import io.airlock.core.NormalizedEvent;
import io.airlock.core.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;

/**
 * Indexes normalized events from {@code <prefix>.events} into the daily {@code <prefix>-events-YYYY.MM.DD} indices,
 * {@code _id} = {@code event.id}, written once (see {@link IndexItem}: an event already indexed keeps its first version,
 * and its 409 counts as indexed), committing offsets only after OpenSearch acknowledged the batch. Unparsable records
 * and documents OpenSearch rejects for good go to {@code <prefix>.dlq}; while OpenSearch is unavailable nothing is
 * committed and the batch is retried. Counts documents in {@code airlock.opensearch.documents} ({@code index_kind=events},
 * {@code outcome=indexed|already_indexed|failed}; indexed = written now, already_indexed = the index already held the
 * event id, failed = refused for good and dead-lettered), once the batch's dead letters are sent
 * (a batch retried after an unacknowledged dead letter counts again). Run it on its own thread; {@link #close()} stops it.
 */
public final class EventIndexingLoop extends KafkaDeliveryLoop {

    private final IndexNames names;
    private final DocumentIndexer indexer;

    /**
     * @param kafkaConfig Kafka client settings with at least {@code bootstrap.servers} and {@code group.id}
     */
    public EventIndexingLoop(Map<String, Object> kafkaConfig, Topics topics, IndexNames names, DocumentIndexer indexer,
                             RetryPolicy backoff) {
        this(newConsumer(kafkaConfig), newDeadLetterProducer(kafkaConfig), topics, names, indexer, backoff);
    }

    /** A loop over given clients (it closes them); for tests with {@code MockConsumer}. */
    public EventIndexingLoop(Consumer<byte[], byte[]> consumer, Producer<byte[], byte[]> dlqProducer, Topics topics,
                             IndexNames names, DocumentIndexer indexer, RetryPolicy backoff) {
        super("event-indexing", consumer, dlqProducer, topics.events(), topics.dlq(), backoff);
        this.names = names;
        this.indexer = indexer;
    }

    @Override
    protected void deliver(List<ConsumerRecord<byte[], byte[]>> records, DeadLetters deadLetters) throws DeliveryException {
        List<ConsumerRecord<byte[], byte[]>> parsed = new ArrayList<>(records.size());
        List<IndexItem> items = new ArrayList<>(records.size());
        for (ConsumerRecord<byte[], byte[]> record : records) {
            try {
                if (record.value() == null) {
                    throw new MalformedRecordException("empty value (tombstone)");
                }
                items.add(IndexItem.event(names, Json.read(record.value(), NormalizedEvent.class)));
                parsed.add(record);
            } catch (MalformedRecordException e) {
                deadLetters.send(record, "malformed", e.getMessage());
            }
        }
        if (items.isEmpty()) {
            return;
        }
        int failed;
        int alreadyIndexed = 0;
        try {
            BulkResult result = indexer.index(items, n -> DeliveryMetrics.documents("events", "retried", n));
            for (BulkResult.Rejected rejected : result.rejected()) {
                deadLetters.send(parsed.get(rejected.position()), "opensearch-rejected",
                        "opensearch rejected the document: HTTP " + rejected.status() + " " + rejected.errorType() + ": "
                                + rejected.reason());
            }
            failed = result.rejected().size();
            alreadyIndexed = result.alreadyIndexed();
        } catch (PermanentDeliveryException e) {
            failed = refuse(parsed, deadLetters, e);
        } catch (DeliveryException e) {
            DeliveryMetrics.documents("events", "retried", items.size()); // the loop polls the batch again after a backoff
            throw e;
        }
        DeliveryMetrics.documents("events", "indexed", items.size() - failed - alreadyIndexed);
        DeliveryMetrics.documents("events", "already_indexed", alreadyIndexed);
        DeliveryMetrics.documents("events", "failed", failed);
    }

    private static int refuse(List<ConsumerRecord<byte[], byte[]>> parsed, DeadLetters deadLetters, PermanentDeliveryException e) {
        for (ConsumerRecord<byte[], byte[]> record : parsed) {
            deadLetters.send(record, "opensearch-refused", e.getMessage());
        }
        return parsed.size();
    }
}
