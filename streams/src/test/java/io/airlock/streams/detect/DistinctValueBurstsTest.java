package io.airlock.streams.detect;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/**
 * The store-backed distinct tracker decides exactly as the pure {@link BurstTracker#distinct}: same bursts fired (id, first and
 * last seen, count, evidence, first values) for the same hits, including repeats, replays, late and out-of-order hits and
 * bursts that end and restart; and its stores hold only the window.
 */
class DistinctValueBurstsTest {

    private static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");
    private static final Duration WINDOW = Duration.ofMinutes(10);
    private static final Duration GRACE = Duration.ofMinutes(2);

    private final MockProcessorContext<String, String> context = new MockProcessorContext<>();
    private final List<KeyValueStore<String, ?>> stores = new ArrayList<>();

    private <V> KeyValueStore<String, V> store(String name, Serde<V> values) {
        KeyValueStore<String, V> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), Serdes.String(), values)
                .withLoggingDisabled().build();
        store.init(context.getStateStoreContext(), store);
        stores.add(store);
        return store;
    }

    private DistinctValueBursts tracker(int threshold) {
        List<String> names = DistinctValueBursts.storeNames("t");
        store(names.get(0), RuleStateSerdes.forType(SprayState.class));
        for (String name : names.subList(1, 4)) {
            store(name, Serdes.String());
        }
        return restarted(threshold);
    }

    /** A tracker over the stores of the last {@link #tracker}, as the processor's {@code init} creates one after a restart. */
    @SuppressWarnings("unchecked")
    private DistinctValueBursts restarted(int threshold) {
        int n = stores.size();
        return new DistinctValueBursts("AL-002", threshold, WINDOW, GRACE, (KeyValueStore<String, SprayState>) stores.get(n - 4),
                (KeyValueStore<String, String>) stores.get(n - 3), (KeyValueStore<String, String>) stores.get(n - 2),
                (KeyValueStore<String, String>) stores.get(n - 1));
    }

    @Test
    void shouldFireTheSameBurstsAsThePureDistinctTrackerOnRandomTraffic() {
        var alertIds = new java.util.HashSet<String>();
        var counted = new java.util.HashMap<String, java.util.LinkedHashSet<String>>(); // per alert: values in order counted
        int updates = 0;
        for (long seed = 1; seed <= 30; seed++) {
            var random = new Random(seed);
            int threshold = 2 + random.nextInt(6);
            BurstTracker pure = BurstTracker.distinct("AL-002", threshold, WINDOW, GRACE);
            DistinctValueBursts stored = tracker(threshold);
            BurstTracker.State state = null;
            List<BurstTracker.Hit> seen = new ArrayList<>();
            long clock = 0;
            int users = 3 + random.nextInt(30);
            for (int i = 0; i < 600; i++) {
                BurstTracker.Hit hit;
                if (!seen.isEmpty() && random.nextInt(20) == 0) {
                    hit = seen.get(random.nextInt(seen.size())); // a replayed event
                } else {
                    // mostly forward in time, with quiet gaps that end bursts and some late hits within and beyond grace
                    clock += random.nextInt(10) == 0 ? 60_000L * (5 + random.nextInt(20)) : 1_000L * random.nextInt(40);
                    long at = random.nextInt(8) == 0 ? clock - 1_000L * random.nextInt(900) : clock;
                    hit = new BurstTracker.Hit(T0.plusMillis(at), "e" + seed + "-" + i, "user" + random.nextInt(users));
                    seen.add(hit);
                }
                BurstTracker.OpenBurst before = state == null ? null : state.open();
                BurstTracker.Step step = pure.observe(state, "airflow", hit);
                state = step.next();
                BurstTracker.OpenBurst expected = step.fired();
                BurstTracker.OpenBurst actual = stored.observe("airflow", hit);
                if (expected == null) {
                    assertThat(actual).as("seed %d hit %d", seed, i).isNull();
                } else {
                    assertThat(actual).as("seed %d hit %d", seed, i).isNotNull();
                    alertIds.add(expected.alertId());
                    updates++;
                    assertThat(actual.alertId()).isEqualTo(expected.alertId());
                    assertThat(actual.firstSeen()).isEqualTo(expected.firstSeen());
                    assertThat(actual.lastSeen()).isEqualTo(expected.lastSeen());
                    assertThat(actual.count()).isEqualTo(expected.count());
                    assertThat(actual.evidence()).isEqualTo(expected.evidence());
                    // the pure tracker's values are the members now; the stored sample is the first values ever counted
                    if (before == null || !before.alertId().equals(expected.alertId())) {
                        counted.remove(expected.alertId()); // opened (again: an id is the entity's and the first hit's)
                    }
                    var order = counted.computeIfAbsent(expected.alertId(), id -> new java.util.LinkedHashSet<>());
                    order.addAll(expected.values());
                    assertThat(actual.values()).isEqualTo(order.stream().limit(DistinctValueBursts.SAMPLE).toList());
                }
            }
            @SuppressWarnings("unchecked")
            KeyValueStore<String, String> byTime = (KeyValueStore<String, String>) stores.get(stores.size() - 3);
            assertThat(byTime.approximateNumEntries()).as("one entry per value within the window")
                    .isEqualTo(state.hits().stream().map(BurstTracker.Hit::value).distinct().count());
            stores.forEach(KeyValueStore::close);
            stores.clear();
        }
        assertThat(alertIds).as("bursts that opened, ended and restarted").hasSizeGreaterThan(100);
        assertThat(updates).isGreaterThan(1000);
    }

    @Test
    void shouldCountEveryValueOfABurstThatArrivesNewestFirst() {
        DistinctValueBursts tracker = tracker(10);
        BurstTracker.OpenBurst last = null;
        for (int i = 14; i >= 0; i--) { // a spray whose failed logins reach the rule in reverse
            BurstTracker.OpenBurst fired = tracker.observe("all-users", new BurstTracker.Hit(T0.plusMillis(100L * i), "e" + i, "user" + i));
            last = fired != null ? fired : last;
        }
        assertThat(last).isNotNull();
        assertThat(last.count()).isEqualTo(15);
        assertThat(last.firstSeen()).isEqualTo(T0);
        assertThat(last.lastSeen()).isEqualTo(T0.plusMillis(1400));
    }

    /**
     * One identity reading a new path every second for 80 minutes, never pausing for the window: one alert whose count is
     * every path, while each store holds only the paths of the last {@code window} + {@code grace} (until 0.1 the burst's
     * members held every path it ever counted — at 400 000 reads an OutOfMemoryError at a 200 MB heap).
     */
    @Test
    void shouldBoundTheStoresOfABurstThatNeverPausesWhileCountingEveryValue() {
        DistinctValueBursts tracker = tracker(20);
        int reads = 4_800;
        var alertIds = new java.util.HashSet<String>();
        BurstTracker.OpenBurst last = null;
        long kept = WINDOW.plus(GRACE).toSeconds() + 1;
        for (int i = 0; i < reads; i++) {
            BurstTracker.OpenBurst fired = tracker.observe("mallory", new BurstTracker.Hit(T0.plusSeconds(i), "e" + i, "path" + i));
            if (fired != null) {
                alertIds.add(fired.alertId());
                last = fired;
            }
            for (KeyValueStore<String, ?> store : stores) {
                assertThat(store.approximateNumEntries()).as("%s after %d reads", store.name(), i + 1).isLessThanOrEqualTo(kept);
            }
        }
        assertThat(alertIds).hasSize(1);
        assertThat(last.count()).isEqualTo(reads);
        assertThat(last.firstSeen()).isEqualTo(T0);
        assertThat(last.lastSeen()).isEqualTo(T0.plusSeconds(reads - 1));
    }

    /**
     * In a burst longer than {@code window} + {@code grace}, a value hit again within that of its previous hit is counted
     * once; one hit again only after it counts again (every value once within any window-long stretch of the burst).
     */
    @Test
    void shouldCountAValueAgainOnlyWhenHitAgainAfterWindowAndGrace() {
        DistinctValueBursts tracker = tracker(3);
        BurstTracker.OpenBurst last = null;
        int reads = 1_000; // a new value every second for 1 000 s: past window + grace (720 s)
        for (int i = 0; i < reads; i++) {
            BurstTracker.OpenBurst fired = tracker.observe("mallory", new BurstTracker.Hit(T0.plusSeconds(i), "e" + i, "path" + i));
            last = fired != null ? fired : last;
        }
        assertThat(last.count()).isEqualTo(reads);

        BurstTracker.OpenBurst recent = tracker.observe("mallory", new BurstTracker.Hit(T0.plusSeconds(reads), "r1", "path500"));
        assertThat(recent == null ? last.count() : recent.count()).as("read 500 s ago: counted already").isEqualTo(reads);
        BurstTracker.OpenBurst old = tracker.observe("mallory", new BurstTracker.Hit(T0.plusSeconds(reads + 1), "r2", "path0"));
        assertThat(old.count()).as("read 1 001 s ago, beyond window + grace: counted again").isEqualTo(reads + 1);
        assertThat(old.alertId()).isEqualTo(last.alertId());
        assertThat(old.values()).as("the sample names each value once").doesNotHaveDuplicates();
    }

    /**
     * Identities that read once and never again (a token per CI job) are forgotten once twice {@code window} + {@code grace}
     * of stream time has passed them, while a burst that goes on meanwhile keeps its alert id and exact count: until 0.1 their
     * entries stayed for good (an OutOfMemoryError after ~80 000 such identities at a 160 MB heap).
     */
    @Test
    void shouldForgetEntitiesThatWentQuietWhileAnOpenBurstGoesOn() {
        DistinctValueBursts tracker = tracker(5);
        int seconds = 3_600;
        long kept = 2 * WINDOW.plus(GRACE).toSeconds() + 1; // forgotten when more than twice window + grace behind
        var alertIds = new java.util.HashSet<String>();
        BurstTracker.OpenBurst last = null;
        for (int i = 0; i < seconds; i++) {
            tracker.observe("ci-job-" + i, new BurstTracker.Hit(T0.plusSeconds(i), "j" + i, "secret/ci/registry"));
            if (i % 2 == 0) {
                BurstTracker.OpenBurst fired = tracker.observe("mallory", new BurstTracker.Hit(T0.plusSeconds(i), "m" + i, "path" + i));
                if (fired != null) {
                    alertIds.add(fired.alertId());
                    last = fired;
                }
            }
            assertThat(stores.get(0).approximateNumEntries()).as("states after %d s", i + 1).isLessThanOrEqualTo(kept + 1);
            assertThat(stores.get(1).approximateNumEntries()).as("hits after %d s", i + 1).isLessThanOrEqualTo(2 * kept);
        }
        assertThat(alertIds).hasSize(1);
        assertThat(last.count()).isEqualTo(seconds / 2);

        Instant later = T0.plusSeconds(seconds).plus(WINDOW.plus(GRACE).multipliedBy(3)); // past the burst's reach too
        for (int i = 0; i < kept / DistinctValueBursts.FORGOTTEN_PER_HIT + 1; i++) {
            tracker.observe("bob", new BurstTracker.Hit(later, "b", "secret/bob"));
        }
        assertThat(keys(stores.get(0))).containsExactly("bob");
        assertThat(keys(stores.get(1))).singleElement().asString().startsWith("bob\u001f");
        assertThat(keys(stores.get(2))).containsExactly("bob\u001fsecret/bob");
        assertThat(keys(stores.get(3))).as("the ended burst's members").isEmpty();
    }

    /**
     * Quiet entities go a few per hit, never all in one: a hit that passed 10 000 one-read identities at once deleted them
     * all in its call (four stores and their changelogs each), a stall of the stream thread once per window + grace.
     */
    @Test
    void shouldForgetAFewQuietEntitiesPerHitUntilAllAreGone() {
        DistinctValueBursts tracker = tracker(5);
        int quiet = 10_000;
        for (int i = 0; i < quiet; i++) {
            tracker.observe("ci-job-" + i, new BurstTracker.Hit(T0.plusMillis(i), "j" + i, "secret/ci/registry"));
        }
        Instant later = T0.plus(WINDOW.plus(GRACE).multipliedBy(3));
        int hits = 0;
        while (stores.get(0).approximateNumEntries() > 1) {
            long before = stores.get(0).approximateNumEntries();
            tracker.observe("bob", new BurstTracker.Hit(later.plusMillis(hits), "b" + hits, "secret/bob" + hits % 3));
            long after = stores.get(0).approximateNumEntries();
            assertThat(before + (hits == 0 ? 1 : 0) - after).as("entities forgotten by hit %d", hits)
                    .isLessThanOrEqualTo(DistinctValueBursts.FORGOTTEN_PER_HIT);
            hits++;
            assertThat(hits).as("hits until all quiet entities are gone").isLessThanOrEqualTo(quiet);
        }
        assertThat(keys(stores.get(0))).containsExactly("bob");
        assertThat(keys(stores.get(2))).allMatch(key -> key.startsWith("bob\u001f"));
    }

    /**
     * A restarted tracker (a new processor's {@code init} over the restored stores) forgets quiet entities from its first
     * hit on, measured against the newest hit in the stores: until 0.1 the stream time lived in memory alone, so after a
     * restart the first period was never swept, and with restarts more often than window + grace no sweep ever ran.
     */
    @Test
    void shouldForgetQuietEntitiesFromTheFirstHitAfterARestart() {
        DistinctValueBursts tracker = tracker(5);
        int quiet = 2 * DistinctValueBursts.FORGOTTEN_PER_HIT;
        for (int i = 0; i < quiet; i++) {
            tracker.observe("ci-job-" + i, new BurstTracker.Hit(T0.plusSeconds(i), "j" + i, "secret/ci/registry"));
        }
        Instant newest = T0.plus(WINDOW.plus(GRACE).multipliedBy(3));

        restarted(5).observe("alice", new BurstTracker.Hit(newest, "a", "secret/alice"));
        assertThat(stores.get(0).approximateNumEntries()).as("states after the first hit since a restart")
                .isEqualTo(quiet - DistinctValueBursts.FORGOTTEN_PER_HIT + 1);

        restarted(5).observe("bob", new BurstTracker.Hit(newest.minusSeconds(1), "b", "secret/bob")); // not a newer stream time
        assertThat(keys(stores.get(0))).containsExactlyInAnyOrder("alice", "bob");
        assertThat(keys(stores.get(1))).noneMatch(key -> key.startsWith("ci-job-"));
        assertThat(keys(stores.get(2))).noneMatch(key -> key.startsWith("ci-job-"));
    }

    /**
     * An identity whose reads lag 1.5 × (window + grace) behind another's (a second Vault cluster's tailer catching up)
     * keeps its partial window and fires: the sweep measured quietness against the other identity's newest read, with a
     * margin of window + grace, and wiped the lagging identity's reads at every sweep.
     */
    @Test
    void shouldFireForAnEntityLaggingBehindTheStreamTime() {
        DistinctValueBursts tracker = tracker(10);
        Duration lag = WINDOW.plus(GRACE).multipliedBy(3).dividedBy(2);
        BurstTracker.OpenBurst fired = null;
        for (int i = 0; i < 10; i++) { // a read a minute: stream time passes a multiple of window + grace on the way
            tracker.observe("vault-a-tailer", new BurstTracker.Hit(T0.plus(lag).plusSeconds(60L * i), "a" + i, "secret/a"));
            fired = tracker.observe("lagging", new BurstTracker.Hit(T0.plusSeconds(60L * i), "l" + i, "path" + i));
        }
        assertThat(fired).isNotNull();
        assertThat(fired.count()).isEqualTo(10);
        assertThat(fired.firstSeen()).isEqualTo(T0);
    }

    private static List<String> keys(KeyValueStore<String, ?> store) {
        List<String> keys = new ArrayList<>();
        try (var all = store.all()) {
            all.forEachRemaining(kv -> keys.add(kv.key));
        }
        return keys;
    }

    @Test
    void shouldKeepTheCountExactWhileTheBurstOutgrowsItsSample() {
        DistinctValueBursts tracker = tracker(3);
        BurstTracker.OpenBurst last = null;
        for (int i = 0; i < 40; i++) {
            BurstTracker.OpenBurst fired = tracker.observe("airflow", new BurstTracker.Hit(T0.plusSeconds(i), "e" + i, "user" + i % 25));
            last = fired != null ? fired : last;
        }
        assertThat(last.count()).isEqualTo(25);
        assertThat(last.values()).hasSize(DistinctValueBursts.SAMPLE).startsWith("user0", "user1", "user2");
    }

    @Test
    void shouldBeginTheBurstWithTheFirstHitOfAValueHitAgainBeforeTheThreshold() {
        DistinctValueBursts tracker = tracker(4);
        tracker.observe("airflow", new BurstTracker.Hit(T0, "a", "alice"));
        tracker.observe("airflow", new BurstTracker.Hit(T0.plusSeconds(1), "b", "bob"));
        tracker.observe("airflow", new BurstTracker.Hit(T0.plusSeconds(2), "c", "carol"));
        tracker.observe("airflow", new BurstTracker.Hit(T0.plusSeconds(3), "a2", "alice"));
        BurstTracker.OpenBurst opened = tracker.observe("airflow", new BurstTracker.Hit(T0.plusSeconds(4), "d", "dave"));

        assertThat(opened.count()).isEqualTo(4);
        assertThat(opened.firstSeen()).isEqualTo(T0);
        assertThat(opened.evidence()).containsExactly("a", "b", "c", "a2", "d");
        assertThat(opened.values()).containsExactly("alice", "bob", "carol", "dave");
    }

    /**
     * A hit in {@code -by-time} without its {@code -latest} entry (stores that disagree) counts as a hit with no earlier one,
     * instead of failing the stream thread on every retry.
     */
    @Test
    void shouldCountAHitWithoutItsLatestEntryAsOneWithNoEarlierHit() {
        List<String> names = DistinctValueBursts.storeNames("t");
        KeyValueStore<String, String> byTime = store(names.get(1), Serdes.String());
        byTime.put("airflow" + '\u001f' + DistinctValueBursts.timeKey(T0) + '\u001f' + "a", "alice");
        var tracker = new DistinctValueBursts("AL-002", 3, WINDOW, GRACE, store(names.get(0), RuleStateSerdes.forType(SprayState.class)),
                byTime, store(names.get(2), Serdes.String()), store(names.get(3), Serdes.String()));
        tracker.observe("airflow", new BurstTracker.Hit(T0.plusSeconds(1), "b", "bob"));
        BurstTracker.OpenBurst opened = tracker.observe("airflow", new BurstTracker.Hit(T0.plusSeconds(2), "c", "carol"));

        assertThat(opened).isNotNull();
        assertThat(opened.count()).isEqualTo(3);
        assertThat(opened.firstSeen()).isEqualTo(T0);
        assertThat(opened.evidence()).containsExactly("a", "b", "c");
    }

    @Test
    void shouldReadLatestEntriesWrittenBeforeTheEarliestHitWasKept() {
        String before = DistinctValueBursts.timeKey(T0) + '\u001f' + "e1";
        DistinctValueBursts.Reads reads = DistinctValueBursts.Reads.of(before);
        assertThat(reads.latest()).isEqualTo(before);
        assertThat(reads.earliest()).isNull();
        assertThat(reads.holds("e1")).isTrue();
        String now = DistinctValueBursts.timeKey(T0.plusSeconds(9)) + '\u001f' + "e2";
        assertThat(DistinctValueBursts.Reads.of(new DistinctValueBursts.Reads(now, before).entry()))
                .isEqualTo(new DistinctValueBursts.Reads(now, before));
    }

    @Test
    void shouldOrderTimeKeysAsInstants() {
        Instant a = Instant.parse("2026-03-02T10:00:00.999999999Z");
        Instant b = Instant.parse("2026-03-02T10:00:01Z");
        assertThat(DistinctValueBursts.timeKey(a)).hasSize(21).isLessThan(DistinctValueBursts.timeKey(b));
    }
}
