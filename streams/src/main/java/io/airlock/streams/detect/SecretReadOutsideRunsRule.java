package io.airlock.streams.detect;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.airlock.core.Alert;
import io.airlock.core.NormalizedEvent;
import io.airlock.core.Topics;
import io.airlock.streams.DetectionConfig;
import io.airlock.streams.internal.InternalSerdes;
import io.airlock.streams.internal.StateStores;
import io.airlock.streams.normalize.AuditTrailChanges;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * AL-022: Airflow's service identity reads a secret while no DAG run is running, allowing the rule's window (default 2
 * minutes) as grace before a run starts and after it ends. A read attributed to a run (audited {@code X-Airflow-Run-Id}
 * header, with {@code X-Airflow-Dag-Id} when present) must fall into <em>that</em> run: a read naming a run that was not
 * running alerts even while other runs are.
 *
 * <p><b>One place for both sources.</b> {@code dag_run} lifecycle events and the service identity's secret reads go through
 * the one-partition repartition topic {@value #TOPIC} to one processor. It keeps each run's running intervals in
 * {@value #RUNS_STORE} (a cleared run has several; a run first seen finished — a snapshot — counts from its creation) and
 * forgets runs {@link #RUN_RETENTION} after they ended. A deleted run ends when it is deleted; a {@code TRUNCATE dag_run}
 * (whose event names no run) ends every run running then ({@link #endRunsRunningAt}). Both stores are
 * {@linkplain SortedStoreMirror mirrored in memory}: they are scanned on every decision.
 *
 * <p><b>Deciding late on purpose.</b> CDC and Vault arrive with different latencies, so a read is buffered in
 * {@value #PENDING_STORE} and decided only once read time + grace has passed — by then the start of a run the read belongs
 * to has arrived, if CDC is less than the grace behind Vault. "Passed" is the {@linkplain UpstreamProgress low watermark}
 * of the tasks writing {@value #TOPIC}, not this task's stream time: with more than one input partition those tasks advance
 * at their own pace (in a catch-up, minutes of event time apart), and stream time, the newest of them, would decide a read
 * before a lagging task delivered the start of its run — a false alert. That is also why the rule is fed by the
 * normalization tasks (the same events they write to {@code events}) and not from {@code events}: a normalization task takes
 * its partitions of the raw sources in timestamp order, so its stream time is a true watermark of what it will still send;
 * a task of {@code events} merges the output of every normalization task and has none. The tasks' progress markers also
 * move this task's stream time while Airflow is quiet, so verdicts do not wait for Airflow's next read or run change.
 *
 * <p>Violations of the service identity within {@link #GROUP_WINDOW} of each other are one alert (the rule's window is the
 * grace), counting distinct paths.
 */
public final class SecretReadOutsideRunsRule implements Processor<String, NormalizedEvent, String, Alert> {

    public static final RuleDefinition RULE = RuleDefinition.SECRET_READ_OUTSIDE_RUNS;
    public static final String TOPIC = "al-022-airflow-activity";
    public static final String RUNS_STORE = "al-022-dag-runs";
    public static final String PENDING_STORE = "al-022-pending-reads";
    public static final String GROUP_STORE = "al-022-violation-groups";
    public static final String PROGRESS_STORE = "al-022-upstream-progress";
    public static final Duration GROUP_WINDOW = Duration.ofHours(1);
    public static final Duration RUN_RETENTION = Duration.ofHours(24);
    static final Duration PRUNE_INTERVAL = Duration.ofHours(1);
    static final Duration IDLE_CHECK_INTERVAL = Duration.ofSeconds(5);
    static final Duration IDLE_DECISION_DELAY = Duration.ofSeconds(30);
    /** How long input must be idle before every read whose grace has passed is decided, at the latest. */
    public static final Duration IDLE_DECISION_AFTER = IDLE_DECISION_DELAY.plus(IDLE_CHECK_INTERVAL);

    private static final String ACTIVITY_KEY = "airflow";
    private static final char SEPARATOR = '\u001f';

    /** One span in which a run was running; {@code end} null while it still is. */
    public record Interval(@JsonProperty("start") Instant start, @JsonProperty("end") Instant end) {
        boolean covers(Instant at, Duration grace) {
            return !at.isBefore(start.minus(grace)) && (end == null || !at.isAfter(end.plus(grace)));
        }
    }

    /** What the rule knows of one DAG run. */
    public record RunActivity(@JsonProperty("dag_id") String dagId, @JsonProperty("run_id") String runId,
            @JsonProperty("created") Instant created, @JsonProperty("intervals") List<Interval> intervals) {

        public RunActivity {
            intervals = intervals == null ? List.of() : List.copyOf(intervals);
        }

        boolean covers(Instant at, Duration grace) {
            return intervals.stream().anyMatch(i -> i.covers(at, grace));
        }

        /**
         * The run as a truncate of {@code dag_run} at {@code at} leaves it: a running interval that began by then ends then,
         * as a delete ends it; one that began later is a run inserted after the truncate (its start told before the
         * truncate's turn came) and goes on.
         */
        RunActivity truncated(Instant at) {
            boolean runningThen = intervals.stream().anyMatch(i -> i.end() == null && !i.start().isAfter(at));
            return runningThen ? ended(at, false) : this;
        }

        /** When the run was last active: the end of its last interval, or null while it runs. */
        Instant lastActive() {
            Instant last = created;
            for (Interval i : intervals) {
                if (i.end() == null) {
                    return null;
                }
                last = last == null || i.end().isAfter(last) ? i.end() : last;
            }
            return last;
        }

        RunActivity apply(String action, Instant at) {
            return switch (action) {
                case "dag-run-created" -> new RunActivity(dagId, runId, created == null || at.isBefore(created) ? at : created, intervals);
                case "dag-run-running" -> started(at);
                case "dag-run-success", "dag-run-failed" -> ended(at, true);
                // cleared: a new running interval follows; deleted: ends a running interval, but says nothing of a run that
                // had finished (or never ran) — taking it as running up to its deletion would cover reads it never made
                case "dag-run-queued", "dag-run-deleted" -> ended(at, false);
                default -> this;
            };
        }

        private RunActivity started(Instant at) {
            List<Interval> next = new ArrayList<>(intervals);
            for (int i = 0; i < next.size(); i++) {
                Interval interval = next.get(i);
                if (interval.start().equals(at)) {
                    return this;
                }
                if (interval.end() == null) {
                    next.set(i, new Interval(at.isBefore(interval.start()) ? at : interval.start(), null));
                    return new RunActivity(dagId, runId, created, next);
                }
            }
            next.add(new Interval(at, null));
            return new RunActivity(dagId, runId, created, next);
        }

        private RunActivity ended(Instant at, boolean finished) {
            List<Interval> next = new ArrayList<>(intervals);
            for (int i = 0; i < next.size(); i++) {
                Interval interval = next.get(i);
                if (interval.end() == null) {
                    next.set(i, new Interval(interval.start(), at.isBefore(interval.start()) ? interval.start() : at));
                    return new RunActivity(dagId, runId, created, next);
                }
                if (interval.end().equals(at)) {
                    return this;
                }
            }
            if (!finished) {
                return this;
            }
            // finished without a running state seen (snapshot of a finished run, or a lost update): count from creation
            next.add(new Interval(created != null && !created.isAfter(at) ? created : at, at));
            return new RunActivity(dagId, runId, created, next);
        }
    }

    private final DetectionConfig config;
    private final AlertFactory alerts;
    private final VaultPathBurstTracker tracker;
    private final Duration grace;
    private ProcessorContext<String, Alert> context;
    private SortedStoreMirror<RunActivity> runs;
    private SortedStoreMirror<NormalizedEvent> pending;
    private KeyValueStore<String, VaultPathBurstTracker.State> groups;
    private UpstreamProgress progress;
    private long lastPruneMs;
    /** When each pending read arrived, in processing time (not persisted: after a restart reads count as arrived then). */
    private final java.util.Map<String, Long> arrivedAt = new java.util.HashMap<>();

    SecretReadOutsideRunsRule(DetectionConfig config) {
        this.config = config;
        this.alerts = new AlertFactory(RULE, config);
        this.tracker = new VaultPathBurstTracker(RULE.id(), 1, GROUP_WINDOW, config.grace());
        this.grace = config.rule(RULE).window();
    }

    /**
     * Adds the rule: run changes and the service identity's secret reads, through one partition, in; alerts out.
     *
     * @param normalized the normalizers' output (what they write to {@code events}), not a stream read from {@code events}
     */
    public static void addTo(StreamsBuilder builder, KStream<String, NormalizedEvent> normalized, DetectionConfig config,
            Topics topics) {
        if (!config.rule(RULE).enabled()) {
            return;
        }
        builder.addStateStore(StateStores.inMemory(RUNS_STORE, RuleStateSerdes.forType(RunActivity.class)));
        builder.addStateStore(StateStores.inMemory(PENDING_STORE, InternalSerdes.events()));
        RuleWiring.addStore(builder, GROUP_STORE, VaultPathBurstTracker.State.class);
        UpstreamProgress.addStore(builder, PROGRESS_STORE);
        KStream<String, Alert> alerts = CountedTimes.of(normalized, "al-022-counted-times")
                .process(() -> new UpstreamProgress.Feed(
                                event -> isRunChange(event) || isRunsTruncated(event) || isServiceRead(config, event), ACTIVITY_KEY),
                        Named.as("al-022-airflow-activity"))
                .repartition(Repartitioned.<String, NormalizedEvent>as(TOPIC).withKeySerde(Serdes.String())
                        .withValueSerde(InternalSerdes.events()).withNumberOfPartitions(1))
                .process(() -> new SecretReadOutsideRunsRule(config), Named.as("al-022-detect"), RUNS_STORE, PENDING_STORE, GROUP_STORE,
                        PROGRESS_STORE);
        RuleWiring.toAlerts(builder, alerts, RULE, config, topics);
    }

    static boolean isRunChange(NormalizedEvent event) {
        return NormalizedEvent.DATASET_DAG_RUN.equals(event.dataset()) && event.dagId() != null && event.runId() != null
                && event.action() != null && event.action().startsWith("dag-run-");
    }

    /** A {@code TRUNCATE dag_run}: every run gone at once, none named. */
    static boolean isRunsTruncated(NormalizedEvent event) {
        return NormalizedEvent.DATASET_DAG_RUN.equals(event.dataset()) && AuditTrailChanges.TABLE_TRUNCATED.equals(event.action());
    }

    static boolean isServiceRead(DetectionConfig config, NormalizedEvent event) {
        return VaultSecretReads.isSecretRead(event) && VaultSecretReads.isAirflowServiceIdentity(config, event)
                && !VaultSecretReads.isAllowed(config, event);
    }

    @Override
    public void init(ProcessorContext<String, Alert> context) {
        this.context = context;
        this.runs = new SortedStoreMirror<>(context.getStateStore(RUNS_STORE));
        this.pending = new SortedStoreMirror<>(context.getStateStore(PENDING_STORE));
        this.groups = context.getStateStore(GROUP_STORE);
        this.progress = new UpstreamProgress(context.getStateStore(PROGRESS_STORE), UpstreamProgress.expectedWriters(context.appConfigs()),
                context.currentSystemTimeMs());
        context.schedule(IDLE_CHECK_INTERVAL, PunctuationType.WALL_CLOCK_TIME, this::decideIdleReads);
    }

    /**
     * While nothing arrives, nothing moves the watermark, so reads would wait for the next record. A read that has been
     * pending for {@link #IDLE_DECISION_DELAY} of processing time, and whose event time plus grace lies before the wall clock
     * (and before the watermark of the writers still active), is decided anyway: by then its DAG run's changes have long been
     * captured. Offline replays move the wall clock only once, after the last record, so backtests stay deterministic.
     */
    private void decideIdleReads(long wallClockMs) {
        List<KeyValue<String, NormalizedEvent>> due = new ArrayList<>();
        Instant decidable = Instant.ofEpochMilli(Math.min(wallClockMs, progress.watermark(wallClockMs))).minus(grace);
        for (var entry : pending.all()) {
            long arrived = arrivedAt.computeIfAbsent(entry.getKey(), k -> wallClockMs);
            if (wallClockMs - arrived >= IDLE_DECISION_DELAY.toMillis() && !readTime(entry.getKey()).isAfter(decidable)) {
                due.add(KeyValue.pair(entry.getKey(), entry.getValue()));
            }
        }
        for (KeyValue<String, NormalizedEvent> entry : due) {
            decide(entry);
        }
    }

    private void decide(KeyValue<String, NormalizedEvent> entry) {
        pending.delete(entry.key);
        arrivedAt.remove(entry.key);
        if (isRunsTruncated(entry.value)) {
            endRunsRunningAt(readTime(entry.key));
            return;
        }
        String violation = violation(entry.value, readTime(entry.key));
        if (violation != null) {
            alertOn(entry.value, violation);
        }
    }

    @Override
    public void process(Record<String, NormalizedEvent> record) {
        if (!progress.observe(record, context.currentSystemTimeMs())) {
            take(record.value());
        }
        decidePendingReads(context.currentStreamTimeMs()); // what the record (or the writer's progress) made decidable
    }

    /**
     * A run change updates its run; a read waits in {@value #PENDING_STORE} for its verdict, and so does a truncate of
     * {@code dag_run}, for its turn among the reads.
     *
     * <p>Why the truncate waits: Debezium writes it without a key, to one partition of the topic, so it may arrive here before
     * the start of a run that was running then, sent by a normalization task that is behind; applied at once it would miss
     * that run, which would then cover every later read. Once every writer has passed the truncate's time plus grace, every
     * run started before it is known. Reads decided meanwhile lose nothing: the run covers them until the truncate plus the
     * grace anyway.
     */
    private void take(NormalizedEvent event) {
        if (isRunChange(event)) {
            String key = runKey(event.dagId(), event.runId());
            RunActivity known = runs.get(key);
            RunActivity run = known != null ? known : new RunActivity(event.dagId(), event.runId(), null, List.of());
            RunActivity next = run.apply(event.action(), event.timestamp());
            if (!next.equals(known)) {
                runs.put(key, next);
            }
        } else {
            // at its counted time (CountedTimes): a read (or truncate) stamped ahead of the clock (a Vault node whose clock runs
            // ahead) would otherwise wait, and be kept, until the clock caught up
            String key = String.format("%019d%c%s", event.timestamp().toEpochMilli(), SEPARATOR, event.id());
            pending.put(key, event);
            arrivedAt.put(key, context.currentSystemTimeMs());
        }
    }

    /**
     * Decides, in event-time order, every buffered read (and applies every truncate) whose grace has passed in stream time
     * and in every active writer's; once an hour of stream time, forgets runs that ended {@link #RUN_RETENTION} ago.
     */
    private void decidePendingReads(long streamTimeMs) {
        long watermark = Math.min(streamTimeMs, progress.watermark(context.currentSystemTimeMs()));
        Instant decidable = Instant.ofEpochMilli(watermark).minus(grace);
        List<KeyValue<String, NormalizedEvent>> due = new ArrayList<>();
        for (var entry : pending.all()) {
            if (readTime(entry.getKey()).isAfter(decidable)) {
                break;
            }
            due.add(KeyValue.pair(entry.getKey(), entry.getValue()));
        }
        for (KeyValue<String, NormalizedEvent> entry : due) {
            decide(entry);
        }
        if (streamTimeMs - lastPruneMs >= PRUNE_INTERVAL.toMillis()) {
            lastPruneMs = streamTimeMs;
            pruneEndedRuns(Instant.ofEpochMilli(streamTimeMs).minus(RUN_RETENTION));
        }
    }

    /** When a pending read counts as made: the time its key in {@value #PENDING_STORE} starts with. */
    private static Instant readTime(String pendingKey) {
        return Instant.ofEpochMilli(Long.parseLong(pendingKey.substring(0, 19)));
    }

    /** Why the read is out of place, or null when a (its) run covers it. */
    String violation(NormalizedEvent read) {
        return violation(read, read.timestamp());
    }

    /** As {@link #violation(NormalizedEvent)}, for the read judged at {@code at}. */
    private String violation(NormalizedEvent read, Instant at) {
        if (read.runId() != null) {
            List<RunActivity> named = read.dagId() != null
                    ? listOf(runs.get(runKey(read.dagId(), read.runId())))
                    : find(run -> run.runId().equals(read.runId()));
            if (named.stream().anyMatch(run -> run.covers(at, grace))) {
                return null;
            }
            String run = (read.dagId() != null ? read.dagId() + "/" : "") + read.runId();
            return named.isEmpty() ? "attributed to run " + run + ", which Airlock does not know (never seen, or ended more than "
                    + RUN_RETENTION.toHours() + " h before)"
                    : "attributed to run " + run + ", which was not running then";
        }
        return find(run -> run.covers(at, grace)).isEmpty() ? "no DAG run was running" : null;
    }

    private void alertOn(NormalizedEvent read, String violation) {
        String identity = read.vaultIdentity();
        var hit = new VaultPathBurstTracker.Hit(read.timestamp(), read.id(), read.vaultKvPath(), false);
        VaultPathBurstTracker.Step step = tracker.observe(groups.get(identity), identity, hit);
        groups.put(identity, step.next());
        if (step.fired() != null) {
            VaultPathBurstTracker.OpenBurst burst = step.fired();
            String summary = String.format(
                    "Airflow's service identity %s read %d secret%s outside DAG runs (grace %d s) %s, %s: %s; "
                            + "the latest read: %s",
                    VaultSecretReads.describe(identity, read), burst.count(), burst.count() == 1 ? "" : "s", grace.toSeconds(),
                    AlertFactory.span(burst.firstSeen(), burst.lastSeen()), VaultSecretReads.origin(read, burst.count()),
                    burst.pathSample(), violation);
            Alert alert = alerts.alert(burst.toBurst(), identity, summary);
            context.forward(AlertFactory.record(alert, context));
        }
    }

    private List<RunActivity> find(Predicate<RunActivity> matching) {
        List<RunActivity> found = new ArrayList<>();
        for (var entry : runs.all()) {
            if (matching.test(entry.getValue())) {
                found.add(entry.getValue());
            }
        }
        return found;
    }

    /**
     * A {@code TRUNCATE dag_run} at {@code at} ends every run running then, as a delete ends one: otherwise those runs stayed
     * running for good — every later read covered, and never pruned.
     */
    private void endRunsRunningAt(Instant at) {
        changeRuns(run -> run.truncated(at));
    }

    private void pruneEndedRuns(Instant horizon) {
        changeRuns(run -> run.lastActive() != null && run.lastActive().isBefore(horizon) ? null : run);
    }

    /** Applies {@code change} to every known run: a different value replaces the run, null forgets it. */
    private void changeRuns(UnaryOperator<RunActivity> change) {
        List<KeyValue<String, RunActivity>> changed = new ArrayList<>();
        for (var entry : runs.all()) {
            RunActivity next = change.apply(entry.getValue());
            if (!entry.getValue().equals(next)) {
                changed.add(KeyValue.pair(entry.getKey(), next));
            }
        }
        for (var run : changed) {
            if (run.value == null) {
                runs.delete(run.key);
            } else {
                runs.put(run.key, run.value);
            }
        }
    }

    private static List<RunActivity> listOf(RunActivity run) {
        return run == null ? List.of() : List.of(run);
    }

    private static String runKey(String dagId, String runId) {
        return dagId + SEPARATOR + runId;
    }
}
