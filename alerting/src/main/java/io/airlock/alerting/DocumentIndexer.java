package io.airlock.alerting;

import java.util.List;
import java.util.function.IntConsumer;

/** Indexes batches of documents; {@link OpenSearchIndexer} is the real one. */
@FunctionalInterface
public interface DocumentIndexer {

    /**
     * Indexes the items; returns once every item is either acknowledged or permanently rejected.
     *
     * @throws PermanentDeliveryException if the whole request was refused for good (every item is rejected)
     * @throws DeliveryException          if the cluster stayed unavailable (nothing may be committed; try again)
     */
    BulkResult index(List<IndexItem> items) throws DeliveryException;

    /**
     * Like {@link #index(List)}, telling {@code retried} how many documents it sends again each time it retries within
     * the call (429/5xx answers, connection errors), so an outage shows in the metrics while it lasts.
     */
    default BulkResult index(List<IndexItem> items, IntConsumer retried) throws DeliveryException {
        return index(items);
    }
}
