package io.airlock.report;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * A record's {@code @timestamp} as the instant OpenSearch compared with the query's period. The index maps it as
 * {@code strict_date_optional_time||epoch_millis}: an ISO-8601 instant (Airlock writes these), with an offset, without
 * one (UTC), a date alone, or milliseconds since the epoch.
 */
final class RecordTime {

    private RecordTime() {
    }

    /** The instant, or null when the text is none of the forms the index accepts. */
    static Instant parse(String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException notAnInstant) {
            // one of the other forms
        }
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException notWithOffset) {
            // one of the other forms
        }
        try {
            return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException notLocal) {
            // one of the other forms
        }
        try {
            return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant();
        } catch (DateTimeParseException notADate) {
            // one of the other forms
        }
        return text.matches("-?\\d{1,18}") ? Instant.ofEpochMilli(Long.parseLong(text)) : null;
    }
}
