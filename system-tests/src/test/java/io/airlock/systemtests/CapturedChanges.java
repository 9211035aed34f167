package io.airlock.systemtests;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.core.Json;
import io.airlock.core.Topics;
import io.airlock.embedded.EmbeddedKafka;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The raw Debezium changes {@code airlock run} captured into {@code <prefix>.cdc.airflow.<table>}, before normalization.
 * Event ids derive from a change's LSN, so OpenSearch folds a change captured twice into one document; only this topic
 * shows whether the capture itself sent a change twice (Debezium resuming from an offset older than what it had sent).
 */
final class CapturedChanges {

    private final List<Change> changes;

    private CapturedChanges(List<Change> changes) {
        this.changes = changes;
    }

    /** Every record of {@code <prefix>.cdc.airflow.<table>}. */
    static CapturedChanges of(EmbeddedKafka kafka, String prefix, String table) {
        return new CapturedChanges(kafka.readAll(new Topics(prefix).cdc(table)).stream()
                .map(r -> new Change(r.key(), Json.tree(r.value()))).toList());
    }

    /** Streamed changes (not snapshot rows) of rows whose {@code after.<column>} is one of {@code values}. */
    CapturedChanges streamedWhere(String column, java.util.Collection<String> values) {
        return new CapturedChanges(changes.stream().filter(c -> !c.snapshot())
                .filter(c -> values.contains(c.value().path("after").path(column).asText())).toList());
    }

    /**
     * How many records carry each change, by row key, LSN and whether it is a snapshot row: a change captured twice counts 2.
     * A snapshot row carries the LSN of the snapshot's consistent point, and the first change committed after it can start
     * at that very LSN — for the same row, a streamed change and its snapshot row then share row key and LSN.
     */
    Map<String, Long> countsByRowAndLsn() {
        return changes.stream().collect(Collectors.groupingBy(c -> c.key() + " @" + c.lsn() + (c.snapshot() ? " (snapshot)" : ""),
                Collectors.counting()));
    }

    /** {@code after.<column>} → how many changes. */
    Map<String, Long> countsBy(String column) {
        return changes.stream().collect(Collectors.groupingBy(c -> c.value().path("after").path(column).asText(),
                Collectors.counting()));
    }

    int size() {
        return changes.size();
    }

    /** One captured change: the row key as Debezium wrote it and the change event. */
    record Change(String key, JsonNode value) {

        String lsn() {
            return value.path("source").path("lsn").asText();
        }

        boolean snapshot() {
            String snapshot = value.path("source").path("snapshot").asText("false");
            return !snapshot.equals("false") && !snapshot.equals("incremental");
        }
    }
}
