package io.airlock.streams.internal;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;

/**
 * A rule store's writes of one commit interval, kept decoded in memory and handed to the store below — changelogged, not
 * cached — when Kafka Streams prepares the task's commit, before the transaction with the input offsets commits.
 *
 * <p><b>When the writes go down.</b> Kafka Streams 4.3 flushes, in {@code StreamTask.prepareCommit}, the stores that
 * implement its {@link CachedStateStore} ({@code ProcessorStateManager.flushCache}), then the record collector, then commits
 * the transaction; {@code StateStore.commit} comes only after that, and only when a checkpoint is due. So this store is a
 * {@code CachedStateStore} (an interface of Kafka Streams' internals package): {@link #flushCache} hands the writes down
 * while they still go into the transaction of the input that caused them. {@code WriteBehindKeyValueStoreTest} and the
 * restart tests guard this across Kafka upgrades. The changelog records of one flush carry the timestamp of the task's
 * last record (the record cache kept each write's own); the stores here are key-value stores compacted by key, which
 * that does not affect.
 *
 * <p>What Kafka Streams' record cache gives (a key rewritten on every event reaches the changelog once per commit), without
 * what it costs per write: the cache takes serialized keys and values, so every {@code put} serialized the value and
 * entered it in the thread's LRU bookkeeping, although the rules keep their state decoded and write it on nearly every
 * event (docs/performance.md). Here a write is a map entry; each written key is serialized once per commit.
 *
 * <p>Point reads see the pending writes. Range reads and scans hand the pending writes down first and then read the store
 * below (the rules serve their scans from in-memory mirrors; these calls are rare). A close without a commit — a task
 * closed dirty after an aborted transaction — drops the pending writes ({@link #clearCache}, {@link #close}), as the
 * aborted changelog records are dropped; the task is then restored from its changelog.
 *
 * @param <V> the value type (values are kept by reference until the commit: treat them as immutable)
 */
final class WriteBehindKeyValueStore<V> implements KeyValueStore<String, V>, CachedStateStore<String, V> {

    /** Marks a pending delete (the map holds no nulls). */
    private static final Object DELETED = new Object();

    private final KeyValueStore<String, V> below;
    private final Map<String, Object> pending = new HashMap<>();

    WriteBehindKeyValueStore(KeyValueStore<String, V> below) {
        this.below = below;
    }

    @Override
    @SuppressWarnings("unchecked")
    public V get(String key) {
        Object value = pending.get(key);
        if (value != null) {
            return value == DELETED ? null : (V) value;
        }
        return below.get(key);
    }

    @Override
    public void put(String key, V value) {
        pending.put(Objects.requireNonNull(key, "key"), value == null ? DELETED : value);
    }

    @Override
    public V putIfAbsent(String key, V value) {
        V current = get(key);
        if (current == null) {
            put(key, value);
        }
        return current;
    }

    @Override
    public void putAll(List<KeyValue<String, V>> entries) {
        entries.forEach(entry -> put(entry.key, entry.value));
    }

    @Override
    public V delete(String key) {
        V current = get(key);
        put(key, null);
        return current;
    }

    @Override
    public KeyValueIterator<String, V> range(String from, String to) {
        writePending();
        return below.range(from, to);
    }

    @Override
    public KeyValueIterator<String, V> reverseRange(String from, String to) {
        writePending();
        return below.reverseRange(from, to);
    }

    @Override
    public KeyValueIterator<String, V> all() {
        writePending();
        return below.all();
    }

    @Override
    public KeyValueIterator<String, V> reverseAll() {
        writePending();
        return below.reverseAll();
    }

    @Override
    public <PS extends Serializer<P>, P> KeyValueIterator<String, V> prefixScan(P prefix, PS prefixKeySerializer) {
        writePending();
        return below.prefixScan(prefix, prefixKeySerializer);
    }

    @Override
    public long approximateNumEntries() {
        writePending();
        return below.approximateNumEntries();
    }

    /** Before the commit's transaction: the pending writes go to the store below and its changelog. */
    @Override
    public void flushCache() {
        writePending();
    }

    /** A task closed without a commit (its transaction aborted): the pending writes are dropped with it. */
    @Override
    public void clearCache() {
        pending.clear();
    }

    /** Nothing is forwarded on flush (that is for the record cache of DSL tables). */
    @Override
    public boolean setFlushListener(CacheFlushListener<String, V> listener, boolean sendOldValues) {
        return false;
    }

    @Override
    public void commit(Map<TopicPartition, Long> changelogOffsets) {
        writePending(); // empty after flushCache; kept so that no caller of commit alone can lose a write
        below.commit(changelogOffsets);
    }

    @SuppressWarnings("unchecked")
    private void writePending() {
        if (pending.isEmpty()) {
            return;
        }
        for (Map.Entry<String, Object> entry : pending.entrySet()) {
            if (entry.getValue() == DELETED) {
                below.delete(entry.getKey());
            } else {
                below.put(entry.getKey(), (V) entry.getValue());
            }
        }
        pending.clear();
    }

    @Override
    public String name() {
        return below.name();
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        below.init(context, root);
    }

    @Override
    public void close() {
        pending.clear();
        below.close();
    }

    @Override
    public boolean persistent() {
        return below.persistent();
    }

    @Override
    public boolean managesOffsets() {
        return below.managesOffsets();
    }

    @Override
    public Long committedOffset(TopicPartition partition) {
        return below.committedOffset(partition);
    }

    @Override
    public boolean isOpen() {
        return below.isOpen();
    }

    @Override
    public <R> QueryResult<R> query(Query<R> query, PositionBound positionBound, QueryConfig config) {
        return below.query(query, positionBound, config);
    }

    @Override
    public Position getPosition() {
        return below.getPosition();
    }

    /** Builds the store below with the given builder (caching off) and puts this in front of it. */
    static <V> StoreBuilder<KeyValueStore<String, V>> builder(StoreBuilder<KeyValueStore<String, V>> below) {
        return new WriteBehindStoreBuilder<>(below.withCachingDisabled());
    }

    private record WriteBehindStoreBuilder<V>(StoreBuilder<KeyValueStore<String, V>> below)
            implements StoreBuilder<KeyValueStore<String, V>> {

        @Override
        public StoreBuilder<KeyValueStore<String, V>> withCachingEnabled() {
            throw new UnsupportedOperationException("a write-behind store is not cached");
        }

        @Override
        public StoreBuilder<KeyValueStore<String, V>> withCachingDisabled() {
            return this;
        }

        @Override
        public StoreBuilder<KeyValueStore<String, V>> withLoggingEnabled(Map<String, String> config) {
            return new WriteBehindStoreBuilder<>(below.withLoggingEnabled(config));
        }

        @Override
        public StoreBuilder<KeyValueStore<String, V>> withLoggingDisabled() {
            return new WriteBehindStoreBuilder<>(below.withLoggingDisabled());
        }

        @Override
        public KeyValueStore<String, V> build() {
            return new WriteBehindKeyValueStore<>(below.build());
        }

        @Override
        public Map<String, String> logConfig() {
            return below.logConfig();
        }

        @Override
        public boolean loggingEnabled() {
            return below.loggingEnabled();
        }

        @Override
        public String name() {
            return below.name();
        }
    }
}
