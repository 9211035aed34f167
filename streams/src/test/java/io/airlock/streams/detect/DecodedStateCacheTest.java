package io.airlock.streams.detect;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

class DecodedStateCacheTest {

    private static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");

    @Test
    void shouldWriteThroughToTheStoreSoThatAFreshCacheReadsTheSameState() {
        var context = new MockProcessorContext<String, String>();
        KeyValueStore<String, BurstTracker.State> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("s"),
                Serdes.String(), RuleStateSerdes.forType(BurstTracker.State.class)).withLoggingDisabled().build();
        store.init(context.getStateStoreContext(), store);
        var state = new BurstTracker.State(java.util.List.of(new BurstTracker.Hit(T0, "e1")), null);

        var cache = new DecodedStateCache<>(store);
        assertThat(cache.get("alice")).isNull();
        cache.put("alice", state);
        assertThat(store.get("alice")).as("in the store (and so its changelog) at once").isEqualTo(state);
        assertThat(cache.get("alice")).isSameAs(state);
        assertThat(new DecodedStateCache<>(store).get("alice")).as("after a re-initialization").isEqualTo(state);
        cache.put("alice", null);
        assertThat(store.get("alice")).isNull();
        assertThat(cache.get("alice")).isNull();
    }
}
