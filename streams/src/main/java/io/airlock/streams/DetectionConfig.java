package io.airlock.streams;

import io.airlock.streams.detect.AirflowChangeEvents;
import io.airlock.streams.detect.RuleDefinition;
import io.airlock.streams.detect.RuleSettings;
import io.airlock.streams.normalize.AuditTrailChanges;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Everything the detection topology can be tuned with; defaults are those of DESIGN.md.
 *
 * @param runbookBase   where rule runbooks live; alerts link to {@code <runbookBase>/<rule page>}
 * @param grace         how late (event time) a record may arrive and still be counted
 * @param calendar      business hours, for the off-hours rules
 * @param airflow       how Airflow appears in Vault: its service identity and secret paths
 * @param allow         users, identities and paths no rule alerts on
 * @param changeEvents  Airflow audit-log event names that change state (AL-010); {@code api.}/{@code ui.} prefixes are
 *                      stripped before the lookup
 * @param rules         per-rule settings by rule id; a rule without an entry runs with its defaults
 * @param cleanupSpan   AL-013: how long after {@code airflow db clean} started its deletes of audit rows older than
 *                      {@code minRetention} are retention ({@code rules.AL-013.cleanup-span})
 * @param minRetention  AL-013: the shortest retention assumed for {@code airflow db clean}; a deleted audit row younger
 *                      than this is never retention ({@code rules.AL-013.min-retention})
 */
public record DetectionConfig(String runbookBase, Duration grace, BusinessCalendar calendar, AirflowInVault airflow,
        AllowList allow, Set<String> changeEvents, Map<String, RuleSettings> rules, Duration cleanupSpan, Duration minRetention) {

    public static final String DEFAULT_RUNBOOK_BASE = "docs/runbooks";
    /**
     * {@code airflow db clean} goes table by table, each in its own transaction, {@code log} after {@code dag_run} and the
     * rows its deletes cascade to: hours on a large database (apache/airflow#24484 reports up to 9).
     */
    public static final Duration DEFAULT_CLEANUP_SPAN = Duration.ofHours(12);
    /**
     * {@code airflow db clean} deletes whatever is older than {@code --clean-before-timestamp}, with no minimum age; most
     * deployments keep weeks. A day keeps an intruder's fresh traces protected and lets a daily clean-up keep a day or more.
     */
    public static final Duration DEFAULT_MIN_RETENTION = Duration.ofHours(24);

    public DetectionConfig {
        Objects.requireNonNull(runbookBase, "runbookBase");
        Objects.requireNonNull(calendar, "calendar");
        Objects.requireNonNull(airflow, "airflow");
        Objects.requireNonNull(allow, "allow");
        if (grace == null || grace.isNegative()) {
            throw new IllegalArgumentException("detection.grace must not be negative, was " + grace);
        }
        changeEvents = Set.copyOf(changeEvents);
        rules = Map.copyOf(rules);
        if (cleanupSpan == null || cleanupSpan.isNegative() || cleanupSpan.isZero()) {
            throw new IllegalArgumentException("rules.AL-013.cleanup-span must be positive, was " + cleanupSpan);
        }
        if (minRetention == null || minRetention.isNegative() || minRetention.isZero()
                || minRetention.compareTo(AuditTrailChanges.LONGEST_MIN_RETENTION) > 0) {
            throw new IllegalArgumentException("rules.AL-013.min-retention must be positive and at most " + AuditTrailChanges.LONGEST_MIN_RETENTION
                    + ", was " + minRetention);
        }
        for (String id : rules.keySet()) {
            if (RuleDefinition.byId(id).isEmpty()) {
                throw new IllegalArgumentException("unknown rule id '" + id + "'");
            }
        }
    }

    public static DetectionConfig defaults() {
        return new DetectionConfig(DEFAULT_RUNBOOK_BASE, Duration.ofMinutes(10), BusinessCalendar.defaults(), AirflowInVault.defaults(),
                AllowList.none(), AirflowChangeEvents.DEFAULTS, Map.of(), DEFAULT_CLEANUP_SPAN, DEFAULT_MIN_RETENTION);
    }

    /** The settings a rule runs with: configured, else its defaults. */
    public RuleSettings rule(RuleDefinition rule) {
        return rules.getOrDefault(rule.id(), rule.defaults());
    }

    public DetectionConfig withRule(RuleDefinition rule, RuleSettings settings) {
        Map<String, RuleSettings> changed = new HashMap<>(rules);
        changed.put(rule.id(), settings);
        return new DetectionConfig(runbookBase, grace, calendar, airflow, allow, changeEvents, changed, cleanupSpan, minRetention);
    }

    public DetectionConfig withCalendar(BusinessCalendar changed) {
        return new DetectionConfig(runbookBase, grace, changed, airflow, allow, changeEvents, rules, cleanupSpan, minRetention);
    }

    public DetectionConfig withAllowList(AllowList changed) {
        return new DetectionConfig(runbookBase, grace, calendar, airflow, changed, changeEvents, rules, cleanupSpan, minRetention);
    }

    public DetectionConfig withAirflow(AirflowInVault changed) {
        return new DetectionConfig(runbookBase, grace, calendar, changed, allow, changeEvents, rules, cleanupSpan, minRetention);
    }

    public DetectionConfig withChangeEvents(Set<String> changed) {
        return new DetectionConfig(runbookBase, grace, calendar, airflow, allow, changed, rules, cleanupSpan, minRetention);
    }

    /** AL-013's span of {@code airflow db clean} ({@link #cleanupSpan}). */
    public DetectionConfig withCleanupSpan(Duration changed) {
        return new DetectionConfig(runbookBase, grace, calendar, airflow, allow, changeEvents, rules, changed, minRetention);
    }

    /** AL-013's minimum retention ({@link #minRetention}). */
    public DetectionConfig withMinRetention(Duration changed) {
        return new DetectionConfig(runbookBase, grace, calendar, airflow, allow, changeEvents, rules, cleanupSpan, changed);
    }

    /**
     * How Airflow shows up in Vault.
     *
     * @param serviceIdentities  what names Airflow's Vault identities, one entry per identity (workers logging in with
     *                           Kubernetes auth and the scheduler with AppRole are two entities): an entity id (a UUID) is
     *                           that entity and nothing else; any other text is matched inside display names and the user and
     *                           AppRole role names of token metadata, in any case — never inside entity ids
     * @param secretPathPrefixes Airflow's connections and variables, as KV paths without {@code data/}/{@code metadata/}
     */
    public record AirflowInVault(List<String> serviceIdentities, List<String> secretPathPrefixes) {

        private static final Pattern ENTITY_ID = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

        public AirflowInVault {
            if (serviceIdentities == null || serviceIdentities.isEmpty()) {
                throw new IllegalArgumentException("the Airflow service identity match must not be empty");
            }
            for (String identity : serviceIdentities) {
                if (identity == null || identity.isBlank()) {
                    throw new IllegalArgumentException("the Airflow service identity match must not be empty");
                }
            }
            serviceIdentities = List.copyOf(serviceIdentities);
            secretPathPrefixes = List.copyOf(secretPathPrefixes);
        }

        /** One identity: an entity id, or text matched inside names. */
        public AirflowInVault(String serviceIdentity, List<String> secretPathPrefixes) {
            this(serviceIdentity == null ? null : List.of(serviceIdentity), secretPathPrefixes);
        }

        public static AirflowInVault defaults() {
            return new AirflowInVault("airflow", List.of("airflow/connections/", "airflow/variables/"));
        }

        /** Whether a configured entry is a Vault entity id (a UUID), matched by equality. */
        public static boolean isEntityId(String entry) {
            return ENTITY_ID.matcher(entry).matches();
        }

        /**
         * Whether {@code name} — a display name, or a name an auth method wrote in token metadata (AppRole's role name) —
         * contains an entry that is not an entity id, in any case. Never called with an entity id: entity-id entries are
         * {@link #isServiceEntity}'s, matched by equality, and text is not matched inside entity ids.
         */
        public boolean isServiceIdentity(String name) {
            if (name == null) {
                return false;
            }
            for (String entry : serviceIdentities) {
                if (!isEntityId(entry) && containsIgnoringCase(name, entry)) {
                    return true;
                }
            }
            return false;
        }

        /** Whether {@code entityId} is one of the entity ids configured (in any case). */
        public boolean isServiceEntity(String entityId) {
            return entityId != null && serviceIdentities.stream().anyMatch(entry -> isEntityId(entry) && entry.equalsIgnoreCase(entityId));
        }

        /**
         * Case does not matter: OIDC and LDAP display names keep the case of the provider's user or group ({@code oidc-Airflow}),
         * and entity ids are hexadecimal either way. Without allocating: this runs for every Vault event.
         */
        private static boolean containsIgnoringCase(String text, String part) {
            for (int i = 0, last = text.length() - part.length(); i <= last; i++) {
                if (text.regionMatches(true, i, part, 0, part.length())) {
                    return true;
                }
            }
            return false;
        }

        /**
         * Whether every configured entry is a Vault entity id (a UUID): then Airflow is those entities and nothing else — no
         * display name, role name or other entity that merely contains one (token names are chosen by their creators, and
         * entity ids are no secret).
         */
        public boolean isEntityId() {
            return nameParts().isEmpty();
        }

        /** The entries matched inside names (not entity ids), for a warning about them. */
        public List<String> nameParts() {
            return serviceIdentities.stream().filter(entry -> !isEntityId(entry)).toList();
        }

        public boolean isPipelineSecret(String kvPath) {
            return kvPath != null && secretPathPrefixes.stream().anyMatch(prefix -> isUnder(kvPath, prefix));
        }
    }

    /** Principals and paths no rule alerts on (service accounts with known noisy behaviour, health checks). */
    public record AllowList(Set<String> users, Set<String> identities, List<String> pathPrefixes) {
        public AllowList {
            users = Set.copyOf(users);
            identities = Set.copyOf(identities);
            pathPrefixes = List.copyOf(pathPrefixes);
        }

        public static AllowList none() {
            return new AllowList(Set.of(), Set.of(), List.of());
        }

        public boolean allowsUser(String user) {
            return user != null && users.contains(user);
        }

        public boolean allowsIdentity(String identity) {
            return identity != null && identities.contains(identity);
        }

        public boolean allowsPath(String path) {
            return path != null && pathPrefixes.stream().anyMatch(prefix -> isUnder(path, prefix));
        }
    }

    /**
     * Whether {@code path} is {@code prefix} or lies under it, segment by segment: {@code secret/health} covers
     * {@code secret/health} and {@code secret/health/db}, not {@code secret/healthcare/db}; a prefix ending in {@code /}
     * covers what starts with it.
     */
    public static boolean isUnder(String path, String prefix) {
        if (prefix.endsWith("/")) {
            return path.startsWith(prefix);
        }
        return path.startsWith(prefix) && (path.length() == prefix.length() || path.charAt(prefix.length()) == '/');
    }
}
