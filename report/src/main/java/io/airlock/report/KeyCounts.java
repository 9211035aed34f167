package io.airlock.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;

/**
 * Counts per key (a user, an entity, a rule), exactly: every key keeps its own count, so the top {@code n} taken at the end
 * are the true top {@code n}. A record without the key is counted under {@link #NONE}, the empty string, which no record's
 * value can be (a {@link ReportRecord} leaves empty values out), so no user name can merge with it.
 *
 * <p>Memory grows with the number of distinct keys (a map entry each), not with the number of records. Reports of format
 * 1 and 2 counted differently, with a cap on distinct keys: {@link #capped} counts as they did, for
 * {@link ReportVerifier} to recount their summaries.
 */
final class KeyCounts {

    /** The key of records that have no value: the empty string, which no record's value is. */
    static final String NONE = "";
    /** Formats 1 and 2: the key of records without a value. */
    static final String FORMAT_2_NONE = "(none)";
    /** Formats 1 and 2: the key that collected the counts of keys beyond the cap. */
    static final String FORMAT_2_OTHERS = "(others)";

    private static final Comparator<Map.Entry<String, Long>> LARGEST_FIRST =
            Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()).thenComparing(Map.Entry.comparingByKey());

    private final int maxKeys;
    private final String none;
    private final Map<String, Long> counts = new HashMap<>();

    private KeyCounts(int maxKeys, String none) {
        this.maxKeys = maxKeys;
        this.none = none;
    }

    /** Every key counted on its own. */
    static KeyCounts exact() {
        return new KeyCounts(Integer.MAX_VALUE, NONE);
    }

    /**
     * As formats 1 and 2 counted: records without a value under {@value #FORMAT_2_NONE}, and once {@code maxKeys} keys were
     * seen, every new key under {@value #FORMAT_2_OTHERS}.
     */
    static KeyCounts capped(int maxKeys) {
        return new KeyCounts(maxKeys, FORMAT_2_NONE);
    }

    void add(String key) {
        String k = key == null || key.isEmpty() ? none : key;
        if (counts.size() >= maxKeys && !counts.containsKey(k)) {
            k = FORMAT_2_OTHERS;
        }
        counts.merge(k, 1L, Long::sum);
    }

    /** Every key with its count, sorted by key. */
    Map<String, Long> all() {
        return new TreeMap<>(counts);
    }

    /** The {@code n} largest counts, largest first (ties by key); only {@code n} entries are held while choosing them. */
    List<Map.Entry<String, Long>> top(int n) {
        PriorityQueue<Map.Entry<String, Long>> smallestFirst = new PriorityQueue<>(LARGEST_FIRST.reversed());
        for (Map.Entry<String, Long> entry : counts.entrySet()) {
            smallestFirst.add(entry);
            if (smallestFirst.size() > n) {
                smallestFirst.poll();
            }
        }
        List<Map.Entry<String, Long>> top = new ArrayList<>();
        smallestFirst.forEach(e -> top.add(Map.entry(e.getKey(), e.getValue())));
        top.sort(LARGEST_FIRST);
        return top;
    }
}
