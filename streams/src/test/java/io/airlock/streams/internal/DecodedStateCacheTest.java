package io.airlock.streams.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.internals.WrappedStateStore;
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

    @Test
    void shouldAskTheStoreForAnAbsentKeyOnceUntilItIsWritten() {
        KeyValueStore<String, String> store = InMemoryStores.strings();
        var reads = new AtomicInteger();
        KeyValueStore<String, String> counted = new CountingStore(store, reads);
        var cache = new DecodedStateCache<>(counted);

        assertThat(cache.get("bob")).isNull();
        assertThat(cache.get("bob")).isNull();
        assertThat(reads).as("an absent key is remembered as absent").hasValue(1);
        cache.put("bob", "one failure");
        assertThat(cache.get("bob")).isEqualTo("one failure");
        cache.delete("bob");
        assertThat(cache.get("bob")).isNull();
        assertThat(reads).hasValue(1);
        assertThat(store.get("bob")).isNull();
    }

    /** A store that counts its reads. */
    private static final class CountingStore extends WrappedStateStore<KeyValueStore<String, String>, String, String>
            implements KeyValueStore<String, String> {
        private final AtomicInteger reads;

        CountingStore(KeyValueStore<String, String> inner, AtomicInteger reads) {
            super(inner);
            this.reads = reads;
        }

        @Override
        public String get(String key) {
            reads.incrementAndGet();
            return wrapped().get(key);
        }

        @Override
        public void put(String key, String value) {
            wrapped().put(key, value);
        }

        @Override
        public String putIfAbsent(String key, String value) {
            return wrapped().putIfAbsent(key, value);
        }

        @Override
        public void putAll(List<KeyValue<String, String>> entries) {
            wrapped().putAll(entries);
        }

        @Override
        public String delete(String key) {
            return wrapped().delete(key);
        }

        @Override
        public KeyValueIterator<String, String> range(String from, String to) {
            return wrapped().range(from, to);
        }

        @Override
        public KeyValueIterator<String, String> all() {
            return wrapped().all();
        }

        @Override
        public long approximateNumEntries() {
            return wrapped().approximateNumEntries();
        }
    }
}
