package io.airlock.streams.normalize;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.core.NormalizedEvent;
import io.airlock.core.StableIds;
import io.airlock.core.config.ConfigTypes;
import java.time.Duration;

/**
 * Events of changes to the records Airlock reads that Airflow never makes (a row of the audit log rewritten, a table
 * truncated) or makes only in retention ({@code airflow db clean} deleting audit rows). AL-013
 * ({@code io.airlock.streams.detect.AuditTrailTamperingRule}) decides which of them are tampering. Category {@value EventCategories#DATABASE}, no user (the database says who wrote a row, not who deleted it).
 */
public final class AuditTrailChanges {

    /** {@code event.action} of a rewritten audit-log row (Airflow only ever inserts them). */
    public static final String LOG_ROW_UPDATED = "log-row-updated";
    /** {@code event.action} of a deleted audit-log row (retention — {@code airflow db clean} — or tampering). */
    public static final String LOG_ROW_DELETED = "log-row-deleted";
    /** {@code event.action} of a TRUNCATE of {@code log}, {@code dag_run} or {@code ab_user}. */
    public static final String TABLE_TRUNCATED = "table-truncated";
    /**
     * {@code event.action} of the marker the audit-log normalizer adds after the audit row of {@code airflow db clean}
     * ({@code cli_cleanup_tables}): without a user, like the deletes that follow, so both reach AL-013's one task.
     */
    public static final String CLEAN_STARTED = "db-clean-started";
    /** Airflow's audit-log events of {@code airflow db clean} (2.x and 3.x), as the CLI action logger writes them. */
    static final java.util.Set<String> CLEANUP_EVENTS = java.util.Set.of("cli_cleanup_tables", "cli_db_clean");
    /**
     * The longest {@code rules.AL-013.min-retention} Airlock can judge: how long it remembers when audit rows were written
     * ({@link LogRowAges#HORIZON}).
     */
    public static final Duration LONGEST_MIN_RETENTION = LogRowAges.HORIZON;
    /** How {@code event.reason} of a change of a young row ends: this and the minimum retention, {@code written-within-24h}. */
    private static final String YOUNG_MARK = " written-within-";

    private AuditTrailChanges() {
    }

    /**
     * Whether a {@link #LOG_ROW_DELETED}/{@link #LOG_ROW_UPDATED} event's row was younger than the minimum retention
     * ({@code rules.AL-013.min-retention}) when it changed, by the setting in force when the change was normalized.
     */
    public static boolean isYoungRow(NormalizedEvent event) {
        return event.reason() != null && event.reason().contains(YOUNG_MARK);
    }

    /**
     * The marker of an audit row that records {@code airflow db clean} (with or without an {@code api.}/{@code ui.}
     * prefix, any case), or null for any other row: at the row's commit time, by the database's clock as the deletes are.
     */
    static NormalizedEvent cleanStarted(DebeziumChange change, long id, String event) {
        if (event == null || !event.contains("clean")) {
            return null;
        }
        if (!CLEANUP_EVENTS.contains(EventCategories.canonicalName(event))) {
            return null;
        }
        return NormalizedEvent.builder(change.committed(), StableIds.of(NormalizedEvent.DATASET_LOG, Long.toString(id), CLEAN_STARTED),
                        NormalizedEvent.DATASET_LOG)
                .category(EventCategories.DATABASE)
                .action(CLEAN_STARTED)
                .reason("log.id=" + id + " event.id=" + StableIds.of(NormalizedEvent.DATASET_LOG, Long.toString(id)))
                .sourcePosition(change.source(), change.lsn())
                .build();
    }

    /** The event of a TRUNCATE of the table of {@code dataset}, at its commit time. */
    static NormalizedEvent truncated(DebeziumChange change, String dataset) {
        return NormalizedEvent.builder(change.committed(), StableIds.of(dataset, "truncate", change.position()), dataset)
                .category(EventCategories.DATABASE)
                .action(TABLE_TRUNCATED)
                .sourcePosition(change.source(), change.lsn())
                .build();
    }

    /**
     * The event of an update or delete of the audit-log row {@code id}, at its commit time, with what the change still
     * shows of the row ({@code dag_id}: from a full {@code before} image, or an update's new row). {@code event.reason}
     * names the row ({@code log.id=…}) and the id of the event Airlock made of it when it was written
     * ({@code event.id=…}), which is still in the events index, and ends in {@code written-within-<minRetention>}
     * ({@code written-within-24h}) when the row was written less than {@code minRetention} before the change (or its age
     * is unknown) — never retention.
     */
    static NormalizedEvent logRowChanged(DebeziumChange change, Long id, boolean young, Duration minRetention) {
        boolean deleted = "d".equals(change.op());
        JsonNode row = change.row();
        return NormalizedEvent.builder(change.committed(),
                        StableIds.of(NormalizedEvent.DATASET_LOG, String.valueOf(id), change.op(), change.position()),
                        NormalizedEvent.DATASET_LOG)
                .category(EventCategories.DATABASE)
                .action(deleted ? LOG_ROW_DELETED : LOG_ROW_UPDATED)
                .reason((id == null ? "log.id unknown" : "log.id=" + id + " event.id=" + StableIds.of(NormalizedEvent.DATASET_LOG, Long.toString(id)))
                        + (young ? YOUNG_MARK + ConfigTypes.formatDuration(minRetention) : ""))
                .dagId(row == null ? null : Fields.text(row, "dag_id", "log"))
                .sourcePosition(change.source(), change.lsn())
                .build();
    }
}
