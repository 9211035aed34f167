package io.airlock.streams;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.airlock.core.Json;
import java.time.Instant;

/**
 * Test data: rows of Airflow's audit log table {@code log} for Airflow 2.10 ({@code execution_date}) or 3.x
 * ({@code logical_date}), and their change events. {@code LogRow.airflow3(7).event("patch_dag").owner("alice").dag("etl").at(t).insert()}.
 */
public final class LogRow {

    private final long id;
    private final String dateColumn;
    private Instant dttm = Instant.parse("2026-03-02T10:00:00Z");
    private String event;
    private String owner;
    private String dagId;
    private String runId;
    private String taskId;
    private String extra;
    private final ObjectNode otherColumns = Json.MAPPER.createObjectNode();

    private LogRow(long id, String dateColumn) {
        this.id = id;
        this.dateColumn = dateColumn;
    }

    public static LogRow airflow2(long id) {
        return new LogRow(id, "execution_date");
    }

    public static LogRow airflow3(long id) {
        return new LogRow(id, "logical_date");
    }

    public LogRow at(Instant t) { this.dttm = t; return this; }
    public LogRow event(String e) { this.event = e; return this; }
    public LogRow owner(String o) { this.owner = o; return this; }
    public LogRow dag(String d) { this.dagId = d; return this; }
    public LogRow run(String r) { this.runId = r; return this; }
    public LogRow task(String t) { this.taskId = t; return this; }
    public LogRow extra(String json) { this.extra = json; return this; }

    /** Any further column, e.g. one a future Airflow version adds. */
    public LogRow column(String name, String value) {
        otherColumns.put(name, value);
        return this;
    }

    public Instant dttm() {
        return dttm;
    }

    public String key() {
        return "{\"id\":" + id + "}";
    }

    public ObjectNode row() {
        ObjectNode row = Json.MAPPER.createObjectNode();
        row.put("id", id).put("dttm", dttm == null ? null : dttm.toString()).put("dag_id", dagId).put("task_id", taskId);
        row.putNull("map_index");
        row.put("event", event).put(dateColumn, runId == null ? null : "2026-03-01T00:00:00Z").put("run_id", runId)
                .put("owner", owner).put("owner_display_name", owner == null ? null : owner.toUpperCase(java.util.Locale.ROOT))
                .put("extra", extra);
        row.putNull("try_number");
        row.setAll(otherColumns);
        return row;
    }

    /** The insert of this row, committed a millisecond after {@code dttm}. */
    public String insert() {
        return change("c");
    }

    public String snapshot() {
        return change("r");
    }

    /** This row read by a snapshot taken at {@code at}, whatever its {@code dttm}. */
    public String snapshotAt(Instant at) {
        return DebeziumEnvelope.change("log", "r", null, row(), at);
    }

    /** An {@code UPDATE} of this row (its new values) committed at {@code at}, without a before image. */
    public String updatedAt(Instant at) {
        return DebeziumEnvelope.change("log", "u", null, row(), at);
    }

    /** A {@code DELETE} of this row committed at {@code at}, as the default replica identity has it: only the key. */
    public String deletedAt(Instant at) {
        ObjectNode key = Json.MAPPER.createObjectNode().put("id", id);
        return DebeziumEnvelope.change("log", "d", key, null, at);
    }

    public String change(String op) {
        Instant committed = (dttm == null ? Instant.parse("2026-03-02T10:00:00Z") : dttm).plusMillis(1);
        return DebeziumEnvelope.change("log", op, "d".equals(op) ? row() : null, "d".equals(op) ? null : row(), committed);
    }
}
