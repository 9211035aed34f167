package io.airlock.core;

import java.time.Duration;

/**
 * Kafka record timestamps of what a source stamped: its own time, but never more than {@link #MAX_AHEAD} past the wall clock.
 *
 * <p>A source whose clock runs ahead — a skewed Airflow web server or Vault node, or a row written with a forged time —
 * would otherwise stop Airlock: the broker refuses a timestamp further ahead than its {@code message.timestamp.after.max.ms}
 * (one hour by default since Kafka 4.0), and whatever sends it fails on the same record after every restart. Short of that
 * limit, it would still move Kafka Streams' stream time ahead, so that every true record after it looked late. The record's
 * value keeps the source's own time, which the index shows; the rules count an event at the earlier of the two
 * ({@code CountedTimes} in the streams module), so that one event stamped ahead cannot make the true ones after it late.
 */
public final class RecordTimes {

    /** How far ahead of the wall clock a record timestamp may be: clock skew a healthy source can have. */
    public static final Duration MAX_AHEAD = Duration.ofMinutes(1);

    private RecordTimes() {
    }

    /** {@code atMs}, or the latest timestamp allowed at {@code wallClockMs} if it lies beyond. */
    public static long capped(long atMs, long wallClockMs) {
        return Math.min(atMs, wallClockMs + MAX_AHEAD.toMillis());
    }
}
