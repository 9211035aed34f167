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
 * @param <V> the store's (immutable) value type
 */
public final class DecodedStateCache<V> {

    public static final int MAX_ENTRIES = 1_000;

    private final KeyValueStore<String, V> store;
    private final Map<String, V> recent;

    public DecodedStateCache(KeyValueStore<String, V> store) {
        this(store, MAX_ENTRIES);
    }

    /** @param maxEntries values kept decoded, least recently used dropped first */
    public DecodedStateCache(KeyValueStore<String, V> store, int maxEntries) {
        this.store = store;
        this.recent = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > maxEntries;
            }
        };
    }

    public V get(String key) {
        V value = recent.get(key);
        if (value == null) {
            value = store.get(key);
            if (value != null) {
                recent.put(key, value);
            }
        }
        return value;
    }

    public void delete(String key) {
        put(key, null);
    }

    public void put(String key, V value) {
        store.put(key, value);
        if (value == null) {
            recent.remove(key);
        } else {
            recent.put(key, value);
        }
    }
}
