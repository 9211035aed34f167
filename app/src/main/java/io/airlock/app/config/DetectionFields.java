package io.airlock.app.config;

import static io.airlock.core.config.ConfigTypes.bool;
import static io.airlock.core.config.ConfigTypes.date;
import static io.airlock.core.config.ConfigTypes.duration;
import static io.airlock.core.config.ConfigTypes.enumOf;
import static io.airlock.core.config.ConfigTypes.integer;
import static io.airlock.core.config.ConfigTypes.listOf;
import static io.airlock.core.config.ConfigTypes.string;
import static io.airlock.core.config.ConfigTypes.timeOfDay;
import static io.airlock.core.config.ConfigTypes.timeZone;

import io.airlock.core.config.ConfigDefinition.Group;
import io.airlock.core.config.ConfigProblems;
import io.airlock.core.config.ConfigTypes;
import io.airlock.core.config.ConfigValues;
import io.airlock.core.config.Setting;
import io.airlock.core.config.Validator;
import io.airlock.core.config.Validators;
import io.airlock.streams.BusinessCalendar;
import io.airlock.streams.DetectionConfig;
import io.airlock.streams.detect.AirflowChangeEvents;
import io.airlock.streams.detect.RuleDefinition;
import io.airlock.streams.detect.RuleSettings;
import io.airlock.streams.normalize.AuditTrailChanges;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Set;

/**
 * The detection rules of DESIGN.md with their defaults. Belongs to {@code streams} (next to {@link DetectionConfig}) once modules read their own
 * settings.
 */
public final class DetectionFields {



    public static final Setting<ZoneId> TIME_ZONE = Setting.of("detection.time-zone", timeZone())
            .defaultValue(ZoneId.of("UTC"))
            .doc("IANA time zone business hours and holidays are in (`Europe/Berlin`); daylight saving time is handled.");

    public static final Setting<List<DayOfWeek>> BUSINESS_DAYS = Setting.of("detection.business-days",
                    listOf(enumOf(DayOfWeek.class, "day of week")))
            .defaultValue(List.of(DayOfWeek.MONDAY, DayOfWeek.TUESDAY, DayOfWeek.WEDNESDAY, DayOfWeek.THURSDAY, DayOfWeek.FRIDAY))
            .doc("Working days.");

    public static final Setting<LocalTime> BUSINESS_HOURS_START = Setting.of("detection.business-hours.start", timeOfDay())
            .defaultValue(LocalTime.of(8, 0))
            .doc("Start of business hours on working days, local time, `HH:MM[:SS[.fraction]]` (`08:00`): no quotes needed, Airlock's YAML reader "
                    + "takes `08:00` and `17:00` as text (quote them if a YAML 1.1 tool such as PyYAML rewrites the file: it reads "
                    + "`17:00` as the base-60 number 1020). Business hours lie within one day: they cannot span midnight (no night "
                    + "shift such as 22:00–06:00), and `24:00` is no time of day.");

    public static final Setting<LocalTime> BUSINESS_HOURS_END = Setting.of("detection.business-hours.end", timeOfDay())
            .defaultValue(LocalTime.of(18, 0))
            .doc("End of business hours, local time, exclusive, after `detection.business-hours.start` on the same day: an "
                    + "end before the start (hours across midnight) and `24:00` are rejected; to end at midnight give "
                    + "`\"23:59:59.999999999\"`.");

    public static final Setting<List<LocalDate>> HOLIDAYS = Setting.of("detection.holidays", listOf(date()))
            .defaultValue(List.of())
            .doc("Days that count as off-hours all day (`[2025-12-25, 2026-01-01]`).");

    public static final Setting<List<String>> AIRFLOW_IDENTITY = Setting.of("detection.airflow-identity", listOf(string()))
            .defaultValue(List.of("airflow"))
            .validate(Validators.notEmpty())
            .validate(Validators.accepts("Airflow's Vault identities", DetectionFields::requireIdentities))
            .doc("Airflow's Vault identities: one entry, or a list when Airflow has several (workers logging in with "
                    + "Kubernetes auth, the scheduler with AppRole: `[<worker entity id>, <scheduler entity id>]`). An entry "
                    + "that is an entity id (a UUID) is that entity, matched by equality, and nothing else; any other entry "
                    + "is text of at least 3 characters, one of them a letter or digit: a Vault identity whose `display_name` "
                    + "or whose token metadata's `role_name` (AppRole: its tokens are all named `approle`) or `username` "
                    + "contains it, in any case, is Airflow's — never matched inside an entity id, nor in the display name of "
                    + "a token of the token method that has an entity. Anyone allowed to create "
                    + "tokens chooses their display name (`token-airflow`): where that is more than Airflow, give Airflow's "
                    + "entity ids (`vault read -field=id identity/entity/name/<name>`). AL-022 and AL-024 read it.");

    public static final Setting<List<String>> AIRFLOW_SECRET_PATHS = Setting.of("detection.airflow-secret-paths", listOf(string()))
            .defaultValue(List.of("airflow/connections/", "airflow/variables/"))
            .validate(Validators.notEmpty())
            .validate(Validators.accepts("KV paths", DetectionFields::requireKvPaths))
            .doc("Vault paths of Airflow's connections and variables, with what lies under them, segment by segment "
                    + "(`airflow/connections` covers `airflow/connections/db`, not `airflow/connections2/db`); KV v2 paths "
                    + "without `data/` or `metadata/`. In a Vault Enterprise namespace, with the namespace in front "
                    + "(`team-a/airflow/connections/`): event paths carry it.");

    public static final Setting<List<String>> ALLOW_USERS = Setting.of("detection.allow.users", listOf(string()))
            .defaultValue(List.of())
            .doc("Airflow users (and Vault display names) no rule alerts on — not even AL-001 on a brute force of that account: "
                    + "for one rule's exceptions use `rules.<id>.allow-entities`. Their events are still indexed.");

    public static final Setting<List<String>> ALLOW_IDENTITIES = Setting.of("detection.allow.identities", listOf(string()))
            .defaultValue(List.of())
            .doc("Vault identities no rule alerts on: entity ids, or display names — a `token-…` display name (the token method's, "
                    + "chosen by the token's creator) only for tokens without an entity. Their events are still indexed.");

    public static final Setting<List<String>> ALLOW_PATHS = Setting.of("detection.allow.paths", listOf(string()))
            .defaultValue(List.of())
            .doc("Vault KV paths (without `data/`/`metadata/`) no Vault rule alerts on, with what lies under them: `secret/health` "
                    + "covers `secret/health` and `secret/health/db`, not `secret/healthcare/db`. Operations on other engines "
                    + "(`sys/…`, `database/creds/…`) are matched on their API path.");

    public static final Setting<List<String>> CHANGE_EVENTS = Setting.of("detection.change-events", listOf(string()))
            .defaultValue(List.copyOf(new java.util.TreeSet<>(AirflowChangeEvents.DEFAULTS)))
            .validate(Validators.notEmpty())
            .validate(Validators.accepts("selective patterns", patterns -> patterns.forEach(AirflowChangeEvents::requireSelective)))
            .doc("Airflow audit-log event names that count as changes for AL-010 (`*` wildcard at either end; `api.`/`ui.` "
                    + "prefixes are stripped first, from names and patterns alike). Worker and read-only events such as "
                    + "`cli_task_run` must not be listed.");

    public static final Setting<Duration> GRACE = Setting.of("detection.grace", duration())
            .defaultValue(Duration.ofMinutes(10))
            .validate(Validators.notNegative())
            .doc("How late (in event time) a hit may arrive and still count in its window. Lateness is measured against the "
                    + "newest hit of the same entity (user, Vault identity, DAG) in that rule, not against stream time or the "
                    + "clock: a hit more than the rule's window plus this behind it (and outside an alert still open) is "
                    + "dropped silently by the rules that need more than one hit (AL-001, AL-002, AL-021, AL-023): no dead "
                    + "letter, no metric, no log line. The one-hit rules (AL-010, AL-011, AL-012, …) raise a separate alert "
                    + "for it instead. Either way its event is still indexed. One exception bounds the memory of AL-002 and "
                    + "AL-021: they forget an entity once the newest hit of any entity in the task is more than twice the "
                    + "window plus this past the entity's own newest hit, so an entity whose own events lag behind the others' "
                    + "(a second Vault cluster's tailer catching up) loses its partial window when its lag plus the pause since "
                    + "its previous hit exceeds that (docs/architecture.md, \"Late hits\").");

    public static final Group GROUP = Group.of("Detection",
            "Settings shared by the rules. Rules use event time, so a replay of old data gives the same alerts as live.",
            TIME_ZONE, BUSINESS_DAYS, BUSINESS_HOURS_START, BUSINESS_HOURS_END, HOLIDAYS, AIRFLOW_IDENTITY, AIRFLOW_SECRET_PATHS,
            ALLOW_USERS, ALLOW_IDENTITIES, ALLOW_PATHS, CHANGE_EVENTS, GRACE);

    // AL-001 failed-login burst
    public static final Setting<Boolean> AL_001_ENABLED = enabled("AL-001", "failed-login burst");
    public static final Setting<Integer> AL_001_THRESHOLD = threshold("AL-001", 5, "Failed logins of one user that fire the rule.");
    public static final Setting<Duration> AL_001_WINDOW = window("AL-001", Duration.ofMinutes(5), "Window the failed logins fall in.");
    // AL-002 password spray
    public static final Setting<Boolean> AL_002_ENABLED = enabled("AL-002", "password spray");
    public static final Setting<Integer> AL_002_THRESHOLD = threshold("AL-002", 10, "Distinct users with failed logins that fire the rule.");
    public static final Setting<Duration> AL_002_WINDOW = window("AL-002", Duration.ofMinutes(10), "Window the failed logins fall in.");
    // AL-003 login after burst
    public static final Setting<Boolean> AL_003_ENABLED = enabled("AL-003", "login after burst");
    public static final Setting<Duration> AL_003_WINDOW = window("AL-003", Duration.ofMinutes(30),
            "How long after an AL-001 alert a successful login of that user fires the rule.");
    // AL-010 off-hours change
    public static final Setting<Boolean> AL_010_ENABLED = enabled("AL-010", "off-hours change");
    public static final Setting<Duration> AL_010_WINDOW = window("AL-010", Duration.ofHours(24),
            "An off-hours change is high instead of medium if the same user had AL-001 or AL-003 within this time before.");
    // AL-011 off-hours manual run
    public static final Setting<Boolean> AL_011_ENABLED = enabled("AL-011", "off-hours manual run");
    public static final Setting<Duration> AL_011_WINDOW = window("AL-011", Duration.ofHours(1),
            "Off-hours manual runs of one DAG within this time of each other are one alert.");
    // AL-012 account or privilege change
    public static final Setting<Boolean> AL_012_ENABLED = enabled("AL-012", "account or privilege change");
    public static final Setting<Duration> AL_012_WINDOW = window("AL-012", Duration.ofHours(1),
            "Account changes of one entity within this time of each other are one alert.");
    // AL-013 audit-trail tampering
    public static final Setting<Boolean> AL_013_ENABLED = enabled("AL-013", "audit-trail tampering");
    public static final Setting<Duration> AL_013_WINDOW = window("AL-013", Duration.ofHours(1),
            "Rewrites, deletes and truncates of one table within this time of each other are one alert.");
    public static final Setting<Duration> AL_013_CLEANUP_SPAN = Setting.of("rules.AL-013.cleanup-span", duration())
            .defaultValue(DetectionConfig.DEFAULT_CLEANUP_SPAN)
            .validate(Validators.positive())
            .doc("How long after `airflow db clean` started (its `cli_cleanup_tables` audit row) deletes of `log` rows older than "
                    + "`rules.AL-013.min-retention` are retention. The command goes table by table, `log` after `dag_run` and what "
                    + "its deletes cascade to: on a large database it can take hours. Younger rows are never retention, "
                    + "whatever this says.");
    public static final Setting<Duration> AL_013_MIN_RETENTION = Setting.of("rules.AL-013.min-retention", duration())
            .defaultValue(DetectionConfig.DEFAULT_MIN_RETENTION)
            .validate(Validators.positive())
            .validate(Validator.of("≤ " + ConfigTypes.formatDuration(AuditTrailChanges.LONGEST_MIN_RETENTION),
                    v -> v.compareTo(AuditTrailChanges.LONGEST_MIN_RETENTION) <= 0,
                    v -> "must be at most " + ConfigTypes.formatDuration(AuditTrailChanges.LONGEST_MIN_RETENTION)
                            + " (how long Airlock remembers when audit rows were written), was " + ConfigTypes.formatDuration(v)))
            .doc("The shortest retention Airlock assumes for `airflow db clean`: a deleted `log` row written less than this "
                    + "before is tampering even right after a clean-up command, since anyone with database access can log one "
                    + "first. `airflow db clean` itself deletes whatever is older than its `--clean-before-timestamp`, with no "
                    + "minimum: set this below the shortest age your clean-up keeps (e.g. `6h` for one that keeps 12 h).");
    // AL-020 first-seen secret path
    public static final Setting<Boolean> AL_020_ENABLED = enabled("AL-020", "first-seen secret path");
    public static final Setting<Duration> AL_020_LEARNING_PERIOD = Setting.of("rules.AL-020.learning-period", duration())
            .defaultValue(Duration.ofDays(7))
            .validate(Validators.notNegative())
            .doc("Learning period from the first Vault event Airlock processed; reads during it do not fire. 0 fires from the start.");
    // AL-021 secret harvesting
    public static final Setting<Boolean> AL_021_ENABLED = enabled("AL-021", "secret harvesting");
    public static final Setting<Integer> AL_021_THRESHOLD = threshold("AL-021", 20, "Distinct secret paths one Vault identity reads that fire the rule.");
    public static final Setting<Duration> AL_021_WINDOW = window("AL-021", Duration.ofMinutes(5), "Window the reads fall in.");
    // AL-022 secret read outside DAG runs
    public static final Setting<Boolean> AL_022_ENABLED = enabled("AL-022", "secret read outside DAG runs");
    public static final Setting<Duration> AL_022_GRACE = Setting.of("rules.AL-022.grace", duration())
            .defaultValue(Duration.ofMinutes(2))
            .validate(Validators.notNegative())
            .doc("Reads this long before a DAG run starts or after it ends still count as inside it.");
    // AL-023 denied-access burst
    public static final Setting<Boolean> AL_023_ENABLED = enabled("AL-023", "denied-access burst");
    public static final Setting<Integer> AL_023_THRESHOLD = threshold("AL-023", 5, "Permission-denied Vault responses for one identity that fire the rule.");
    public static final Setting<Duration> AL_023_WINDOW = window("AL-023", Duration.ofMinutes(5), "Window the denials fall in.");
    // AL-024 human read of pipeline secrets
    public static final Setting<Boolean> AL_024_ENABLED = enabled("AL-024", "human read of pipeline secrets");
    public static final Setting<Duration> AL_024_WINDOW = window("AL-024", Duration.ofHours(1),
            "Reads of pipeline secrets by one identity within this time of each other are one alert.");

    // entity exceptions of each rule
    public static final Setting<List<String>> AL_001_ALLOW_ENTITIES = allowEntities("AL-001");
    public static final Setting<List<String>> AL_002_ALLOW_ENTITIES = allowEntities("AL-002");
    public static final Setting<List<String>> AL_003_ALLOW_ENTITIES = allowEntities("AL-003");
    public static final Setting<List<String>> AL_010_ALLOW_ENTITIES = allowEntities("AL-010");
    public static final Setting<List<String>> AL_011_ALLOW_ENTITIES = allowEntities("AL-011");
    public static final Setting<List<String>> AL_012_ALLOW_ENTITIES = allowEntities("AL-012");
    public static final Setting<List<String>> AL_013_ALLOW_ENTITIES = allowEntities("AL-013");
    public static final Setting<List<String>> AL_020_ALLOW_ENTITIES = allowEntities("AL-020");
    public static final Setting<List<String>> AL_021_ALLOW_ENTITIES = allowEntities("AL-021");
    public static final Setting<List<String>> AL_022_ALLOW_ENTITIES = allowEntities("AL-022");
    public static final Setting<List<String>> AL_023_ALLOW_ENTITIES = allowEntities("AL-023");
    public static final Setting<List<String>> AL_024_ALLOW_ENTITIES = allowEntities("AL-024");

    public static final Group RULES_GROUP = Group.of("Detection rules",
            "One block per rule of DESIGN.md (*Detection rules*) and AL-013, with its defaults: `rules.<id>.enabled`, and where the rule "
                    + "counts, `threshold` and `window`, and `allow-entities`, its own exceptions. Each rule's runbook "
                    + "(docs/runbooks/) says how to tune it.",
            AL_001_ENABLED, AL_001_THRESHOLD, AL_001_WINDOW, AL_001_ALLOW_ENTITIES,
            AL_002_ENABLED, AL_002_THRESHOLD, AL_002_WINDOW, AL_002_ALLOW_ENTITIES,
            AL_003_ENABLED, AL_003_WINDOW, AL_003_ALLOW_ENTITIES,
            AL_010_ENABLED, AL_010_WINDOW, AL_010_ALLOW_ENTITIES,
            AL_011_ENABLED, AL_011_WINDOW, AL_011_ALLOW_ENTITIES,
            AL_012_ENABLED, AL_012_WINDOW, AL_012_ALLOW_ENTITIES,
            AL_013_ENABLED, AL_013_WINDOW, AL_013_CLEANUP_SPAN, AL_013_MIN_RETENTION, AL_013_ALLOW_ENTITIES,
            AL_020_ENABLED, AL_020_LEARNING_PERIOD, AL_020_ALLOW_ENTITIES,
            AL_021_ENABLED, AL_021_THRESHOLD, AL_021_WINDOW, AL_021_ALLOW_ENTITIES,
            AL_022_ENABLED, AL_022_GRACE, AL_022_ALLOW_ENTITIES,
            AL_023_ENABLED, AL_023_THRESHOLD, AL_023_WINDOW, AL_023_ALLOW_ENTITIES,
            AL_024_ENABLED, AL_024_WINDOW, AL_024_ALLOW_ENTITIES);

    private DetectionFields() {
    }

    private static Setting<Boolean> enabled(String rule, String name) {
        return Setting.of("rules." + rule + ".enabled", bool()).defaultValue(true)
                .doc("Run " + rule + " (" + name + ").");
    }

    private static Setting<List<String>> allowEntities(String rule) {
        return Setting.of("rules." + rule + ".allow-entities", listOf(string())).defaultValue(List.of())
                .doc("Entities " + rule + " never alerts on, as its alerts name them (`alert.entity`: a user, a Vault entity "
                        + "id, a DAG id — see its runbook); the other rules still see them, unlike `detection.allow.*`."
                        + ("AL-001".equals(rule) ? " Their bursts do not count for AL-003 or AL-010 either." : "")
                        + ("AL-003".equals(rule) ? " Its firings for them do not escalate AL-010 either." : "")
                        + ("AL-002".equals(rule) ? " AL-002's entity is the deployment, `airflow`: excepting it disables the rule." : ""));
    }

    private static Setting<Integer> threshold(String rule, int defaultValue, String doc) {
        return Setting.of("rules." + rule + ".threshold", integer()).defaultValue(defaultValue)
                .validate(Validators.atLeast(1)).doc(doc);
    }

    private static Setting<Duration> window(String rule, Duration defaultValue, String doc) {
        return Setting.of("rules." + rule + ".window", duration()).defaultValue(defaultValue)
                .validate(Validators.positive()).doc(doc);
    }

    static DetectionConfig config(ConfigValues values) {
        var calendar = new BusinessCalendar(values.get(TIME_ZONE), Set.copyOf(values.get(BUSINESS_DAYS)), values.get(BUSINESS_HOURS_START),
                values.get(BUSINESS_HOURS_END), Set.copyOf(values.get(HOLIDAYS)));
        var airflow = new DetectionConfig.AirflowInVault(values.get(AIRFLOW_IDENTITY), values.get(AIRFLOW_SECRET_PATHS));
        var allow = new DetectionConfig.AllowList(Set.copyOf(values.get(ALLOW_USERS)), Set.copyOf(values.get(ALLOW_IDENTITIES)),
                values.get(ALLOW_PATHS));
        var config = DetectionConfig.defaults().withCalendar(calendar).withAirflow(airflow).withAllowList(allow)
                .withChangeEvents(Set.copyOf(values.get(CHANGE_EVENTS)));
        config = new DetectionConfig(config.runbookBase(), values.get(GRACE), config.calendar(), config.airflow(), config.allow(),
                config.changeEvents(), config.rules(), values.get(AL_013_CLEANUP_SPAN), values.get(AL_013_MIN_RETENTION));
        for (RuleDefinition rule : RuleDefinition.CATALOGUE) {
            RuleSettings settings = ruleSettings(values, rule);
            if (!settings.equals(rule.defaults())) {
                config = config.withRule(rule, settings);
            }
        }
        return config;
    }

    /** enabled, threshold and window of one rule; a rule without a threshold or window setting keeps its default. */
    private static RuleSettings ruleSettings(ConfigValues values, RuleDefinition rule) {
        RuleSettings defaults = rule.defaults();
        boolean enabled = (Boolean) valueOf(values, "rules." + rule.id() + ".enabled", defaults.enabled());
        int threshold = (Integer) valueOf(values, "rules." + rule.id() + ".threshold", defaults.threshold());
        Duration window = (Duration) valueOf(values, "rules." + rule.id() + ".window", defaults.window());
        window = (Duration) valueOf(values, "rules." + rule.id() + ".learning-period", window);
        window = (Duration) valueOf(values, "rules." + rule.id() + ".grace", window);
        @SuppressWarnings("unchecked")
        List<String> allowEntities = (List<String>) valueOf(values, "rules." + rule.id() + ".allow-entities", List.of());
        return new RuleSettings(enabled, threshold, window, Set.copyOf(allowEntities));
    }

    private static Object valueOf(ConfigValues values, String key, Object fallback) {
        for (Setting<?> setting : RULES_GROUP.settings()) {
            if (setting.key().equals(key)) {
                return values.get(setting);
            }
        }
        return fallback;
    }

    /** Whether business hours end after they start; a problem if not. */
    static boolean checkBusinessHours(ConfigValues values, ConfigProblems problems) {
        LocalTime start = values.get(BUSINESS_HOURS_START);
        LocalTime end = values.get(BUSINESS_HOURS_END);
        if (!end.isAfter(start)) {
            problems.add(BUSINESS_HOURS_END.key(), "must be after detection.business-hours.start (" + start + "), was " + end);
            return false;
        }
        return true;
    }

    /** Each entry: no blanks around it (it would never match), and an entity id in full when it looks like one. */
    static void requireIdentities(List<String> identities) {
        for (String identity : identities) {
            if (!identity.equals(identity.strip())) {
                throw new IllegalArgumentException("'" + identity + "' has blanks around it: they would have to be in the name too");
            }
            if (!DetectionConfig.AirflowInVault.isEntityId(identity)
                    && (identity.length() < 3 || identity.chars().noneMatch(Character::isLetterOrDigit))) {
                throw new IllegalArgumentException("'" + identity + "' is too short to name Airflow: text is matched inside "
                        + "display names and role names, so give at least 3 characters with a letter or digit among them, "
                        + "or an entity id");
            }
            if (!DetectionConfig.AirflowInVault.isEntityId(identity) && identity.length() >= 30
                    && identity.chars().allMatch(c -> c == '-' || Character.digit(c, 16) >= 0)) {
                throw new IllegalArgumentException("'" + identity + "' looks like a Vault entity id but is not one (8-4-4-4-12 "
                        + "hex digits): copy it again from vault read -field=id identity/entity/name/<name>");
            }
        }
    }

    /**
     * Events carry KV paths ({@code airflow/connections/db}), not the API paths of KV v2 ({@code airflow/data/connections/db}):
     * a prefix written as an API path, or with a leading '/', would match no read, and the rules that use it stay silent.
     */
    static void requireKvPaths(List<String> prefixes) {
        for (String prefix : prefixes) {
            String[] segments = prefix.split("/", -1);
            if (prefix.startsWith("/")) {
                throw new IllegalArgumentException("'" + prefix + "': write it without the leading '/' (" + prefix.substring(1) + ")");
            }
            if (segments.length > 2 && (segments[1].equals("data") || segments[1].equals("metadata"))) {
                throw new IllegalArgumentException("'" + prefix + "' is a KV v2 API path; events carry the KV path, without '"
                        + segments[1] + "/': " + segments[0] + "/" + String.join("/", List.of(segments).subList(2, segments.length)));
            }
        }
    }
}
