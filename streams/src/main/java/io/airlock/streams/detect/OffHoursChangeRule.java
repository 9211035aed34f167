package io.airlock.streams.detect;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.airlock.core.Alert;
import io.airlock.core.NormalizedEvent;
import io.airlock.core.Severity;
import io.airlock.core.Topics;
import io.airlock.streams.BusinessCalendar;
import io.airlock.streams.DetectionConfig;
import io.airlock.streams.normalize.AuditLogNormalizer;
import io.airlock.streams.internal.DecodedStateCache;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * AL-010: an Airflow change (an audit-log event on the configured change list, {@link AirflowChangeEvents}, or a 2.x UI
 * "mark success/failed", {@link AuditLogNormalizer#REASON_MARKED_IN_UI}) made outside business hours. A 2.x row of a
 * preview or dry run ({@link AuditLogNormalizer#REASON_DRY_RUN}: the Clear dialog before it is confirmed, a REST clear with
 * {@code dry_run}) changed nothing and is not counted, whatever its name. Medium; high when the same user had AL-001 (failed-login burst) or AL-003 (login after burst) within the
 * rule's window (default 24 h) before the change, read from the shared {@link UserAuthAlerts} store.
 *
 * <p><b>Entity</b>: the acting user ({@code log.owner}), which is also the key of {@code events}, so no repartition is needed
 * and the shared store is local. <b>Grouping</b>: one user's off-hours changes each at most {@link #GROUPING} after the
 * previous one are one alert (same id, growing count, evidence and summary); once high, an alert stays high.
 * Users on the allow-list and events without a user are ignored.
 */
public final class OffHoursChangeRule implements Processor<String, NormalizedEvent, String, Alert> {

    public static final RuleDefinition RULE = RuleDefinition.OFF_HOURS_CHANGE;
    public static final String STORE = "al-010-off-hours-changes";
    /** Off-hours changes of one user this close to each other are one alert. */
    public static final Duration GROUPING = Duration.ofHours(1);
    /** How many distinct changes the summary names. */
    static final int SUMMARY_CHANGES = 5;

    /** Per-user state: the burst, and what the open alert has said so far. */
    record State(@JsonProperty("burst") BurstTracker.State burst, @JsonProperty("alert_id") String alertId,
            @JsonProperty("severity") Severity severity, @JsonProperty("escalation") String escalation,
            @JsonProperty("changes") List<String> changes, @JsonProperty("more") boolean more) {
        static final State EMPTY = new State(BurstTracker.State.EMPTY, null, null, null, List.of(), false);

        State {
            burst = burst == null ? BurstTracker.State.EMPTY : burst;
            changes = changes == null ? List.of() : List.copyOf(changes);
        }
    }

    private final DetectionConfig config;
    private final BusinessCalendar calendar;
    private final AlertFactory alerts;
    private final BurstTracker tracker;
    private ProcessorContext<String, Alert> context;
    private DecodedStateCache<State> states;
    private KeyValueStore<String, UserAuthAlerts> authAlerts;

    OffHoursChangeRule(DetectionConfig config) {
        this.config = config;
        this.calendar = config.calendar();
        this.alerts = new AlertFactory(RULE, config);
        this.tracker = new BurstTracker(RULE.id(), 1, GROUPING, config.grace());
    }

    /** Adds the rule: off-hours changes of {@code events} (keyed by user) in, alerts (keyed by alert id) out. */
    public static void addTo(StreamsBuilder builder, KStream<String, NormalizedEvent> events, DetectionConfig config, Topics topics) {
        if (!config.rule(RULE).enabled()) {
            return;
        }
        RuleWiring.addStore(builder, STORE, State.class);
        KStream<String, Alert> alerts = events
                .filter((user, event) -> isOffHoursChange(event, config) || isAirflowLogin(event), Named.as("al-010-off-hours-changes"))
                .process(() -> new OffHoursChangeRule(config), Named.as("al-010-detect"), STORE, UserAuthAlerts.STORE);
        RuleWiring.toAlerts(builder, alerts, RULE, config, topics);
    }

    /**
     * Logins reach this rule too: AL-001 and AL-003 run before it on the same record, so when a login completes a burst
     * after the user's off-hours changes were already processed (the audit log and {@code ab_user} are captured
     * independently), the open alert is escalated then.
     */
    static boolean isAirflowLogin(NormalizedEvent event) {
        return NormalizedEvent.DATASET_AB_USER.equals(event.dataset()) && "authentication".equals(event.category())
                && event.userName() != null;
    }

    /** The entity of changes nobody signed ({@link UserAuthAlerts#NO_USER}). */
    static final String NO_USER = UserAuthAlerts.NO_USER;

    static boolean isOffHoursChange(NormalizedEvent event, DetectionConfig config) {
        return NormalizedEvent.DATASET_LOG.equals(event.dataset())
                && !config.allow().allowsUser(event.userName())
                && (AirflowChangeEvents.isChangeEvent(event, config.changeEvents())
                        || AuditLogNormalizer.REASON_MARKED_IN_UI.equals(event.reason()))
                && config.calendar().isOffHours(event.timestamp());
    }

    @Override
    public void init(ProcessorContext<String, Alert> context) {
        this.context = context;
        this.states = new DecodedStateCache<>(context.<KeyValueStore<String, State>>getStateStore(STORE));
        this.authAlerts = context.getStateStore(UserAuthAlerts.STORE);
    }

    @Override
    public void process(Record<String, NormalizedEvent> record) {
        NormalizedEvent event = record.value();
        String user = UserAuthAlerts.actingUser(event);
        State state = states.get(user);
        state = state == null ? State.EMPTY : state;
        if (isAirflowLogin(event)) {
            escalateOpenAlert(user, state);
            return;
        }
        BurstTracker.Step step = tracker.observe(state.burst(), user, new BurstTracker.Hit(event.timestamp(), event.id()));
        BurstTracker.OpenBurst burst = step.fired();
        if (burst == null) {
            states.put(user, new State(step.next(), state.alertId(), state.severity(), state.escalation(), state.changes(),
                    state.more()));
            return;
        }
        boolean sameAlert = !step.detached() && burst.alertId().equals(state.alertId());
        Severity severity = sameAlert && state.severity() != null ? state.severity() : RULE.severity();
        String escalation = sameAlert ? state.escalation() : null;
        String reason = authAlertBefore(user, event.timestamp());
        if (reason != null && severity.compareTo(Severity.HIGH) < 0) {
            severity = Severity.HIGH;
            escalation = reason;
        }
        List<String> changes = new ArrayList<>(sameAlert ? state.changes() : List.of());
        boolean more = sameAlert && state.more();
        String change = describe(event);
        if (!changes.contains(change)) {
            if (changes.size() < SUMMARY_CHANGES) {
                changes.add(change);
            } else {
                more = true;
            }
        }
        states.put(user, step.detached()
                ? new State(step.next(), state.alertId(), state.severity(), state.escalation(), state.changes(), state.more())
                : new State(step.next(), burst.alertId(), severity, escalation, changes, more));
        Alert alert = alerts.alert(burst, user, summary(user, burst, changes, more, escalation), severity);
        context.forward(AlertFactory.record(alert, context));
    }

    /** Escalates the user's open medium alert if an AL-001/AL-003 hit now known lies within the window before one of its changes. */
    private void escalateOpenAlert(String user, State state) {
        BurstTracker.OpenBurst burst = state.burst() == null ? null : state.burst().open();
        if (burst == null || !burst.alertId().equals(state.alertId()) || state.severity() == null
                || state.severity().compareTo(Severity.HIGH) >= 0) {
            return;
        }
        String reason = authAlertWithin(user, burst.firstSeen().minus(config.rule(RULE).window()), burst.lastSeen());
        if (reason == null) {
            return;
        }
        states.put(user, new State(state.burst(), state.alertId(), Severity.HIGH, reason, state.changes(), state.more()));
        Alert alert = alerts.alert(burst, user, summary(user, burst, state.changes(), state.more(), reason), Severity.HIGH);
        context.forward(AlertFactory.record(alert, context));
    }

    /** Why the user's change is high: the latest AL-001/AL-003 hit within the window before {@code at}, or null. */
    private String authAlertBefore(String user, Instant at) {
        return authAlertWithin(user, at.minus(config.rule(RULE).window()), at);
    }

    private String authAlertWithin(String user, Instant from, Instant at) {
        UserAuthAlerts seen = authAlerts.get(user);
        if (seen == null) {
            return null;
        }
        Instant loginAfterBurst = seen.lastLoginAfterBurst();
        if (loginAfterBurst != null && !loginAfterBurst.isAfter(at) && !loginAfterBurst.isBefore(from)) {
            return "a login after a failed-login burst (AL-003) at " + calendar.describe(loginAfterBurst);
        }
        Instant failedBurst = seen.lastFailedLoginBurst();
        if (failedBurst != null && !failedBurst.isAfter(at) && !failedBurst.isBefore(from)) {
            return "a failed-login burst (AL-001) at " + calendar.describe(failedBurst);
        }
        return null;
    }

    private static String describe(NormalizedEvent event) {
        String what = UserAuthAlerts.quoted(event.action().strip());
        return event.dagId() == null ? what : what + " on DAG " + UserAuthAlerts.quoted(event.dagId());
    }

    private String summary(String user, BurstTracker.OpenBurst burst, List<String> changes, boolean more, String escalation) {
        String when = burst.count() == 1 || burst.firstSeen().equals(burst.lastSeen())
                ? "at " + calendar.describe(burst.firstSeen())
                : "between " + calendar.describe(burst.firstSeen()) + " and " + calendar.describe(burst.lastSeen());
        String what = String.join(", ", changes) + (more ? ", …" : "");
        String summary = String.format("Airflow user %s made %s outside business hours %s: %s",
                UserAuthAlerts.describeActingUser(user),
                burst.count() == 1 ? "a change" : burst.count() + " changes", when, what);
        return escalation == null ? summary : summary + "; the user had " + escalation + " within "
                + hours(config.rule(RULE).window()) + " before";
    }

    private static String hours(Duration window) {
        return window.toMinutes() % 60 == 0 ? window.toHours() + " h" : window.toMinutes() + " min";
    }
}
