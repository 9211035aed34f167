package io.airlock.report;

import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * The keys seen most often, in a fixed number of counters (Space-Saving, Metwally et al. 2005): a new key, once every
 * counter is taken, replaces the key with the smallest count and starts from that count, which it may owe to the key it
 * replaced (its error). Every key seen more than {@code records / capacity} times holds a counter at the end, however many
 * other keys came before, between or after it; and {@code count - error} of a counter is a count the key certainly
 * reached. Deterministic: the same keys in the same order give the same counters (ties go to the smallest key), so
 * {@link ReportVerifier} recounts what the export counted.
 */
final class HeavyHitterSketch {

    private static final class Counter {
        final String key;
        long count;
        final long error;

        Counter(String key, long count, long error) {
            this.key = key;
            this.count = count;
            this.error = error;
        }
    }

    private static final Comparator<Counter> SMALLEST_FIRST =
            Comparator.<Counter>comparingLong(c -> c.count).thenComparing(c -> c.key);

    private final int capacity;
    private final Map<String, Counter> byKey = new HashMap<>();
    private final TreeSet<Counter> smallestFirst = new TreeSet<>(SMALLEST_FIRST);

    HeavyHitterSketch(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("a sketch needs at least one counter, not " + capacity);
        }
        this.capacity = capacity;
    }

    void add(String key) {
        Counter counter = byKey.get(key);
        if (counter != null) {
            smallestFirst.remove(counter); // its place in the order changes with its count
            counter.count++;
            smallestFirst.add(counter);
            return;
        }
        long floor = 0;
        if (byKey.size() >= capacity) {
            Counter smallest = smallestFirst.pollFirst();
            byKey.remove(smallest.key);
            floor = smallest.count;
        }
        counter = new Counter(key, floor + 1, floor);
        byKey.put(key, counter);
        smallestFirst.add(counter);
    }

    /** Every key holding a counter with the count it certainly reached ({@code count - error}, at least 1). */
    Map<String, Long> atLeast() {
        Map<String, Long> counts = new HashMap<>();
        byKey.values().forEach(c -> counts.put(c.key, c.count - c.error));
        return counts;
    }
}
