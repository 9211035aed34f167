package io.airlock.streams.detect;

import io.airlock.core.Alert;
import io.airlock.core.NormalizedEvent;
import io.airlock.core.Topics;
import io.airlock.streams.DetectionConfig;
import io.airlock.streams.internal.DecodedStateCache;
import io.airlock.streams.internal.InternalSerdes;
import io.airlock.streams.internal.StateStores;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
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
 * AL-020: a Vault identity reads a secret path it never read before, once the learning period (the rule's window, default
 * 7 days, 0 allowed) is over. The learning period starts with the first Vault operation the pipeline ever processed (its
 * response line; with or without an identity, so a failed login counts too).
 *
 * <p><b>One partition.</b> "First ever" is a global fact, so every Vault operation (response line) goes through the
 * one-partition repartition topic {@value #TOPIC}, keyed by identity (empty when it has none): one task sees them all, keeps the start of learning
 * in {@value #CLOCK_STORE} and decides the same way whatever the number of input partitions. Only Vault response lines pass,
 * which is light next to the rest of the pipeline; should one task ever not keep up, the start instant can be broadcast to a
 * per-identity partitioning instead.
 *
 * <p><b>State.</b> {@value #SEEN_STORE} holds one entry per (identity, path) ever read, with the time of the first read: it
 * grows with the number of distinct pairs, not with traffic, and is not expired (a path re-read after a year is not new).
 * Reads made during learning are remembered too, so they never alert later. New paths of one identity within
 * {@link #GROUP_WINDOW} of each other are one alert (count = new paths), because the rule's window is the learning period.
 */
public final class FirstSeenSecretPathRule implements Processor<String, NormalizedEvent, String, Alert> {

    public static final RuleDefinition RULE = RuleDefinition.FIRST_SEEN_SECRET_PATH;
    public static final String TOPIC = "al-020-vault-operations";
    public static final String CLOCK_STORE = "al-020-learning-clock";
    public static final String SEEN_STORE = "al-020-seen-paths";
    public static final String GROUP_STORE = "al-020-new-path-groups";
    /** New paths of one identity within this span of each other are one alert. */
    public static final Duration GROUP_WINDOW = Duration.ofHours(1);

    static final String LEARNING_STARTED = "learning-started";
    private static final char SEPARATOR = '\u001f';

    private final DetectionConfig config;
    private final AlertFactory alerts;
    private final VaultPathBurstTracker tracker;
    private final Duration learning;
    private ProcessorContext<String, Alert> context;
    private KeyValueStore<String, Long> clock;
    private DecodedStateCache<Long> seen;
    private KeyValueStore<String, VaultPathBurstTracker.State> groups;

    FirstSeenSecretPathRule(DetectionConfig config) {
        this.config = config;
        this.alerts = new AlertFactory(RULE, config);
        this.tracker = new VaultPathBurstTracker(RULE.id(), 1, GROUP_WINDOW, config.grace());
        this.learning = config.rule(RULE).window();
    }

    /** Adds the rule: every Vault operation of {@code events}, through one partition, in; alerts (keyed by alert id) out. */
    public static void addTo(StreamsBuilder builder, KStream<String, NormalizedEvent> events, DetectionConfig config, Topics topics) {
        if (!config.rule(RULE).enabled()) {
            return;
        }
        builder.addStateStore(StateStores.inMemory(CLOCK_STORE, Serdes.Long()));
        builder.addStateStore(StateStores.onDisk(SEEN_STORE, Serdes.Long()));
        RuleWiring.addStore(builder, GROUP_STORE, VaultPathBurstTracker.State.class);
        KStream<String, Alert> alerts = events
                .filter((principal, event) -> isVaultResponse(event), Named.as("al-020-vault-operations"))
                .selectKey((principal, event) -> event.vaultIdentity() == null ? "" : event.vaultIdentity(),
                        Named.as("al-020-key-by-identity"))
                .repartition(Repartitioned.<String, NormalizedEvent>as(TOPIC).withKeySerde(Serdes.String())
                        .withValueSerde(InternalSerdes.events()).withNumberOfPartitions(1))
                .process(() -> new FirstSeenSecretPathRule(config), Named.as("al-020-detect"), CLOCK_STORE, SEEN_STORE, GROUP_STORE);
        RuleWiring.toAlerts(builder, alerts, RULE, config, topics);
    }

    /** A Vault operation's response line, whoever made it: the first one starts the learning period. */
    static boolean isVaultResponse(NormalizedEvent event) {
        return NormalizedEvent.DATASET_VAULT.equals(event.dataset()) && NormalizedEvent.VAULT_RESPONSE.equals(event.vaultAuditType());
    }

    @Override
    public void init(ProcessorContext<String, Alert> context) {
        this.context = context;
        this.clock = context.getStateStore(CLOCK_STORE);
        this.seen = new DecodedStateCache<>(context.<KeyValueStore<String, Long>>getStateStore(SEEN_STORE));
        this.groups = context.getStateStore(GROUP_STORE);
    }

    @Override
    public void process(Record<String, NormalizedEvent> record) {
        NormalizedEvent event = record.value();
        Long started = clock.get(LEARNING_STARTED);
        if (started == null) {
            started = event.timestamp().toEpochMilli();
            clock.put(LEARNING_STARTED, started);
        }
        if (!VaultSecretReads.isSecretRead(event) || VaultSecretReads.isAllowed(config, event)) {
            return;
        }
        String identity = event.vaultIdentity();
        String pair = identity + SEPARATOR + event.vaultKvPath();
        if (seen.get(pair) != null) {
            return;
        }
        seen.put(pair, event.timestamp().toEpochMilli());
        Instant learningEnds = Instant.ofEpochMilli(started).plus(learning);
        if (event.timestamp().isBefore(learningEnds)) {
            return;
        }
        var hit = new VaultPathBurstTracker.Hit(event.timestamp(), event.id(), event.vaultKvPath(), false);
        VaultPathBurstTracker.Step step = tracker.observe(groups.get(identity), identity, hit);
        groups.put(identity, step.next());
        if (step.fired() != null) {
            Alert alert = toAlert(identity, event, step.fired());
            context.forward(AlertFactory.record(alert, context));
        }
    }

    private Alert toAlert(String identity, NormalizedEvent latest, VaultPathBurstTracker.OpenBurst burst) {
        String summary = String.format("%s read %d secret path%s it had never read before, between %s and %s: %s",
                VaultSecretReads.describe(identity, latest), burst.count(), burst.count() == 1 ? "" : "s",
                DateTimeFormatter.ISO_INSTANT.format(burst.firstSeen()), DateTimeFormatter.ISO_INSTANT.format(burst.lastSeen()),
                burst.pathSample());
        return alerts.alert(burst.toBurst(), identity, summary);
    }
}
