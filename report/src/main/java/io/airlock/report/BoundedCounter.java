package io.airlock.report;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Counts per key with a cap on distinct keys, so a summary stays small for millions of records: once the cap is reached,
 * new keys are counted under {@value #OTHERS}.
 */
public final class BoundedCounter {

    /** The key that collects counts of keys beyond the cap. */
    public static final String OTHERS = "(others)";

    private final int maxKeys;
    private final Map<String, Long> counts = new TreeMap<>();

    public BoundedCounter(int maxKeys) {
        this.maxKeys = maxKeys;
    }

    public void add(String key) {
        String k = key == null || key.isEmpty() ? "(none)" : key;
        if (!counts.containsKey(k) && counts.size() >= maxKeys) {
            k = OTHERS;
        }
        counts.merge(k, 1L, Long::sum);
    }

    /** Every key with its count, sorted by key. */
    public Map<String, Long> all() {
        return new LinkedHashMap<>(counts);
    }

    /** The {@code n} largest counts, largest first (ties by key). */
    public List<Map.Entry<String, Long>> top(int n) {
        return counts.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()).thenComparing(Map.Entry.comparingByKey()))
                .limit(n).map(e -> Map.entry(e.getKey(), e.getValue())).toList();
    }

    public long total() {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }
}
