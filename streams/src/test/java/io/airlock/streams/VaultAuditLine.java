package io.airlock.streams;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.airlock.core.Json;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Test data: Vault audit lines shaped like Vault 1.14+ writes them (mount_point, HMAC'd tokens, audited headers).
 * {@code VaultAuditLine.response("r-1").read("airflow/data/connections/db").kvMount("airflow/").displayName("alice").at(t)}.
 */
public final class VaultAuditLine {

    private static final String HMAC = "hmac-sha256:4f5e2b1a9c0d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f";

    private final String type;
    private final String requestId;
    private Instant time = Instant.parse("2026-03-02T10:00:00.123456789Z");
    private String operation = "read";
    private String path = "sys/health";
    private String mountType = "system";
    private String mountPoint = "sys/";
    private String displayName = "approle";
    private String entityId = "5cb4e785-fe8a-5d82-b991-31e74980d2b8";
    private String remoteAddress = "10.0.4.17";
    private String error;
    private String roleName;
    private String namespace;
    private boolean token = true;
    private final Map<String, List<String>> headers = new LinkedHashMap<>();

    private VaultAuditLine(String type, String requestId) {
        this.type = type;
        this.requestId = requestId;
    }

    public static VaultAuditLine request(String requestId) {
        return new VaultAuditLine("request", requestId);
    }

    public static VaultAuditLine response(String requestId) {
        return new VaultAuditLine("response", requestId);
    }

    public VaultAuditLine at(Instant t) { this.time = t; return this; }
    public VaultAuditLine operation(String op) { this.operation = op; return this; }
    public VaultAuditLine path(String p) { this.path = p; return this; }
    public VaultAuditLine displayName(String n) { this.displayName = n; return this; }
    public VaultAuditLine entityId(String id) { this.entityId = id; return this; }
    public VaultAuditLine remoteAddress(String a) { this.remoteAddress = a; return this; }
    public VaultAuditLine error(String e) { this.error = e; return this; }
    /** An AppRole token's role ({@code auth.metadata.role_name}); its display name is then {@code approle}. */
    public VaultAuditLine roleName(String r) { this.roleName = r; return this; }
    /** A Vault Enterprise namespace ({@code team-a/}); the root namespace by default. */
    public VaultAuditLine namespace(String path) { this.namespace = path; return this; }

    /** A request without a token, as a login is: no display name, no entity, no client token. */
    public VaultAuditLine noToken() { this.token = false; return this; }

    /** A request against a mount: {@code mount("kv", "airflow/")}. */
    public VaultAuditLine mount(String type, String point) {
        this.mountType = type;
        this.mountPoint = point;
        return this;
    }

    /** A KV read: {@code read("airflow/data/connections/db")} on the KV mount named by the first segment. */
    public VaultAuditLine read(String kvPath) {
        return operation("read").path(kvPath).mount("kv", kvPath.substring(0, kvPath.indexOf('/') + 1));
    }

    /** An audited request header with {@code hmac=false}: the value as Vault writes it, an array of one string. */
    public VaultAuditLine header(String lowerCaseName, String value) {
        headers.put(lowerCaseName, List.of(value));
        return this;
    }

    /** An audited request header with {@code hmac=true} (Vault's default). */
    public VaultAuditLine hmacHeader(String lowerCaseName) {
        headers.put(lowerCaseName, List.of(HMAC));
        return this;
    }

    public String key() {
        return requestId;
    }

    public ObjectNode node() {
        ObjectNode line = Json.MAPPER.createObjectNode();
        line.put("time", time.toString()).put("type", type);
        ObjectNode auth = line.putObject("auth");
        if (token) {
            auth.put("client_token", HMAC).put("accessor", HMAC).put("display_name", displayName);
            auth.putArray("policies").add("default").add("airflow");
            if (roleName != null) {
                auth.putObject("metadata").put("role_name", roleName);
            }
            auth.put("entity_id", entityId).put("token_type", "service").put("token_ttl", 3600);
        } else {
            auth.put("token_type", "default");
        }
        ObjectNode request = line.putObject("request");
        request.put("id", requestId);
        if (token) {
            request.put("client_id", entityId);
        }
        request.put("operation", operation).put("mount_point", mountPoint)
                .put("mount_type", mountType).put("mount_running_version", "v0.20.0+builtin").put("mount_class", "secret");
        if (token) {
            request.put("client_token", HMAC).put("client_token_accessor", HMAC);
        }
        if (namespace == null) {
            request.putObject("namespace").put("id", "root");
        } else {
            request.putObject("namespace").put("id", "ns-" + namespace.hashCode()).put("path", namespace);
        }
        request.put("path", path);
        if (!headers.isEmpty()) {
            ObjectNode h = request.putObject("headers");
            headers.forEach((name, values) -> values.forEach(h.putArray(name)::add));
        }
        request.put("remote_address", remoteAddress).put("remote_port", 50326);
        if ("response".equals(type)) {
            ObjectNode response = line.putObject("response");
            response.put("mount_point", mountPoint).put("mount_type", mountType);
            if (error == null) {
                response.putObject("data").put("password", HMAC);
            }
        }
        if (error != null) {
            line.put("error", error);
        }
        return line;
    }

    public String json() {
        return Json.writeString(node());
    }
}
