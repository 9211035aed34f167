package io.airlock.streams.detect;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * The tunables every rule has: whether it runs, how many hits fire it, and the time span it looks at. Rules that fire on
 * a single event use {@code threshold} 1 and the window to group repeats into one alert; AL-020 uses the window as its
 * learning period, AL-022 as its grace around DAG runs, AL-003 and AL-010 as their look-back. And the entities the rule
 * never alerts on ({@link #withAllowEntities}).
 */
public record RuleSettings(boolean enabled, int threshold, Duration window, Set<String> allowEntities) {

    public RuleSettings {
        Objects.requireNonNull(window, "window");
        if (threshold < 1) {
            throw new IllegalArgumentException("threshold must be at least 1, was " + threshold);
        }
        if (window.isNegative()) {
            throw new IllegalArgumentException("window must not be negative, was " + window);
        }
        allowEntities = allowEntities == null ? Set.of() : Set.copyOf(allowEntities);
    }

    /** No entity exceptions. */
    public RuleSettings(boolean enabled, int threshold, Duration window) {
        this(enabled, threshold, window, Set.of());
    }

    public static RuleSettings of(int threshold, Duration window) {
        return new RuleSettings(true, threshold, window);
    }

    public RuleSettings disabled() {
        return new RuleSettings(false, threshold, window, allowEntities);
    }

    /**
     * The rule's own exceptions: alerts whose entity ({@code alert.entity}: a user, a Vault entity id, a DAG id, as the rule
     * names it) is one of these are not raised. Unlike {@code detection.allow.*}, the other rules still see that entity.
     */
    public RuleSettings withAllowEntities(Set<String> entities) {
        return new RuleSettings(enabled, threshold, window, entities);
    }
}
