package io.airlock.streams;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.airlock.core.Json;
import java.time.Instant;

/**
 * Test data: {@code dag_run} rows of Airflow 2.10 or 3.x and their change events.
 * {@code DagRunRow.airflow3(1, "etl", "manual__2026-03-02").runType("manual").state("running").startDate(t).update(t)}.
 */
public final class DagRunRow {

    private final long id;
    private final boolean airflow3;
    private final String dagId;
    private final String runId;
    private String runType = "scheduled";
    private String state = "queued";
    private Instant queuedAt;
    private Instant startDate;
    private Instant endDate;
    private String triggeringUser;
    private int clearNumber;
    private String triggeredBy;

    private DagRunRow(long id, boolean airflow3, String dagId, String runId) {
        this.id = id;
        this.airflow3 = airflow3;
        this.dagId = dagId;
        this.runId = runId;
    }

    public static DagRunRow airflow2(long id, String dagId, String runId) {
        return new DagRunRow(id, false, dagId, runId);
    }

    public static DagRunRow airflow3(long id, String dagId, String runId) {
        return new DagRunRow(id, true, dagId, runId);
    }

    public DagRunRow runType(String t) { this.runType = t; return this; }
    public DagRunRow state(String s) { this.state = s; return this; }
    public DagRunRow queuedAt(Instant t) { this.queuedAt = t; return this; }
    public DagRunRow startDate(Instant t) { this.startDate = t; return this; }
    public DagRunRow endDate(Instant t) { this.endDate = t; return this; }
    public DagRunRow triggeringUser(String u) { this.triggeringUser = u; return this; }
    public DagRunRow clearNumber(int n) { this.clearNumber = n; return this; }
    /** {@code dag_run.triggered_by} of Airflow 3 as stored (enum names); by default {@code REST_API} for manual runs, else {@code TIMETABLE}. */
    public DagRunRow triggeredBy(String t) { this.triggeredBy = t; return this; }

    public String key() {
        return "{\"id\":" + id + "}";
    }

    public ObjectNode row() {
        ObjectNode row = Json.MAPPER.createObjectNode();
        row.put("id", id).put("dag_id", dagId).put("queued_at", text(queuedAt))
                .put(airflow3 ? "logical_date" : "execution_date", "2026-03-01T00:00:00Z")
                .put("start_date", text(startDate)).put("end_date", text(endDate)).put("state", state).put("run_id", runId)
                .put("creating_job_id", 3).put("run_type", runType);
        if (airflow3) {
            row.put("triggered_by", triggeredBy != null ? triggeredBy : "manual".equals(runType) ? "REST_API" : "TIMETABLE").put("triggering_user_name", triggeringUser)
                    .put("run_after", "2026-03-02T00:00:00Z").put("bundle_version", (String) null).put("span_status", "not_started");
        } else {
            row.put("external_trigger", "manual".equals(runType)).put("dag_hash", "0123456789abcdef0123456789abcdef");
        }
        row.putNull("conf");
        row.put("data_interval_start", "2026-03-01T00:00:00Z").put("data_interval_end", "2026-03-02T00:00:00Z")
                .put("updated_at", text(endDate != null ? endDate : startDate)).put("clear_number", clearNumber);
        return row;
    }

    /** A change of this row: op c, u, r or d, committed at {@code at}, optionally with a before image. */
    public String change(String op, Instant at, DagRunRow before) {
        if ("d".equals(op)) {
            ObjectNode keyOnly = Json.MAPPER.createObjectNode().put("id", id);
            return DebeziumEnvelope.change("dag_run", op, keyOnly, null, at);
        }
        return DebeziumEnvelope.change("dag_run", op, before == null ? null : before.row(), row(), at);
    }

    public String insert(Instant at) {
        return change("c", at, null);
    }

    public String update(Instant at) {
        return change("u", at, null);
    }

    private static String text(Instant t) {
        return t == null ? null : t.toString();
    }
}
