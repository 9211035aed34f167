package io.airlock.streams.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.core.Json;
import io.airlock.streams.detect.BurstTracker.Hit;
import io.airlock.streams.detect.BurstTracker.State;
import io.airlock.streams.internal.JsonSerdes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BurstTrackerTest {

    private static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");
    private final BurstTracker tracker = new BurstTracker("AL-001", 3, Duration.ofMinutes(5), Duration.ofMinutes(10));

    private BurstTracker.Step feed(State state, int second, String id) {
        return tracker.observe(state, "alice", new Hit(T0.plusSeconds(second), id));
    }

    @Test
    void shouldCountAReplayedEventOnce() {
        State s = feed(null, 0, "a").next();
        s = feed(s, 1, "b").next();
        BurstTracker.Step replay = feed(s, 1, "b");
        assertThat(replay.fired()).isNull();
        assertThat(replay.next().hits()).hasSize(2);
    }

    /**
     * Three failures within five minutes, then one every five and a half minutes for an hour, then three again: two
     * bursts. The first failure of the trickle still has the three in its window and grows the burst; none after it does
     * (alone in its window, below the two that keep a burst of three going).
     */
    @Test
    void shouldNeitherGrowNorKeepABurstOpenWithHitsBelowTheThreshold() {
        State s = null;
        BurstTracker.Step step = null;
        for (int i = 0; i < 3; i++) {
            step = feed(s, i, "a" + i);
            s = step.next();
        }
        String first = step.fired().alertId();
        step = feed(s, 242, "t1");
        s = step.next();
        assertThat(step.fired().count()).isEqualTo(4);
        for (int i = 2; i <= 12; i++) {
            step = feed(s, 242 + 330 * (i - 1), "t" + i);
            s = step.next();
            assertThat(step.fired()).as("a failure every five and a half minutes is below the threshold").isNull();
        }
        assertThat(s.open()).as("closed one window after the threshold last held").isNull();
        for (int i = 0; i < 3; i++) {
            step = feed(s, 4_400 + i, "b" + i);
            s = step.next();
        }
        assertThat(step.fired()).isNotNull().satisfies(b -> {
            assertThat(b.alertId()).isNotEqualTo(first);
            assertThat(b.count()).isEqualTo(3);
            assertThat(b.evidence()).containsExactly("b0", "b1", "b2");
        });
    }

    /**
     * Failed logins every 75 s ± 5 s (and ± 20 s) for six hours: about the threshold's rate (five within five minutes), so
     * some windows reach it and some fall just short. One burst, one alert: a burst opens at the threshold and goes on while
     * its windows hold half of it (a code review of the first version of the burst end found 15 and 19 alerts here).
     */
    @Test
    void shouldKeepABurstAtAboutTheThresholdRateOneAlert() {
        var al001 = new BurstTracker("AL-001", 5, Duration.ofMinutes(5), Duration.ofMinutes(10));
        for (int jitter : new int[] {5, 20}) {
            var random = new java.util.Random(11);
            java.util.Set<String> alertIds = new java.util.HashSet<>();
            State s = null;
            long at = 0;
            for (int i = 0; i < 6 * 48; i++) {
                at += 75 + random.nextInt(2 * jitter + 1) - jitter;
                BurstTracker.Step step = al001.observe(s, "alice", new Hit(T0.plusSeconds(at), "f" + i));
                s = step.next();
                if (step.fired() != null) {
                    alertIds.add(step.fired().alertId());
                }
            }
            assertThat(alertIds).as("±%d s", jitter).hasSize(1);
        }
    }

    /** A hit late within the grace, inside a long dense burst whose older hits the state no longer keeps, still counts. */
    @Test
    void shouldCountALateHitInsideALongBurstsSpan() {
        var al001 = new BurstTracker("AL-001", 5, Duration.ofMinutes(5), Duration.ofMinutes(10));
        State s = null;
        for (int i = 0; i < 600; i++) {
            s = al001.observe(s, "alice", new Hit(T0.plusSeconds(i), "f" + i)).next();
        }
        BurstTracker.Step late = al001.observe(s, "alice", new Hit(T0.plusSeconds(180).plusMillis(500), "late"));

        assertThat(late.fired()).isNotNull();
        assertThat(late.fired().count()).isEqualTo(601);
    }

    @Test
    void shouldCountALateHitWithinGraceInItsOwnWindow() {
        State s = feed(null, 0, "a").next();
        s = feed(s, 400, "c").next();
        BurstTracker.Step late = feed(s, 10, "b");
        assertThat(late.fired()).isNull();
        BurstTracker.Step third = feed(late.next(), 20, "d");
        assertThat(third.fired()).isNotNull();
        assertThat(third.fired().firstSeen()).isEqualTo(T0);
        assertThat(third.fired().count()).isEqualTo(3);
    }

    @Test
    void shouldDropAHitLaterThanTheGraceUnlessOneHitIsABurst() {
        State s = feed(null, 0, "a").next();
        s = feed(s, 1, "b").next();
        s = feed(s, 2, "c").next();
        assertThat(feed(s, -901, "late").fired()).isNull();

        var grouping = new BurstTracker("AL-010", 1, Duration.ofHours(1), Duration.ofMinutes(10));
        BurstTracker.Step open = grouping.observe(null, "alice", new Hit(T0, "x"));
        BurstTracker.Step late = grouping.observe(open.next(), "alice", new Hit(T0.minus(Duration.ofMinutes(71)), "y"));
        assertThat(late.detached()).isTrue();
        assertThat(late.fired()).satisfies(b -> {
            assertThat(b.count()).isEqualTo(1);
            assertThat(b.evidence()).containsExactly("y");
            assertThat(b.alertId()).isNotEqualTo(open.fired().alertId());
        });
        assertThat(late.next().open()).isEqualTo(open.fired());
        BurstTracker.Step next = grouping.observe(late.next(), "alice", new Hit(T0.plusSeconds(60), "z"));
        assertThat(next.detached()).isFalse();
        assertThat(next.fired().alertId()).isEqualTo(open.fired().alertId());
    }

    /**
     * Hits of one entity can reach {@code events} out of order (Vault lines keyed by request id, from several partitions):
     * the burst is found, and ends with the same count, first and last seen, in every arrival order (all 120 of five hits).
     */
    @Test
    void shouldFindTheSameBurstInEveryArrivalOrderOfItsHits() {
        List<List<Integer>> orders = new ArrayList<>();
        permute(new ArrayList<>(List.of(0, 1, 2, 3, 4)), 0, orders);
        assertThat(orders).hasSize(120);
        for (List<Integer> order : orders) {
            State s = null;
            BurstTracker.OpenBurst last = null;
            for (int second : order) {
                BurstTracker.Step step = feed(s, second, "e" + second);
                s = step.next();
                last = step.fired() != null ? step.fired() : last;
            }
            assertThat(last).as("arrival order %s", order).isNotNull();
            assertThat(last.count()).as("arrival order %s", order).isEqualTo(5);
            assertThat(last.firstSeen()).isEqualTo(T0);
            assertThat(last.lastSeen()).isEqualTo(T0.plusSeconds(4));
        }
    }

    @Test
    void shouldCountEveryDistinctValueOfABurstThatArrivesNewestFirst() {
        BurstTracker harvesting = BurstTracker.distinct("AL-021", 20, Duration.ofMinutes(5), Duration.ofMinutes(10));
        State s = null;
        BurstTracker.OpenBurst last = null;
        for (int i = 24; i >= 0; i--) {
            BurstTracker.Step step = harvesting.observe(s, "ent-1", new Hit(T0.plusMillis(50L * i), "r" + i, "secret/path-" + i));
            s = step.next();
            last = step.fired() != null ? step.fired() : last;
        }
        assertThat(last).isNotNull();
        assertThat(last.count()).isEqualTo(25);
        assertThat(last.firstSeen()).isEqualTo(T0);
    }

    private static void permute(List<Integer> items, int from, List<List<Integer>> out) {
        if (from == items.size()) {
            out.add(List.copyOf(items));
            return;
        }
        for (int i = from; i < items.size(); i++) {
            java.util.Collections.swap(items, from, i);
            permute(items, from + 1, out);
            java.util.Collections.swap(items, from, i);
        }
    }

    @Test
    void shouldKeepTheStateOfALongBurstBoundedWithoutLosingItsCountOrRecognizingRecentReplaysLess() {
        State s = null;
        BurstTracker.OpenBurst last = null;
        for (int i = 0; i < 1_000; i++) {
            BurstTracker.Step step = feed(s, i, "e" + i);
            s = step.next();
            last = step.fired() != null ? step.fired() : last;
        }
        assertThat(last.count()).as("every hit of the burst counted").isEqualTo(1_000);
        assertThat(last.firstSeen()).isEqualTo(T0);
        assertThat(s.hits()).as("hits kept inside the open burst").hasSize(BurstTracker.RECENT_HITS)
                .last().extracting(Hit::eventId).isEqualTo("e999");

        BurstTracker.Step replayOfRecent = feed(s, 990, "e990");
        assertThat(replayOfRecent.fired()).as("a replay of a recent event").isNull();
        BurstTracker.Step replayOfFirst = feed(s, 3, "e3");
        assertThat(replayOfFirst.fired()).as("a replay of an event in the evidence").isNull();

        BurstTracker.Step next = feed(s, 1_000, "e1000");
        assertThat(next.fired().count()).isEqualTo(1_001);
        assertThat(next.fired().alertId()).isEqualTo(last.alertId());
    }

    @Test
    void shouldStillOpenANewBurstAfterABoundedOneExpires() {
        State s = null;
        for (int i = 0; i < 200; i++) {
            s = feed(s, i, "e" + i).next();
        }
        int later = 200 + 3_600;
        s = feed(s, later, "n1").next();
        s = feed(s, later + 1, "n2").next();
        BurstTracker.Step third = feed(s, later + 2, "n3");
        assertThat(third.fired()).as("three new hits in the window open a new burst").isNotNull();
        assertThat(third.fired().count()).isEqualTo(3);
        assertThat(third.fired().firstSeen()).isEqualTo(T0.plusSeconds(later));
    }

    @Test
    void shouldDeriveTheAlertIdFromRuleEntityAndFirstHitOnly() {
        State a = feed(feed(null, 0, "a").next(), 1, "b").next();
        State b = feed(feed(null, 0, "x").next(), 1, "y").next();
        assertThat(feed(a, 2, "c").fired().alertId()).isEqualTo(feed(b, 2, "z").fired().alertId());
    }

    private final BurstTracker distinct = BurstTracker.distinct("AL-002", 3, Duration.ofMinutes(5), Duration.ofMinutes(10));

    private BurstTracker.Step feedValue(State state, int second, String id, String value) {
        return distinct.observe(state, "airflow", new Hit(T0.plusSeconds(second), id, value));
    }

    @Test
    void shouldOpenADistinctBurstOnlyForEnoughDistinctValuesInTheWindow() {
        State s = feedValue(null, 0, "a", "alice").next();
        s = feedValue(s, 1, "b", "alice").next();
        BurstTracker.Step twoUsers = feedValue(s, 2, "c", "bob");
        assertThat(twoUsers.fired()).isNull();
        BurstTracker.Step threeUsers = feedValue(twoUsers.next(), 3, "d", "carol");
        assertThat(threeUsers.fired()).isNotNull();
        assertThat(threeUsers.fired().count()).isEqualTo(3);
        assertThat(threeUsers.fired().values()).containsExactly("alice", "bob", "carol");
        // Per user the latest failure and the earliest within the window of it are kept (the state grows with users, not
        // failures); the burst begins with alice's first failure.
        assertThat(threeUsers.fired().evidence()).containsExactly("a", "b", "c", "d");
        assertThat(threeUsers.fired().firstSeen()).isEqualTo(T0);
        assertThat(threeUsers.next().hits()).hasSize(4);
        State thriceAlice = feedValue(feedValue(feedValue(null, 0, "a", "alice").next(), 1, "b", "alice").next(), 2, "x", "alice")
                .next();
        assertThat(thriceAlice.hits()).as("a failure between the earliest and the latest is not kept").extracting(Hit::eventId)
                .containsExactly("a", "x");
    }

    @Test
    void shouldExtendADistinctBurstOnARepeatedValueWithoutRaisingItsCount() {
        State s = feedValue(feedValue(feedValue(null, 0, "a", "alice").next(), 1, "b", "bob").next(), 2, "c", "carol").next();
        BurstTracker.Step repeat = feedValue(s, 60, "d", "alice");
        assertThat(repeat.fired().count()).isEqualTo(3);
        assertThat(repeat.fired().lastSeen()).isEqualTo(T0.plusSeconds(60));
        BurstTracker.Step fourth = feedValue(repeat.next(), 61, "e", "dave");
        assertThat(fourth.fired().count()).isEqualTo(4);
        assertThat(fourth.fired().alertId()).isEqualTo(repeat.fired().alertId());
        assertThat(feedValue(fourth.next(), 61, "e", "dave").fired()).as("replayed event").isNull();
    }

    @Test
    void shouldReadStateStoredBeforeHitsCarriedValues() {
        State s = feed(feed(feed(null, 0, "a").next(), 1, "b").next(), 2, "c").next();
        var serde = JsonSerdes.of(State.class);
        assertThat(serde.deserializer().deserialize("t", serde.serializer().serialize("t", s))).isEqualTo(s);
        assertThat(Json.writeString(s)).doesNotContain("value");

        String old = "{\"hits\":[{\"at\":\"2026-03-02T10:00:00Z\",\"id\":\"a\"}],\"open\":{\"alert_id\":\"x\","
                + "\"first_seen\":\"2026-03-02T10:00:00Z\",\"last_seen\":\"2026-03-02T10:00:00Z\",\"count\":1,\"evidence\":[\"a\"]}}";
        State read = Json.read(old.getBytes(StandardCharsets.UTF_8), State.class);
        assertThat(read.hits()).containsExactly(new Hit(T0, "a"));
        assertThat(read.open().values()).isEmpty();
    }
}
