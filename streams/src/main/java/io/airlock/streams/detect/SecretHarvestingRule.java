package io.airlock.streams.detect;

import io.airlock.core.Alert;
import io.airlock.core.NormalizedEvent;
import io.airlock.core.Topics;
import io.airlock.streams.DetectionConfig;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * AL-021: one Vault identity reads at least N <em>distinct</em> secret paths within a window (default 20 in 5 minutes).
 * Reads are secret reads as {@link VaultSecretReads} defines them, compared by {@code vault.kv_path}; re-reading one path
 * within window + grace of its previous read does not count again. One burst is one alert whose count is the number of
 * distinct paths read — in a burst longer than window + grace, of every path once within any window-long stretch
 * ({@link DistinctValueBursts}), which the summary says as "a path read again within N min counts once".
 *
 * <p>State: {@link DistinctValueBursts} under {@value #STORE} — one store entry per path read in the window, so a read costs
 * the same however many paths the identity has read (Airflow's own identity reads hundreds). Until 0.1 the rule kept each
 * identity's paths in one value of {@code al-021-distinct-path-bursts}, rewritten on every read; that store is no longer
 * read (bursts open during an upgrade start again).
 */
public final class SecretHarvestingRule implements Processor<String, NormalizedEvent, String, Alert> {

    public static final RuleDefinition RULE = RuleDefinition.SECRET_HARVESTING;
    public static final String STORE = "al-021-distinct-paths";

    private final DetectionConfig config;
    private final AlertFactory alerts;
    private ProcessorContext<String, Alert> context;
    private DistinctValueBursts bursts;

    SecretHarvestingRule(DetectionConfig config) {
        this.config = config;
        this.alerts = new AlertFactory(RULE, config);
    }

    /** Adds the rule: secret reads of {@code events}, re-keyed by Vault identity, in; alerts (keyed by alert id) out. */
    /**
     * @param operationsByIdentity Vault secret reads and denials keyed by identity ({@link VaultSecretReads#operationsByIdentity})
     */
    public static void addTo(StreamsBuilder builder, KStream<String, NormalizedEvent> operationsByIdentity, DetectionConfig config,
            Topics topics) {
        if (!config.rule(RULE).enabled()) {
            return;
        }
        DistinctValueBursts.addStores(builder, STORE);
        KStream<String, Alert> alerts = operationsByIdentity
                .filter((identity, event) -> VaultSecretReads.isSecretRead(event) && !VaultSecretReads.isAllowed(config, event),
                        Named.as("al-021-secret-reads"))
                .process(() -> new SecretHarvestingRule(config), Named.as("al-021-detect"),
                        DistinctValueBursts.storeNames(STORE).toArray(String[]::new));
        RuleWiring.toAlerts(builder, alerts, RULE, config, topics);
    }

    @Override
    public void init(ProcessorContext<String, Alert> context) {
        this.context = context;
        RuleSettings settings = config.rule(RULE);
        List<String> stores = DistinctValueBursts.storeNames(STORE);
        this.bursts = new DistinctValueBursts(RULE.id(), settings.threshold(), settings.window(), config.grace(),
                context.getStateStore(stores.get(0)), context.getStateStore(stores.get(1)), context.getStateStore(stores.get(2)),
                context.getStateStore(stores.get(3)));
    }

    @Override
    public void process(Record<String, NormalizedEvent> record) {
        NormalizedEvent event = record.value();
        String identity = event.vaultIdentity();
        BurstTracker.OpenBurst fired = bursts.observe(identity, new BurstTracker.Hit(event.timestamp(), event.id(), event.vaultKvPath()));
        if (fired != null) {
            context.forward(AlertFactory.record(toAlert(identity, event, fired), context));
        }
    }

    private Alert toAlert(String identity, NormalizedEvent latest, BurstTracker.OpenBurst burst) {
        RuleSettings settings = config.rule(RULE);
        String summary = String.format("%s read %d secret paths between %s and %s (a path read again within %d min counts "
                        + "once; threshold %d within %d min): %s",
                VaultSecretReads.describe(identity, latest), burst.count(), DateTimeFormatter.ISO_INSTANT.format(burst.firstSeen()),
                DateTimeFormatter.ISO_INSTANT.format(burst.lastSeen()), settings.window().plus(config.grace()).toMinutes(),
                settings.threshold(), settings.window().toMinutes(), VaultPathBurstTracker.pathSample(burst.values(), burst.count()));
        return alerts.alert(burst, identity, summary);
    }
}
