package io.airlock.report;

import java.io.IOException;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/** Where a report's records come from: OpenSearch ({@link OpenSearchRecords}), or a list in tests. */
public interface RecordSource {

    /**
     * Hands every record of a kind matching the query to {@code sink}, in order ({@code @timestamp}, then id), without holding
     * them all in memory.
     *
     * @param total told the expected number of records once known (for progress), may be called never
     */
    void read(RecordKind kind, ReportQuery query, LongConsumer total, Consumer<ReportRecord> sink)
            throws IOException;

    /** The index (pattern) a kind is read from, for the manifest. */
    String indexOf(RecordKind kind);
}
