package io.airlock.streams.detect;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.airlock.core.Alert;
import io.airlock.core.NormalizedEvent;
import io.airlock.core.Topics;
import io.airlock.streams.BusinessCalendar;
import io.airlock.streams.DetectionConfig;
import io.airlock.streams.internal.InternalSerdes;
import io.airlock.streams.normalize.DagRunNormalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * AL-011: a DAG run of run type {@code manual} created outside business hours (event {@code dag-run-created} of
 * {@code airflow.dag_run}, at its {@code queued_at}). Medium.
 *
 * <p><b>Entity: the DAG.</b> The triggering user is known only from Airflow 3.1 ({@code triggering_user_name}); 2.10 and
 * 3.0 runs carry none, and the run's events are then keyed by {@code ""}. The DAG is always known and is what an on-call
 * engineer acts on (what did this run do, who may trigger it); the user, when known, is named in the summary, and the
 * audit-log trigger event ({@code trigger}, {@code trigger_dag_run}, {@code cli_dag_trigger}) raises AL-010 for the user.
 * Runs of an allow-listed triggering user are ignored, and so are runs no person started now ({@link #NOT_BY_A_PERSON}):
 * initial-snapshot rows and runs created by another DAG's {@code TriggerDagRunOperator}.
 *
 * <p><b>Keying.</b> {@code events} is keyed by principal, so the manual-run events are re-keyed by DAG id and go through the
 * repartition topic {@value #REPARTITION} ({@code <application id>-al-011-manual-runs-by-dag-repartition}) before the
 * per-DAG state in {@value #STORE}. <b>Grouping</b>: the rule's threshold (default 1) and window (default 1 h): off-hours
 * manual runs of one DAG each within the window of the previous one are one alert.
 */
public final class OffHoursManualRunRule implements Processor<String, NormalizedEvent, String, Alert> {

    public static final RuleDefinition RULE = RuleDefinition.OFF_HOURS_MANUAL_RUN;
    public static final String STORE = "al-011-off-hours-manual-runs";
    public static final String REPARTITION = "al-011-manual-runs-by-dag";
    static final String CREATED = "dag-run-created";
    static final String MANUAL = "manual";
    /**
     * {@code dag-run-created} reasons of runs no person started now: rows of the initial snapshot (runs from before
     * Airlock looked) and runs a {@code TriggerDagRunOperator} of another DAG created (run type {@code manual},
     * {@code triggered_by} {@code operator}): a scheduled parent would otherwise raise one every night.
     */
    static final Set<String> NOT_BY_A_PERSON = Set.of(DagRunNormalizer.REASON_SNAPSHOT, DagRunNormalizer.TRIGGERED_BY + "operator");
    /** How many distinct triggering users the summary names. */
    static final int SUMMARY_USERS = 5;

    /** Per-DAG state: the burst and the triggering users seen in the open alert. */
    record State(@JsonProperty("burst") BurstTracker.State burst, @JsonProperty("alert_id") String alertId,
            @JsonProperty("users") List<String> users) {
        static final State EMPTY = new State(BurstTracker.State.EMPTY, null, List.of());

        State {
            burst = burst == null ? BurstTracker.State.EMPTY : burst;
            users = users == null ? List.of() : List.copyOf(users);
        }
    }

    private final BusinessCalendar calendar;
    private final AlertFactory alerts;
    private final BurstTracker tracker;
    private ProcessorContext<String, Alert> context;
    private KeyValueStore<String, State> states;

    OffHoursManualRunRule(DetectionConfig config) {
        this.calendar = config.calendar();
        this.alerts = new AlertFactory(RULE, config);
        this.tracker = alerts.tracker();
    }

    /** Adds the rule: manual runs of {@code events} in, re-keyed by DAG; alerts (keyed by alert id) out. */
    public static void addTo(StreamsBuilder builder, KStream<String, NormalizedEvent> events, DetectionConfig config, Topics topics) {
        if (!config.rule(RULE).enabled()) {
            return;
        }
        RuleWiring.addStore(builder, STORE, State.class);
        KStream<String, Alert> alerts = events
                .filter((principal, event) -> isOffHoursManualRun(event, config), Named.as("al-011-off-hours-manual-runs"))
                .selectKey((principal, event) -> event.dagId(), Named.as("al-011-key-by-dag"))
                .repartition(Repartitioned.<String, NormalizedEvent>as(REPARTITION)
                        .withKeySerde(Serdes.String()).withValueSerde(InternalSerdes.events()))
                .process(() -> new OffHoursManualRunRule(config), Named.as("al-011-detect"), STORE);
        RuleWiring.toAlerts(builder, alerts, RULE, config, topics);
    }

    static boolean isOffHoursManualRun(NormalizedEvent event, DetectionConfig config) {
        return NormalizedEvent.DATASET_DAG_RUN.equals(event.dataset())
                && CREATED.equals(event.action())
                && !NOT_BY_A_PERSON.contains(String.valueOf(event.reason()))
                && event.runType() != null && MANUAL.equals(event.runType().toLowerCase(Locale.ROOT))
                && event.dagId() != null
                && !config.allow().allowsUser(event.userName())
                && config.calendar().isOffHours(event.timestamp());
    }

    @Override
    public void init(ProcessorContext<String, Alert> context) {
        this.context = context;
        this.states = context.getStateStore(STORE);
    }

    @Override
    public void process(Record<String, NormalizedEvent> record) {
        NormalizedEvent event = record.value();
        String dag = event.dagId();
        State state = states.get(dag);
        state = state == null ? State.EMPTY : state;
        BurstTracker.Step step = tracker.observe(state.burst(), dag, new BurstTracker.Hit(event.timestamp(), event.id()));
        BurstTracker.OpenBurst burst = step.fired();
        if (burst == null) {
            states.put(dag, new State(step.next(), state.alertId(), state.users()));
            return;
        }
        List<String> users = new ArrayList<>(!step.detached() && burst.alertId().equals(state.alertId()) ? state.users() : List.of());
        String user = event.userName();
        if (user != null && !user.isBlank() && !users.contains(user) && users.size() < SUMMARY_USERS) {
            users.add(user);
        }
        states.put(dag, step.detached() ? new State(step.next(), state.alertId(), state.users()) : new State(step.next(), burst.alertId(), users));
        Alert alert = alerts.alert(burst, dag, summary(dag, burst, users, event));
        context.forward(AlertFactory.record(alert, context));
    }

    private String summary(String dag, BurstTracker.OpenBurst burst, List<String> users, NormalizedEvent latest) {
        String runs = burst.count() == 1
                ? "a manual run (" + UserAuthAlerts.quoted(latest.runId()) + ") at " + calendar.describe(burst.firstSeen())
                : burst.count() + " manual runs between " + calendar.describe(burst.firstSeen()) + " and "
                        + calendar.describe(burst.lastSeen()) + " (latest " + UserAuthAlerts.quoted(latest.runId()) + ")";
        String who = users.isEmpty()
                ? "triggering user not recorded (Airflow before 3.1): see the audit log's trigger event (AL-010)"
                : "triggered by " + String.join(", ", users.stream().map(UserAuthAlerts::quoted).toList());
        return String.format("DAG %s got %s outside business hours; %s", UserAuthAlerts.quoted(dag), runs, who);
    }
}
