package io.airlock.streams.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * A rule's store with the values it last read or wrote kept decoded in memory, so that a key rewritten on every event is
 * not decoded again each time. A pure cache: every write still goes to the store (and its changelog) first, and the cache
 * is created in the processor's {@code init}, so it starts empty whenever Kafka Streams (re)initializes the task — after a
 * restore, a migration or an aborted transaction. Only for stores that one processor reads and writes alone, with immutable
 * values.
 *
 * <p>It remembers keys the store does not hold too: most events of a rule concern a user or identity with no state (no
 * failed login, no off-hours change), and asking RocksDB each time took about 6 % of the stream thread (docs/performance.md).
 *
 * @param <V> the store's (immutable) value type
 */
public final class DecodedStateCache<V> {

    public static final int MAX_ENTRIES = 1_000;

    /** Stands for "the store holds no value for this key" among the remembered values. */
    private static final Object ABSENT = new Object();

    private final KeyValueStore<String, V> store;
    private final Map<String, Object> recent;

    public DecodedStateCache(KeyValueStore<String, V> store) {
        this(store, MAX_ENTRIES);
    }

    /** @param maxEntries values kept decoded, least recently used dropped first */
    public DecodedStateCache(KeyValueStore<String, V> store, int maxEntries) {
        this.store = store;
        this.recent = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Object> eldest) {
                return size() > maxEntries;
            }
        };
    }

    @SuppressWarnings("unchecked") // only values of the store and ABSENT are remembered
    public V get(String key) {
        Object remembered = recent.get(key);
        if (remembered != null) {
            return remembered == ABSENT ? null : (V) remembered;
        }
        V value = store.get(key);
        recent.put(key, value == null ? ABSENT : value);
        return value;
    }

    public void delete(String key) {
        put(key, null);
    }

    public void put(String key, V value) {
        store.put(key, value);
        recent.put(key, value == null ? ABSENT : value);
    }
}
