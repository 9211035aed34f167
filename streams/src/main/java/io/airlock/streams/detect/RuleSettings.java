package io.airlock.streams.detect;

import java.time.Duration;
import java.util.Objects;

/**
 * The tunables every rule has: whether it runs, how many hits fire it, and the time span it looks at. Rules that fire on
 * a single event use {@code threshold} 1 and the window to group repeats into one alert; AL-020 uses the window as its
 * learning period, AL-022 as its grace around DAG runs, AL-003 and AL-010 as their look-back.
 */
public record RuleSettings(boolean enabled, int threshold, Duration window) {

    public RuleSettings {
        Objects.requireNonNull(window, "window");
        if (threshold < 1) {
            throw new IllegalArgumentException("threshold must be at least 1, was " + threshold);
        }
        if (window.isNegative()) {
            throw new IllegalArgumentException("window must not be negative, was " + window);
        }
    }

    public static RuleSettings of(int threshold, Duration window) {
        return new RuleSettings(true, threshold, window);
    }

    public RuleSettings disabled() {
        return new RuleSettings(false, threshold, window);
    }
}
