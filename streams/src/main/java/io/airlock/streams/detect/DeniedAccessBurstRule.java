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
 * AL-023: at least N permission-denied Vault responses for one identity within a window (default 5 in 5 minutes). Counts
 * operations (response lines, see {@link VaultSecretReads}), on any path, per {@code vault.identity} — or, for tokens Vault
 * could not resolve to anyone (guessed, revoked, stolen and bound to another address), per source address
 * ({@link VaultSecretReads#deniedEntity}).
 */
public final class DeniedAccessBurstRule implements Processor<String, NormalizedEvent, String, Alert> {

    public static final RuleDefinition RULE = RuleDefinition.DENIED_ACCESS_BURST;
    public static final String STORE = "al-023-denied-access-bursts";

    private final DetectionConfig config;
    private final AlertFactory alerts;
    private final BurstTracker tracker;
    private ProcessorContext<String, Alert> context;
    private DecodedStateCache<BurstTracker.State> bursts;

    DeniedAccessBurstRule(DetectionConfig config) {
        this.config = config;
        this.alerts = new AlertFactory(RULE, config);
        this.tracker = alerts.tracker();
    }

    /** Adds the rule: permission denials of {@code events}, re-keyed by Vault identity, in; alerts (keyed by alert id) out. */
    /**
     * @param operationsByIdentity Vault secret reads and denials keyed by identity ({@link VaultSecretReads#operationsByIdentity})
     */
    public static void addTo(StreamsBuilder builder, KStream<String, NormalizedEvent> operationsByIdentity, DetectionConfig config,
            Topics topics) {
        if (!config.rule(RULE).enabled()) {
            return;
        }
        RuleWiring.addStore(builder, STORE, BurstTracker.State.class);
        KStream<String, Alert> alerts = operationsByIdentity
                .filter((identity, event) -> VaultSecretReads.isPermissionDenied(event) && !VaultSecretReads.isAllowed(config, event),
                        Named.as("al-023-permission-denied"))
                .process(() -> new DeniedAccessBurstRule(config), Named.as("al-023-detect"), STORE);
        RuleWiring.toAlerts(builder, alerts, RULE, config, topics);
    }

    @Override
    public void init(ProcessorContext<String, Alert> context) {
        this.context = context;
        this.bursts = new DecodedStateCache<>(context.<KeyValueStore<String, BurstTracker.State>>getStateStore(STORE));
    }

    @Override
    public void process(Record<String, NormalizedEvent> record) {
        NormalizedEvent event = record.value();
        String identity = VaultSecretReads.deniedEntity(event);
        BurstTracker.Step step = tracker.observe(bursts.get(identity), identity, new BurstTracker.Hit(event.timestamp(), event.id()));
        bursts.put(identity, step.next());
        if (step.fired() != null) {
            Alert alert = toAlert(identity, event, step.fired());
            context.forward(AlertFactory.record(alert, context));
        }
    }

    private Alert toAlert(String identity, NormalizedEvent latest, BurstTracker.OpenBurst burst) {
        RuleSettings settings = config.rule(RULE);
        String path = latest.vaultKvPath() != null ? latest.vaultKvPath() : latest.vaultPath();
        String summary = String.format(
                "%d permission-denied Vault requests by %s between %s and %s (threshold %d within %d min), latest: %s %s",
                burst.count(), latest.vaultIdentity() == null ? identity : VaultSecretReads.describe(identity, latest), DateTimeFormatter.ISO_INSTANT.format(burst.firstSeen()),
                DateTimeFormatter.ISO_INSTANT.format(burst.lastSeen()), settings.threshold(), settings.window().toMinutes(),
                latest.vaultOperation(), path);
        return alerts.alert(burst, identity, summary);
    }
}
