package io.airlock.streams.detect;

import io.airlock.core.NormalizedEvent;
import io.airlock.streams.DetectionConfig;
import io.airlock.streams.normalize.VaultAuditNormalizer;
import java.util.Locale;
import java.util.regex.Pattern;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;

/**
 * What the Vault rules (AL-020 … AL-024) count, defined once.
 *
 * <ul>
 * <li><b>Operations, not lines.</b> A Vault operation is a request line and a response line with the same {@code request.id};
 *     only the response ({@code vault.audit_type = response}) is counted. Vault writes the response line for denied requests
 *     too (with the same {@code error}), so nothing is lost; a request whose response never comes (Vault crashed, or the
 *     audit line was lost) is ignored.</li>
 * <li><b>Secret read</b>: a response to operation {@code read} on a KV path ({@code vault.kv_path} set) that is not a
 *     failure and that returns the value: KV v2 {@code metadata/} and {@code subkeys/} reads return no secret values and are
 *     not secret reads. {@code list} is not a secret read either: it discloses key names, not values; a harvester that
 *     lists and then reads is caught by its reads.</li>
 * <li><b>Permission denied</b>: a response whose {@code vault.error} is Vault's own refusal — one of its errors is exactly
 *     {@code permission denied} ({@code 1 error occurred:\n\t* permission denied}), or, on a failed response, begins with an
 *     API error's {@code Code: 403} — outside quoted text, where Vault repeats the request's path. Not an error of a secrets
 *     engine's own backend that merely says so ({@code pq: permission denied for schema public} from the database engine,
 *     {@code AccessDenied … status code: 403} from AWS): that is Vault's credentials lacking a grant, not a client probing,
 *     and {@code no handler for route "secret/data/build-403"} is a 404. Counted with or without an
 *     identity: a token Vault does not know (invalid, revoked, expired, used from an address it is not bound to) gets
 *     a denial that names nobody, and those count per source address ({@link #deniedEntity}).</li>
 * <li><b>Identity</b>: {@code vault.identity} (entity id, else display name). Vault events on {@code events} are keyed by it
 *     (one entity can log in through several auth methods with different display names), so the per-identity rules read
 *     them where they are, without re-keying.</li>
 * </ul>
 */
public final class VaultSecretReads {

    private VaultSecretReads() {
    }

    /** A response line of a Vault operation with a known identity. */
    public static boolean isOperation(NormalizedEvent event) {
        return isResponse(event) && event.vaultIdentity() != null;
    }

    private static boolean isResponse(NormalizedEvent event) {
        return NormalizedEvent.DATASET_VAULT.equals(event.dataset()) && NormalizedEvent.VAULT_RESPONSE.equals(event.vaultAuditType());
    }

    /**
     * Whom a denial is counted for: its identity, or for a token Vault could not resolve to anyone
     * {@code (unknown token from 203.0.113.66)}. Such events have no principal and share one key on {@code events} (the
     * empty one), so every denial of one address reaches the same task.
     */
    public static String deniedEntity(NormalizedEvent event) {
        if (event.vaultIdentity() != null) {
            return event.vaultIdentity();
        }
        return "(unknown token from " + (event.sourceIp() != null ? event.sourceIp() : "an unknown address") + ")";
    }

    /**
     * Where the reads of an alert came from, for its summary: {@code from 10.0.4.17} for one read, {@code the latest from
     * 10.0.4.17} for several — the alert keeps no list of addresses, and an earlier read may have come from another host.
     */
    public static String origin(NormalizedEvent latest, long reads) {
        String address = latest.sourceIp() == null ? "an unknown address" : latest.sourceIp();
        return (reads == 1 ? "from " : "the latest from ") + address;
    }

    /** A successful read of a KV secret's value (see the class comment). */
    public static boolean isSecretRead(NormalizedEvent event) {
        return isOperation(event) && event.vaultKvPath() != null && "read".equals(event.vaultOperation())
                && !NormalizedEvent.OUTCOME_FAILURE.equals(event.outcome()) && event.vaultError() == null
                && readsValue(event.vaultPath(), event.vaultKvPath());
    }

    /** One of Vault's errors (a line, bullet and indentation aside) that is exactly its refusal, lower-cased. */
    private static final Pattern VAULT_REFUSAL = Pattern.compile("(?m)^[\\s*]*permission denied[\\s.]*$");
    /** An API error of status 403 ({@code Code: 403. Errors: …}) as a line of its own, lower-cased. */
    private static final Pattern API_STATUS_403 = Pattern.compile("(?m)^[\\s*]*code: 403(?![0-9])");
    /** Text Vault quotes in an error: the request's path, a role name. */
    private static final Pattern QUOTED = Pattern.compile("\"[^\"]*\"|'[^']*'");

    /** A Vault operation refused for lack of permission (see the class comment), whoever made it. */
    public static boolean isPermissionDenied(NormalizedEvent event) {
        if (!isResponse(event) || event.vaultError() == null) {
            return false;
        }
        String lower = event.vaultError().toLowerCase(Locale.ROOT);
        boolean failed = NormalizedEvent.OUTCOME_FAILURE.equals(event.outcome());
        if (!lower.contains("permission denied") && !(failed && lower.contains("code: 403"))) {
            return false; // most errors are neither (and quoted text only ever hides a match)
        }
        String error = QUOTED.matcher(lower).replaceAll("\"\"");
        return VAULT_REFUSAL.matcher(error).find() || failed && API_STATUS_403.matcher(error).find();
    }

    /** True if the allow-list covers the event's identity, display name or path: no Vault rule alerts on it. */
    public static boolean isAllowed(DetectionConfig config, NormalizedEvent event) {
        var allow = config.allow();
        // the API path only where there is no KV path (sys/…, database/creds/…): a KV v2 API path holds data/, and an entry
        // kv/data (a folder named data) would otherwise cover the whole mount
        return isAllowedPrincipal(config, event)
                || (event.vaultKvPath() != null ? allow.allowsPath(event.vaultKvPath()) : allow.allowsPath(event.vaultPath()));
    }

    /**
     * True if the allow-list covers who made the request: its entity id ({@code detection.allow.identities}), or its display
     * name ({@code detection.allow.identities} or {@code detection.allow.users}) — but the display name of a token of the
     * token method ({@code token-…}) only when the token has no entity: anyone allowed to create tokens chooses that name
     * ({@code vault token create -display-name=backup} gives {@code token-backup}), and a child token keeps its creator's
     * entity, while an auth method's names ({@code userpass-alice}, {@code approle}) come with the login.
     */
    static boolean isAllowedPrincipal(DetectionConfig config, NormalizedEvent event) {
        var allow = config.allow();
        if (allow.allowsIdentity(event.vaultIdentity())) {
            return true;
        }
        String displayName = displayName(event);
        if (hasEntity(event) && VaultAuditNormalizer.isTokenMethodName(displayName)) {
            return false;
        }
        return allow.allowsIdentity(displayName) || allow.allowsUser(displayName);
    }

    /**
     * The token's display name: {@code user.name} of an event with an identity. Without one (no token), {@code user.name} is
     * at most the name a login request claimed ({@link VaultAuditNormalizer}), which vouches for nothing: no allow-list
     * entry, no Airflow identity matches it.
     */
    private static String displayName(NormalizedEvent event) {
        return event.vaultIdentity() == null ? null : event.userName();
    }

    /** Whether the token carries an entity: its identity is then the entity id, not its display name. */
    private static boolean hasEntity(NormalizedEvent event) {
        return event.vaultIdentity() != null && !event.vaultIdentity().equals(event.userName());
    }


    /**
     * True if the event's principal is Airflow's service identity: its entity is an entity id configured, or a text entry
     * is contained in its display name or in a name its auth method wrote in the token's metadata ({@code related.user}:
     * AppRole's role name, a user name) — never in its entity id, which a short entry ({@code "-"}, {@code "a"}) would
     * match for every identity with an entity. A token of the token method that carries an entity is Airflow's only by
     * that entity id: its display name is whatever its creator asked for ({@code vault token create
     * -display-name=airflow}), and a person's child token carries the person's entity.
     */
    public static boolean isAirflowServiceIdentity(DetectionConfig config, NormalizedEvent event) {
        DetectionConfig.AirflowInVault airflow = config.airflow();
        if (hasEntity(event) && airflow.isServiceEntity(event.vaultIdentity())) {
            return true; // an entity id configured: that entity (the other entries may name other identities of Airflow)
        }
        if (hasEntity(event) && VaultAuditNormalizer.isTokenMethodName(event.userName())) {
            return false;
        }
        return airflow.isServiceIdentity(displayName(event))
                || event.relatedUsers() != null && event.relatedUsers().stream().anyMatch(airflow::isServiceIdentity);
    }

    /** {@code 'approle-airflow' (entity 5cb4…)}, or just the identity when it is the display name. */
    public static String describe(String identity, NormalizedEvent latest) {
        String name = latest.userName();
        return name == null || name.equals(identity) ? "'" + identity + "'" : "'" + name + "' (entity " + identity + ")";
    }

    /**
     * Vault secret reads and permission denials that no allow-listed identity or user made. They stay keyed by
     * {@code vault.identity}, as on {@code events}. Built once per topology: the rules that need it share one filter.
     */
    public static KStream<String, NormalizedEvent> operationsByIdentity(KStream<String, NormalizedEvent> events, DetectionConfig config) {
        return events.filter((identity, event) -> (isSecretRead(event) || isPermissionDenied(event))
                && !isAllowedPrincipal(config, event),
                Named.as("vault-operations-by-identity"));
    }

    /**
     * True unless the read went to a KV v2 endpoint that returns no values ({@code metadata/}, {@code subkeys/}): the raw
     * path is the KV path with one segment inserted after the mount, and that segment tells.
     */
    static boolean readsValue(String vaultPath, String kvPath) {
        if (vaultPath == null || vaultPath.equals(kvPath)) {
            return true;
        }
        int i = 0;
        while (i < kvPath.length() && i < vaultPath.length() && kvPath.charAt(i) == vaultPath.charAt(i)) {
            i++;
        }
        int slash = kvPath.lastIndexOf('/', i - 1);
        String segment = vaultPath.substring(slash + 1);
        return !(segment.startsWith("metadata/") || segment.startsWith("subkeys/") || segment.equals("metadata")
                || segment.equals("subkeys"));
    }
}
