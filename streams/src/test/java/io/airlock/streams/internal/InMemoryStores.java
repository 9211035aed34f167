package io.airlock.streams.internal;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/** Initialized in-memory stores without a changelog, for tests of what wraps a store. */
public final class InMemoryStores {

    private InMemoryStores() {
    }

    /** A fresh, initialized string-to-string store. */
    public static KeyValueStore<String, String> strings() {
        return of(Serdes.String());
    }

    /** A fresh, initialized store of string keys and values of {@code values}. */
    public static <V> KeyValueStore<String, V> of(Serde<V> values) {
        var context = new MockProcessorContext<String, String>();
        KeyValueStore<String, V> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("s"), Serdes.String(), values)
                .withLoggingDisabled().build();
        store.init(context.getStateStoreContext(), store);
        return store;
    }
}
