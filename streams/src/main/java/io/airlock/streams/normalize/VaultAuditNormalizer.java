package io.airlock.streams.normalize;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.core.BoundedText;
import io.airlock.core.Json;
import io.airlock.core.MalformedRecordException;
import io.airlock.core.NormalizedEvent;
import io.airlock.core.SourceHeaders;
import io.airlock.core.StableIds;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Turns Vault audit lines (file or socket device, prefix already stripped) into one event per line, keyed by the principal.
 *
 * <ul>
 * <li>{@code @timestamp} = {@code time}; {@code event.id} = {@link StableIds#of}({@code "vault.audit"}, {@code request.id},
 *     {@code type}), or a hash of the whole line when it has no {@code request.id}; the same line written by two audit
 *     devices gets the same id.</li>
 * <li>{@code event.action} and {@code vault.operation} = {@code request.operation}; {@code event.category} from
 *     {@link EventCategories#vault}; {@code event.outcome} = {@code failure} when {@code error} is a non-empty string
 *     (request lines carry one too when Vault refuses early, e.g. {@code permission denied}), {@code success} for response
 *     lines without one, and absent for request lines without one (the outcome is not known yet).</li>
 * <li>{@code vault.identity} = {@code auth.entity_id}, else {@code auth.display_name} (root and orphan tokens have no
 *     entity); {@code user.name} = {@code auth.display_name}, or for a request without a token to a login path that ends in
 *     the user name ({@link #loginName}: {@code auth/<mount>/login/<name>}, the userpass, LDAP, Okta and RADIUS methods,
 *     whatever their mount is called) that name — a failed login then names who it tried to be, though Vault gives it
 *     no identity (it never becomes {@code vault.identity} nor the event's key); {@code related.user} = display name,
 *     {@code auth.metadata.username} and {@code auth.metadata.role_name} (AppRole) — not for tokens of the token method
 *     (display name {@code token…}), whose metadata their creator chose; {@code source.ip} = {@code request.remote_address}.</li>
 * <li>{@code vault.kv_path} from {@link VaultKvPaths}; {@code vault.audit_type} = {@code type}.</li>
 * <li>Run attribution: audited request headers {@value #DAG_ID_HEADER}, {@value #RUN_ID_HEADER}, {@value #TASK_ID_HEADER}
 *     (enable them with {@code vault write sys/config/auditing/request-headers/X-Airflow-Dag-Id hmac=false}) fill
 *     {@code airflow.dag_id}, {@code airflow.run_id}, {@code airflow.task_id}. Values HMAC'd by Vault are ignored.</li>
 * <li>{@code airlock.source} and {@code airlock.position} from the record headers of the same names ({@link SourceHeaders}) the
 *     capture adds: the audit file's id and the line's byte offset; a socket line has no position, a record without the
 *     headers neither.</li>
 * </ul>
 * Every string is read as the event bounds it ({@link #bounded}) before anything is derived from it, so an event is the same
 * whether its line was compacted by the capture (strings already bounded) or not. Missing and unknown fields are tolerated. A line that is not an object, has no RFC 3339 {@code time}, a {@code type} other
 * than request/response, or a field of the wrong type throws {@link MalformedRecordException}.
 */
public final class VaultAuditNormalizer implements Processor<String, JsonNode, String, NormalizedEvent> {

    public static final String DAG_ID_HEADER = "x-airflow-dag-id";
    public static final String RUN_ID_HEADER = "x-airflow-run-id";
    public static final String TASK_ID_HEADER = "x-airflow-task-id";

    static final String HMAC_PREFIX = "hmac-sha256:";
    /** Error strings are Vault's own messages, but some quote the input; a bound keeps an odd one from bloating events. */
    static final int MAX_ERROR_LENGTH = 1024;
    /** {@code auth/<mount, one or more segments>/login/<name>}: {@link #loginName}. */
    private static final Pattern LOGIN_PATH = Pattern.compile("auth/(?:[^/]++/)+login/([^/]++)");

    private ProcessorContext<String, NormalizedEvent> context;
    private final EventRecordTimes recordTimes = new EventRecordTimes();

    @Override
    public void init(ProcessorContext<String, NormalizedEvent> context) {
        this.context = context;
    }

    @Override
    public void process(Record<String, JsonNode> record) {
        NormalizedEvent event = normalize(record.value(), record.headers());
        context.forward(record.withKey(keyOf(event)).withValue(event)
                .withTimestamp(recordTimes.of(event, context.currentSystemTimeMs())));
    }

    /**
     * The key on {@code events}: the Vault identity (entity id, else display name), the principal the Vault rules count by.
     * One entity logging in through several auth methods has several display names; keyed by identity, its operations are in
     * one partition already and the per-identity rules need no re-keying hop.
     */
    static String keyOf(NormalizedEvent event) {
        return event.vaultIdentity() != null ? event.vaultIdentity() : ""; // not a login's user name: Vault vouched for no one
    }

    static NormalizedEvent normalize(JsonNode line) {
        return normalize(line, null);
    }

    static NormalizedEvent normalize(JsonNode line, Headers headers) {
        if (line == null || !line.isObject()) {
            throw new MalformedRecordException("a Vault audit line must be a JSON object");
        }
        String type = Fields.text(line, "type", "audit");
        if (!NormalizedEvent.VAULT_REQUEST.equals(type) && !NormalizedEvent.VAULT_RESPONSE.equals(type)) {
            throw new MalformedRecordException("Vault audit line 'type' must be request or response, got " + (type == null ? "none" : "'" + type + "'"));
        }
        if (!line.path("time").isTextual()) {
            throw new MalformedRecordException("Vault audit line without an RFC 3339 string 'time'");
        }
        Instant time = Fields.instant(line, "time", "audit");
        JsonNode auth = orEmpty(Fields.object(line, "auth", "audit"));
        JsonNode request = orEmpty(Fields.object(line, "request", "audit"));
        JsonNode response = orEmpty(Fields.object(line, "response", "audit"));
        String error = bounded(Fields.nonEmptyText(line, "error", "audit"));

        String requestId = bounded(Fields.nonEmptyText(request, "id", "request"));
        String id = requestId != null
                ? StableIds.of(NormalizedEvent.DATASET_VAULT, requestId, type)
                : StableIds.of(NormalizedEvent.DATASET_VAULT, "line", Json.writeString(line));
        String path = bounded(Fields.text(request, "path", "request"));
        String operation = bounded(Fields.nonEmptyText(request, "operation", "request"));
        String mountType = bounded(Fields.nonEmptyText(request, "mount_type", "request"));
        if (mountType == null) {
            mountType = bounded(Fields.nonEmptyText(response, "mount_type", "response"));
        }
        String displayName = bounded(Fields.nonEmptyText(auth, "display_name", "auth"));
        String entityId = bounded(Fields.nonEmptyText(auth, "entity_id", "auth"));
        JsonNode requestHeaders = request.get("headers");
        String source = headerText(headers, SourceHeaders.SOURCE);
        String namespace = namespacePrefix(request);
        String kvPath = VaultKvPaths.of(path, mountType, mountPointInNamespace(request, namespace));

        return NormalizedEvent.builder(time, id, NormalizedEvent.DATASET_VAULT)
                .category(EventCategories.vault(path, mountType))
                .action(operation)
                .outcome(error != null ? NormalizedEvent.OUTCOME_FAILURE
                        : NormalizedEvent.VAULT_RESPONSE.equals(type) ? NormalizedEvent.OUTCOME_SUCCESS : null)
                .userName(displayName != null ? displayName : loginName(path))
                .relatedUsers(relatedUsers(displayName, auth))
                .sourceIp(bounded(Fields.nonEmptyText(request, "remote_address", "request")))
                .vaultPath(path == null ? null : namespace + path)
                .vaultOperation(operation)
                .vaultMountType(mountType)
                .vaultIdentity(entityId != null ? entityId : displayName)
                .vaultError(error == null || error.length() <= MAX_ERROR_LENGTH ? error : error.substring(0, MAX_ERROR_LENGTH) + "…")
                .vaultAuditType(type)
                .vaultKvPath(kvPath == null ? null : namespace + kvPath)
                .dagId(header(requestHeaders, DAG_ID_HEADER))
                .runId(header(requestHeaders, RUN_ID_HEADER))
                .taskId(header(requestHeaders, TASK_ID_HEADER))
                .sourcePosition(source, source == null ? null : position(headerText(headers, SourceHeaders.POSITION)))
                .build();
    }

    /**
     * {@code request.mount_point} relative to the request's namespace, as {@code request.path} is: Vault's router writes the
     * mount point with the namespace ({@code ns1/team/airflow/} for {@code team/airflow/data/x} in {@code ns1/}).
     */
    private static String mountPointInNamespace(JsonNode request, String namespace) {
        String mountPoint = bounded(Fields.nonEmptyText(request, "mount_point", "request"));
        return mountPoint != null && !namespace.isEmpty() && mountPoint.startsWith(namespace)
                ? mountPoint.substring(namespace.length()) : mountPoint;
    }

    /**
     * {@code request.namespace.path} of Vault Enterprise ({@code team-a/}, nested {@code team-a/etl/}), with its trailing
     * slash; empty for the root namespace and for Vault Community, which writes only {@code {"id":"root"}}. Paths in audit
     * lines are relative to their namespace, so the events carry them prefixed with it: {@code secret/data/x} of two
     * namespaces is two secrets.
     */
    static String namespacePrefix(JsonNode request) {
        JsonNode path = request.path("namespace").path("path");
        String text = path.isTextual() ? bounded(path.asText()).strip() : "";
        while (text.startsWith("/")) {
            text = text.substring(1);
        }
        return text.isEmpty() || text.endsWith("/") ? text : text + "/";
    }

    /**
     * The user a login request names in its path, or null: {@code bob} of {@code auth/userpass/login/bob},
     * {@code auth/corp-ldap/login/bob} — any path of the shape {@code auth/<mount>/login/<name>} (the mount may be nested),
     * which is how the userpass, LDAP, Okta and RADIUS methods take the user name. Decided by the shape, not the mount's name
     * or type, since mounts are named freely; methods whose login path ends at {@code login} (AppRole, Kubernetes, JWT/OIDC,
     * AWS, certificates) name nobody there. One more method has that shape: OCI logs in at {@code auth/oci/login/<role>},
     * which then gives the role's name.
     */
    static String loginName(String path) {
        if (path == null || !path.startsWith("auth/")) {
            return null;
        }
        Matcher login = LOGIN_PATH.matcher(path);
        return login.matches() && !login.group(1).isBlank() ? login.group(1) : null;
    }

    /** The last value of a Kafka record header as UTF-8 text, null when absent or empty. */
    private static String headerText(Headers headers, String name) {
        Header header = headers == null ? null : headers.lastHeader(name);
        if (header == null || header.value() == null || header.value().length == 0) {
            return null;
        }
        return new String(header.value(), StandardCharsets.UTF_8);
    }

    /** A decimal byte offset; anything else (a capture bug, not the line's fault) is no position rather than a dead letter. */
    private static Long position(String decimal) {
        if (decimal == null) {
            return null;
        }
        try {
            long value = Long.parseLong(decimal.strip());
            return value < 0 ? null : value;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static JsonNode orEmpty(JsonNode node) {
        return node != null ? node : Json.MAPPER.createObjectNode();
    }

    /** A display name the token method gives: {@code token}, or {@code token-} and what the token's creator asked for. */
    public static boolean isTokenMethodName(String displayName) {
        return displayName != null && (displayName.equals("token") || displayName.startsWith("token-"));
    }

    private static List<String> relatedUsers(String displayName, JsonNode auth) {
        List<String> users = new ArrayList<>(2);
        if (displayName != null) {
            users.add(displayName);
        }
        // Token metadata (vault token create -metadata=role_name=airflow) is whatever the token's creator wrote: only the
        // metadata of auth methods counts (display names "token" and "token-…" are the token method's)
        JsonNode metadata = isTokenMethodName(displayName) ? null : auth.get("metadata");
        for (String field : List.of("username", "role_name")) { // userpass/LDAP/OIDC user; AppRole role (display name "approle")
            JsonNode value = metadata == null ? null : metadata.get(field);
            String user = value != null && value.isTextual() ? bounded(value.asText()) : null;
            if (user != null && !user.isEmpty() && !isHmac(user) && !users.contains(user)) {
                users.add(user);
            }
        }
        return users.isEmpty() ? null : users;
    }

    /**
     * The first plain value of an audited request header. Vault lowercases header names and writes the values as an array of
     * strings; HMAC'd values ({@code hmac=true}, the default) cannot be attributed and are ignored, as are odd shapes.
     */
    static String header(JsonNode headers, String name) {
        if (headers == null || !headers.isObject()) {
            return null;
        }
        for (Map.Entry<String, JsonNode> field : headers.properties()) {
            if (!field.getKey().toLowerCase(Locale.ROOT).equals(name)) {
                continue;
            }
            JsonNode value = field.getValue();
            JsonNode first = value.isArray() ? value.path(0) : value;
            String text = first.isTextual() ? bounded(first.asText()) : null;
            if (text != null && !text.isBlank() && !isHmac(text)) {
                return text.strip();
            }
        }
        return null;
    }

    /**
     * A string of the line as the event bounds it ({@link BoundedText}), before anything is derived from it: a Vault audit
     * line over the capture's limit arrives with its strings already in that form, and {@link BoundedText#of} leaves them
     * so. Reading every string bounded makes what is derived from them (the namespace and the path, the KV path, a stripped
     * header) the same whether the line was compacted or not.
     */
    private static String bounded(String value) {
        return BoundedText.of(value, BoundedText.EVENT_FIELD_CHARS);
    }

    private static boolean isHmac(String value) {
        return value.startsWith(HMAC_PREFIX);
    }
}
