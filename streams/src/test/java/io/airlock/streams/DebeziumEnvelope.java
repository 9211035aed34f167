package io.airlock.streams;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.airlock.core.Json;
import java.time.Instant;

/** Test data: wraps rows into Debezium change events as the capture writes them (JSON, no schema envelope). */
public final class DebeziumEnvelope {

    private static long lsn = 50_000;

    private DebeziumEnvelope() {
    }

    /** A TRUNCATE of {@code table} committed at {@code at}: op t, no rows, no key. */
    public static String truncate(String table, Instant at) {
        return change(table, "t", null, null, at);
    }

    /** A change of {@code table}: op c, u, r or d, committed at {@code at}; {@code before} may be null. */
    static String change(String table, String op, ObjectNode before, ObjectNode after, Instant at) {
        ObjectNode value = Json.MAPPER.createObjectNode();
        value.set("before", before);
        value.set("after", after);
        ObjectNode source = value.putObject("source");
        source.put("version", "3.1.0.Final").put("connector", "postgresql").put("name", "airlock").put("db", "airflow")
                .put("schema", "public").put("table", table).put("ts_ms", at.toEpochMilli()).put("lsn", lsn += 8)
                .put("snapshot", "r".equals(op) ? "true" : "false");
        value.put("op", op).put("ts_ms", at.toEpochMilli() + 5);
        return Json.writeString(value);
    }
}
