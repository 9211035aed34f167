package io.airlock.core;

import java.time.Duration;

/**
 * Counts occurrences of something worth a log line and says when one is due: at most once an interval, with how many
 * occurred since the last line. For warnings that an attacker or a misbehaving source can trigger thousands of times a
 * second (padded Vault lines, clocks running ahead), where a line per occurrence would flood the log.
 *
 * <p>Not thread-safe: callers that count from several threads synchronize around {@link #count}.
 */
public final class LogThrottle {

    private final long intervalNanos;
    private long unlogged;
    private long loggedAtNanos;
    private boolean everLogged;

    public LogThrottle(Duration interval) {
        this.intervalNanos = interval.toNanos();
    }

    /**
     * Counts one occurrence at {@code nowNanos} (any monotonic clock in nanoseconds).
     *
     * @return how many occurred since the last log line, this one included, when a line is due now (the first occurrence
     *         always is); 0 when not — the count then carries over to the next line
     */
    public long count(long nowNanos) {
        unlogged++;
        if (everLogged && nowNanos - loggedAtNanos < intervalNanos) {
            return 0;
        }
        everLogged = true;
        loggedAtNanos = nowNanos;
        long due = unlogged;
        unlogged = 0;
        return due;
    }
}
