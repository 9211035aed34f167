package io.airlock.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LogThrottleTest {

    private static final long MINUTE = Duration.ofMinutes(1).toNanos();

    @Test
    void theFirstOccurrenceIsLoggedAtOnceEvenAtClockZero() {
        var throttle = new LogThrottle(Duration.ofMinutes(1));

        assertThat(throttle.count(0)).isEqualTo(1);
    }

    @Test
    void occurrencesWithinTheIntervalAreCountedIntoTheNextLine() {
        var throttle = new LogThrottle(Duration.ofMinutes(1));
        throttle.count(5);

        assertThat(throttle.count(6)).isZero();
        assertThat(throttle.count(5 + MINUTE - 1)).isZero();
        assertThat(throttle.count(5 + MINUTE)).isEqualTo(3);
        assertThat(throttle.count(5 + MINUTE + 1)).isZero();
    }

    @Test
    void aNegativeMonotonicClockIsNoSpecialValue() {
        var throttle = new LogThrottle(Duration.ofMinutes(1));

        assertThat(throttle.count(-10 * MINUTE)).isEqualTo(1);
        assertThat(throttle.count(-10 * MINUTE + 1)).isZero();
        assertThat(throttle.count(-9 * MINUTE)).isEqualTo(2);
    }
}
