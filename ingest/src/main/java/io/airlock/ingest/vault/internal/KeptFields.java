package io.airlock.ingest.vault.internal;

import java.util.Locale;
import java.util.Map;

/**
 * What Airlock reads of a Vault audit line, and so what {@link VaultAuditLineCompactor} keeps of a line over the limit:
 * {@code VaultAuditNormalizer} (streams) and {@link VaultAuditLineParser} read these fields and nothing else.
 * <pre>
 * time, type, error, forwarded_from
 * auth.display_name, auth.entity_id, auth.metadata.username, auth.metadata.role_name
 * request.id, request.path, request.operation, request.mount_type, request.mount_point, request.remote_address,
 * request.namespace.path, request.headers.x-airflow-dag-id|x-airflow-run-id|x-airflow-task-id (the first value)
 * response.mount_type
 * </pre>
 * A field read by either must be added here, or a long line would lose it.
 */
final class KeptFields {

    enum Kind {
        /** A value read as text (kept if it is not an object or array). */
        TEXT,
        /** A request header's values: the first is read. */
        HEADER_VALUES,
        /** An object of which some fields are read. */
        OBJECT
    }

    static final KeptFields TEXT = new KeptFields(Kind.TEXT, Map.of(), false, false);
    static final KeptFields HEADER_VALUES = new KeptFields(Kind.HEADER_VALUES, Map.of(), false, false);

    private static final KeptFields AUTH = vaultObject(Map.of("display_name", TEXT, "entity_id", TEXT, "metadata",
            new KeptFields(Kind.OBJECT, Map.of("username", TEXT, "role_name", TEXT), true, false)));
    private static final KeptFields REQUEST = vaultObject(Map.of("id", TEXT, "path", TEXT, "operation", TEXT, "mount_type",
            TEXT, "mount_point", TEXT, "remote_address", TEXT, "namespace", vaultObject(Map.of("path", TEXT)), "headers",
            new KeptFields(Kind.OBJECT, Map.of("x-airflow-dag-id", HEADER_VALUES, "x-airflow-run-id", HEADER_VALUES,
                    "x-airflow-task-id", HEADER_VALUES), true, true)));
    private static final KeptFields RESPONSE = vaultObject(Map.of("mount_type", TEXT));

    /** The line itself. */
    static final KeptFields LINE = vaultObject(Map.of("time", TEXT, "type", TEXT, "error", TEXT, "forwarded_from", TEXT,
            "auth", AUTH, "request", REQUEST, "response", RESPONSE));

    private final Kind kind;
    private final Map<String, KeptFields> fields;
    /**
     * Whether the client chooses the field names (token metadata, request headers): then a field not read goes, name and
     * all, lest many names fill the line; else (an object Vault defines) it keeps its name, with a marker for its value.
     */
    private final boolean namedByClient;
    /** Whether names are matched in any case, as the normalizer matches header names (Vault writes them in lower case). */
    private final boolean anyCase;

    private KeptFields(Kind kind, Map<String, KeptFields> fields, boolean namedByClient, boolean anyCase) {
        this.kind = kind;
        this.fields = fields;
        this.namedByClient = namedByClient;
        this.anyCase = anyCase;
    }

    private static KeptFields vaultObject(Map<String, KeptFields> fields) {
        return new KeptFields(Kind.OBJECT, fields, false, false);
    }

    Kind kind() {
        return kind;
    }

    /** What is read of field {@code name} of this object; null when it is not read. */
    KeptFields kept(String name) {
        return fields.get(anyCase ? name.toLowerCase(Locale.ROOT) : name);
    }

    boolean namedByClient() {
        return namedByClient;
    }
}
