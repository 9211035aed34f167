package io.airlock.core;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * Times of Airflow's timestamp columns as Debezium writes them: ISO-8601 text with an offset ({@code timestamptz}, which
 * Airflow uses, is {@code io.debezium.time.ZonedTimestamp}), or a number since the epoch — milliseconds
 * ({@code time.precision.mode=connect}), microseconds ({@code MicroTimestamp}) or nanoseconds ({@code NanoTimestamp}) for
 * columns without a time zone, told apart by magnitude: any time after 1973 in a finer unit is larger than any time before
 * the year 5138 in a coarser one.
 */
public final class ColumnTimes {

    static final long MICROS_FROM = 100_000_000_000_000L;
    static final long NANOS_FROM = 100_000_000_000_000_000L;

    private ColumnTimes() {
    }

    /** A number since the epoch in milliseconds, microseconds or nanoseconds (see the class comment). */
    public static Instant ofEpochNumber(long value) {
        long magnitude = Math.abs(value);
        if (magnitude >= NANOS_FROM) {
            return Instant.ofEpochSecond(Math.floorDiv(value, 1_000_000_000L), Math.floorMod(value, 1_000_000_000L));
        }
        if (magnitude >= MICROS_FROM) {
            return Instant.ofEpochSecond(Math.floorDiv(value, 1_000_000L), Math.floorMod(value, 1_000_000L) * 1_000L);
        }
        return Instant.ofEpochMilli(value);
    }

    /** The time in a column value, or null when it is absent, null or not a time. */
    public static Instant orNull(JsonNode value) {
        if (value == null || value.isNull()) {
            return null;
        }
        if (value.isIntegralNumber()) {
            return ofEpochNumber(value.asLong());
        }
        if (!value.isTextual()) {
            return null;
        }
        try {
            return parseIso(value.asText());
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /**
     * ISO-8601 text with an offset ({@code 2026-03-02T08:00:00.123456Z}, {@code …+01:00}).
     *
     * @throws DateTimeParseException if it is not one
     */
    public static Instant parseIso(String text) {
        Instant fast = IsoInstants.parseOrNull(text);
        return fast != null ? fast : OffsetDateTime.parse(text).toInstant();
    }
}
