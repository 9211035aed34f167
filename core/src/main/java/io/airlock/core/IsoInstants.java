package io.airlock.core;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.datatype.jsr310.deser.InstantDeserializer;
import java.io.IOException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;

/**
 * The one shape of time stamp Airlock reads millions of — {@code 2026-03-02T08:00:00.123456Z}, or with an offset
 * {@code +01:00} instead of {@code Z}, 0 to 9 fraction digits — parsed without {@link java.time.format.DateTimeFormatter}
 * (which took 5–6 % of the stream thread on its own). Anything else is not this parser's: it answers null, and the caller
 * uses {@code java.time}'s full parser, which also words the error for input that is no time at all.
 *
 * <p>It never reads a time that {@link java.time.OffsetDateTime#parse} would not, nor reads one differently: the capture
 * (which orders and stamps Vault lines by their {@code time}), the normalizers and {@code airlock backtest} all read times
 * through {@link ColumnTimes#parseIso}, this parser first, and must agree on which lines have a time. Offsets beyond
 * ±18:00 are no offsets to {@code java.time}; a dot without fraction digits ({@code 10:00:00.Z}) is left to it, and it takes
 * it as no fraction.
 */
public final class IsoInstants {

    /** {@link java.time.ZoneOffset#MAX}, ±18:00, in minutes. */
    private static final int MAX_OFFSET_MINUTES = 18 * 60;

    private IsoInstants() {
    }

    /**
     * The instant {@code text} names, if it is {@code yyyy-MM-ddTHH:mm:ss[.f…](Z|±HH:MM)}; null if it has another shape
     * or an impossible field (month 13, 31 April, hour 24): let the full parser decide those.
     */
    public static Instant parseOrNull(CharSequence text) {
        int n = text.length();
        if (n < 20 || text.charAt(4) != '-' || text.charAt(7) != '-' || text.charAt(10) != 'T' || text.charAt(13) != ':'
                || text.charAt(16) != ':') {
            return null;
        }
        int year = digits(text, 0, 4);
        int month = digits(text, 5, 2);
        int day = digits(text, 8, 2);
        int hour = digits(text, 11, 2);
        int minute = digits(text, 14, 2);
        int second = digits(text, 17, 2);
        if (year < 0 || month < 0 || day < 0 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
            return null;
        }
        int i = 19;
        int nanos = 0;
        if (text.charAt(i) == '.') {
            int start = ++i;
            while (i < n && i - start < 9 && isDigit(text.charAt(i))) {
                nanos = nanos * 10 + (text.charAt(i) - '0');
                i++;
            }
            int fractionDigits = i - start;
            if (fractionDigits == 0 || i < n && isDigit(text.charAt(i))) {
                return null;
            }
            for (int d = fractionDigits; d < 9; d++) {
                nanos *= 10;
            }
        }
        int offsetSeconds;
        if (i == n - 1 && text.charAt(i) == 'Z') {
            offsetSeconds = 0;
        } else if (i == n - 6 && (text.charAt(i) == '+' || text.charAt(i) == '-') && text.charAt(i + 3) == ':') {
            int offsetHours = digits(text, i + 1, 2);
            int offsetMinutes = digits(text, i + 4, 2);
            // java.time takes offsets up to ±18:00 and no further (ZoneOffset's range): +18:30 is no time to either
            if (offsetHours < 0 || offsetMinutes < 0 || offsetMinutes > 59 || offsetHours * 60 + offsetMinutes > MAX_OFFSET_MINUTES) {
                return null;
            }
            offsetSeconds = (offsetHours * 3600 + offsetMinutes * 60) * (text.charAt(i) == '-' ? -1 : 1);
        } else {
            return null;
        }
        long epochDay;
        try {
            epochDay = LocalDate.of(year, month, day).toEpochDay();
        } catch (DateTimeException e) {
            return null;
        }
        return Instant.ofEpochSecond(epochDay * 86_400 + hour * 3_600L + minute * 60L + second - offsetSeconds, nanos);
    }

    /** A Jackson module reading {@link Instant} strings through {@link #parseOrNull} first, Jackson's own reader otherwise. */
    static SimpleModule jacksonModule() {
        return new SimpleModule("airlock-iso-instants").addDeserializer(Instant.class, new FastInstantDeserializer());
    }

    private static int digits(CharSequence text, int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            char c = text.charAt(i);
            if (!isDigit(c)) {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static final class FastInstantDeserializer extends StdDeserializer<Instant> {
        private static final long serialVersionUID = 1L;

        FastInstantDeserializer() {
            super(Instant.class);
        }

        @Override
        public Instant deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            if (parser.currentToken() == JsonToken.VALUE_STRING) {
                Instant fast = parseOrNull(parser.getText());
                if (fast != null) {
                    return fast;
                }
            }
            return InstantDeserializer.INSTANT.deserialize(parser, context);
        }
    }
}
