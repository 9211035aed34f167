package io.airlock.streams.detect;

import io.airlock.core.Alert;
import io.airlock.core.StableIds;
import io.airlock.streams.internal.DecodedStateCache;
import io.airlock.streams.internal.StateStores;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * "At least {@code threshold} distinct values within {@code window}" (AL-002: failed logins on distinct users) with one store
 * entry per counted hit instead of one value holding them all: the same decisions as a {@linkplain BurstTracker#distinct
 * distinct BurstTracker}, at a cost per event that does not grow with the number of values in the window.
 *
 * <p>Stores (names from a prefix, all changelogged):
 * <ul>
 * <li>{@code <prefix>} — per entity a {@link SprayState}: the newest hit time and the open burst (evidence ≤ 50, a sample of
 *     values, the exact count);</li>
 * <li>{@code <prefix>-by-time} — {@code entity␟time␟event id → value}, the latest hit of each value, in time order: a range
 *     scan gives the hits of a window, expiry deletes a range from the start;</li>
 * <li>{@code <prefix>-latest} — {@code entity␟value → time␟event id[␟time␟event id]}, which hit of a value is the latest
 *     and, when the value was hit before it within {@code window}, the earliest such hit seen ({@link Reads});</li>
 * <li>{@code <prefix>-members} — {@code alert id␟value}, the values an open burst has counted whose latest hit is still
 *     kept (within {@code window} + {@code grace} of the entity's newest hit); a member goes with its value's latest-hit
 *     entry, and all go when the burst ends.</li>
 * </ul>
 *
 * <p><b>What an open burst's count means.</b> The number of distinct values hit in the burst, where a value hit again more
 * than {@code window} + {@code grace} after its previous hit counts again: every value once within any {@code window}-long
 * stretch of the burst. For what the rules look for — enumerating a KV mount, spraying user names — it is the exact
 * number of distinct values; it is more only for a burst that runs longer than {@code window} + {@code grace} and comes
 * back to values hit long before (a job cycling over the same paths without a pause of {@code window}). Until 0.1 every
 * member stayed until the burst ended, so one identity reading a new path every 100 ms without a pause of {@code window}
 * held a store entry per path for as long as it went on: 400 000 reads were an OutOfMemoryError at a 200 MB heap, and
 * because these stores are in memory and restored in full at each task start, every restart ran out again. Tying
 * membership to the kept hits costs nothing per hit (the member is deleted where its hit expires) and keeps the count's
 * meaning whole, where a cap on members would make the count an estimate ("≥") past it, and the members of every
 * long burst together would still grow with the number of bursts open.
 *
 * <p><b>Quiet entities.</b> An entity's old hits expire when it is hit again; one never hit again (an identity per CI job, a
 * failed login per made-up user name) is {@linkplain #forgetQuiet forgotten} once its newest hit is more than twice
 * {@code window} + {@code grace} behind the stream time (the newest hit of any entity), a few entities per hit, oldest
 * first, from an in-memory index of the entities by their newest hit (or later, while an open burst could still grow)
 * that the constructor rebuilds from the stores, with the stream time (so after a restart it goes on as live did). So the four stores hold the hits of about three times {@code window} +
 * {@code grace} of stream time at most, whatever the length of a burst or the number of entities ever seen. An entity whose
 * own hits lag more than that margin behind the stream time loses its partial window ({@link #forgetQuiet} says when).
 * A value counts in a window by its latest hit, so re-reading a path keeps it in the window, and counts and windows are those
 * of the latest hits alone. But a burst begins with its earliest counted hit: when it opens, each value it counts brings its
 * earlier hit too if that is inside the burst's window, so {@code first_seen} is the first read of the burst and its evidence
 * (in time order) begins with it, not with the second path's read when the first path was read again later (AL-021: paths
 * 00…18 read, then 00 again, then a twentieth). Hits of a value between its earliest and its latest are not kept: a value
 * hit three times in the window counts from its first hit while that is within {@code window} of its latest, else from the
 * hit that was latest before, else from its latest.
 *
 * <p>The last three are {@linkplain SortedStoreMirror mirrored in memory}: the window's hits are read without opening a RocksDB
 * iterator per event. Times are fixed-width (12 digits of epoch seconds, 9 of nanos), so key order is time order; instants before 1970 are not
 * supported.
 */
final class DistinctValueBursts {

    /** Values an open burst keeps in its {@link SprayState} for the summary. */
    static final int SAMPLE = 10;

    /** Quiet entities forgotten at most per hit ({@link #forgetQuiet}): more than the one entity a hit can add. */
    static final int FORGOTTEN_PER_HIT = 4;

    private static final char SEP = '\u001f';
    private static final String AFTER_ALL_IDS = SEP + "\uffff";
    private static final int TIME_CHARS = 21;

    private final String ruleId;
    private final int threshold;
    private final Duration window;
    private final Duration grace;
    private final Duration quietAfter;
    private final DecodedStateCache<SprayState> states;
    private final SortedStoreMirror<String> byTime;
    private final SortedStoreMirror<String> latest;
    private final SortedStoreMirror<String> members;
    /**
     * Every entity with a state, as {@code time␟entity} in order of the time until which a hit could still change what it
     * holds ({@link #reach}): the head is the entity to forget first. Rebuilt from the states in the constructor.
     */
    private final TreeSet<String> byReach = new TreeSet<>();
    /** The newest hit of any entity (the tracker's stream time), null before the first; rebuilt from the states too. */
    private Instant streamTime;

    DistinctValueBursts(String ruleId, int threshold, Duration window, Duration grace, KeyValueStore<String, SprayState> states,
            KeyValueStore<String, String> byTime, KeyValueStore<String, String> latest, KeyValueStore<String, String> members) {
        this.ruleId = ruleId;
        this.threshold = threshold;
        this.window = window;
        this.grace = grace;
        this.quietAfter = window.plus(grace).multipliedBy(2);
        this.states = new DecodedStateCache<>(states);
        this.byTime = new SortedStoreMirror<>(byTime);
        this.latest = new SortedStoreMirror<>(latest);
        this.members = new SortedStoreMirror<>(members);
        try (KeyValueIterator<String, SprayState> all = states.all()) { // in init, after restoration: nothing written behind yet
            all.forEachRemaining(kv -> {
                byReach.add(timeKey(reach(kv.value)) + SEP + kv.key);
                if (kv.value.latest() != null && (streamTime == null || kv.value.latest().isAfter(streamTime))) {
                    streamTime = kv.value.latest();
                }
            });
        }
    }

    /** The names of the four stores for {@code prefix}, in constructor order. */
    static List<String> storeNames(String prefix) {
        return List.of(prefix, prefix + "-by-time", prefix + "-latest", prefix + "-members");
    }

    /**
     * Registers the four stores: in memory (their size is bounded by the window, see above), changelogged, written behind
     * so rewrites of a key collapse per commit.
     */
    static void addStores(StreamsBuilder builder, String prefix) {
        List<String> names = storeNames(prefix);
        builder.addStateStore(StateStores.inMemory(names.get(0), RuleStateSerdes.forType(SprayState.class)));
        for (String name : names.subList(1, 4)) {
            builder.addStateStore(StateStores.inMemory(name, Serdes.String()));
        }
    }

    /** Counts the hit (its {@code value} must be set); returns the burst to alert on if it opened or changed one, else null. */
    BurstTracker.OpenBurst observe(String entity, BurstTracker.Hit hit) {
        String value = java.util.Objects.requireNonNull(hit.value(), "a distinct tracker counts hit values; value");
        if (streamTime == null || hit.at().isAfter(streamTime)) {
            streamTime = hit.at();
        }
        forgetQuiet();
        SprayState state = states.get(entity);
        if (state == null) {
            state = SprayState.EMPTY;
        }
        BurstTracker.OpenBurst open = state.open();
        String latestKey = entity + SEP + value;
        String entry = latest.get(latestKey);
        Reads known = entry == null ? null : Reads.of(entry);
        if (known != null && known.holds(hit.eventId()) || open != null && open.evidence().contains(hit.eventId())) {
            return null;
        }
        Instant newest = state.latest() == null || hit.at().isAfter(state.latest()) ? hit.at() : state.latest();
        Instant keepFrom = newest.minus(window).minus(grace);
        // before the hit is stored: a value whose previous hit leaves the kept span now is no member when hit again
        if ((state.latest() == null || newest.isAfter(state.latest())) && expireBefore(entity, keepFrom, open, latestKey)) {
            known = null;
        }
        boolean stored = false;
        boolean kept = !hit.at().isBefore(keepFrom);
        if (kept) {
            String sortKey = timeKey(hit.at()) + SEP + hit.eventId();
            if (known == null || sortKey.compareTo(known.latest()) > 0) {
                if (known != null) {
                    byTime.delete(entity + SEP + known.latest());
                }
                byTime.put(entity + SEP + sortKey, value);
                String earlier = known == null ? null : known.earliestWithin(hit.at().minus(window));
                latest.put(latestKey, new Reads(sortKey, earlier).entry());
                stored = true;
            } else if (known.isEarliest(sortKey, window)) {
                latest.put(latestKey, new Reads(known.latest(), sortKey).entry()); // a late earlier hit: counts nothing new
            }
        }

        // a hit later than the grace is dropped (BurstTracker), also when it falls in the span of a long open burst; one
        // below half the threshold neither grows it nor keeps it open (BurstTracker#continues)
        String valueKey = stored || known == null ? entity + SEP + timeKey(hit.at()) + SEP + hit.eventId() : entity + SEP + known.latest();
        if (kept && open != null && BurstTracker.continues(open, hit.at(), window, () -> qualifies(entity, hit, valueKey, newest))) {
            BurstTracker.OpenBurst grown = grow(open, hit);
            save(entity, state, new SprayState(newest, grown));
            return grown.equals(open) ? null : grown;
        }
        if (stored) {
            // the hits from a window before this one to the newest: windows ending at hits that came earlier but happened
            // later (out of order within the grace) count too, as BurstTracker#openedWith explains
            String from = entity + SEP + timeKey(hit.at().minus(window)); // before every id of that instant: windows hold both ends
            String to = entity + SEP + timeKey(newest) + AFTER_ALL_IDS;
            BurstTracker.OpenBurst opened = openedWith(entity, byTime.range(from, to), entity + SEP + timeKey(hit.at()) + SEP
                    + hit.eventId(), open);
            if (opened != null) {
                save(entity, state, new SprayState(newest, opened));
                return opened;
            }
        }
        boolean expired = open != null && newest.isAfter(open.lastSeen().plus(window).plus(grace));
        if (expired) {
            forgetMembers(open);
        }
        save(entity, state, new SprayState(newest, expired ? null : open));
        return null;
    }

    /** Writes the entity's state and moves it in {@link #byReach} if its reach changed ({@code before} as read, or EMPTY). */
    private void save(String entity, SprayState before, SprayState after) {
        states.put(entity, after);
        Instant was = reach(before);
        Instant is = reach(after);
        if (before == SprayState.EMPTY || !is.equals(was)) {
            byReach.remove(timeKey(was) + SEP + entity);
            byReach.add(timeKey(is) + SEP + entity);
        }
    }

    /**
     * The burst the hit ({@code hitKey}) completes among the entity's {@code kept} hits (in time order), or null: the
     * {@linkplain BurstTracker#firstBurstWindow first window} holding it that reaches the threshold opens it (one entry per
     * value: the entries are the distinct values), and the kept hits after that window grow it.
     */
    private BurstTracker.OpenBurst openedWith(String entity, List<KeyValue<String, String>> kept, String hitKey,
            BurstTracker.OpenBurst open) {
        int hitIndex = 0;
        while (hitIndex < kept.size() && !kept.get(hitIndex).key.equals(hitKey)) {
            hitIndex++;
        }
        BurstTracker.Span span = BurstTracker.firstBurstWindow(kept, hitIndex, kv -> timeOf(kv.key), window, List::size, threshold);
        if (span == null) {
            return null;
        }
        if (open != null) {
            forgetMembers(open);
        }
        List<KeyValue<String, String>> inWindow = kept.subList(span.start(), span.end() + 1);
        Instant lastSeen = timeOf(inWindow.get(inWindow.size() - 1).key);
        // the burst's hits: the latest of each value counted, and its earlier hit when that is in the window too
        Instant windowStart = lastSeen.minus(window);
        List<KeyValue<String, String>> reads = new ArrayList<>(inWindow.size());
        for (KeyValue<String, String> kv : inWindow) {
            reads.add(KeyValue.pair(kv.key.substring(entity.length() + 1), kv.value));
            String entry = latest.get(entity + SEP + kv.value); // null if the stores disagree: no earlier hit then
            String earliest = entry == null ? null : Reads.of(entry).earliest();
            if (earliest != null && !timeOf(earliest).isBefore(windowStart)) {
                reads.add(KeyValue.pair(earliest, kv.value));
            }
        }
        if (reads.size() > inWindow.size()) {
            reads.sort((a, b) -> a.key.compareTo(b.key)); // time, then event id
        }
        Instant first = timeOf(reads.get(0).key);
        List<String> evidence = reads.stream().map(kv -> idOf(kv.key)).limit(Alert.MAX_EVIDENCE).toList();
        String alertId = StableIds.of(ruleId, entity, first.toString());
        List<String> sample = new ArrayList<>(SAMPLE);
        for (KeyValue<String, String> kv : inWindow) {
            members.put(alertId + SEP + kv.value, "");
        }
        for (int i = 0; i < reads.size() && sample.size() < SAMPLE; i++) {
            if (!sample.contains(reads.get(i).value)) {
                sample.add(reads.get(i).value); // in the order of the values' first hits
            }
        }
        var opened = new BurstTracker.OpenBurst(alertId, first, lastSeen, inWindow.size(), evidence, sample);
        for (int i = span.end() + 1; i < kept.size(); i++) {
            KeyValue<String, String> later = kept.get(i);
            Instant laterAt = timeOf(later.key);
            if (laterAt.isAfter(opened.lastSeen().plus(window))) {
                break;
            }
            int index = i;
            if (BurstTracker.continues(opened, laterAt, window, () -> reachesThreshold(kept, index))) {
                opened = grow(opened, new BurstTracker.Hit(laterAt, idOf(later.key), later.value));
            }
        }
        return opened;
    }

    /**
     * Whether the hit keeps a burst going ({@link BurstTracker#qualifies}): some window holding its value's latest hit
     * ({@code valueKey}, a {@code -by-time} key) reaches the {@linkplain BurstTracker#keepingThreshold keeping threshold}.
     */
    private boolean qualifies(String entity, BurstTracker.Hit hit, String valueKey, Instant newest) {
        if (BurstTracker.keepingThreshold(threshold) <= 1) {
            return true;
        }
        Instant at = timeOf(valueKey);
        if (byTime.holdsAtLeast(entity + SEP + timeKey(at.minus(window)), entity + SEP + timeKey(at) + AFTER_ALL_IDS,
                BurstTracker.keepingThreshold(threshold))) {
            return true; // the window ending at it: where nearly every hit of a burst is, found without listing the range
        }
        String from = entity + SEP + timeKey(hit.at().minus(window));
        String to = entity + SEP + timeKey(newest) + AFTER_ALL_IDS;
        List<KeyValue<String, String>> kept = byTime.range(from, to);
        for (int i = 0; i < kept.size(); i++) {
            if (kept.get(i).key.equals(valueKey)) {
                return reachesThreshold(kept, i);
            }
        }
        return false;
    }

    /**
     * Whether a window holding {@code kept.get(index)} holds the {@linkplain BurstTracker#keepingThreshold keeping threshold}
     * of values ({@code kept}: one entry per value).
     */
    private boolean reachesThreshold(List<KeyValue<String, String>> kept, int index) {
        int keeping = BurstTracker.keepingThreshold(threshold);
        return keeping <= 1 || BurstTracker.firstBurstWindow(kept, index, kv -> timeOf(kv.key), window, List::size, keeping) != null;
    }

    private static String idOf(String byTimeKey) {
        return byTimeKey.substring(byTimeKey.lastIndexOf(SEP) + 1);
    }

    private BurstTracker.OpenBurst grow(BurstTracker.OpenBurst open, BurstTracker.Hit hit) {
        String member = open.alertId() + SEP + hit.value();
        long count = open.count();
        List<String> sample = open.values();
        if (members.get(member) == null) {
            members.put(member, "");
            count++;
            if (sample.size() < SAMPLE && !sample.contains(hit.value())) { // a value counted again is in it already
                sample = new ArrayList<>(sample);
                sample.add(hit.value());
            }
        }
        return new BurstTracker.OpenBurst(open.alertId(), min(open.firstSeen(), hit.at()), max(open.lastSeen(), hit.at()), count,
                Alert.appendEvidence(open.evidence(), hit.eventId()), sample);
    }

    /**
     * Deletes the entity's hits older than {@code keepFrom}, and their values' latest-hit entries and membership of the
     * {@code open} burst (if any): a member is a value with a hit kept, so an open burst's members are bounded by the hits
     * kept, however long it runs. Returns whether the latest-hit entry {@code watched} was among those deleted, so that the
     * caller reads it again only then.
     */
    private boolean expireBefore(String entity, Instant keepFrom, BurstTracker.OpenBurst open, String watched) {
        boolean watchedGone = false;
        for (KeyValue<String, String> kv : byTime.range(entity + SEP, entity + SEP + timeKey(keepFrom))) {
            byTime.delete(kv.key);
            String latestKey = entity + SEP + kv.value;
            String sortKey = kv.key.substring(entity.length() + 1);
            String entry = latest.get(latestKey);
            if (entry != null && sortKey.equals(Reads.of(entry).latest())) {
                latest.delete(latestKey);
                watchedGone |= latestKey.equals(watched);
                if (open != null) {
                    members.delete(open.alertId() + SEP + kv.value);
                }
            }
        }
        return watchedGone;
    }

    /**
     * A value's {@code -latest} entry: its latest hit and, if it was hit earlier within {@code window} of that, the earliest
     * such hit seen (both as {@code time␟event id}, the entry {@code latest[␟earliest]}; entries written before the earliest
     * hit was kept hold the latest alone).
     */
    record Reads(String latest, String earliest) {

        static Reads of(String entry) {
            int split = entry.indexOf(SEP, TIME_CHARS + 1);
            return split < 0 ? new Reads(entry, null) : new Reads(entry.substring(0, split), entry.substring(split + 1));
        }

        String entry() {
            return earliest == null ? latest : latest + SEP + earliest;
        }

        boolean holds(String eventId) {
            return isHit(latest, eventId) || earliest != null && isHit(earliest, eventId);
        }

        private static boolean isHit(String sortKey, String eventId) {
            return sortKey.length() == TIME_CHARS + 1 + eventId.length() && sortKey.startsWith(eventId, TIME_CHARS + 1);
        }

        /** The earliest of these hits at or after {@code from}, or null: what stays the earlier hit under a later latest. */
        String earliestWithin(Instant from) {
            if (earliest != null && !timeOf(earliest).isBefore(from)) {
                return earliest;
            }
            return timeOf(latest).isBefore(from) ? null : latest;
        }

        /** Whether a hit ({@code sortKey}) before the latest is the earliest now: earlier than it, within {@code window} of the latest. */
        boolean isEarliest(String sortKey, Duration window) {
            return (earliest == null || sortKey.compareTo(earliest) < 0)
                    && !timeOf(sortKey).isBefore(timeOf(latest).minus(window));
        }
    }

    /**
     * Forgets at most {@value #FORGOTTEN_PER_HIT} entities gone quiet, from the head of {@link #byReach}: those whose
     * {@linkplain #reach reach} is more than twice {@code window} + {@code grace} behind the stream time — no hit for that
     * long, and no open burst a hit since could still have grown. Its hits, latest-hit entries, burst members and state go.
     *
     * <p>Expiry on a new hit of the same entity ({@link #expireBefore}) never reaches an entity that is not hit again — an
     * identity per CI job, a failed login per made-up user name — so without this the stores grew with every entity ever
     * seen (OutOfMemoryError at a 200 MB heap after ~80 000 one-read identities; the stores are in memory and restored in
     * full at each task start, so every restart would run out again). A few per hit, not all at once: each hit adds at most
     * one entity, so the quiet ones never pile up, and no hit pays for a scan of every state (which, through the
     * write-behind store, would also have handed its pending writes down early). A burst that could still grow is not
     * forgotten: its alert keeps its id and count.
     *
     * <p>What this costs: quietness is measured against the newest hit of any entity (the stream time), not the entity's
     * own, as the rest of this class measures lateness. For an entity whose hits arrive on time, that is a pause of more
     * than twice {@code window} + {@code grace}, after which its hits would all have expired anyway. But an entity whose own
     * hits lag behind the stream time — a second Vault cluster's tailer catching up behind the first — is forgotten once its
     * lag plus the pause since its previous hit exceeds twice {@code window} + {@code grace}: it loses its partial window,
     * and its next hit counts as its first (hits lagging that far all the time each count as a first: such an entity fires
     * AL-021 or AL-002 no more). Up to that (an identity lagging 1.5 × {@code window} + {@code grace} and reading every
     * minute) it keeps its window and fires as when on time; twice rather than once {@code window} + {@code grace} is the
     * margin for such lag.
     */
    private void forgetQuiet() {
        String before = timeKey(streamTime.minus(quietAfter)); // a head key sorts before it iff its time is before it
        for (int i = 0; i < FORGOTTEN_PER_HIT && !byReach.isEmpty() && byReach.first().compareTo(before) < 0; i++) {
            String entity = byReach.pollFirst().substring(TIME_CHARS + 1);
            byTime.prefixed(entity + SEP).forEach(entry -> byTime.delete(entry.key));
            latest.prefixed(entity + SEP).forEach(entry -> latest.delete(entry.key));
            SprayState state = states.get(entity);
            if (state != null && state.open() != null) {
                forgetMembers(state.open());
            }
            states.delete(entity);
        }
    }

    /**
     * Until when a hit of the entity could still change what it holds: its newest hit (later hits keep what is within
     * {@code window} + {@code grace} of it), or later while its open burst could still grow ({@code window} after its
     * last hit). The epoch for a state without hits.
     */
    private Instant reach(SprayState state) {
        Instant reach = state.latest() == null ? Instant.EPOCH : state.latest();
        if (state.open() != null) {
            reach = max(reach, state.open().lastSeen().plus(window));
        }
        return reach;
    }

    private void forgetMembers(BurstTracker.OpenBurst burst) {
        members.prefixed(burst.alertId() + SEP).forEach(kv -> members.delete(kv.key));
    }

    /** {@code SSSSSSSSSSSSNNNNNNNNN}: epoch seconds (12 digits) and nanos (9), so that string order is time order. */
    static String timeKey(Instant at) {
        String seconds = Long.toString(Math.max(0, at.getEpochSecond()));
        String nanos = Integer.toString(at.getNano());
        var sb = new StringBuilder(TIME_CHARS);
        sb.append("0".repeat(Math.max(0, 12 - seconds.length()))).append(seconds);
        sb.append("0".repeat(9 - nanos.length())).append(nanos);
        return sb.toString();
    }

    private static Instant timeOf(String byTimeKey) {
        int idSep = byTimeKey.lastIndexOf(SEP);
        String time = byTimeKey.substring(idSep - TIME_CHARS, idSep);
        return Instant.ofEpochSecond(Long.parseLong(time.substring(0, 12)), Integer.parseInt(time.substring(12)));
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }
}
