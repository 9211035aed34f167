package io.airlock.streams.detect;

import io.airlock.streams.internal.DecodedStateCache;
import io.airlock.core.Alert;
import io.airlock.core.NormalizedEvent;
import io.airlock.core.Severity;
import io.airlock.core.Topics;
import io.airlock.streams.DetectionConfig;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * AL-024: an identity other than Airflow's service identity reads a secret under Airflow's connections/variables paths.
 * Medium; high when any read of the alert happened outside business hours. Reads of one identity within the window (default
 * 1 hour of the last one) are one alert whose count is the number of distinct pipeline secrets read.
 */
public final class HumanPipelineSecretReadRule implements Processor<String, NormalizedEvent, String, Alert> {

    public static final RuleDefinition RULE = RuleDefinition.HUMAN_PIPELINE_SECRET_READ;
    public static final String STORE = "al-024-human-read-groups";

    private final DetectionConfig config;
    private final AlertFactory alerts;
    private final VaultPathBurstTracker tracker;
    private ProcessorContext<String, Alert> context;
    private DecodedStateCache<VaultPathBurstTracker.State> groups;

    HumanPipelineSecretReadRule(DetectionConfig config) {
        this.config = config;
        this.alerts = new AlertFactory(RULE, config);
        this.tracker = new VaultPathBurstTracker(RULE.id(), 1, config.rule(RULE).window(), config.grace());
    }

    /** Adds the rule: pipeline-secret reads of {@code events} by other identities, re-keyed by identity, in; alerts out. */
    /**
     * @param operationsByIdentity Vault secret reads and denials keyed by identity ({@link VaultSecretReads#operationsByIdentity})
     */
    public static void addTo(StreamsBuilder builder, KStream<String, NormalizedEvent> operationsByIdentity, DetectionConfig config,
            Topics topics) {
        if (!config.rule(RULE).enabled()) {
            return;
        }
        RuleWiring.addStore(builder, STORE, VaultPathBurstTracker.State.class);
        KStream<String, Alert> alerts = operationsByIdentity
                .filter((identity, event) -> VaultSecretReads.isSecretRead(event) && config.airflow().isPipelineSecret(event.vaultKvPath())
                        && !VaultSecretReads.isAirflowServiceIdentity(config, event) && !VaultSecretReads.isAllowed(config, event),
                        Named.as("al-024-human-pipeline-secret-reads"))
                .process(() -> new HumanPipelineSecretReadRule(config), Named.as("al-024-detect"), STORE);
        RuleWiring.toAlerts(builder, alerts, RULE, config, topics);
    }

    @Override
    public void init(ProcessorContext<String, Alert> context) {
        this.context = context;
        this.groups = new DecodedStateCache<>(context.<KeyValueStore<String, VaultPathBurstTracker.State>>getStateStore(STORE));
    }

    @Override
    public void process(Record<String, NormalizedEvent> record) {
        NormalizedEvent event = record.value();
        String identity = event.vaultIdentity();
        boolean offHours = config.calendar().isOffHours(event.timestamp());
        var hit = new VaultPathBurstTracker.Hit(event.timestamp(), event.id(), event.vaultKvPath(), offHours);
        VaultPathBurstTracker.Step step = tracker.observe(groups.get(identity), identity, hit);
        groups.put(identity, step.next());
        if (step.fired() != null) {
            Alert alert = toAlert(identity, event, step.fired());
            context.forward(AlertFactory.record(alert, context));
        }
    }

    private Alert toAlert(String identity, NormalizedEvent latest, VaultPathBurstTracker.OpenBurst burst) {
        String when = burst.flagged()
                ? "off-hours, latest " + config.calendar().describe(burst.lastSeen())
                : AlertFactory.span(burst.firstSeen(), burst.lastSeen());
        String summary = String.format("%s, not Airflow's service identity, read %d Airflow pipeline secret%s (%s), %s: %s",
                VaultSecretReads.describe(identity, latest), burst.count(), burst.count() == 1 ? "" : "s", when,
                VaultSecretReads.origin(latest, burst.count()), burst.pathSample());
        return alerts.alert(burst.toBurst(), identity, summary, burst.flagged() ? Severity.HIGH : RULE.severity());
    }
}
