package io.airlock.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;

/**
 * Counts per key (a user, an entity, a rule). A record without the key is counted under {@link #NONE}, the empty string,
 * which no record's value can be (a {@link ReportRecord} leaves empty values out), so no user name can merge with it.
 *
 * <p>The first {@link Bound#exactKeys} distinct keys (while they total at most {@link Bound#exactChars} characters) are
 * counted exactly, each on its own, however many records follow; while every key fits, the top {@code n} taken at the end
 * are the true top {@code n}, and made-up names cannot push the busiest key out. Memory grows with those keys, not with the
 * records. A key first seen after that goes to a {@link HeavyHitterSketch} of {@link Bound#sketchKeys} counters: memory
 * stops growing, a key that is frequent among them still shows (with the count it certainly reached, a lower bound), and
 * {@link #approximated} says how many records were counted that way. {@link #NONE} is always counted exactly.
 *
 * <p>Reports of format 1 and 2 counted differently, with a cap on distinct keys: {@link #capped} counts as they did, for
 * {@link ReportVerifier} to recount their summaries.
 */
final class KeyCounts {

    /** The key of records that have no value: the empty string, which no record's value is. */
    static final String NONE = "";
    /** Formats 1 and 2: the key of records without a value. */
    static final String FORMAT_2_NONE = "(none)";
    /** Formats 1 and 2: the key that collected the counts of keys beyond the cap. */
    static final String FORMAT_2_OTHERS = "(others)";

    /**
     * How far counts are exact, and the sketch beyond. Part of the report format: {@link ReportVerifier} recounts with the
     * same bound, so it is a constant ({@link #REPORT}), and smaller only in tests.
     *
     * @param exactKeys  distinct keys counted exactly
     * @param exactChars the characters those keys may total (a key can be 4 096 characters long)
     * @param sketchKeys the counters of the sketch for the keys that come after
     */
    record Bound(int exactKeys, long exactChars, int sketchKeys) {

        /**
         * A million keys, 50 million characters, 1 000 counters: a million 36-character entity ids take about 120 MB of heap;
         * whatever the keys (measured: a million of 50 characters outside Latin-1), the exact counts stay under about 190 MB,
         * and the sketch (keys of at most 4 096 characters, as every event field is) under 10 MB.
         */
        static final Bound REPORT = new Bound(1_000_000, 50_000_000, 1_000);
        /**
         * For keys the pipeline writes a handful of (datasets, severities, rules), whose every count the manifest lists:
         * ten thousand keys, a million characters, 100 counters.
         */
        static final Bound FEW = new Bound(10_000, 1_000_000, 100);
    }

    private static final Comparator<Map.Entry<String, Long>> LARGEST_FIRST =
            Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()).thenComparing(Map.Entry.comparingByKey());

    /** Formats 1 and 2: the cap; {@link Integer#MAX_VALUE} when bounded. */
    private final int maxKeys;
    /** Null for {@link #capped} counts. */
    private final Bound bound;
    private final String none;
    private final Map<String, Long> counts = new HashMap<>();
    private long exactChars;
    /** Set by the first key beyond the bound: from then on only the keys already counted are counted exactly. */
    private HeavyHitterSketch sketch;
    private long approximated;

    private KeyCounts(int maxKeys, Bound bound, String none) {
        this.maxKeys = maxKeys;
        this.bound = bound;
        this.none = none;
    }

    /** Every key counted on its own up to {@code bound}, the keys after it in a sketch. */
    static KeyCounts bounded(Bound bound) {
        return new KeyCounts(Integer.MAX_VALUE, bound, NONE);
    }

    /**
     * As formats 1 and 2 counted: records without a value under {@value #FORMAT_2_NONE}, and once {@code maxKeys} keys were
     * seen, every new key under {@value #FORMAT_2_OTHERS}.
     */
    static KeyCounts capped(int maxKeys) {
        return new KeyCounts(maxKeys, null, FORMAT_2_NONE);
    }

    void add(String key) {
        String k = key == null || key.isEmpty() ? none : key;
        if (bound == null) {
            if (counts.size() >= maxKeys && !counts.containsKey(k)) {
                k = FORMAT_2_OTHERS;
            }
            counts.merge(k, 1L, Long::sum);
        } else if (counts.computeIfPresent(k, (ignored, n) -> n + 1) == null) {
            addNew(k);
        }
    }

    private void addNew(String k) {
        if (k.equals(NONE) || sketch == null && counts.size() < bound.exactKeys() && exactChars + k.length() <= bound.exactChars()) {
            counts.put(k, 1L);
            exactChars += k.length();
            return;
        }
        if (sketch == null) {
            sketch = new HeavyHitterSketch(bound.sketchKeys());
        }
        sketch.add(k);
        approximated++;
    }

    /** Records counted in the sketch, after the bound: 0 while every count is exact. */
    long approximated() {
        return approximated;
    }

    /** Every key with its count (a lower bound for a key of the sketch), sorted by key. */
    Map<String, Long> all() {
        Map<String, Long> all = new TreeMap<>(counts);
        all.putAll(sketched()); // no key is in both: a key counted exactly never goes to the sketch
        return all;
    }

    private Map<String, Long> sketched() {
        return sketch == null ? Map.of() : sketch.atLeast();
    }

    /**
     * The {@code n} largest counts (a lower bound for a key of the sketch), largest first (ties by key); only {@code n}
     * entries are held while choosing them.
     */
    List<Map.Entry<String, Long>> top(int n) {
        PriorityQueue<Map.Entry<String, Long>> smallestFirst = new PriorityQueue<>(LARGEST_FIRST.reversed());
        for (Map<String, Long> part : List.of(counts, sketched())) {
            for (Map.Entry<String, Long> entry : part.entrySet()) {
                smallestFirst.add(entry);
                if (smallestFirst.size() > n) {
                    smallestFirst.poll();
                }
            }
        }
        List<Map.Entry<String, Long>> top = new ArrayList<>();
        smallestFirst.forEach(e -> top.add(Map.entry(e.getKey(), e.getValue())));
        top.sort(LARGEST_FIRST);
        return top;
    }
}
