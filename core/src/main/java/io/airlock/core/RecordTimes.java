package io.airlock.core;

import java.time.Duration;
import java.time.Instant;

/**
 * Kafka record timestamps of what a source stamped: its own time, but never more than {@link #MAX_AHEAD} past the wall clock.
 *
 * <p>A source whose clock runs ahead — a skewed Airflow web server or Vault node, or a row written with a forged time —
 * would otherwise stop Airlock: the broker refuses a timestamp further ahead than its {@code message.timestamp.after.max.ms}
 * (one hour by default since Kafka 4.0), and whatever sends it fails on the same record after every restart. Short of that
 * limit, it would still move Kafka Streams' stream time ahead, so that every true record after it looked late. The record's
 * value keeps the source's own time, which the index shows; the rules count an event at the earlier of the two
 * ({@code CountedTimes} in the streams module), so that one event stamped ahead cannot make the true ones after it late.
 *
 * <p>Nor is a record timestamp ever before the epoch: a source time before 1970-01-01 (a Vault line or a commit stamped
 * {@code 1969-12-31T23:59:59Z}: a clock reset, or a forged line) becomes 0. Kafka has no negative timestamps — the producer
 * refuses to build such a record, Kafka Streams refuses to process one — so that one line would stop the capture, which read
 * it again after every restart, and {@code airlock backtest}. The epoch rather than the wall clock: 0 never moves stream
 * time, whereas the wall clock would move it ahead of a backlog still being read (a catch-up after downtime, a backtest,
 * whose clock starts in the year 9000), and every true record after it would look late. The record reaches the normalizer,
 * which dead-letters its event with the reason (no audit record happened before 1970).
 *
 * <p>Nor is a record Airlock writes itself ({@code vault.audit} by the capture, {@code events} by the normalizers,
 * {@code alerts} by the rules) stamped more than {@link #MAX_BEHIND} before the wall clock ({@link #retained}): the broker
 * deletes a segment once its newest timestamp is older than the topic's {@code retention.ms} (7 days by default), so a first
 * start on weeks of Vault history would otherwise write records the broker deletes within minutes, before a lagging reader
 * got to them. Such a record carries its true timestamp in {@value #TRUE_TIME_HEADER} (8 bytes, big-endian), and whatever
 * reads these topics by time takes that one (the streams module's {@code TrueRecordTimes}), so that the order of processing,
 * stream time and what the rules count are the same as without the floor. The topics' {@code retention.ms} must be at least
 * twice {@link #MAX_BEHIND} for the floor to leave a reader that much time.
 */
public final class RecordTimes {

    /** How far ahead of the wall clock a record timestamp may be: clock skew a healthy source can have. */
    public static final Duration MAX_AHEAD = Duration.ofMinutes(1);

    /**
     * How far behind the wall clock a record timestamp Airlock writes may be: half the broker's default 7-day retention, so
     * that a record of an old backlog stays at least as long again in its topic.
     */
    public static final Duration MAX_BEHIND = Duration.ofDays(3);

    /** The latest instant a Kafka record timestamp (milliseconds since the epoch, a {@code long}) holds. */
    public static final Instant LATEST = Instant.ofEpochMilli(Long.MAX_VALUE);

    /** The header carrying a record's true timestamp when {@link #retained} raised it. */
    public static final String TRUE_TIME_HEADER = "airlock.record.time";

    private RecordTimes() {
    }

    /**
     * Why {@code at} is no time of an audit record, or null when it is one: the one range check of source times. Before
     * 1970-01-01 no audit record happened (and Kafka has no negative timestamps); after {@link #LATEST} no Kafka timestamp
     * holds it (a Vault line stamped {@code +300000000-01-01T00:00:00Z} overflowed when its event was stamped, and was
     * dead-lettered as "long overflow"). The normalizers dead-letter an event whose time is out of range with this reason
     * ({@code Fields.instant}), take the commit time for a row's time column out of range ({@code RowTimes}); the Vault capture
     * takes a line with a time after {@link #LATEST} for one without a time ({@code VaultAuditLineParser}), and stamps one
     * before the epoch 0 ({@link #capped}), so that the normalizer dead-letters its event with this reason.
     */
    public static String outOfRange(Instant at) {
        if (at.isBefore(Instant.EPOCH)) {
            return "a time before 1970-01-01, which no audit record has";
        }
        if (at.isAfter(LATEST)) {
            return "a time after " + LATEST + ", beyond what a Kafka timestamp holds";
        }
        return null;
    }

    /** {@code atMs}, or the latest timestamp allowed at {@code wallClockMs} if it lies beyond, or 0 if it lies before the epoch. */
    public static long capped(long atMs, long wallClockMs) {
        return Math.max(0, Math.min(atMs, wallClockMs + MAX_AHEAD.toMillis()));
    }

    /**
     * {@code at} counted no later than the latest timestamp allowed at {@code wallClockMs}: {@link #atMost}{@code (at,
     * wallClockMs + MAX_AHEAD)}, {@link #capped(long, long)} for a time that is never before the epoch (an event's or a
     * commit's) and the same instance when it is not capped.
     */
    public static Instant capped(Instant at, long wallClockMs) {
        return atMost(at, wallClockMs + MAX_AHEAD.toMillis());
    }

    /**
     * {@code at}, or the instant of {@code latestMs} if {@code at} lies after it, compared in milliseconds as record
     * timestamps are (a time within the same millisecond is not moved). The same instance when it is not moved, so a caller
     * on every event allocates only for one it moves.
     */
    public static Instant atMost(Instant at, long latestMs) {
        return at.toEpochMilli() > latestMs ? Instant.ofEpochMilli(latestMs) : at;
    }

    /**
     * The timestamp to write a record of time {@code atMs} with at {@code wallClockMs}: {@code atMs}, or
     * {@link #MAX_BEHIND} before the wall clock if it lies further back (its true time then goes in {@link #TRUE_TIME_HEADER}).
     */
    public static long retained(long atMs, long wallClockMs) {
        return Math.max(atMs, wallClockMs - MAX_BEHIND.toMillis());
    }

    /** {@code epochMs} as the value of {@link #TRUE_TIME_HEADER}: 8 bytes, big-endian. */
    public static byte[] trueTimeHeader(long epochMs) {
        return java.nio.ByteBuffer.allocate(Long.BYTES).putLong(epochMs).array();
    }
}
