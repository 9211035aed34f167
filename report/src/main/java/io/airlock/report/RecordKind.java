package io.airlock.report;

import java.util.List;

/**
 * The two kinds of records a report holds, each with its fixed columns (the fields of core's {@code NormalizedEvent} and
 * {@code Alert}, in that order). A record is the projection of an indexed document onto these columns, every value as text,
 * so the JSON lines and the CSV of one report carry exactly the same records and hashes.
 */
public enum RecordKind {

    /** Normalized events of {@code <prefix>-events-*}, sorted by {@code @timestamp}, {@code event.id}. */
    EVENTS("events", "event.id", List.of("@timestamp", "event.id", "event.dataset", "event.category", "event.action",
            "event.outcome", "event.reason", "user.name", "source.ip", "airflow.dag_id", "airflow.run_id", "airflow.task_id",
            "airflow.run_type", "airflow.state", "vault.path", "vault.operation", "vault.mount_type", "vault.identity",
            "vault.error", "vault.audit_type", "vault.kv_path", "related.user", "airlock.source", "airlock.position")),

    /** Alerts of {@code <prefix>-alerts}, sorted by {@code @timestamp}, {@code alert.id}. */
    ALERTS("alerts", "alert.id", List.of("@timestamp", "alert.id", "rule.id", "rule.name", "severity", "first_seen", "last_seen",
            "count", "entity", "summary", "evidence", "threat.technique.id", "runbook", "status"));

    private final String label;
    private final String idField;
    private final List<String> columns;

    RecordKind(String label, String idField, List<String> columns) {
        this.label = label;
        this.idField = idField;
        this.columns = columns;
    }

    /** {@code events} or {@code alerts}: the data file's base name and the manifest's {@code kind}. */
    public String label() {
        return label;
    }

    /** The unique id field, the second sort key after {@code @timestamp}. */
    public String idField() {
        return idField;
    }

    /** The columns, in file order. */
    public List<String> columns() {
        return columns;
    }

    /** The kind with this {@link #label()}. */
    public static RecordKind ofLabel(String label) {
        for (RecordKind kind : values()) {
            if (kind.label.equals(label)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown record kind '" + label + "', expected events or alerts");
    }
}
