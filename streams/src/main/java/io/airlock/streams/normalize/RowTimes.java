package io.airlock.streams.normalize;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.core.ColumnTimes;
import io.airlock.core.RecordTimes;
import java.time.Instant;

/**
 * When a row of {@code log} or {@code dag_run} says something happened: its time column ({@code dttm}; {@code queued_at},
 * {@code start_date}, {@code end_date}) when that holds a time, else the commit time of the change.
 *
 * <p>Whoever inserts a row sets these columns, the database's clock does not. A row whose column holds no usable time —
 * null, text that is no ISO-8601 time with an offset ({@code "2026-03-03 20:00:00+00"}, {@code "infinity"}, {@code ""}), a
 * time before 1970, or one beyond what a Kafka timestamp holds ({@link RecordTimes#outOfRange}) — is still a fact, committed at its commit time: it becomes an
 * event at that time rather than a dead letter. A {@code patch_dag} written at 20:00 with an unreadable {@code dttm} used to
 * vanish into the dead-letter topic, so AL-010 never saw it, while one with a null {@code dttm} counted at 20:00. The event
 * does not say which time it carries: no event field is meant for that, and {@code event.reason} means to rules what the
 * source recorded.
 *
 * <p>{@link SnapshotRowTimes}, which orders snapshot rows (live and in {@code airlock backtest}), reads the columns here too.
 */
final class RowTimes {

    private RowTimes() {
    }

    /** The time in {@code row}'s {@code column}, or null when it holds no usable time (see the class comment). */
    static Instant orNull(JsonNode row, String column) {
        Instant at = ColumnTimes.orNull(row.get(column));
        return at == null || RecordTimes.outOfRange(at) != null ? null : at;
    }

    /** The first of {@code times} (each read by {@link #orNull}) that is not null, else the commit time of {@code change}. */
    static Instant firstOrCommitted(DebeziumChange change, Instant... times) {
        for (Instant at : times) {
            if (at != null) {
                return at;
            }
        }
        return change.committed();
    }
}
