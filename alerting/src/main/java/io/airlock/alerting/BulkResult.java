package io.airlock.alerting;

import java.util.List;

/**
 * The outcome of indexing a batch: every item not listed in {@link #rejected()} is acknowledged by OpenSearch.
 *
 * @param indexed        number of acknowledged items, {@code alreadyIndexed} included
 * @param alreadyIndexed of those, write-once items (events) the index already held, so nothing was written: a replay,
 *                       a resent request OpenSearch had applied, or an id that came again (also twice in the batch)
 * @param rejected       items OpenSearch refused for good (a mapping error, a bad id): the caller dead-letters them
 */
public record BulkResult(int indexed, int alreadyIndexed, List<Rejected> rejected) {

    public BulkResult {
        if (alreadyIndexed < 0 || alreadyIndexed > indexed) {
            throw new IllegalArgumentException("alreadyIndexed " + alreadyIndexed + " not within 0.." + indexed);
        }
        rejected = List.copyOf(rejected);
    }

    /** A batch none of whose items the index already held. */
    public BulkResult(int indexed, List<Rejected> rejected) {
        this(indexed, 0, rejected);
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
