package io.airlock.streams.detect;

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
 * AL-021: one Vault identity reads at least N <em>distinct</em> secret paths within a window (default 20 in 5 minutes).
 * Reads are secret reads as {@link VaultSecretReads} defines them, compared by {@code vault.kv_path}; re-reading one path
 * does not count again. One burst is one alert whose count is the number of distinct paths read.
 */
public final class SecretHarvestingRule implements Processor<String, NormalizedEvent, String, Alert> {

    public static final RuleDefinition RULE = RuleDefinition.SECRET_HARVESTING;
    public static final String STORE = "al-021-distinct-path-bursts";

    private final DetectionConfig config;
    private final AlertFactory alerts;
    private final VaultPathBurstTracker tracker;
    private ProcessorContext<String, Alert> context;
    private DecodedStateCache<VaultPathBurstTracker.State> bursts;

    SecretHarvestingRule(DetectionConfig config) {
        this.config = config;
        this.alerts = new AlertFactory(RULE, config);
        RuleSettings settings = config.rule(RULE);
        this.tracker = new VaultPathBurstTracker(RULE.id(), settings.threshold(), settings.window(), config.grace());
    }

    /** Adds the rule: secret reads of {@code events}, re-keyed by Vault identity, in; alerts (keyed by alert id) out. */
    /**
     * @param operationsByIdentity Vault secret reads and denials keyed by identity ({@link VaultSecretReads#byIdentity})
     */
    public static void addTo(StreamsBuilder builder, KStream<String, NormalizedEvent> operationsByIdentity, DetectionConfig config,
            Topics topics) {
        if (!config.rule(RULE).enabled()) {
            return;
        }
        RuleWiring.addStore(builder, STORE, VaultPathBurstTracker.State.class);
        operationsByIdentity
                .filter((identity, event) -> VaultSecretReads.isSecretRead(event) && !VaultSecretReads.isAllowed(config, event),
                        Named.as("al-021-secret-reads"))
                .process(() -> new SecretHarvestingRule(config), Named.as("al-021-detect"), STORE)
                .to(topics.alerts(), RuleWiring.alerts(RULE));
    }

    @Override
    public void init(ProcessorContext<String, Alert> context) {
        this.context = context;
        this.bursts = new DecodedStateCache<>(context.<KeyValueStore<String, VaultPathBurstTracker.State>>getStateStore(STORE));
    }

    @Override
    public void process(Record<String, NormalizedEvent> record) {
        NormalizedEvent event = record.value();
        String identity = event.vaultIdentity();
        var hit = new VaultPathBurstTracker.Hit(event.timestamp(), event.id(), event.vaultKvPath(), false);
        VaultPathBurstTracker.Step step = tracker.observe(bursts.get(identity), identity, hit);
        bursts.put(identity, step.next());
        if (step.fired() != null) {
            Alert alert = toAlert(identity, event, step.fired());
            context.forward(AlertFactory.record(alert));
        }
    }

    private Alert toAlert(String identity, NormalizedEvent latest, VaultPathBurstTracker.OpenBurst burst) {
        RuleSettings settings = config.rule(RULE);
        String summary = String.format("%s read %d distinct secret paths between %s and %s (threshold %d within %d min): %s",
                VaultSecretReads.describe(identity, latest), burst.count(), DateTimeFormatter.ISO_INSTANT.format(burst.firstSeen()),
                DateTimeFormatter.ISO_INSTANT.format(burst.lastSeen()), settings.threshold(), settings.window().toMinutes(),
                burst.pathSample());
        return alerts.alert(burst.toBurst(), identity, summary);
    }
}
