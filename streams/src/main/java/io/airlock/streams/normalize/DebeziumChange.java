package io.airlock.streams.normalize;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.core.MalformedRecordException;
import java.time.Instant;

/**
 * A Debezium change event as written to the {@code cdc} topics (JSON without schema envelope), validated on construction.
 *
 * @param op        {@code c}, {@code u}, {@code d}, {@code r} (snapshot read) or {@code t} (a TRUNCATE of the table: no rows)
 * @param before    the old row, null on inserts and (with the default replica identity) on updates
 * @param after     the new row, null on deletes
 * @param table     {@code source.table}
 * @param position  the source position that makes the change unique: {@code source.lsn} (falls back to {@code ts_ms})
 * @param committed commit time of the transaction ({@code source.ts_ms}), never before 1970 (such a change is malformed)
 * @param source    where the change was read, {@code postgres:<source.db>} (null without {@code source.db})
 * @param lsn       {@code source.lsn} as a number (null when absent or not a whole number)
 */
public record DebeziumChange(String op, JsonNode before, JsonNode after, String table, String position, Instant committed,
        String source, Long lsn) {

    public DebeziumChange {
        if (!"c".equals(op) && !"u".equals(op) && !"d".equals(op) && !"r".equals(op) && !"t".equals(op)) {
            throw new MalformedRecordException("unknown Debezium op '" + op + "' (expected c, u, d, r or t)");
        }
        if (!"d".equals(op) && !"t".equals(op) && (after == null || !after.isObject())) {
            throw new MalformedRecordException("Debezium op '" + op + "' without an 'after' row object");
        }
        if ("d".equals(op) && (before == null || !before.isObject())) {
            throw new MalformedRecordException("Debezium delete without a 'before' row object");
        }
    }

    public static DebeziumChange parse(JsonNode value) {
        if (value == null || !value.isObject()) {
            throw new MalformedRecordException("a Debezium change event must be a JSON object");
        }
        JsonNode payload = value.has("payload") && value.has("schema") ? value.get("payload") : value;
        JsonNode source = payload.path("source");
        if (!source.isObject()) {
            throw new MalformedRecordException("Debezium change event without a 'source' object");
        }
        JsonNode tsMs = source.path("ts_ms");
        if (!tsMs.canConvertToLong() || !tsMs.isNumber()) {
            throw new MalformedRecordException("Debezium change event without a numeric 'source.ts_ms'");
        }
        if (tsMs.asLong() < 0) {
            // no commit happened before 1970: a reset or forged clock. The commit time is what every time of a change falls
            // back to, so the change has none to go by
            throw new MalformedRecordException("Debezium change event committed at a time before 1970-01-01 ('source.ts_ms' "
                    + tsMs.asLong() + ", " + Instant.ofEpochMilli(tsMs.asLong()) + "): the database's clock?");
        }
        String lsn = source.path("lsn").isMissingNode() || source.path("lsn").isNull() ? "ts" + tsMs.asLong() : source.path("lsn").asText();
        String db = source.path("db").isTextual() && !source.path("db").asText().isEmpty() ? source.path("db").asText() : null;
        return new DebeziumChange(payload.path("op").asText(null), row(payload.get("before")), row(payload.get("after")),
                source.path("table").asText(""), lsn, Instant.ofEpochMilli(tsMs.asLong()), db == null ? null : "postgres:" + db,
                lsnNumber(source.path("lsn")));
    }

    private static Long lsnNumber(JsonNode lsn) {
        if (lsn.isIntegralNumber() && lsn.canConvertToLong()) {
            return lsn.asLong();
        }
        if (lsn.isTextual()) {
            try {
                return Long.parseLong(lsn.asText());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    private static JsonNode row(JsonNode node) {
        return node == null || node.isNull() ? null : node;
    }

    public boolean isSnapshot() {
        return "r".equals(op);
    }

    /** A TRUNCATE of the table (Debezium {@code skipped.operations=none}): every row gone at once, none named. */
    public boolean isTruncate() {
        return "t".equals(op);
    }

    /** The row that identifies the record: {@code after}, or {@code before} for deletes. */
    public JsonNode row() {
        return after != null ? after : before;
    }
}
