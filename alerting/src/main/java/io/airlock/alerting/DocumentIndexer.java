package io.airlock.alerting;

import java.util.List;

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
}
