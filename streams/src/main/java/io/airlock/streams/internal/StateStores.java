package io.airlock.streams.internal;

import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * How Airlock keeps its key-value state (string keys): every store is changelogged (the changelog is what a restart or
 * another instance restores from) and written behind ({@link WriteBehindKeyValueStore}: a key rewritten for every event
 * reaches the store and its changelog once per commit); only where the local copy lives differs.
 */
public final class StateStores {

    /**
     * Changelog segments of the in-memory stores roll every 10 minutes or 64 MB, so the log cleaner can compact all but the
     * newest: these stores are restored in full whenever their task starts, and their keys churn (a key per hit, deleted
     * when it leaves the window), so with the broker's default 1 GB segments a restore could read a gigabyte of overwritten
     * entries.
     */
    static final Map<String, String> IN_MEMORY_CHANGELOG = Map.of(TopicConfig.SEGMENT_MS_CONFIG, "600000",
            TopicConfig.SEGMENT_BYTES_CONFIG, Integer.toString(64 << 20));

    /** Set while {@link #allInMemory} builds a topology. */
    private static final ThreadLocal<Boolean> ALL_IN_MEMORY = ThreadLocal.withInitial(() -> false);

    private StateStores() {
    }

    /**
     * Builds a topology whose every store lives in the heap, those {@link #onDisk} too: for offline replays
     * ({@code airlock backtest}), which keep no state past the run and commit after every record, where RocksDB's
     * bookkeeping per commit (offsets and positions written into the database) took about 45 % of the time.
     */
    public static <T> T allInMemory(Supplier<T> buildTopology) {
        ALL_IN_MEMORY.set(true);
        try {
            return buildTopology.get();
        } finally {
            ALL_IN_MEMORY.remove();
        }
    }

    /**
     * For state bounded by a rule's window and grace or by the number of partitions — open bursts, reads waiting for a verdict,
     * alert updates waiting to go out: in the heap, restored from its changelog when a task starts. These stores are small
     * by construction, their processors mirror most of them in memory anyway, and they are written on nearly every event,
     * where RocksDB's per-call cost showed in profiles (docs/performance.md).
     */
    public static <V> StoreBuilder<KeyValueStore<String, V>> inMemory(String name, Serde<V> values) {
        return WriteBehindKeyValueStore.builder(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), Serdes.String(), values)
                .withLoggingEnabled(IN_MEMORY_CHANGELOG));
    }

    /** For state that grows with the users, identities, paths and runs seen: RocksDB, on disk under the state directory. */
    public static <V> StoreBuilder<KeyValueStore<String, V>> onDisk(String name, Serde<V> values) {
        if (ALL_IN_MEMORY.get()) {
            return inMemory(name, values);
        }
        return WriteBehindKeyValueStore.builder(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(), values));
    }
}
