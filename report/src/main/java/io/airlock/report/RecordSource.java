package io.airlock.report;

import java.io.IOException;
import java.time.LocalDate;
import java.util.List;
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

    /**
     * The days (UTC) of the query's period that have no daily events index, in order: a day without events has none (the
     * first event creates it), and neither has a day whose index retention deleted; a report must say so rather than look
     * complete. Empty for a source without daily indices.
     *
     * @throws IOException when the source holds no Airlock index at all (a wrong index prefix): an empty report of nothing
     *                     would look like a quiet period
     */
    default List<LocalDate> daysWithoutEventsIndex(ReportQuery query) throws IOException {
        return List.of();
    }

    /** The index (pattern) a kind is read from, for the manifest. */
    String indexOf(RecordKind kind);
}
