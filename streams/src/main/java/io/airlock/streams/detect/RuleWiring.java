package io.airlock.streams.detect;

import io.airlock.core.Alert;
import io.airlock.streams.internal.JsonSerdes;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.Stores;

/** The wiring every rule shares: its named state stores and its named sink onto the alerts topic. */
final class RuleWiring {

    private RuleWiring() {
    }

    /** Registers a persistent key-value store with string keys and JSON values of {@code valueType}. */
    static void addStore(StreamsBuilder builder, String name, Class<?> valueType) {
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(), JsonSerdes.of(valueType)));
    }

    /** How a rule writes its alerts: keyed by alert id, sink named {@code <rule>-alerts}. */
    static Produced<String, Alert> alerts(RuleDefinition rule) {
        return Produced.with(Serdes.String(), JsonSerdes.alerts()).withName(rule.resourceName("alerts"));
    }
}
