package io.airlock.streams.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

class DecodedStateCacheTest {


    @Test
    void shouldWriteThroughToTheStoreSoThatAFreshCacheReadsTheSameState() {
        KeyValueStore<String, String> store = InMemoryStores.strings();
        String state = new String("three failures");

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

    @Test
    void shouldDeleteFromTheStoreAndReadEvictedEntriesBackFromIt() {
        KeyValueStore<String, String> store = InMemoryStores.strings();
        var cache = new DecodedStateCache<>(store, 2);
        cache.put("a", "1");
        cache.put("b", "2");
        cache.put("c", "3"); // evicts a from memory, not from the store
        assertThat(cache.get("a")).isEqualTo("1");
        cache.delete("b");
        assertThat(store.get("b")).isNull();
        assertThat(cache.get("b")).isNull();
        assertThat(cache.get("c")).isEqualTo("3");
    }
}
