package io.airlock.streams;

import io.airlock.core.StableIds;
import java.time.Duration;
import java.time.Instant;

/**
 * Test data: one Vault operation, i.e. its request line and its response line with the same {@code request.id}.
 * {@code VaultOperation.read("airflow/data/connections/db").by("userpass-alice", "ent-alice").at(t).pipeTo(fixture)}.
 * The request id is derived from what the operation is, so the same operation piped twice is a duplicate.
 */
public final class VaultOperation {

    public static final String PERMISSION_DENIED = "1 error occurred:\n\t* permission denied\n\n";
    /** How long after the request Vault writes the response. */
    public static final Duration LATENCY = Duration.ofMillis(4);

    private final String operation;
    private final String path;
    private String displayName = "approle-airflow";
    private String entityId = "ent-airflow";
    private String roleName;
    private Instant at = Instant.parse("2026-03-02T10:00:00Z");
    private String error;
    private String requestId;
    private String dagId;
    private String runId;
    private String taskId;
    private boolean system;
    private String remoteAddress;

    private VaultOperation(String operation, String path) {
        this.operation = operation;
        this.path = path;
    }

    /** A read on the KV mount named by the path's first segment ({@code airflow/data/connections/db}). */
    public static VaultOperation read(String path) {
        return new VaultOperation("read", path);
    }

    public static VaultOperation list(String path) {
        return new VaultOperation("list", path);
    }

    /** A read against Vault's system backend ({@code sys/health}, {@code sys/mounts}): not a secret. */
    public static VaultOperation system(String path) {
        VaultOperation op = new VaultOperation("read", path);
        op.system = true;
        return op;
    }

    public VaultOperation by(String displayName, String entityId) {
        this.displayName = displayName;
        this.entityId = entityId;
        return this;
    }

    /** By a token of AppRole role {@code role}: Vault names every such token {@code approle}. */
    public VaultOperation byAppRole(String role, String entityId) {
        this.roleName = role;
        return by("approle", entityId);
    }

    public VaultOperation at(Instant t) {
        this.at = t;
        return this;
    }

    public VaultOperation denied() {
        return failed(PERMISSION_DENIED);
    }

    /** Refused with Vault's {@code error} text. */
    public VaultOperation failed(String vaultError) {
        this.error = vaultError;
        return this;
    }

    /** Made from {@code ip} ({@code request.remote_address}). */
    public VaultOperation from(String ip) {
        this.remoteAddress = ip;
        return this;
    }

    public VaultOperation requestId(String id) {
        this.requestId = id;
        return this;
    }

    /** Run attribution through audited {@code X-Airflow-*} headers with {@code hmac=false}. */
    public VaultOperation attributedTo(String dag, String run) {
        this.dagId = dag;
        this.runId = run;
        this.taskId = "extract";
        return this;
    }

    public String id() {
        return requestId != null ? requestId
                : "req-" + StableIds.of(operation, path, String.valueOf(displayName), String.valueOf(entityId), at.toString(),
                        String.valueOf(runId), String.valueOf(remoteAddress));
    }

    public VaultAuditLine requestLine() {
        return line(VaultAuditLine.request(id()), at);
    }

    public VaultAuditLine responseLine() {
        return line(VaultAuditLine.response(id()), at.plus(LATENCY));
    }

    /** Pipes the request line, then the response line. */
    public void pipeTo(TopologyFixture fixture) {
        VaultAuditLine request = requestLine();
        VaultAuditLine response = responseLine();
        fixture.vaultAudit(request.key(), request.json(), at);
        fixture.vaultAudit(response.key(), response.json(), at.plus(LATENCY));
    }

    /** Pipes the request line only: a request whose response never came. */
    public void pipeRequestOnlyTo(TopologyFixture fixture) {
        VaultAuditLine request = requestLine();
        fixture.vaultAudit(request.key(), request.json(), at);
    }

    private VaultAuditLine line(VaultAuditLine line, Instant t) {
        (system ? line.path(path).mount("system", "sys/") : line.read(path)).operation(operation).displayName(displayName).entityId(entityId)
                .roleName(roleName).at(t);
        if (error != null) {
            line.error(error);
        }
        if (remoteAddress != null) {
            line.remoteAddress(remoteAddress);
        }
        if (runId != null) {
            if (dagId != null) {
                line.header("x-airflow-dag-id", dagId);
            }
            line.header("x-airflow-run-id", runId).header("x-airflow-task-id", taskId);
        }
        return line;
    }
}
