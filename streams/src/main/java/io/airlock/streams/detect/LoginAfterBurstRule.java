package io.airlock.streams.detect;

import io.airlock.core.Alert;
import io.airlock.core.NormalizedEvent;
import io.airlock.core.Topics;
import io.airlock.streams.DetectionConfig;
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
 * <p>Order: a user's {@code ab_user} changes are captured in commit order on one partition, so the success comes after the
 * failures it follows. If a success is processed before the failures that complete the burst (a replay that reorders
 * events), it does not raise AL-003: the rule does not re-examine earlier successes when AL-001 fires. If AL-001 is
 * disabled nothing records bursts and AL-003 cannot fire.
 */
public final class LoginAfterBurstRule implements Processor<String, NormalizedEvent, String, Alert> {

    public static final RuleDefinition RULE = RuleDefinition.LOGIN_AFTER_BURST;
    public static final String STORE = "al-003-logins-after-burst";

    private final DetectionConfig config;
    private final AlertFactory alerts;
    private final BurstTracker tracker;
    private final Duration lookBack;
    private ProcessorContext<String, Alert> context;
    private KeyValueStore<String, BurstTracker.State> logins;
    private KeyValueStore<String, UserAuthAlerts> userAuthAlerts;

    LoginAfterBurstRule(DetectionConfig config) {
        this.config = config;
        this.alerts = new AlertFactory(RULE, config);
        this.tracker = alerts.tracker();
        this.lookBack = config.rule(RULE).window();
    }

    /** Adds the rule to a topology: successful logins of {@code events} (keyed by user) in, alerts (keyed by alert id) out. */
    public static void addTo(StreamsBuilder builder, KStream<String, NormalizedEvent> events, DetectionConfig config, Topics topics) {
        if (!config.rule(RULE).enabled()) {
            return;
        }
        RuleWiring.addStore(builder, STORE, BurstTracker.State.class);
        KStream<String, Alert> alerts = events
                .filter((user, event) -> isAirflowSuccessfulLogin(event) && !config.allow().allowsUser(event.userName()),
                        Named.as("al-003-successful-logins"))
                .process(() -> new LoginAfterBurstRule(config), Named.as("al-003-detect"), STORE, UserAuthAlerts.STORE);
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
    }

    @Override
    public void process(Record<String, NormalizedEvent> record) {
        NormalizedEvent event = record.value();
        String user = event.userName();
        UserAuthAlerts auth = UserAuthAlerts.of(userAuthAlerts.get(user));
        if (!auth.failedLoginBurstWithin(lookBack, event.timestamp())) {
            return;
        }
        BurstTracker.Step step = tracker.observe(logins.get(user), user, new BurstTracker.Hit(event.timestamp(), event.id()));
        logins.put(user, step.next());
        if (step.fired() != null) {
            if (!config.rule(RULE).allowEntities().contains(user)) { // as AL-001's exceptions: no escalation of AL-010 either
                userAuthAlerts.put(user, auth.withLoginAfterBurst(event.timestamp()));
            }
            Alert alert = toAlert(user, step.fired(), auth);
            context.forward(AlertFactory.record(alert, context));
        }
    }

    private Alert toAlert(String user, BurstTracker.OpenBurst burst, UserAuthAlerts auth) {
        String logins = burst.count() == 1 ? "a successful login" : burst.count() + " successful logins";
        String summary = String.format("Airflow user %s: %s at %s, %d min after a failed-login burst (AL-001, last failure %s); "
                        + "treat the account as compromised until the owner confirms",
                UserAuthAlerts.quoted(user), logins, DateTimeFormatter.ISO_INSTANT.format(burst.lastSeen()),
                Duration.between(auth.lastFailedLoginBurst(), burst.lastSeen()).toMinutes(),
                DateTimeFormatter.ISO_INSTANT.format(auth.lastFailedLoginBurst()));
        return alerts.alert(burst, user, summary);
    }
}
