package io.airlock.streams.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.streams.detect.BurstTracker.Hit;
import io.airlock.streams.detect.BurstTracker.State;
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
}
