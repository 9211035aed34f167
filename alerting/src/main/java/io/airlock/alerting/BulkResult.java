package io.airlock.alerting;

import java.util.List;

/**
 * The outcome of indexing a batch: every item not listed in {@link #rejected()} is acknowledged by OpenSearch.
 *
 * @param indexed  number of acknowledged items
 * @param rejected items OpenSearch refused for good (a mapping error, a bad id): the caller dead-letters them
 */
public record BulkResult(int indexed, List<Rejected> rejected) {

    public BulkResult {
        rejected = List.copyOf(rejected);
    }

    /**
     * One permanently refused item.
     *
     * @param position index of the item in the list given to {@link DocumentIndexer#index}
     * @param status   HTTP status of the item
     * @param reason   OpenSearch's error type and reason (may quote the document: dead-letter it, do not log it)
     */
    public record Rejected(int position, String id, int status, String errorType, String reason) {
    }
}
