package io.airlock.streams.normalize;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * How old an audit-log row is, known from its id alone — a delete with the default replica identity carries nothing else.
 * For each minute (of commit time) this keeps the lowest and the highest id written in it: a row written less than an age
 * ago is one whose id lies in the range of a minute since, whatever ids other rows carry. Airflow numbers {@code log} rows
 * from a sequence, in insertion order, so a row also counts as young when its id is above every id written before
 * {@code now − age} (and every row does before any row was seen).
 *
 * <p>Ids are no proof of order: Airflow's own database user can insert a row with any id it likes
 * ({@code INSERT INTO log (id, …) VALUES (2000000000, …)}, which leaves the sequence where it was). Such an id only stretches
 * its own minute's range, and only ever makes rows young (the side that alerts): a row whose insert Airlock saw is young
 * for as long as it is asked about (up to {@link #HORIZON}), however high an id came before it. Before the ranges, an
 * out-of-sequence id that became the highest of its minute made every row written after it look older than a day.
 *
 * <p>Kept for {@link #HORIZON} of event time in {@link #STORE}: per minute its highest id (key: the minute) and its lowest
 * (key: the minute and {@code .min}), at most 2 × 2 880 entries, mirrored in memory in minute order; older minutes fold
 * into one floor, the highest id written in them. A minute stored by a build before the ranges has no lowest id: its
 * highest stands for it, and its other rows are judged by order alone until they leave the age asked about.
 */
final class LogRowAges {

    static final String STORE = "log-row-ages";
    static final Duration HORIZON = Duration.ofHours(48);
    private static final String FLOOR = "floor";
    private static final String LOWEST = ".min";

    /** The lowest and the highest id written in one minute. */
    private record Range(long lowest, long highest) {
        Range with(long id) {
            return new Range(Math.min(lowest, id), Math.max(highest, id));
        }

        boolean contains(long id) {
            return lowest <= id && id <= highest;
        }
    }

    private final KeyValueStore<String, Long> store;
    private final TreeMap<Long, Range> idsByMinute = new TreeMap<>();
    private long floor = -1;
    /** The lowest id with a known minute, ever (Long.MAX_VALUE before the first): ids below it predate what Airlock saw. */
    private long lowestKnown = Long.MAX_VALUE;
    /** A lower bound of the lowest id written since minute {@link #cachedSince}: most deletes are of rows far below it. */
    private long cachedLowest = Long.MAX_VALUE;
    private long cachedSince = Long.MIN_VALUE;

    LogRowAges(KeyValueStore<String, Long> store) {
        this.store = store;
        Map<Long, Long> lowest = new HashMap<>();
        Map<Long, Long> highest = new HashMap<>();
        try (KeyValueIterator<String, Long> all = store.all()) {
            all.forEachRemaining(entry -> {
                if (FLOOR.equals(entry.key)) {
                    floor = entry.value;
                } else if (entry.key.endsWith(LOWEST)) {
                    lowest.put(Long.parseLong(entry.key.substring(0, entry.key.length() - LOWEST.length())), entry.value);
                } else {
                    highest.put(Long.parseLong(entry.key), entry.value);
                }
            });
        }
        highest.forEach((minute, id) -> idsByMinute.put(minute, new Range(Math.min(id, lowest.getOrDefault(minute, id)), id)));
        lowest.forEach((minute, id) -> idsByMinute.putIfAbsent(minute, new Range(id, id)));
        idsByMinute.values().forEach(range -> lowestKnown = Math.min(lowestKnown, range.lowest()));
    }

    /**
     * A row {@code id} written at {@code at}: its commit time — the database's clock, which whoever inserts a row cannot
     * set, unlike {@code dttm} — or for a snapshot row, which was committed long before, its {@code dttm}.
     */
    void written(long id, Instant at) {
        lowestKnown = Math.min(lowestKnown, id);
        long minute = Math.floorDiv(at.getEpochSecond(), 60);
        if (!idsByMinute.isEmpty() && minute < oldestKept()) {
            raiseFloor(id);
            return;
        }
        if (minute >= cachedSince) {
            cachedLowest = Math.min(cachedLowest, id);
        }
        Range known = idsByMinute.get(minute);
        if (known != null) {
            idsByMinute.put(minute, known.with(id));
            if (id < known.lowest()) {
                store.put(key(minute) + LOWEST, id); // rare (a late commit, or an explicit id): at once
            }
            return; // the minute's highest id reaches the store when the next minute begins (below)
        }
        // a new minute: store the one before at its final highest id, and this one. After a crash the store may hold a
        // minute's first id only; rows written later in it then count as young only when above every older id.
        Map.Entry<Long, Range> before = idsByMinute.lowerEntry(minute);
        if (before != null) {
            store.put(key(before.getKey()), before.getValue().highest());
        }
        idsByMinute.put(minute, new Range(id, id));
        store.put(key(minute), id);
        store.put(key(minute) + LOWEST, id);
        long oldest = oldestKept();
        while (idsByMinute.firstKey() < oldest) {
            Map.Entry<Long, Range> expired = idsByMinute.pollFirstEntry();
            store.delete(key(expired.getKey()));
            store.delete(key(expired.getKey()) + LOWEST);
            raiseFloor(expired.getValue().highest());
        }
    }

    /**
     * Whether row {@code id} was written less than {@code age} before {@code at}: its id lies in the range of a minute since,
     * or above every id written before. While nothing written before {@code at − age} is known (Airlock started within it
     * without a snapshot of {@code log}: a {@code backtest} of streamed changes alone, a state reset), a row whose id is
     * below every id Airlock saw was written before all it saw, at a time it cannot tell: not young. Its delete still
     * alerts without an {@code airflow db clean} before it; after one, it is taken for the retention the clean-up keeps
     * (an attacker gains nothing: every row inserted while Airlock watches has a known minute).
     */
    boolean writtenWithin(long id, Instant at, Duration age) {
        long since = Math.floorDiv(at.minus(age).getEpochSecond(), 60);
        Map.Entry<Long, Range> older = idsByMinute.lowerEntry(since);
        long highestOlder = Math.max(floor, older == null ? -1 : older.getValue().highest());
        if (id > highestOlder) {
            return highestOlder >= 0 || id >= lowestKnown;
        }
        if (id < lowestSince(since)) {
            return false;
        }
        for (Range range : idsByMinute.tailMap(since, true).values()) {
            if (range.contains(id)) {
                return true;
            }
        }
        return false;
    }

    /** The lowest id written since minute {@code since} (or less), computed once per minute of {@code since}. */
    private long lowestSince(long since) {
        if (since != cachedSince) {
            cachedLowest = Long.MAX_VALUE;
            for (Range range : idsByMinute.tailMap(since, true).values()) {
                cachedLowest = Math.min(cachedLowest, range.lowest());
            }
            cachedSince = since;
        }
        return cachedLowest;
    }

    private long oldestKept() {
        return idsByMinute.lastKey() - HORIZON.toMinutes();
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
