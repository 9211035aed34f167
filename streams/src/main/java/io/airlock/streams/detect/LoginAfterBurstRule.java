package io.airlock.streams.detect;

import io.airlock.core.Alert;
import io.airlock.core.NormalizedEvent;
import io.airlock.core.Topics;
import io.airlock.streams.DetectionConfig;
import io.airlock.streams.internal.DecodedStateCache;
import java.time.Duration;
import java.time.format.DateTimeFormatter;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * AL-003: a successful Airflow login of a user within a window (default 30 minutes) after AL-001 (failed-login burst) fired
 * for that user: the guess may have worked.
 *
 * <p>Reads when AL-001 last fired for the user from {@link UserAuthAlerts#STORE}; this processor and AL-001's both hang off
 * the {@code events} source, keyed by user, so they share the store in one sub-topology and see a user's events in the
 * order they are on the topic. A success counts when its event time is at or after AL-001's latest hit and no more than the
 * window after it. Qualifying successes are grouped by a {@link BurstTracker} (threshold and window of this rule): repeats
 * within the window of the last one update the same alert (entity the user); later ones open a new alert. Each firing is
 * recorded with {@link UserAuthAlerts#withLoginAfterBurst} for AL-010's escalation.
 *
 * <p>A success amid the failures counts too: a brute force with parallel requests has failures that started before the
 * right password commit after its login, so AL-001 fires after the success. The rule therefore also reads the user's
 * failed logins (after AL-001's processor, which hangs off the same source first): a success that came at most AL-001's
 * window after a failure is remembered ({@link LoginAmidFailures}, store {@value #AMID_STORE}), and when AL-001 then fires
 * within that window after it, the success raises AL-003 as if it had followed the burst.
 *
 * <p>Order: a user's {@code ab_user} changes are captured in commit order on one partition. A success processed before
 * failures that all happened before it (a replay that reorders events) does not raise AL-003. If AL-001 is disabled nothing
 * records bursts and AL-003 cannot fire.
 */
public final class LoginAfterBurstRule implements Processor<String, NormalizedEvent, String, Alert> {

    public static final RuleDefinition RULE = RuleDefinition.LOGIN_AFTER_BURST;
    public static final String STORE = "al-003-logins-after-burst";
    public static final String AMID_STORE = "al-003-logins-amid-failures";

    private final DetectionConfig config;
    private final AlertFactory alerts;
    private final BurstTracker tracker;
    private final Duration lookBack;
    /** AL-001's window: how close a success must be to failures, and AL-001's firing to the success. */
    private final Duration failureWindow;
    private ProcessorContext<String, Alert> context;
    private KeyValueStore<String, BurstTracker.State> logins;
    private KeyValueStore<String, UserAuthAlerts> userAuthAlerts;
    private DecodedStateCache<LoginAmidFailures> amidFailures;

    LoginAfterBurstRule(DetectionConfig config) {
        this.config = config;
        this.alerts = new AlertFactory(RULE, config);
        this.tracker = alerts.tracker();
        this.lookBack = config.rule(RULE).window();
        this.failureWindow = config.rule(FailedLoginBurstRule.RULE).window();
    }

    /** Adds the rule to a topology: successful logins of {@code events} (keyed by user) in, alerts (keyed by alert id) out. */
    public static void addTo(StreamsBuilder builder, KStream<String, NormalizedEvent> events, DetectionConfig config, Topics topics) {
        if (!config.rule(RULE).enabled()) {
            return;
        }
        RuleWiring.addStore(builder, STORE, BurstTracker.State.class);
        RuleWiring.addStore(builder, AMID_STORE, LoginAmidFailures.class);
        // after AL-001's processor (added to the same source before this one), so a failure sees the burst it completed
        KStream<String, Alert> alerts = events
                .filter((user, event) -> (isAirflowSuccessfulLogin(event) || FailedLoginBurstRule.isAirflowFailedLogin(event))
                        && !config.allow().allowsUser(event.userName()), Named.as("al-003-logins"))
                .process(() -> new LoginAfterBurstRule(config), Named.as("al-003-detect"), STORE, UserAuthAlerts.STORE, AMID_STORE);
        RuleWiring.toAlerts(builder, alerts, RULE, config, topics);
    }

    /** A successful Airflow (Flask-AppBuilder) login, as captured from {@code ab_user} ({@code login_count} incremented). */
    public static boolean isAirflowSuccessfulLogin(NormalizedEvent event) {
        return NormalizedEvent.DATASET_AB_USER.equals(event.dataset()) && "authentication".equals(event.category())
                && NormalizedEvent.OUTCOME_SUCCESS.equals(event.outcome()) && event.userName() != null;
    }

    @Override
    public void init(ProcessorContext<String, Alert> context) {
        this.context = context;
        this.logins = context.getStateStore(STORE);
        this.userAuthAlerts = context.getStateStore(UserAuthAlerts.STORE);
        this.amidFailures = new DecodedStateCache<>(context.<KeyValueStore<String, LoginAmidFailures>>getStateStore(AMID_STORE));
    }

    @Override
    public void process(Record<String, NormalizedEvent> record) {
        NormalizedEvent event = record.value();
        String user = event.userName();
        LoginAmidFailures amid = LoginAmidFailures.of(amidFailures.get(user));
        if (!isAirflowSuccessfulLogin(event)) { // a failed login
            remember(user, amid, amid.withFailure(event.timestamp()));
            if (amid.successAt() != null) {
                UserAuthAlerts auth = UserAuthAlerts.of(userAuthAlerts.get(user));
                if (amid.successBefore(auth.lastFailedLoginBurst(), failureWindow)) {
                    observe(user, new BurstTracker.Hit(amid.successAt(), amid.successEventId()), auth);
                }
            }
            return;
        }
        remember(user, amid, amid.withSuccess(event.timestamp(), event.id(), failureWindow));
        UserAuthAlerts auth = UserAuthAlerts.of(userAuthAlerts.get(user));
        if (auth.failedLoginBurstWithin(lookBack, event.timestamp())) {
            observe(user, new BurstTracker.Hit(event.timestamp(), event.id()), auth);
        }
    }

    private void remember(String user, LoginAmidFailures before, LoginAmidFailures after) {
        if (after != before) {
            amidFailures.put(user, after);
        }
    }

    /** Counts a qualifying success (a repeat of one already counted is recognized by its id, and changes nothing). */
    private void observe(String user, BurstTracker.Hit hit, UserAuthAlerts auth) {
        BurstTracker.Step step = tracker.observe(logins.get(user), user, hit);
        logins.put(user, step.next());
        if (step.fired() != null) {
            if (!config.rule(RULE).allowEntities().contains(user)) { // as AL-001's exceptions: no escalation of AL-010 either
                userAuthAlerts.put(user, auth.withLoginAfterBurst(hit.at()));
            }
            Alert alert = toAlert(user, step.fired(), auth);
            context.forward(AlertFactory.record(alert, context));
        }
    }

    private Alert toAlert(String user, BurstTracker.OpenBurst burst, UserAuthAlerts auth) {
        String logins = burst.count() == 1 ? "a successful login" : burst.count() + " successful logins";
        String when = burst.lastSeen().isBefore(auth.lastFailedLoginBurst())
                ? "amid a failed-login burst (AL-001, failures before and after it, the latest " 
                        + DateTimeFormatter.ISO_INSTANT.format(auth.lastFailedLoginBurst()) + ")"
                : Duration.between(auth.lastFailedLoginBurst(), burst.lastSeen()).toMinutes() + " min after a failed-login burst "
                        + "(AL-001, last failure " + DateTimeFormatter.ISO_INSTANT.format(auth.lastFailedLoginBurst()) + ")";
        String summary = String.format("Airflow user %s: %s at %s, %s; treat the account as compromised until the owner confirms",
                UserAuthAlerts.quoted(user), logins, DateTimeFormatter.ISO_INSTANT.format(burst.lastSeen()), when);
        return alerts.alert(burst, user, summary);
    }
}
