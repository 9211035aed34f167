package io.airlock.core;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The normalized event of DESIGN.md, with ECS field names as flat dotted JSON keys.
 * Only {@code @timestamp}, {@code event.id} and {@code event.dataset} are mandatory; everything else may be null.
 *
 * <p>Beyond DESIGN.md's list: {@code airflow.task_id} (Airflow audit log rows, and Vault requests attributed to a task by an
 * audited {@code X-Airflow-Task-Id} header), {@code vault.audit_type} ({@code request} or {@code response}: a Vault operation
 * appears as both, so rules count responses, or requests that never got one) and {@code vault.kv_path} (the path of a KV
 * secret without the KV v2 {@code data/}/{@code metadata/} segment, null when the request is not against a KV mount).
 *
 * <p>{@code airlock.source} and {@code airlock.position} say where the event was read: {@code postgres:<database>} with the
 * PostgreSQL LSN of the change, or {@code vault-file:<file id>} with the byte offset of the audit line ({@code vault-socket:<peer>}
 * has no position). A compliance report lists the first and last position per source, so an auditor sees what span is complete.
 *
 * <p>Text fields longer than {@link BoundedText#EVENT_FIELD_CHARS} keep their head and a digest of the whole ({@link BoundedText}).
 */
public record NormalizedEvent(
        @JsonProperty("@timestamp") Instant timestamp,
        @JsonProperty("event.id") String id,
        @JsonProperty("event.dataset") String dataset,
        @JsonProperty("event.category") String category,
        @JsonProperty("event.action") String action,
        @JsonProperty("event.outcome") String outcome,
        @JsonProperty("event.reason") String reason,
        @JsonProperty("user.name") String userName,
        @JsonProperty("source.ip") String sourceIp,
        @JsonProperty("airflow.dag_id") String dagId,
        @JsonProperty("airflow.run_id") String runId,
        @JsonProperty("airflow.task_id") String taskId,
        @JsonProperty("airflow.run_type") String runType,
        @JsonProperty("airflow.state") String state,
        @JsonProperty("vault.path") String vaultPath,
        @JsonProperty("vault.operation") String vaultOperation,
        @JsonProperty("vault.mount_type") String vaultMountType,
        @JsonProperty("vault.identity") String vaultIdentity,
        @JsonProperty("vault.error") String vaultError,
        @JsonProperty("vault.audit_type") String vaultAuditType,
        @JsonProperty("vault.kv_path") String vaultKvPath,
        @JsonProperty("related.user") List<String> relatedUsers,
        @JsonProperty("airlock.source") String source,
        @JsonProperty("airlock.position") Long position) {

    public static final String DATASET_LOG = "airflow.log";
    public static final String DATASET_DAG_RUN = "airflow.dag_run";
    public static final String DATASET_AB_USER = "airflow.ab_user";
    public static final String DATASET_VAULT = "vault.audit";

    public static final String OUTCOME_SUCCESS = "success";
    public static final String OUTCOME_FAILURE = "failure";

    /** Values of {@code vault.audit_type}. */
    public static final String VAULT_REQUEST = "request";
    public static final String VAULT_RESPONSE = "response";

    public NormalizedEvent {
        Objects.requireNonNull(timestamp, "@timestamp");
        Objects.requireNonNull(id, "event.id");
        Objects.requireNonNull(dataset, "event.dataset");
        relatedUsers = relatedUsers == null ? null : boundedAll(relatedUsers);
        category = bounded(category);
        action = bounded(action);
        outcome = bounded(outcome);
        reason = bounded(reason);
        userName = bounded(userName);
        sourceIp = bounded(sourceIp);
        dagId = bounded(dagId);
        runId = bounded(runId);
        taskId = bounded(taskId);
        runType = bounded(runType);
        state = bounded(state);
        vaultPath = bounded(vaultPath);
        vaultOperation = bounded(vaultOperation);
        vaultMountType = bounded(vaultMountType);
        vaultIdentity = bounded(vaultIdentity);
        vaultError = bounded(vaultError);
        vaultAuditType = bounded(vaultAuditType);
        vaultKvPath = bounded(vaultKvPath);
        source = bounded(source);
    }

    /**
     * Every text field is at most {@link BoundedText#EVENT_FIELD_CHARS} long: a Vault line of a megabyte (a path or a
     * header that long) must not give an event larger than Kafka takes, which would stop the stream thread that writes it.
     */
    private static String bounded(String value) {
        return BoundedText.of(value, BoundedText.EVENT_FIELD_CHARS);
    }

    /** {@code values} as an unmodifiable list with every element bounded; a copy only when one needs it. */
    private static List<String> boundedAll(List<String> values) {
        for (String value : values) {
            if (value != null && value.length() > BoundedText.EVENT_FIELD_CHARS) {
                return List.copyOf(values.stream().map(NormalizedEvent::bounded).toList());
            }
        }
        return List.copyOf(values); // no copy of a list that already is one
    }

    /**
     * Who the event is about: the user name, else the Vault identity, else {@code ""}. The Airflow normalizers key their events
     * on {@code airlock.events} by it; Vault events are not: they are keyed by the Vault identity alone ({@code ""} without
     * one), since their {@code user.name} is a display name (several per entity) or, for a failed login, the name the login
     * path claims, which Vault vouched for no one.
     */
    public String principal() {
        return userName != null ? userName : vaultIdentity != null ? vaultIdentity : "";
    }

    /** This event at {@code at} instead of its {@code @timestamp}, every other field the same; itself when that is its time. */
    public NormalizedEvent withTimestamp(Instant at) {
        return at.equals(timestamp) ? this : new NormalizedEvent(at, id, dataset, category, action, outcome, reason, userName, sourceIp,
                dagId, runId, taskId, runType, state, vaultPath, vaultOperation, vaultMountType, vaultIdentity, vaultError,
                vaultAuditType, vaultKvPath, relatedUsers, source, position);
    }

    @JsonIgnore // not a field of the event contract
    public boolean isFailedLogin() {
        return "authentication".equals(category) && OUTCOME_FAILURE.equals(outcome);
    }

    public static Builder builder(Instant timestamp, String id, String dataset) {
        return new Builder(timestamp, id, dataset);
    }

    /** Fluent construction for the many optional fields. */
    public static final class Builder {
        private final Instant timestamp;
        private final String id;
        private final String dataset;
        private String category;
        private String action;
        private String outcome;
        private String reason;
        private String userName;
        private String sourceIp;
        private String dagId;
        private String runId;
        private String taskId;
        private String runType;
        private String state;
        private String vaultPath;
        private String vaultOperation;
        private String vaultMountType;
        private String vaultIdentity;
        private String vaultError;
        private String vaultAuditType;
        private String vaultKvPath;
        private List<String> relatedUsers;
        private String source;
        private Long position;

        private Builder(Instant timestamp, String id, String dataset) {
            this.timestamp = timestamp;
            this.id = id;
            this.dataset = dataset;
        }

        public Builder category(String v) { this.category = v; return this; }
        public Builder action(String v) { this.action = v; return this; }
        public Builder outcome(String v) { this.outcome = v; return this; }
        /** ECS {@code event.reason}: why the source recorded it, e.g. {@code api-basic-auth} for suspected API logins. */
        public Builder reason(String v) { this.reason = v; return this; }
        public Builder userName(String v) { this.userName = v; return this; }
        public Builder sourceIp(String v) { this.sourceIp = v; return this; }
        public Builder dagId(String v) { this.dagId = v; return this; }
        public Builder runId(String v) { this.runId = v; return this; }
        public Builder taskId(String v) { this.taskId = v; return this; }
        public Builder runType(String v) { this.runType = v; return this; }
        public Builder state(String v) { this.state = v; return this; }
        public Builder vaultPath(String v) { this.vaultPath = v; return this; }
        public Builder vaultOperation(String v) { this.vaultOperation = v; return this; }
        public Builder vaultMountType(String v) { this.vaultMountType = v; return this; }
        public Builder vaultIdentity(String v) { this.vaultIdentity = v; return this; }
        public Builder vaultError(String v) { this.vaultError = v; return this; }
        public Builder vaultAuditType(String v) { this.vaultAuditType = v; return this; }
        public Builder vaultKvPath(String v) { this.vaultKvPath = v; return this; }
        public Builder relatedUsers(List<String> v) { this.relatedUsers = v; return this; }
        /** Where the event was read ({@code postgres:<db>}, {@code vault-file:<file id>}) and its position there, if any. */
        public Builder sourcePosition(String source, Long position) { this.source = source; this.position = position; return this; }

        public NormalizedEvent build() {
            return new NormalizedEvent(timestamp, id, dataset, category, action, outcome, reason, userName, sourceIp, dagId, runId, taskId,
                    runType, state, vaultPath, vaultOperation, vaultMountType, vaultIdentity, vaultError, vaultAuditType, vaultKvPath,
                    relatedUsers, source, position);
        }
    }
}
