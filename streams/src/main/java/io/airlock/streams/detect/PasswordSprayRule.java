package io.airlock.streams.detect;

import io.airlock.core.Alert;
import io.airlock.core.NormalizedEvent;
import io.airlock.core.Topics;
import io.airlock.streams.DetectionConfig;
import io.airlock.streams.internal.InternalSerdes;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * AL-002: failed logins on at least N distinct Airflow users within a window (default 10 in 10 minutes), across all users.
 *
 * <p>Counts the failed logins AL-001 counts ({@code ab_user}, allow-listed users left out). Events on {@code events} are
 * keyed, and so partitioned, by user; to see all users at once the failures are re-keyed to {@link #ENTITY} and sent
 * through a single-partition repartition topic ({@value #REPARTITION}), so one task holds the spray state. The volume is
 * that of failed Airflow logins, which is small. {@link DistinctValueBursts} counts users, not
 * failures: a repeat failure of a user already counted, within window + grace of its previous one, extends the spray
 * ({@code last_seen}, evidence) without raising {@code count}; one later than that counts the user again (in a spray longer
 * than window + grace: every user once within any window-long stretch), which the summary says as "a user failing again
 * within N min counts once". One spray is one alert (entity {@value #ENTITY}, id from rule, entity and the first failure of the window
 * that reached the threshold); a spray that stays quiet for the window and later restarts is a new alert.
 */
public final class PasswordSprayRule implements Processor<String, NormalizedEvent, String, Alert> {

    public static final RuleDefinition RULE = RuleDefinition.PASSWORD_SPRAY;
    /** The alert's entity: a spray is about the Airflow deployment's logins, not one user. */
    public static final String ENTITY = "airflow";
    public static final String STORE = "al-002-password-sprays";
    /** Name of the single-partition repartition topic ({@code <application.id>-<name>-repartition}). */
    public static final String REPARTITION = "al-002-failed-logins-all-users";
    /** How many user names the summary lists before "and N more". */
    static final int NAMES_IN_SUMMARY = 5;

    private final DetectionConfig config;
    private final AlertFactory alerts;
    private ProcessorContext<String, Alert> context;
    private DistinctValueBursts sprays;

    PasswordSprayRule(DetectionConfig config) {
        this.config = config;
        this.alerts = new AlertFactory(RULE, config);
    }

    /** Adds the rule to a topology: failed logins of {@code events} in, alerts (keyed by alert id) out. */
    public static void addTo(StreamsBuilder builder, KStream<String, NormalizedEvent> events, DetectionConfig config, Topics topics) {
        if (!config.rule(RULE).enabled()) {
            return;
        }
        DistinctValueBursts.addStores(builder, STORE);
        KStream<String, Alert> alerts = events
                .filter((user, event) -> FailedLoginBurstRule.isAirflowFailedLogin(event) && !config.allow().allowsUser(event.userName()),
                        Named.as("al-002-failed-logins"))
                .selectKey((user, event) -> ENTITY, Named.as("al-002-key-all-users"))
                .repartition(Repartitioned.<String, NormalizedEvent>as(REPARTITION)
                        .withKeySerde(Serdes.String())
                        .withValueSerde(InternalSerdes.events())
                        .withNumberOfPartitions(1))
                .process(() -> new PasswordSprayRule(config), Named.as("al-002-detect"),
                        DistinctValueBursts.storeNames(STORE).toArray(String[]::new));
        RuleWiring.toAlerts(builder, alerts, RULE, config, topics);
    }

    @Override
    public void init(ProcessorContext<String, Alert> context) {
        this.context = context;
        RuleSettings settings = config.rule(RULE);
        List<String> stores = DistinctValueBursts.storeNames(STORE);
        this.sprays = new DistinctValueBursts(RULE.id(), settings.threshold(), settings.window(), config.grace(),
                context.getStateStore(stores.get(0)), context.getStateStore(stores.get(1)), context.getStateStore(stores.get(2)),
                context.getStateStore(stores.get(3)));
    }

    @Override
    public void process(Record<String, NormalizedEvent> record) {
        NormalizedEvent event = record.value();
        BurstTracker.OpenBurst fired = sprays.observe(ENTITY, new BurstTracker.Hit(event.timestamp(), event.id(), event.userName()));
        if (fired != null) {
            Alert alert = toAlert(fired);
            context.forward(AlertFactory.record(alert, context));
        }
    }

    private Alert toAlert(BurstTracker.OpenBurst spray) {
        RuleSettings settings = config.rule(RULE);
        List<String> sample = spray.values(); // the first users counted, in order of first failure; count is exact
        long users = spray.count();
        String named = sample.stream().limit(NAMES_IN_SUMMARY).map(UserAuthAlerts::quoted).collect(Collectors.joining(", "));
        String more = users > NAMES_IN_SUMMARY ? " and " + (users - NAMES_IN_SUMMARY) + " more" : "";
        String summary = String.format("Password spray: failed logins on %d Airflow users (%s%s) between %s and %s "
                        + "(a user failing again within %d min counts once; threshold %d users within %d min)",
                users, named, more, DateTimeFormatter.ISO_INSTANT.format(spray.firstSeen()),
                DateTimeFormatter.ISO_INSTANT.format(spray.lastSeen()), settings.window().plus(config.grace()).toMinutes(),
                settings.threshold(), settings.window().toMinutes());
        return alerts.alert(spray, ENTITY, summary);
    }
}
