package io.airlock.streams.detect;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * A small rule store held wholly in memory as well, in key order: reads — point, range and full scans — are served from
 * memory; every write goes to the store (and so to its changelog) and to the copy. For stores a rule scans on every event or
 * punctuation, where opening a RocksDB iterator each time cost more than the rule itself (AL-002's hits in the window, AL-022's
 * pending reads and known runs), and whose size the rule bounds by time (window, grace, retention).
 *
 * <p>Created in the processor's {@code init}, which Kafka Streams calls once the task's stores are restored (after a start,
 * a migration or an aborted transaction), so the copy starts as what the store holds. Only for stores that one processor
 * reads and writes alone.
 *
 * @param <V> the store's value type (values are shared between the copy and the caller: treat them as immutable)
 */
final class SortedStoreMirror<V> {

    private final KeyValueStore<String, V> store;
    private final TreeMap<String, V> copy = new TreeMap<>();

    SortedStoreMirror(KeyValueStore<String, V> store) {
        this.store = store;
        try (KeyValueIterator<String, V> all = store.all()) {
            all.forEachRemaining(entry -> copy.put(entry.key, entry.value));
        }
    }

    V get(String key) {
        return copy.get(key);
    }

    void put(String key, V value) {
        store.put(key, value);
        if (value == null) {
            copy.remove(key);
        } else {
            copy.put(key, value);
        }
    }

    void delete(String key) {
        if (copy.remove(key) != null) {
            store.delete(key);
        }
    }

    /** The entries from {@code from} to {@code to}, both inclusive (as {@link KeyValueStore#range}), in key order. */
    List<KeyValue<String, V>> range(String from, String to) {
        return entries(from.compareTo(to) > 0 ? new TreeMap<>() : copy.subMap(from, true, to, true));
    }

    /** Whether at least {@code n} entries lie from {@code from} to {@code to}, both inclusive (counts no further). */
    boolean holdsAtLeast(String from, String to, int n) {
        if (from.compareTo(to) > 0) {
            return n <= 0;
        }
        int held = 0;
        for (String ignored : copy.subMap(from, true, to, true).keySet()) {
            if (++held >= n) {
                return true;
            }
        }
        return held >= n;
    }

    /** The entries whose keys start with {@code prefix}, in key order. */
    List<KeyValue<String, V>> prefixed(String prefix) {
        List<KeyValue<String, V>> entries = new ArrayList<>();
        for (Map.Entry<String, V> entry : copy.tailMap(prefix, true).entrySet()) {
            if (!entry.getKey().startsWith(prefix)) {
                break;
            }
            entries.add(KeyValue.pair(entry.getKey(), entry.getValue()));
        }
        return entries;
    }

    /** Every entry in key order: a live view, so do not write while iterating it. */
    Iterable<Map.Entry<String, V>> all() {
        return copy.entrySet();
    }

    int size() {
        return copy.size();
    }

    private static <V> List<KeyValue<String, V>> entries(NavigableMap<String, V> view) {
        List<KeyValue<String, V>> entries = new ArrayList<>(view.size());
        view.forEach((k, v) -> entries.add(KeyValue.pair(k, v)));
        return entries;
    }
}
