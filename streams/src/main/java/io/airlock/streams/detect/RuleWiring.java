package io.airlock.streams.detect;

import io.airlock.core.Alert;
import io.airlock.core.Topics;
import io.airlock.streams.DetectionConfig;
import io.airlock.streams.internal.InternalSerdes;
import io.airlock.streams.internal.JsonSerdes;
import io.airlock.streams.internal.RetainedRecordTimes;
import io.airlock.streams.internal.StateStores;
import java.util.Set;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;

/** The wiring every rule shares: its named state stores and its named way onto the alerts topic. */
final class RuleWiring {

    private RuleWiring() {
    }

    /**
     * Registers a key-value store on disk with string keys and values of {@code valueType} ({@link RuleStateSerdes}: compact
     * for burst states, JSON otherwise). Written behind ({@link StateStores}): a key a rule rewrites for every event reaches
     * RocksDB and the changelog once per commit, not once per event. Reads see the pending writes, so rules behave the same.
     */
    static void addStore(StreamsBuilder builder, String name, Class<?> valueType) {
        builder.addStateStore(StateStores.onDisk(name, RuleStateSerdes.forType(valueType)));
    }

    /**
     * Sends a rule's alerts — but those whose entity the rule's settings except ({@link RuleSettings#allowEntities}, then in
     * a filter {@code <rule>-allowed-entities}) — to the alerts topic through an {@link AlertUpdateCoalescer} (processor
     * {@code <rule>-coalesce-alert-updates}, store {@code <rule>-alert-updates}, sink {@code <rule>-alerts}, keyed by alert id):
     * a new alert at once, the updates of an open alert as each alert's latest version every
     * {@link AlertUpdateCoalescer#FLUSH_INTERVAL}; an alert of history older than {@link io.airlock.core.RecordTimes#MAX_BEHIND}
     * stamped no further back, so that the topic's time retention keeps it until delivery read it ({@link RetainedRecordTimes}).
     */
    static void toAlerts(StreamsBuilder builder, KStream<String, Alert> alerts, RuleDefinition rule, DetectionConfig config,
            Topics topics) {
        Set<String> allowed = config.rule(rule).allowEntities();
        if (!allowed.isEmpty()) {
            alerts = alerts.filter((id, alert) -> !allowed.contains(alert.entity()), Named.as(rule.resourceName("allowed-entities")));
        }
        String store = rule.resourceName("alert-updates");
        builder.addStateStore(StateStores.inMemory(store, InternalSerdes.alerts()));
        alerts.process(() -> new AlertUpdateCoalescer(store), Named.as(rule.resourceName("coalesce-alert-updates")), store)
                .processValues(RetainedRecordTimes<String, Alert>::new, Named.as(rule.resourceName("alerts-retained-times")))
                .to(topics.alerts(), Produced.with(Serdes.String(), JsonSerdes.alerts()).withName(rule.resourceName("alerts")));
    }
}
