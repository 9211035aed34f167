package io.airlock.streams.detect;

import io.airlock.streams.internal.DecodedStateCache;
import io.airlock.core.Alert;
import io.airlock.core.NormalizedEvent;
import io.airlock.core.Topics;
import io.airlock.streams.DetectionConfig;
import java.time.format.DateTimeFormatter;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * AL-001: at least N failed logins for one Airflow user within a window (default 5 in 5 minutes).
 *
 * <p>Counts only failed logins captured from {@code ab_user} (dataset {@code airflow.ab_user}); Vault authentication
 * failures are not Airflow logins. Users on the allow-list are never counted. Each time the rule fires (a burst opens or
 * grows) it records the failure's event time for the user in {@link UserAuthAlerts#STORE}, which AL-003 (login after burst)
 * and AL-010 (escalation of off-hours changes) read; both run in this sub-topology, keyed by user name.
 */
public final class FailedLoginBurstRule implements Processor<String, NormalizedEvent, String, Alert> {

    public static final RuleDefinition RULE = RuleDefinition.FAILED_LOGIN_BURST;
    public static final String STORE = "al-001-failed-login-bursts";

    private final DetectionConfig config;
    private final AlertFactory alerts;
    private final BurstTracker tracker;
    private ProcessorContext<String, Alert> context;
    private DecodedStateCache<BurstTracker.State> bursts;
    private KeyValueStore<String, UserAuthAlerts> userAuthAlerts;

    FailedLoginBurstRule(DetectionConfig config) {
        this.config = config;
        this.alerts = new AlertFactory(RULE, config);
        this.tracker = alerts.tracker();
    }

    /** Adds the rule to a topology: failed logins of {@code events} (keyed by user) in, alerts (keyed by alert id) out. */
    public static void addTo(StreamsBuilder builder, KStream<String, NormalizedEvent> events, DetectionConfig config, Topics topics) {
        if (!config.rule(RULE).enabled()) {
            return;
        }
        RuleWiring.addStore(builder, STORE, BurstTracker.State.class);
        KStream<String, Alert> alerts = events
                .filter((user, event) -> isAirflowFailedLogin(event) && !config.allow().allowsUser(event.userName()),
                        Named.as("al-001-failed-logins"))
                .process(() -> new FailedLoginBurstRule(config), Named.as("al-001-detect"), STORE, UserAuthAlerts.STORE);
        RuleWiring.toAlerts(builder, alerts, RULE, config, topics);
    }

    /** A failed Airflow (Flask-AppBuilder) login of a known user, as captured from {@code ab_user}. */
    public static boolean isAirflowFailedLogin(NormalizedEvent event) {
        return NormalizedEvent.DATASET_AB_USER.equals(event.dataset()) && event.isFailedLogin() && event.userName() != null;
    }

    @Override
    public void init(ProcessorContext<String, Alert> context) {
        this.context = context;
        this.bursts = new DecodedStateCache<>(context.<KeyValueStore<String, BurstTracker.State>>getStateStore(STORE));
        this.userAuthAlerts = context.getStateStore(UserAuthAlerts.STORE);
    }

    @Override
    public void process(Record<String, NormalizedEvent> record) {
        NormalizedEvent event = record.value();
        String user = event.userName();
        BurstTracker.Step step = tracker.observe(bursts.get(user), user, new BurstTracker.Hit(event.timestamp(), event.id()));
        bursts.put(user, step.next());
        if (step.fired() != null) {
            // an excepted user's burst is no burst: it must not make a later login critical (AL-003) or a change high (AL-010)
            if (!config.rule(RULE).allowEntities().contains(user)) {
                userAuthAlerts.put(user, UserAuthAlerts.of(userAuthAlerts.get(user)).withFailedLoginBurst(event.timestamp()));
            }
            Alert alert = toAlert(user, step.fired());
            context.forward(AlertFactory.record(alert, context));
        }
    }

    private Alert toAlert(String user, BurstTracker.OpenBurst burst) {
        RuleSettings settings = config.rule(RULE);
        String summary = String.format("%d failed logins for Airflow user %s between %s and %s (threshold %d within %d min)",
                burst.count(), UserAuthAlerts.quoted(user), DateTimeFormatter.ISO_INSTANT.format(burst.firstSeen()),
                DateTimeFormatter.ISO_INSTANT.format(burst.lastSeen()), settings.threshold(), settings.window().toMinutes());
        return alerts.alert(burst, user, summary);
    }
}
