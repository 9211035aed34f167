package io.airlock.streams.detect;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.airlock.core.Alert;
import io.airlock.core.NormalizedEvent;
import io.airlock.core.Topics;
import io.airlock.core.config.ConfigTypes;
import io.airlock.streams.BusinessCalendar;
import io.airlock.streams.DetectionConfig;
import io.airlock.streams.normalize.AuditTrailChanges;
import io.airlock.streams.normalize.EventCategories;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import io.airlock.streams.internal.DecodedStateCache;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * AL-013: Airflow's own records changed in a way Airflow does not change them — audit-log rows rewritten, or deleted other
 * than by retention, a table ({@code log}, {@code dag_run}, {@code ab_user}) truncated ({@link AuditTrailChanges}). High:
 * someone with database access is covering tracks or destroying history, whatever the hour.
 *
 * <p><b>Retention is not tampering.</b> {@code airflow db clean} deletes audit rows older than its
 * {@code --clean-before-timestamp}, and Airflow logs the command ({@code cli_cleanup_tables}) before it starts, which the
 * normalizer marks ({@link AuditTrailChanges#CLEAN_STARTED}): deletes of {@code log} rows older than
 * {@link DetectionConfig#minRetention} (default 24 h; {@link AuditTrailChanges#isYoungRow}) up to
 * {@link DetectionConfig#cleanupSpan} (default 12 h: the command goes table by table and can run for hours) after such a
 * command are retention and do not count. A deleted row younger than the minimum retention is never taken for retention,
 * although {@code airflow db clean} itself has no minimum age: an intruder who inserts a clean-up row of their own (or runs
 * {@code airflow db clean --dry-run}) before deleting their recent traces is still caught — as long as Airlock knows when
 * those rows were written: rows written before everything it saw, while it knows nothing older than the minimum retention
 * (a start without the snapshot of {@code log}: a {@code backtest} of streamed changes, a reset of its state), are of unknown
 * age and taken for retention after a clean-up row ({@code LogRowAges#writtenWithin}). A deployment that keeps less
 * than a day sets the minimum retention below what it keeps. Rewrites and truncates always count; so do deletes with no
 * clean-up before them (a maintenance DAG deleting with SQL instead of {@code airflow db clean} needs
 * {@code rules.AL-013.allow-entities: [airflow.log]}, or better, {@code airflow db clean}).
 *
 * <p><b>Entity: the table</b> ({@code event.dataset}: {@code airflow.log}, …). The changes carry no user, nor does the
 * marker the normalizer adds after a clean-up command's audit row ({@link AuditTrailChanges#CLEAN_STARTED}): all are keyed
 * by the empty principal on {@code events}, so one task sees them all, in the order they were committed, with no
 * repartition. <b>Grouping</b>: the rule's threshold (default 1) and window (default 1 h): changes of one table within
 * the window of the previous one are one alert, whose summary counts rows deleted and rewritten and truncates, and says
 * why the deletes are no retention: rows younger than the minimum retention, no clean-up before them, or one too long
 * before.
 */
public final class AuditTrailTamperingRule implements Processor<String, NormalizedEvent, String, Alert> {

    public static final RuleDefinition RULE = RuleDefinition.AUDIT_TRAIL_TAMPERING;
    public static final String STORE = "al-013-audit-trail-changes";
    private static final Set<String> CHANGES = Set.of(AuditTrailChanges.LOG_ROW_DELETED, AuditTrailChanges.LOG_ROW_UPDATED,
            AuditTrailChanges.TABLE_TRUNCATED);

    /**
     * Per-table state: the burst, what the open alert counted (of the rows deleted: how many were younger than the minimum
     * retention, how
     * many had no clean-up before them, how many came too long after one), and the latest clean-up command. A state stored
     * before the reasons were counted reads them as 0.
     */
    record State(@JsonProperty("burst") BurstTracker.State burst, @JsonProperty("alert_id") String alertId,
            @JsonProperty("deleted") long deleted, @JsonProperty("updated") long updated, @JsonProperty("truncated") long truncated,
            @JsonProperty("cleanup") Instant lastCleanup, @JsonProperty("deleted_young") long deletedYoung,
            @JsonProperty("deleted_without_cleanup") long deletedWithoutCleanup,
            @JsonProperty("deleted_after_cleanup_span") long deletedAfterCleanupSpan) {
        static final State EMPTY = new State(BurstTracker.State.EMPTY, null, 0, 0, 0, null, 0, 0, 0);

        State {
            burst = burst == null ? BurstTracker.State.EMPTY : burst;
        }

        State withCleanup(Instant started) {
            return new State(burst, alertId, deleted, updated, truncated, started, deletedYoung, deletedWithoutCleanup,
                    deletedAfterCleanupSpan);
        }

        State withBurst(BurstTracker.State next) {
            return new State(next, alertId, deleted, updated, truncated, lastCleanup, deletedYoung, deletedWithoutCleanup,
                    deletedAfterCleanupSpan);
        }
    }

    /** Where a delete stands to the latest {@code airflow db clean}. */
    private enum Cleanup { NONE_BEFORE, WITHIN_SPAN, LONGER_AGO }

    private final BusinessCalendar calendar;
    private final Duration cleanupSpan;
    private final Duration minRetention;
    private final AlertFactory alerts;
    private final BurstTracker tracker;
    private ProcessorContext<String, Alert> context;
    private DecodedStateCache<State> states;

    AuditTrailTamperingRule(DetectionConfig config) {
        this.calendar = config.calendar();
        this.cleanupSpan = config.cleanupSpan();
        this.minRetention = config.minRetention();
        this.alerts = new AlertFactory(RULE, config);
        this.tracker = alerts.tracker();
    }

    /** Adds the rule: audit-trail changes and clean-up commands of {@code events} in, alerts (keyed by alert id) out. */
    public static void addTo(StreamsBuilder builder, KStream<String, NormalizedEvent> events, DetectionConfig config, Topics topics) {
        if (!config.rule(RULE).enabled()) {
            return;
        }
        RuleWiring.addStore(builder, STORE, State.class);
        KStream<String, Alert> alerts = events
                .filter((principal, event) -> isChange(event) || isCleanup(event), Named.as("al-013-audit-trail-changes"))
                .process(() -> new AuditTrailTamperingRule(config), Named.as("al-013-detect"), STORE);
        RuleWiring.toAlerts(builder, alerts, RULE, config, topics);
    }

    /** An {@link AuditTrailChanges} event (never an audit row that merely names itself like one). */
    static boolean isChange(NormalizedEvent event) {
        return event.dataset().startsWith("airflow.") && EventCategories.DATABASE.equals(event.category())
                && event.action() != null && CHANGES.contains(event.action());
    }

    /** The marker of an {@code airflow db clean} ({@link AuditTrailChanges#CLEAN_STARTED}). */
    static boolean isCleanup(NormalizedEvent event) {
        return NormalizedEvent.DATASET_LOG.equals(event.dataset()) && AuditTrailChanges.CLEAN_STARTED.equals(event.action());
    }

    @Override
    public void init(ProcessorContext<String, Alert> context) {
        this.context = context;
        this.states = new DecodedStateCache<>(context.<KeyValueStore<String, State>>getStateStore(STORE));
    }

    @Override
    public void process(Record<String, NormalizedEvent> record) {
        NormalizedEvent event = record.value();
        String table = event.dataset();
        State state = states.get(table);
        state = state == null ? State.EMPTY : state;
        if (isCleanup(event)) {
            Instant started = state.lastCleanup() == null || event.timestamp().isAfter(state.lastCleanup())
                    ? event.timestamp() : state.lastCleanup();
            states.put(table, state.withCleanup(started));
            return;
        }
        boolean deleted = AuditTrailChanges.LOG_ROW_DELETED.equals(event.action());
        boolean young = deleted && AuditTrailChanges.isYoungRow(event);
        Cleanup cleanup = cleanup(event.timestamp(), state.lastCleanup());
        if (deleted && !young && cleanup == Cleanup.WITHIN_SPAN) {
            return; // retention
        }
        BurstTracker.Step step = tracker.observe(state.burst(), table, new BurstTracker.Hit(event.timestamp(), event.id()));
        BurstTracker.OpenBurst burst = step.fired();
        if (burst == null || step.detached()) {
            states.put(table, state.withBurst(step.next()));
            if (burst == null) {
                return;
            }
        }
        boolean sameAlert = !step.detached() && burst.alertId().equals(state.alertId());
        State counted = new State(step.next(), burst.alertId(),
                count(sameAlert, state.deleted(), deleted),
                count(sameAlert, state.updated(), AuditTrailChanges.LOG_ROW_UPDATED.equals(event.action())),
                count(sameAlert, state.truncated(), AuditTrailChanges.TABLE_TRUNCATED.equals(event.action())),
                state.lastCleanup(),
                count(sameAlert, state.deletedYoung(), young),
                count(sameAlert, state.deletedWithoutCleanup(), deleted && cleanup == Cleanup.NONE_BEFORE),
                count(sameAlert, state.deletedAfterCleanupSpan(), deleted && cleanup == Cleanup.LONGER_AGO));
        if (!step.detached()) {
            states.put(table, counted);
        }
        Alert alert = alerts.alert(burst, table, summary(table, burst, counted));
        context.forward(AlertFactory.record(alert, context));
    }

    private static long count(boolean sameAlert, long before, boolean hit) {
        return (sameAlert ? before : 0) + (hit ? 1 : 0);
    }

    /**
     * Where a delete stands to the latest {@code airflow db clean}; it is retention when also its row is older than the
     * minimum retention.
     */
    private Cleanup cleanup(Instant at, Instant lastCleanup) {
        if (lastCleanup == null || at.isBefore(lastCleanup)) {
            return Cleanup.NONE_BEFORE;
        }
        return at.isAfter(lastCleanup.plus(cleanupSpan)) ? Cleanup.LONGER_AGO : Cleanup.WITHIN_SPAN;
    }

    private String summary(String table, BurstTracker.OpenBurst burst, State counted) {
        long deleted = counted.deleted();
        long updated = counted.updated();
        long truncated = counted.truncated();
        List<String> what = new ArrayList<>();
        if (truncated > 0) {
            what.add(truncated == 1 ? "table truncated" : "table truncated " + truncated + " times");
        }
        if (deleted > 0) {
            what.add(deleted + (deleted == 1 ? " row deleted" : " rows deleted"));
        }
        if (updated > 0) {
            what.add(updated + (updated == 1 ? " row rewritten" : " rows rewritten"));
        }
        String subject = NormalizedEvent.DATASET_LOG.equals(table) ? "Airflow's audit log (table log)"
                : "Airflow table " + table.substring("airflow.".length());
        // Airflow never rewrites audit rows or truncates these tables; it does delete audit rows (airflow db clean)
        return subject + ": " + String.join(", ", what) + " " + AlertFactory.span(burst.firstSeen(), burst.lastSeen())
                + whyNoRetention(counted) + (deleted == 0 ? " — Airflow itself never does this" : "");
    }

    /**
     * Why the deletes are no retention, for each reason the share of the deletes it applies to: {@code "; all 3 were written
     * within the last 24h — younger than the shortest retention Airlock assumes for `airflow db clean`
     * (rules.AL-013.min-retention)"}, {@code "; no `airflow db clean` before them"}, {@code
     * "; the last `airflow db clean` started …, more than 12h before 2 of them"}: durations as the setting is written
     * and as the event's mark names it ({@link ConfigTypes#formatDuration}: {@code 24h}, {@code 90m}, {@code 30s}).
     */
    private String whyNoRetention(State counted) {
        long deleted = counted.deleted();
        StringBuilder why = new StringBuilder();
        if (counted.deletedYoung() > 0) {
            long young = counted.deletedYoung();
            why.append("; ").append(young == deleted ? (deleted == 1 ? "it was" : (deleted == 2 ? "both" : "all " + deleted) + " were")
                            : young + " of them " + (young == 1 ? "was" : "were"))
                    .append(" written within the last ").append(ConfigTypes.formatDuration(minRetention))
                    .append(" — younger than the shortest retention Airlock assumes for `airflow db clean` (rules.AL-013.min-retention)");
            boolean someAfterACleanup = counted.deletedWithoutCleanup() + counted.deletedAfterCleanupSpan() < deleted;
            if (someAfterACleanup && counted.lastCleanup() != null) {
                why.append(" (the last one started ").append(calendar.describe(counted.lastCleanup())).append(')');
            }
        }
        if (counted.deletedWithoutCleanup() > 0) {
            why.append("; no `airflow db clean` before ").append(share(counted.deletedWithoutCleanup(), deleted));
        }
        if (counted.deletedAfterCleanupSpan() > 0) {
            why.append("; the last `airflow db clean` started ").append(calendar.describe(counted.lastCleanup()))
                    .append(", more than ").append(ConfigTypes.formatDuration(cleanupSpan)).append(" before ")
                    .append(share(counted.deletedAfterCleanupSpan(), deleted));
        }
        return why.toString();
    }

    private static String share(long some, long all) {
        return some == all ? (all == 1 ? "it" : "them") : some + " of them";
    }
}
