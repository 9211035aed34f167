package io.airlock.streams.normalize;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.core.MalformedRecordException;
import io.airlock.core.NormalizedEvent;
import io.airlock.core.RecordTimes;
import io.airlock.core.StableIds;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Turns rows of Airflow's audit log table {@code log} (2.10 and 3.x) into one event each, keyed by the acting user.
 *
 * <ul>
 * <li>Inserts ({@code c}) and snapshot rows ({@code r}) are audit entries and both become events: snapshot rows are past
 *     entries with their own {@code dttm}, so a snapshot replays history. The event id depends only on the row id, so a row
 *     seen once live and again in a later snapshot gives the same event id and never duplicates downstream.</li>
 * <li>Updates, deletes and a TRUNCATE are not audit entries but changes of the audit trail ({@link AuditTrailChanges}):
 *     Airflow never updates its audit rows, deletes them only in retention ({@code airflow db clean}), and never truncates
 *     the table. AL-013 judges them; a row younger than {@code minRetention} is marked as such.</li>
 * <li>{@code @timestamp} = {@code dttm}, or the commit time when {@code dttm} is null, unreadable or before 1970
 *     ({@link RowTimes}: the row is still a fact committed then); {@code event.action} = {@code event} as
 *     Airflow wrote it; {@code event.category} from {@link EventCategories#airflowLog}; {@code user.name} and
 *     {@code related.user} = {@code owner} (system owners such as {@code airflow} are kept: rules decide).</li>
 * <li>{@code execution_date} (2.10) and {@code logical_date} (3.x) are not needed; unknown columns are ignored. {@code extra}
 *     (request parameters, values masked by Airflow) is never read into the event: only whether a 2.x row has one
 *     ({@link #REASON_MARKED_IN_UI}) and, for the few event names that have a preview, its {@code confirmed} and
 *     {@code dry_run} values ({@link #REASON_DRY_RUN}).</li>
 * </ul>
 */
public final class AuditLogNormalizer implements Processor<String, JsonNode, String, NormalizedEvent> {

    /**
     * {@code event.reason} of a 2.x {@code success}/{@code failed} row that a person wrote with the UI's "mark
     * success/failed": workers write the same names ({@code Log(ti.state, ti)}) but never an {@code extra}; the UI's
     * action logger always records the request's parameters there. Only the presence of {@code extra} is read.
     */
    public static final String REASON_MARKED_IN_UI = "marked-in-ui";
    /**
     * {@code event.reason} of a row that changed nothing: a 2.x UI preview ({@code clear}, {@code dagrun_clear},
     * {@code dagrun_failed|success|queued} with {@code confirmed} false), a 2.x REST dry run
     * ({@code api.post_clear_task_instances}, {@code api.post_set_task_instances_state}, {@code api.patch_task_instance},
     * {@code api.patch_mapped_task_instance}, {@code api.clear_dag_run} with {@code dry_run} true or left at its default), or
     * a 3.x Clear dialog's preview ({@code post_clear_task_instances}, {@code clear_dag_run} with {@code dry_run} true or
     * left at its default).
     * Airflow logs these under the change's name before it runs the request; the event stays, AL-010 and AL-012 do not
     * count it. See {@link AuditLogDryRuns}.
     */
    public static final String REASON_DRY_RUN = "dry-run";
    private static final java.util.Set<String> MARK_EVENTS = java.util.Set.of("success", "failed");
    /**
     * How old audit rows are, by id ({@link LogRowAges}): a deleted row younger than the minimum retention is never
     * retention.
     */
    public static final String STORE = LogRowAges.STORE;
    private static final String ROW = "log";

    private ProcessorContext<String, NormalizedEvent> context;
    private final EventRecordTimes recordTimes = new EventRecordTimes();
    private LogRowAges ages;
    private final Duration minRetention;

    /**
     * @param minRetention the shortest retention assumed for {@code airflow db clean} ({@code rules.AL-013.min-retention}):
     *                     a changed audit row younger than this is marked ({@link AuditTrailChanges#isYoungRow})
     */
    public AuditLogNormalizer(Duration minRetention) {
        this.minRetention = minRetention;
    }

    @Override
    public void init(ProcessorContext<String, NormalizedEvent> context) {
        this.context = context;
        this.ages = new LogRowAges(context.getStateStore(STORE));
    }

    @Override
    public void process(Record<String, JsonNode> record) {
        DebeziumChange change = DebeziumChange.parse(record.value());
        if (change.isTruncate()) {
            forward(record, AuditTrailChanges.truncated(change, NormalizedEvent.DATASET_LOG));
            return;
        }
        if (!"c".equals(change.op()) && !change.isSnapshot()) {
            Long changed = Fields.integer(change.row(), "id", ROW);
            boolean young = changed == null || ages.writtenWithin(changed, countedCommit(change), minRetention);
            forward(record, AuditTrailChanges.logRowChanged(change, changed, young, minRetention));
            return;
        }
        JsonNode row = change.after();
        Long id = Fields.integer(row, "id", ROW);
        if (id == null) {
            throw new MalformedRecordException("log row without an integer 'id'");
        }
        Instant at = RowTimes.firstOrCommitted(change, RowTimes.orNull(row, "dttm"));
        // a snapshot row's dttm, but never one after the snapshot: whoever inserts a row sets dttm, and a minute in the future
        // would push every later row out of LogRowAges' horizon, where ids only count by order
        boolean snapshotDttm = change.isSnapshot() && at.isBefore(change.committed());
        ages.written(id, snapshotDttm ? at : countedCommit(change));
        String event = Fields.text(row, "event", ROW);
        String dagId = Fields.text(row, "dag_id", ROW);
        String owner = Fields.nonBlankText(row, "owner", ROW);
        NormalizedEvent normalized = NormalizedEvent.builder(at, StableIds.of(NormalizedEvent.DATASET_LOG, Long.toString(id)),
                        NormalizedEvent.DATASET_LOG)
                .category(EventCategories.airflowLog(event, dagId != null))
                .action(event)
                .reason(reason(row, event))
                .userName(owner)
                .relatedUsers(owner == null ? null : List.of(owner))
                .dagId(dagId)
                .runId(Fields.text(row, "run_id", ROW))
                .taskId(Fields.text(row, "task_id", ROW))
                .sourcePosition(change.source(), change.lsn())
                .build();
        forward(record, normalized);
        if (!change.isSnapshot()) {
            NormalizedEvent clean = AuditTrailChanges.cleanStarted(change, id, event);
            if (clean != null) {
                forward(record, clean);
            }
        }
    }

    /**
     * The commit time {@link LogRowAges} counts a change at: the database's, but at most {@link RecordTimes#MAX_AHEAD} past
     * this host's clock, as the rules count events ({@code CountedTimes}). A database clock a year ahead would otherwise
     * fold every row written after it into the ages' floor, where they count as old: deleting them would not alert.
     */
    private Instant countedCommit(DebeziumChange change) {
        return RecordTimes.capped(change.committed(), context.currentSystemTimeMs());
    }

    private static String reason(JsonNode row, String event) {
        if (isMarkedInUi(row, event)) {
            return REASON_MARKED_IN_UI;
        }
        return AuditLogDryRuns.isDryRun(event, row) ? REASON_DRY_RUN : null;
    }

    /** A 2.x row ({@code execution_date}, not 3.x's {@code logical_date}) of a UI mark-state action (see {@link #REASON_MARKED_IN_UI}). */
    private static boolean isMarkedInUi(JsonNode row, String event) {
        return event != null && MARK_EVENTS.contains(event) && row.has("execution_date")
                && row.path("extra").isTextual() && !row.path("extra").asText().isBlank();
    }

    private void forward(Record<String, JsonNode> record, NormalizedEvent normalized) {
        context.forward(record.withKey(normalized.principal()).withValue(normalized)
                .withTimestamp(recordTimes.of(normalized, context.currentSystemTimeMs())));
    }
}
