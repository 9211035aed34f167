package io.airlock.streams.detect;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.airlock.core.Alert;
import io.airlock.core.NormalizedEvent;
import io.airlock.core.Topics;
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
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * AL-013: Airflow's own records changed in a way Airflow never changes them — audit-log rows rewritten or deleted, a table
 * ({@code log}, {@code dag_run}, {@code ab_user}) truncated ({@link AuditTrailChanges}). High: someone with database access
 * is covering tracks or destroying history, whatever the hour.
 *
 * <p><b>Retention is not tampering.</b> {@code airflow db clean} deletes old audit rows, and Airflow logs the command
 * ({@code cli_cleanup_tables}) before it starts, which the normalizer marks ({@link AuditTrailChanges#CLEAN_STARTED}): deletes of {@code log} rows older than a day
 * ({@link AuditTrailChanges#isYoungRow}) up to {@link #CLEANUP_SPAN} after such a command are retention and do not count.
 * A row younger than a day deleted is never retention — so an intruder who inserts a clean-up row of their own (or runs
 * {@code airflow db clean --dry-run}) before deleting their recent traces is still caught. Rewrites and truncates always count; so do deletes with no clean-up before them
 * (a maintenance DAG deleting with SQL instead of {@code airflow db clean} needs {@code rules.AL-013.allow-entities:
 * [airflow.log]}, or better, {@code airflow db clean}).
 *
 * <p><b>Entity: the table</b> ({@code event.dataset}: {@code airflow.log}, …). The changes carry no user, nor does the
 * marker the normalizer adds after a clean-up command's audit row ({@link AuditTrailChanges#CLEAN_STARTED}): all are keyed
 * by the empty principal on {@code events}, so one task sees them all, in the order they were committed, with no
 * repartition. <b>Grouping</b>: the rule's threshold (default 1) and window (default 1 h): changes of one table within
 * the window of the previous one are one alert, whose summary counts rows deleted and rewritten and truncates.
 */
public final class AuditTrailTamperingRule implements Processor<String, NormalizedEvent, String, Alert> {

    public static final RuleDefinition RULE = RuleDefinition.AUDIT_TRAIL_TAMPERING;
    public static final String STORE = "al-013-audit-trail-changes";
    /** How long after {@code airflow db clean} started its deletes of audit rows are retention. */
    static final Duration CLEANUP_SPAN = Duration.ofHours(6);
    private static final Set<String> CHANGES = Set.of(AuditTrailChanges.LOG_ROW_DELETED, AuditTrailChanges.LOG_ROW_UPDATED,
            AuditTrailChanges.TABLE_TRUNCATED);

    /** Per-table state: the burst, what the open alert counted, and the latest clean-up command. */
    record State(@JsonProperty("burst") BurstTracker.State burst, @JsonProperty("alert_id") String alertId,
            @JsonProperty("deleted") long deleted, @JsonProperty("updated") long updated, @JsonProperty("truncated") long truncated,
            @JsonProperty("cleanup") Instant lastCleanup) {
        static final State EMPTY = new State(BurstTracker.State.EMPTY, null, 0, 0, 0, null);

        State {
            burst = burst == null ? BurstTracker.State.EMPTY : burst;
        }
    }

    private final BusinessCalendar calendar;
    private final AlertFactory alerts;
    private final BurstTracker tracker;
    private ProcessorContext<String, Alert> context;
    private KeyValueStore<String, State> states;

    AuditTrailTamperingRule(DetectionConfig config) {
        this.calendar = config.calendar();
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
        this.states = context.getStateStore(STORE);
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
            states.put(table, new State(state.burst(), state.alertId(), state.deleted(), state.updated(), state.truncated(), started));
            return;
        }
        if (isRetention(event, state.lastCleanup())) {
            return;
        }
        BurstTracker.Step step = tracker.observe(state.burst(), table, new BurstTracker.Hit(event.timestamp(), event.id()));
        BurstTracker.OpenBurst burst = step.fired();
        if (burst == null) {
            states.put(table, new State(step.next(), state.alertId(), state.deleted(), state.updated(), state.truncated(),
                    state.lastCleanup()));
            return;
        }
        boolean sameAlert = !step.detached() && burst.alertId().equals(state.alertId());
        long deleted = (sameAlert ? state.deleted() : 0) + (AuditTrailChanges.LOG_ROW_DELETED.equals(event.action()) ? 1 : 0);
        long updated = (sameAlert ? state.updated() : 0) + (AuditTrailChanges.LOG_ROW_UPDATED.equals(event.action()) ? 1 : 0);
        long truncated = (sameAlert ? state.truncated() : 0) + (AuditTrailChanges.TABLE_TRUNCATED.equals(event.action()) ? 1 : 0);
        states.put(table, step.detached()
                ? new State(step.next(), state.alertId(), state.deleted(), state.updated(), state.truncated(), state.lastCleanup())
                : new State(step.next(), burst.alertId(), deleted, updated, truncated, state.lastCleanup()));
        Alert alert = alerts.alert(burst, table, summary(table, burst, deleted, updated, truncated, state.lastCleanup()));
        context.forward(AlertFactory.record(alert, context));
    }

    private static boolean isRetention(NormalizedEvent event, Instant lastCleanup) {
        return AuditTrailChanges.LOG_ROW_DELETED.equals(event.action()) && !AuditTrailChanges.isYoungRow(event) && lastCleanup != null
                && !event.timestamp().isBefore(lastCleanup) && !event.timestamp().isAfter(lastCleanup.plus(CLEANUP_SPAN));
    }

    private String summary(String table, BurstTracker.OpenBurst burst, long deleted, long updated, long truncated, Instant lastCleanup) {
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
        String them = deleted == 1 ? "it" : "them";
        String cleanup = deleted == 0 ? ""
                : lastCleanup == null ? "; no `airflow db clean` before " + them
                : "; the last `airflow db clean` started " + calendar.describe(lastCleanup) + ", more than "
                        + CLEANUP_SPAN.toHours() + " h before";
        return subject + ": " + String.join(", ", what) + " " + AlertFactory.span(burst.firstSeen(), burst.lastSeen()) + cleanup
                + " — Airflow itself never does this";
    }
}
