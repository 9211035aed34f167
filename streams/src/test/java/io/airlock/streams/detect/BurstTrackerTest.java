package io.airlock.streams.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.core.Json;
import io.airlock.streams.detect.BurstTracker.Hit;
import io.airlock.streams.detect.BurstTracker.State;
import io.airlock.streams.internal.JsonSerdes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
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
        // Only each user's latest failure is kept (the state grows with users, not failures): alice's first one is gone.
        assertThat(threeUsers.fired().evidence()).containsExactly("b", "c", "d");
        assertThat(threeUsers.next().hits()).hasSize(3);
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
