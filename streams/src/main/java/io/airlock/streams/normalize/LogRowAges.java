package io.airlock.streams.normalize;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * How old an audit-log row is, known from its id alone — a delete with the default replica identity carries nothing else.
 * Airflow numbers {@code log} rows in insertion order, so the highest id written in each minute says
 * which ids are younger than a given age: a row whose id is above every id written before {@code now − age} was written
 * after it. Kept for {@link #HORIZON} of event time in {@link #STORE} (one entry per minute, at most 2 880), mirrored in
 * memory in minute order; older minutes fold into one floor. Before any row was seen every row counts as young.
 */
final class LogRowAges {

    static final String STORE = "log-row-ages";
    static final Duration HORIZON = Duration.ofHours(48);
    private static final String FLOOR = "floor";

    private final KeyValueStore<String, Long> store;
    private final TreeMap<Long, Long> maxIdByMinute = new TreeMap<>();
    private long floor = -1;

    LogRowAges(KeyValueStore<String, Long> store) {
        this.store = store;
        try (KeyValueIterator<String, Long> all = store.all()) {
            all.forEachRemaining(entry -> {
                if (FLOOR.equals(entry.key)) {
                    floor = entry.value;
                } else {
                    maxIdByMinute.put(Long.parseLong(entry.key), entry.value);
                }
            });
        }
    }

    /**
     * A row {@code id} written at {@code at}: its commit time — the database's clock, which whoever inserts a row cannot
     * set, unlike {@code dttm} — or for a snapshot row, which was committed long before, its {@code dttm}.
     */
    void written(long id, Instant at) {
        long minute = Math.floorDiv(at.getEpochSecond(), 60);
        if (!maxIdByMinute.isEmpty() && minute < oldestKept()) {
            raiseFloor(id);
            return;
        }
        Long known = maxIdByMinute.put(minute, id);
        if (known != null) {
            if (known > id) {
                maxIdByMinute.put(minute, known);
            }
            return; // the minute's latest id reaches the store when the next minute begins (below)
        }
        // a new minute: store the one before at its final id, and this one. After a crash the store may hold a minute's
        // first id only; rows written later in it then count as younger than they are — the side that alerts.
        Map.Entry<Long, Long> before = maxIdByMinute.lowerEntry(minute);
        if (before != null) {
            store.put(key(before.getKey()), before.getValue());
        }
        store.put(key(minute), id);
        long oldest = maxIdByMinute.lastKey() - HORIZON.toMinutes();
        while (maxIdByMinute.firstKey() < oldest) {
            Map.Entry<Long, Long> expired = maxIdByMinute.pollFirstEntry();
            store.delete(key(expired.getKey()));
            raiseFloor(expired.getValue());
        }
    }

    /** Whether row {@code id} was written less than {@code age} before {@code at}; true when nothing older is known. */
    boolean writtenWithin(long id, Instant at, Duration age) {
        long before = Math.floorDiv(at.minus(age).getEpochSecond(), 60);
        Map.Entry<Long, Long> older = maxIdByMinute.lowerEntry(before);
        long highestOlder = Math.max(floor, older == null ? -1 : older.getValue());
        return id > highestOlder;
    }

    private long oldestKept() {
        return maxIdByMinute.lastKey() - HORIZON.toMinutes();
    }

    private void raiseFloor(long id) {
        if (id > floor) {
            floor = id;
            store.put(FLOOR, id);
        }
    }

    /** The minute, zero-padded to 12 digits so the store sorts as the minutes do. */
    private static String key(long minute) {
        String digits = Long.toString(minute);
        return "000000000000".substring(Math.min(12, digits.length())) + digits;
    }
}
