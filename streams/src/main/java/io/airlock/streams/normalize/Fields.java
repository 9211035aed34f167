package io.airlock.streams.normalize;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.core.ColumnTimes;
import io.airlock.core.MalformedRecordException;
import io.airlock.core.RecordTimes;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * Typed, strict reads of single fields of a CDC row or a Vault audit line. Absent and JSON-null values read as null; a value
 * of the wrong type throws {@link MalformedRecordException} naming the field, so the record is dead-lettered with that reason.
 */
final class Fields {

    private Fields() {
    }

    /** A text field; null when absent or null. */
    static String text(JsonNode parent, String field, String where) {
        JsonNode value = parent.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new MalformedRecordException(where + "." + field + " is not a string");
        }
        return value.asText();
    }

    /** A text field, with the empty string read as absent (Vault writes {@code ""} for unset fields). */
    static String nonEmptyText(JsonNode parent, String field, String where) {
        String text = text(parent, field, where);
        return text == null || text.isEmpty() ? null : text;
    }

    /** A text field; null when absent, null or only white space (which no name is). */
    static String nonBlankText(JsonNode parent, String field, String where) {
        String text = text(parent, field, where);
        return text == null || text.isBlank() ? null : text;
    }

    /** An integer field; null when absent or null. */
    static Long integer(JsonNode parent, String field, String where) {
        JsonNode value = parent.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isIntegralNumber()) {
            throw new MalformedRecordException(where + "." + field + " is not an integer");
        }
        return value.asLong();
    }

    /** An object field; null when absent or null. */
    static JsonNode object(JsonNode parent, String field, String where) {
        JsonNode value = parent.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isObject()) {
            throw new MalformedRecordException(where + "." + field + " is not an object");
        }
        return value;
    }

    /**
     * A point in time: an ISO-8601 / RFC 3339 string with offset (Debezium's encoding of {@code timestamp with time zone},
     * Vault's {@code time}) or a number since the epoch in milliseconds, microseconds or nanoseconds (Debezium's encodings of
     * timestamps without a time zone; {@link ColumnTimes}). A time before 1970-01-01 or after what a Kafka timestamp holds is
     * no time of an audit record ({@link RecordTimes#outOfRange}): it throws too, saying which.
     */
    static Instant instant(JsonNode parent, String field, String where) {
        JsonNode value = parent.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        Instant at;
        if (value.isIntegralNumber()) {
            at = ColumnTimes.ofEpochNumber(value.asLong());
        } else if (!value.isTextual()) {
            throw new MalformedRecordException(where + "." + field + " is neither an ISO-8601 string nor a number since the epoch");
        } else {
            try {
                at = ColumnTimes.parseIso(value.asText());
            } catch (DateTimeParseException e) {
                throw new MalformedRecordException(where + "." + field + " is not an ISO-8601 time with offset: " + e.getParsedString(), e);
            }
        }
        String outOfRange = RecordTimes.outOfRange(at);
        if (outOfRange != null) {
            throw new MalformedRecordException(where + "." + field + " is " + outOfRange + ": " + at);
        }
        return at;
    }
}
