package io.airlock.streams.detect;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.airlock.core.Alert;
import io.airlock.core.NormalizedEvent;
import io.airlock.core.Severity;
import io.airlock.core.Topics;
import io.airlock.streams.BusinessCalendar;
import io.airlock.streams.DetectionConfig;
import io.airlock.streams.normalize.AbUserChangeNormalizer;
import io.airlock.streams.normalize.AuditLogNormalizer;
import io.airlock.streams.normalize.EventCategories;
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
 * AL-012: an Airflow account or privilege change. Medium; high when any change of the alert happened outside business
 * hours. Two sources:
 * <ul>
 * <li>{@code ab_user} (the account table): {@code user-created} (an insert, never a snapshot row), {@code user-activated},
 *     {@code user-deactivated}, {@code user-deleted} and {@code user-modified} (a password, name, e-mail or user name set by
 *     an administrator or by SQL: {@link AbUserChangeNormalizer}). <b>Entity: the account changed</b> ({@code user.name}).</li>
 * <li>the audit log: events of category {@code iam} ({@link EventCategories#airflowLog}) that are on the configured change
 *     list ({@link AirflowChangeEvents}): {@code cli_users_create}, {@code cli_users_manage_role} (add-role and remove-role),
 *     {@code cli_user_reset_password}, {@code cli_roles_*}, and
 *     names an auth manager may log ({@code post_user}, {@code patch_user}, {@code *_role}, {@code resetpasswords}; Airflow's
 *     FAB auth manager logs none of its user/role views and endpoints). Reads ({@code cli_users_list}, {@code get_user})
 *     are not changes, nor are rows of dry runs ({@link AuditLogNormalizer#REASON_DRY_RUN}; none of the 2.10 previews Airlock
 *     recognises is an {@code iam} event today, the check keeps it that way should one become one). <b>Entity: the acting user</b>
 *     ({@code log.owner}; {@code anonymous} for a user not logged in, as Airflow writes it; {@code (no user recorded)}
 *     when the row has none, as SQL or other tools can write it — a change nobody signed is no less a change): the
 *     account acted on is only in {@code extra}, which Airlock does not read.</li>
 * </ul>
 * Both are keyed by the entity on {@code events}, so no repartition is needed. <b>Grouping</b>: the rule's threshold
 * (default 1) and window (default 1 h) per entity; an alert that saw an off-hours change stays high. Entities on the
 * allow-list are ignored.
 */
public final class AccountChangeRule implements Processor<String, NormalizedEvent, String, Alert> {

    public static final RuleDefinition RULE = RuleDefinition.ACCOUNT_CHANGE;
    public static final String STORE = "al-012-account-changes";
    /** The {@code ab_user} actions that are account changes. */
    public static final Set<String> ACCOUNT_ACTIONS = Set.of("user-created", "user-activated", "user-deactivated", "user-deleted",
            AbUserChangeNormalizer.ACTION_MODIFIED);
    static final int SUMMARY_CHANGES = 5;

    /** Per-entity state: the burst, and what the open alert has said so far. */
    record State(@JsonProperty("burst") BurstTracker.State burst, @JsonProperty("alert_id") String alertId,
            @JsonProperty("severity") Severity severity, @JsonProperty("changes") List<String> changes,
            @JsonProperty("more") boolean more) {
        static final State EMPTY = new State(BurstTracker.State.EMPTY, null, null, List.of(), false);

        State {
            burst = burst == null ? BurstTracker.State.EMPTY : burst;
            changes = changes == null ? List.of() : List.copyOf(changes);
        }
    }

    private final BusinessCalendar calendar;
    private final AlertFactory alerts;
    private final BurstTracker tracker;
    private ProcessorContext<String, Alert> context;
    private KeyValueStore<String, State> states;

    AccountChangeRule(DetectionConfig config) {
        this.calendar = config.calendar();
        this.alerts = new AlertFactory(RULE, config);
        this.tracker = alerts.tracker();
    }

    /** Adds the rule: account and IAM events of {@code events} (keyed by user) in, alerts (keyed by alert id) out. */
    public static void addTo(StreamsBuilder builder, KStream<String, NormalizedEvent> events, DetectionConfig config, Topics topics) {
        if (!config.rule(RULE).enabled()) {
            return;
        }
        RuleWiring.addStore(builder, STORE, State.class);
        KStream<String, Alert> alerts = events
                .filter((user, event) -> isAccountChange(event, config), Named.as("al-012-account-changes"))
                .process(() -> new AccountChangeRule(config), Named.as("al-012-detect"), STORE);
        RuleWiring.toAlerts(builder, alerts, RULE, config, topics);
    }

    static boolean isAccountChange(NormalizedEvent event, DetectionConfig config) {
        if (!isBlank(event.userName()) && config.allow().allowsUser(event.userName())) {
            return false;
        }
        return switch (event.dataset()) {
            case NormalizedEvent.DATASET_AB_USER -> !isBlank(event.userName()) && ACCOUNT_ACTIONS.contains(event.action());
            case NormalizedEvent.DATASET_LOG -> EventCategories.IAM.equals(event.category())
                    && AirflowChangeEvents.isChangeEvent(event, config.changeEvents());
            default -> false;
        };
    }

    private static boolean isBlank(String user) {
        return user == null || user.isBlank();
    }

    @Override
    public void init(ProcessorContext<String, Alert> context) {
        this.context = context;
        this.states = context.getStateStore(STORE);
    }

    @Override
    public void process(Record<String, NormalizedEvent> record) {
        NormalizedEvent event = record.value();
        String entity = UserAuthAlerts.actingUser(event);
        State state = states.get(entity);
        state = state == null ? State.EMPTY : state;
        BurstTracker.Step step = tracker.observe(state.burst(), entity, new BurstTracker.Hit(event.timestamp(), event.id()));
        BurstTracker.OpenBurst burst = step.fired();
        if (burst == null) {
            states.put(entity, new State(step.next(), state.alertId(), state.severity(), state.changes(), state.more()));
            return;
        }
        boolean sameAlert = !step.detached() && burst.alertId().equals(state.alertId());
        Severity severity = sameAlert && state.severity() != null ? state.severity() : RULE.severity();
        boolean offHours = calendar.isOffHours(event.timestamp());
        if (offHours && severity.compareTo(Severity.HIGH) < 0) {
            severity = Severity.HIGH;
        }
        List<String> changes = new ArrayList<>(sameAlert ? state.changes() : List.of());
        boolean more = sameAlert && state.more();
        String change = describe(event, offHours);
        if (!changes.contains(change)) {
            if (changes.size() < SUMMARY_CHANGES) {
                changes.add(change);
            } else {
                more = true;
            }
        }
        states.put(entity, step.detached() ? new State(step.next(), state.alertId(), state.severity(), state.changes(), state.more())
                : new State(step.next(), burst.alertId(), severity, changes, more));
        Alert alert = alerts.alert(burst, entity, summary(entity, event, burst, changes, more), severity);
        context.forward(AlertFactory.record(alert, context));
    }

    private String describe(NormalizedEvent event, boolean offHours) {
        String what = switch (event.action()) {
            case "user-created" -> "account created";
            case "user-activated" -> "account activated";
            case "user-deactivated" -> "account deactivated";
            case "user-deleted" -> "account deleted";
            case AbUserChangeNormalizer.ACTION_MODIFIED -> describeEdit(event);
            default -> UserAuthAlerts.quoted(event.action().strip());
        };
        return what + " at " + calendar.describe(event.timestamp()) + (offHours ? " (outside business hours)" : "");
    }

    private static String describeEdit(NormalizedEvent event) {
        String reason = event.reason() == null ? "" : event.reason();
        return switch (reason) {
            case AbUserChangeNormalizer.REASON_RENAMED -> event.relatedUsers() != null && event.relatedUsers().size() > 1
                    ? "account renamed from " + UserAuthAlerts.quoted(event.relatedUsers().get(1)) : "account renamed";
            case AbUserChangeNormalizer.REASON_PROFILE -> "account's name or e-mail changed";
            default -> "account edited (password or another column Airlock does not compare)";
        };
    }

    private static String summary(String entity, NormalizedEvent event, BurstTracker.OpenBurst burst, List<String> changes,
            boolean more) {
        String subject = NormalizedEvent.DATASET_AB_USER.equals(event.dataset())
                ? "Airflow account " + UserAuthAlerts.quoted(entity)
                : "Airflow user " + UserAuthAlerts.describeActingUser(entity) + " changed accounts or roles";
        String count = burst.count() == 1 ? "" : " (" + burst.count() + " changes)";
        return subject + count + ": " + String.join("; ", changes) + (more ? "; …" : "");
    }
}
