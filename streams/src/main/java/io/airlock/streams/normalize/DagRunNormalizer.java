package io.airlock.streams.normalize;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.core.MalformedRecordException;
import io.airlock.core.NormalizedEvent;
import io.airlock.core.StableIds;
import io.airlock.streams.internal.DecodedStateCache;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Turns {@code dag_run} changes (Airflow 2.10 and 3.x) into run lifecycle events: {@code dag-run-created} and
 * {@code dag-run-<state>} ({@code dag-run-running}, {@code dag-run-success}, {@code dag-run-failed}, {@code dag-run-queued}
 * after a clear, …), keyed by the triggering user when Airflow records one (3.1 {@code triggering_user_name}).
 *
 * <p><b>State.</b> Updates carry no old values with the default replica identity, so the last seen state of each run is kept
 * in {@link #STORE} (keyed by the row key). An update becomes an event only when the state differs from the last seen one.
 * An update of a run the store does not know, past {@code queued}, is a first sight (below), whether or not it has a
 * {@code before} image: a replay that starts while the run is running, or a run forgotten after its retention, is still
 * known to the rules, which works the same with and without {@code before} images (missing a running run is worse than
 * repeating one; ids are deterministic). A queued one is compared with its {@code before} image's state, if any.
 * A deleted run gives {@code dag-run-deleted} (at the commit time, named from the store or a full {@code before} image), so
 * rules that track running runs stop taking it for running, and is forgotten; a {@code TRUNCATE} forgets every run (and gives
 * only {@code table-truncated}: {@link #forgetRunsBefore}); finished runs ({@code success}, {@code failed}) are forgotten
 * {@link #FINISHED_RETENTION} (event time) after their last change, by a stream-time punctuation every
 * {@link #PRUNE_INTERVAL}, so the store holds the unfinished runs and one day of finished ones.
 *
 * <p><b>First sight.</b> An insert ({@code c}), a snapshot row ({@code r}) or a first update gives {@code dag-run-created}, plus the state
 * event when the run is already past {@code queued} (a snapshot taken while a run is running tells rules that it is running;
 * a snapshot of a finished run replays its history). The created event's id depends only on the row, so a run seen live
 * and again in a later snapshot is not duplicated downstream.
 *
 * <p><b>Time.</b> Created: {@code queued_at}, else {@code start_date}, else the commit time. {@code success}/{@code failed}:
 * {@code end_date}; {@code running}: {@code start_date}; otherwise (or when that column is null, unreadable or before 1970:
 * {@link RowTimes}): the commit time. Never later than the commit time of the change (a skewed or forged column:
 * {@link #noLaterThanCommit}).
 */
public final class DagRunNormalizer implements Processor<String, JsonNode, String, NormalizedEvent> {

    public static final String STORE = "dag-run-last-seen";
    /** Runs whose last state stays decoded in memory (the store holds them all). */
    static final int NORMALIZER_CACHE_ENTRIES = 10_000;
    public static final Duration FINISHED_RETENTION = Duration.ofHours(24);
    public static final Duration PRUNE_INTERVAL = Duration.ofHours(1);

    static final String QUEUED = "queued";
    static final String RUNNING = "running";
    static final String SUCCESS = "success";
    static final String FAILED = "failed";
    /** {@code event.reason} of the {@code dag-run-created} event of an initial-snapshot row. */
    public static final String REASON_SNAPSHOT = "snapshot";
    /** {@code event.reason} prefix of a {@code dag-run-created} event naming {@code dag_run.triggered_by}. */
    public static final String TRIGGERED_BY = "triggered-by-";

    private static final String ROW = "dag_run";

    private ProcessorContext<String, NormalizedEvent> context;
    private final EventRecordTimes recordTimes = new EventRecordTimes();
    private KeyValueStore<String, DagRunState> store;
    private DecodedStateCache<DagRunState> lastSeen;

    @Override
    public void init(ProcessorContext<String, NormalizedEvent> context) {
        this.context = context;
        this.store = context.getStateStore(STORE);
        this.lastSeen = new DecodedStateCache<>(store, NORMALIZER_CACHE_ENTRIES);
        context.schedule(PRUNE_INTERVAL, PunctuationType.STREAM_TIME, this::pruneFinishedRuns);
    }

    @Override
    public void process(Record<String, JsonNode> record) {
        DebeziumChange change = DebeziumChange.parse(record.value());
        if (change.isTruncate()) {
            // every run gone at once, none named: AL-013 hears of it, and AL-022 ends every run it knows as running then
            forgetRunsBefore(change.committed());
            NormalizedEvent truncated = AuditTrailChanges.truncated(change, NormalizedEvent.DATASET_DAG_RUN);
            long timestamp = recordTimes.of(truncated, context.currentSystemTimeMs());
            context.forward(record.withKey(truncated.principal()).withValue(truncated).withTimestamp(timestamp)
                    .withHeaders(SourceTimes.headersFor(record, timestamp)));
            return;
        }
        if ("d".equals(change.op())) {
            deleted(record, change);
            return;
        }
        Run run = Run.of(change.after(), record.key());
        DagRunState stored = lastSeen.get(run.key());
        lastSeen.put(run.key(), new DagRunState(run.state(), change.committed().toEpochMilli(), run.dagId(), run.runId()));
        switch (change.op()) {
            case "c", "r" -> firstSight(record, change, run);
            case "u" -> {
                boolean pastQueued = run.state() != null && !QUEUED.equals(run.state());
                if (stored == null && pastQueued) {
                    // not seen before (a replay that starts mid-run, or a finished run forgotten): whatever the before image says
                    firstSight(record, change, run);
                    return;
                }
                String previousState = stored != null ? stored.state()
                        : change.before() != null ? Fields.text(change.before(), "state", ROW) : null;
                if (run.state() != null && (previousState == null || !Objects.equals(previousState, run.state()))) {
                    emitState(record, run, change);
                }
            }
            default -> throw new IllegalStateException("validated by DebeziumChange: " + change.op());
        }
    }

    /**
     * {@code dag-run-created}, and the state event when the run is past {@code queued}. The created event's
     * {@code event.reason} says how the run came to be: {@value #REASON_SNAPSHOT} for a row of the initial snapshot (a run
     * that existed before Airlock looked — history, not news), else {@code triggered-by-<dag_run.triggered_by>} where
     * Airflow records it (3.x, lower-cased: {@code ui}, {@code rest_api}, {@code cli}, {@code operator}, {@code test}, …).
     */
    private void firstSight(Record<String, JsonNode> record, DebeziumChange change, Run run) {
        Instant created = noLaterThanCommit(RowTimes.firstOrCommitted(change, run.queuedAt(), run.startDate()), change);
        String reason = "r".equals(change.op()) ? REASON_SNAPSHOT
                : run.triggeredBy() != null ? TRIGGERED_BY + run.triggeredBy() : null;
        emit(record, change, run, "dag-run-created", null, reason, created,
                StableIds.of(NormalizedEvent.DATASET_DAG_RUN, run.id(), "created"));
        if (run.state() != null && !QUEUED.equals(run.state())) {
            emitState(record, run, change);
        }
    }

    /**
     * A deleted run (the UI's or API's delete, {@code airflow dags delete}, a DAG's runs deleted with it). With the default
     * replica identity the {@code before} image holds only the primary key, so the run is named from the store; a run
     * never seen (nor named by a full {@code before} image) gives no event.
     */
    private void deleted(Record<String, JsonNode> record, DebeziumChange change) {
        Long id = change.before() == null ? null : Fields.integer(change.before(), "id", ROW);
        String key = record.key() != null ? record.key() : Run.keyOf(id);
        DagRunState last = lastSeen.get(key);
        lastSeen.delete(key);
        // a key-only before image has the NOT NULL columns filled with "" by Debezium: not a name
        String dagId = change.before() == null ? null : Fields.nonBlankText(change.before(), "dag_id", ROW);
        String runId = change.before() == null ? null : Fields.nonBlankText(change.before(), "run_id", ROW);
        if (last != null) {
            dagId = dagId != null ? dagId : last.dagId();
            runId = runId != null ? runId : last.runId();
        }
        if (dagId == null || runId == null) {
            return;
        }
        String rowId = id != null ? Long.toString(id) : key;
        Run run = new Run(key, rowId, dagId, runId, null, last == null ? null : last.state(), null, null, 0, null, null, null);
        emit(record, change, run, "dag-run-deleted", null, null, change.committed(),
                StableIds.of(NormalizedEvent.DATASET_DAG_RUN, rowId, "deleted", change.committed().toString()));
    }

    private void emitState(Record<String, JsonNode> record, Run run, DebeziumChange change) {
        Instant at = noLaterThanCommit(switch (run.state()) {
            case SUCCESS, FAILED -> RowTimes.firstOrCommitted(change, run.endDate());
            case RUNNING -> RowTimes.firstOrCommitted(change, run.startDate());
            default -> change.committed();
        }, change);
        String outcome = switch (run.state()) {
            case SUCCESS -> NormalizedEvent.OUTCOME_SUCCESS;
            case FAILED -> NormalizedEvent.OUTCOME_FAILURE;
            default -> null;
        };
        String id = StableIds.of(NormalizedEvent.DATASET_DAG_RUN, run.id(), "state", run.state(), Long.toString(run.clearNumber()),
                at.toString());
        emit(record, change, run, "dag-run-" + run.state(), outcome, null, at, id);
    }

    private void emit(Record<String, JsonNode> record, DebeziumChange change, Run run, String action, String outcome, String reason,
            Instant at, String id) {
        String user = run.triggeringUser();
        NormalizedEvent event = NormalizedEvent.builder(at, id, NormalizedEvent.DATASET_DAG_RUN)
                .category(EventCategories.airflowDagRun())
                .action(action)
                .outcome(outcome)
                .reason(reason)
                .userName(user)
                .relatedUsers(user == null ? null : List.of(user))
                .dagId(run.dagId())
                .runId(run.runId())
                .runType(run.runType())
                .state(run.state())
                .sourcePosition(change.source(), change.lsn())
                .build();
        long timestamp = recordTimes.of(event, context.currentSystemTimeMs());
        context.forward(record.withKey(event.principal()).withValue(event).withTimestamp(timestamp)
                .withHeaders(SourceTimes.headersFor(record, timestamp)));
    }

    /**
     * A {@code TRUNCATE dag_run} deleted every row committed before it: their runs are forgotten as a deleted run is, or
     * the unfinished ones would stay in {@link #STORE} for good (nothing finishes them). A run whose last change committed
     * after the truncate (a row inserted since) is kept. The truncate names no run, so no {@code dag-run-deleted} is told:
     * AL-022, which sees every run in one place, ends them on the {@code table-truncated} event itself. Debezium writes a
     * truncate without a key, to one partition of the topic: with more than one, the tasks of the other partitions never
     * hear of it and keep their runs that were running then.
     */
    private void forgetRunsBefore(Instant committed) {
        long commitMs = committed.toEpochMilli();
        forgetWhere(seen -> seen.seenAtMs() <= commitMs);
    }

    private void pruneFinishedRuns(long streamTime) {
        long horizon = streamTime - FINISHED_RETENTION.toMillis();
        forgetWhere(seen -> seen.finished() && seen.seenAtMs() < horizon);
    }

    /** Forgets every run whose last sight matches (collected first: the store is not changed while iterated). */
    private void forgetWhere(java.util.function.Predicate<DagRunState> forget) {
        List<String> gone = new ArrayList<>();
        try (var all = store.all()) {
            all.forEachRemaining(entry -> {
                if (forget.test(entry.value)) {
                    gone.add(entry.key);
                }
            });
        }
        gone.forEach(lastSeen::delete);
    }

    /**
     * A run's time, but never after the commit of the change that tells it: Airflow sets {@code start_date} and
     * {@code end_date} in the transaction that commits them, so a later one is a skewed scheduler clock or a forged row —
     * and an {@code end_date} a year ahead would have AL-022 take the run for running, covering every read, all year.
     */
    private static Instant noLaterThanCommit(Instant at, DebeziumChange change) {
        return at.isAfter(change.committed()) ? change.committed() : at;
    }

    /** The columns of one {@code dag_run} row that events carry, read strictly. */
    private record Run(String key, String id, String dagId, String runId, String runType, String state, String triggeringUser,
            String triggeredBy, long clearNumber, Instant queuedAt, Instant startDate, Instant endDate) {

        static Run of(JsonNode row, String recordKey) {
            Long id = Fields.integer(row, "id", ROW);
            if (id == null) {
                throw new MalformedRecordException("dag_run row without an integer 'id'");
            }
            String dagId = Fields.text(row, "dag_id", ROW);
            String runId = Fields.text(row, "run_id", ROW);
            if (dagId == null || runId == null) {
                throw new MalformedRecordException("dag_run row without text 'dag_id' and 'run_id'");
            }
            String state = Fields.text(row, "state", ROW);
            Long clearNumber = Fields.integer(row, "clear_number", ROW);
            String triggeredBy = Fields.nonEmptyText(row, "triggered_by", ROW);
            return new Run(recordKey != null ? recordKey : keyOf(id), Long.toString(id), dagId, runId,
                    Fields.text(row, "run_type", ROW), state == null ? null : state.toLowerCase(Locale.ROOT),
                    Fields.nonEmptyText(row, "triggering_user_name", ROW),
                    triggeredBy == null ? null : triggeredBy.toLowerCase(Locale.ROOT), clearNumber == null ? 0 : clearNumber,
                    RowTimes.orNull(row, "queued_at"), RowTimes.orNull(row, "start_date"), RowTimes.orNull(row, "end_date"));
        }

        /** The row key as the capture writes it, for records that come without one. */
        static String keyOf(Long id) {
            if (id == null) {
                throw new MalformedRecordException("dag_run row without an integer 'id'");
            }
            return "{\"id\":" + id + "}";
        }
    }
}
