package io.airlock.streams;

import java.time.Duration;
import java.util.Objects;

/**
 * Everything the detection topology can be tuned with; defaults are those of DESIGN.md.
 *
 * @param runbookBase       where rule runbooks live; alerts link to {@code <runbookBase>/<rule page>}
 * @param failedLoginBurst  AL-001
 * @param grace             how late (event time) a record may arrive and still be counted
 */
public record DetectionConfig(String runbookBase, FailedLoginBurst failedLoginBurst, Duration grace) {

    public static final String DEFAULT_RUNBOOK_BASE = "docs/runbooks";

    public DetectionConfig {
        Objects.requireNonNull(runbookBase, "runbookBase");
        Objects.requireNonNull(failedLoginBurst, "failedLoginBurst");
        requirePositiveOrZero("grace", grace);
    }

    public static DetectionConfig defaults() {
        return new DetectionConfig(DEFAULT_RUNBOOK_BASE, FailedLoginBurst.defaults(), Duration.ofMinutes(10));
    }

    public DetectionConfig withFailedLoginBurst(FailedLoginBurst rule) {
        return new DetectionConfig(runbookBase, rule, grace);
    }

    /** AL-001: at least {@code threshold} failed logins of one user within {@code window}. */
    public record FailedLoginBurst(boolean enabled, int threshold, Duration window) {
        public FailedLoginBurst {
            if (threshold < 1) {
                throw new IllegalArgumentException("rules.AL-001.threshold must be at least 1, was " + threshold);
            }
            requirePositive("rules.AL-001.window", window);
        }

        public static FailedLoginBurst defaults() {
            return new FailedLoginBurst(true, 5, Duration.ofMinutes(5));
        }
    }

    static void requirePositive(String name, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be a positive duration, was " + d);
        }
    }

    static void requirePositiveOrZero(String name, Duration d) {
        if (d == null || d.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative, was " + d);
        }
    }
}
