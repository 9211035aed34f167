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

    /**
     * Registers a persistent key-value store with string keys and values of {@code valueType} ({@link RuleStateSerdes}: compact
     * for burst states, JSON otherwise). The store is cached: a key a rule rewrites for every event reaches RocksDB and the
     * changelog once per commit, not once per event. Reads see the cache, so rules behave the same.
     */
    static void addStore(StreamsBuilder builder, String name, Class<?> valueType) {
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(),
                RuleStateSerdes.forType(valueType)).withCachingEnabled());
    }

    /** How a rule writes its alerts: keyed by alert id, sink named {@code <rule>-alerts}. */
    static Produced<String, Alert> alerts(RuleDefinition rule) {
        return Produced.with(Serdes.String(), JsonSerdes.alerts()).withName(rule.resourceName("alerts"));
    }
}
