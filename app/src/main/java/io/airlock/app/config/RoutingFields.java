package io.airlock.app.config;

import static io.airlock.core.config.ConfigTypes.duration;
import static io.airlock.core.config.ConfigTypes.listOf;

import io.airlock.alerting.AlertRouter;
import io.airlock.alerting.MaintenanceWindow;
import io.airlock.alerting.RoutingConfig;
import io.airlock.alerting.Secret;
import io.airlock.alerting.Silence;
import io.airlock.core.Severity;
import io.airlock.core.config.ConfigDefinition.Group;
import io.airlock.core.config.ConfigProblems;
import io.airlock.core.config.ConfigSource;
import io.airlock.core.config.ConfigType;
import io.airlock.core.config.ConfigTypes;
import io.airlock.core.config.ConfigValues;
import io.airlock.core.config.Setting;
import io.airlock.core.config.Suggestions;
import io.airlock.core.config.Validators;
import io.airlock.streams.detect.RuleDefinition;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Routing of alerts to people: named receivers, routes by severity and rule, the repeat interval, silences and maintenance
 * windows. Without {@code notifications.routes} the simple settings ({@code slack.webhook-url-env},
 * {@code pagerduty.routing-key-env}) are the default route. Belongs to {@code alerting} once modules read their own settings.
 */
public final class RoutingFields {

    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /**
     * A receiver as written in the file: its secret only as where it comes from.
     *
     * @param secretEnv  environment variable holding the webhook URL or routing key, or null
     * @param secretFile file holding it, or null
     * @param eventsUrl  PagerDuty Events API endpoint, or null for the one of {@code pagerduty.events-url}
     */
    public record ReceiverSpec(String name, RoutingConfig.Type type, String secretEnv, String secretFile, URI eventsUrl) {
    }

    public static final Setting<List<ReceiverSpec>> RECEIVERS = Setting.of("notifications.receivers", listOf(receiver()))
            .defaultValue(List.of())
            .doc("Named receivers beside `slack` and `pagerduty` of the simple settings: "
                    + "`{name: soc-slack, type: slack, webhook-url-env: SLACK_SOC}`, "
                    + "`{name: oncall, type: pagerduty, routing-key-env: PD_ONCALL}` (`-file:` instead of `-env:` reads a file; "
                    + "a PagerDuty receiver may set its own `events-url`). Every receiver must be named by a route.");

    public static final Setting<List<RoutingConfig.RouteSpec>> ROUTES = Setting.of("notifications.routes", listOf(route()))
            .whenUnset("every alert to `slack`, high and critical also to `pagerduty`")
            .doc("Which alerts go to which receivers: `{min-severity: high, rules: [AL-021, AL-022], receivers: [oncall]}`; "
                    + "`min-severity` defaults to low, no `rules` means every rule. Every matching route applies, and a "
                    + "receiver named by several is notified once. Every configured receiver, `slack` and `pagerduty` "
                    + "included, must be named by a route; rule ids are checked against the catalogue.");

    public static final Setting<Duration> REPEAT_INTERVAL = Setting.of("notifications.repeat-interval", duration())
            .defaultValue(Duration.ofMinutes(60))
            .validate(Validators.notNegative())
            .doc("A growing alert (same id, larger count) notifies each receiver again at most this often, measured in event "
                    + "time (`last_seen`); a resolution always notifies. 0 notifies every update the receiver can take: a version still "
                    + "waiting for a busy or failing receiver when a newer one arrives is replaced by it ([delivery](delivery.md)).");

    public static final Setting<List<Silence>> SILENCES = Setting.of("notifications.silences", listOf(silence()))
            .defaultValue(List.of())
            .doc("Alerts nobody is told about until a time (wall clock): `{rule: AL-024, entity: svc-backup, "
                    + "until: 2026-12-31T00:00:00Z, reason: nightly backup job}`; give a `rule`, an `entity` or both. "
                    + "Silenced alerts are still indexed; the log says which alert was silenced and why.");

    public static final Setting<List<MaintenanceWindow>> MAINTENANCE_WINDOWS = Setting.of("notifications.maintenance-windows",
                    listOf(maintenanceWindow()))
            .defaultValue(List.of())
            .doc("Planned work: alerts whose newest event (`last_seen`) lies in `[from, to)` notify nobody, "
                    + "`{from: 2026-01-10T22:00:00Z, to: 2026-01-11T02:00:00Z, rules: [AL-010, AL-011], reason: Airflow "
                    + "upgrade}`; `rules` and `entities` narrow it, without them it covers every alert. The alerts are still "
                    + "indexed.");

    public static final Setting<Duration> MAX_AGE = Setting.of("notifications.max-age", duration())
            .defaultValue(AlertRouter.DEFAULT_MAX_AGE)
            .validate(Validators.notNegative())
            .doc("Alerts whose newest event (`last_seen`) is longer ago than this (wall clock) when they reach delivery are "
                    + "indexed but notify nobody, and the log says so: history must not page — the initial snapshot of Airflow's "
                    + "audit log and DAG runs on a first start, a Vault audit file read from its start, a replay. 0 notifies every "
                    + "alert whatever its age. After an outage longer than this, what happened during it is in OpenSearch, not in "
                    + "Slack or PagerDuty.");

    public static final Group GROUP = Group.of("Routing",
            "Who hears about which alert (see [delivery.md](delivery.md)). Receivers are Slack webhooks and PagerDuty routing "
                    + "keys; routes pick receivers by severity and rule. Without `notifications.routes`, the simple settings "
                    + "above are the route: `slack` gets every alert, `pagerduty` the high and critical ones.",
            RECEIVERS, ROUTES, REPEAT_INTERVAL, SILENCES, MAINTENANCE_WINDOWS, MAX_AGE);

    private RoutingFields() {
    }

    /**
     * The routing: receivers of the simple settings and of {@link #RECEIVERS} with their secrets read, routes (or the
     * default ones), silences and windows. Problems (an unset variable, an unknown or unused receiver) are added.
     */
    static RoutingConfig routing(ConfigValues values, ConfigSource source, ConfigProblems problems, Duration slackInterval) {
        Optional<Secret> slack = NotificationFields.slackWebhook(values);
        Optional<Secret> pagerDuty = NotificationFields.pagerDutyRoutingKey(values);
        URI eventsUrl = values.get(NotificationFields.PAGERDUTY_EVENTS_URL);
        List<RoutingConfig.Receiver> receivers = new ArrayList<>(RoutingConfig.defaultReceivers(slack, pagerDuty, eventsUrl));
        Set<String> names = new HashSet<>();
        receivers.forEach(r -> names.add(r.name()));
        boolean ok = true;
        for (ReceiverSpec spec : values.get(RECEIVERS)) {
            String where = "receiver '" + spec.name() + "'";
            if (!names.add(spec.name())) {
                problems.add(RECEIVERS.key(), where + " is defined twice" + (Set.of("slack", "pagerduty").contains(spec.name())
                        ? " (the name is taken by " + spec.name() + ".* of the simple settings)" : ""));
                ok = false;
                continue;
            }
            Secret secret = readSecret(spec, source, problems);
            if (secret == null) {
                ok = false;
                continue;
            }
            receivers.add(spec.type() == RoutingConfig.Type.SLACK ? RoutingConfig.Receiver.slack(spec.name(), secret)
                    : RoutingConfig.Receiver.pagerDuty(spec.name(), secret, spec.eventsUrl() != null ? spec.eventsUrl() : eventsUrl));
        }
        List<RoutingConfig.RouteSpec> routes = values.find(ROUTES)
                .orElseGet(() -> RoutingConfig.defaultRoutes(slack.isPresent(), pagerDuty.isPresent()));
        for (int i = 0; i < routes.size(); i++) {
            for (String name : routes.get(i).receivers()) {
                if (!names.contains(name)) {
                    problems.add(ROUTES.key(), "route " + (i + 1) + " names receiver '" + name + "', which is not defined"
                            + Suggestions.didYouMean(name, names) + (names.isEmpty() ? "" : " (defined: " + String.join(", ", names.stream().sorted().toList()) + ")"));
                    ok = false;
                }
            }
        }
        Set<String> used = routes.stream().flatMap(r -> r.receivers().stream()).collect(Collectors.toSet());
        for (ReceiverSpec spec : values.get(RECEIVERS)) {
            if (!used.contains(spec.name())) {
                problems.add(RECEIVERS.key(), "receiver '" + spec.name() + "' is named by no route in " + ROUTES.key());
                ok = false;
            }
        }
        if (values.find(ROUTES).isPresent()) { // a configured webhook or key that no route names would hear nothing
            for (var simple : List.of(Map.entry("slack", slack.isPresent()), Map.entry("pagerduty", pagerDuty.isPresent()))) {
                if (simple.getValue() && !used.contains(simple.getKey())) {
                    problems.add(ROUTES.key(), "receiver '" + simple.getKey() + "' (" + simple.getKey()
                            + ".* of the simple settings) is named by no route: name it in a route, or remove its setting");
                    ok = false;
                }
            }
        }
        if (!ok) {
            return null;
        }
        return new RoutingConfig(receivers, routes, values.get(REPEAT_INTERVAL), values.get(SILENCES),
                values.get(MAINTENANCE_WINDOWS), slackInterval, values.get(MAX_AGE));
    }

    private static Secret readSecret(ReceiverSpec spec, ConfigSource source, ConfigProblems problems) {
        String where = "receiver '" + spec.name() + "'";
        if (!source.reads(RECEIVERS.key())) {
            return Secret.of("unread");
        }
        String value;
        if (spec.secretEnv() != null) {
            ConfigProblems.Lookup env = source.lookUpVariable(spec.secretEnv());
            if (!env.found()) {
                problems.add(RECEIVERS.key(), where + ": " + env.problem());
                return null;
            }
            value = env.value();
        } else {
            try {
                value = Files.readString(Path.of(spec.secretFile())).stripTrailing();
            } catch (NoSuchFileException e) {
                problems.add(RECEIVERS.key(), where + ": " + ConfigProblems.SECRET_FILE_MISSING);
                return null;
            } catch (InvalidPathException e) {
                problems.add(RECEIVERS.key(), where + ": the secret's file must be a path (the value given is not shown)");
                return null;
            } catch (IOException e) {
                problems.add(RECEIVERS.key(), where + ": file " + spec.secretFile() + (Files.isDirectory(Path.of(spec.secretFile()))
                        ? " is a directory: name the file holding the secret" : " cannot be read (" + e.getClass().getSimpleName() + ")"));
                return null;
            }
            if (value.isEmpty()) {
                problems.add(RECEIVERS.key(), where + ": file " + spec.secretFile() + " is empty");
                return null;
            }
        }
        Optional<String> notAUrl = spec.type() == RoutingConfig.Type.SLACK ? ConfigTypes.httpUrlProblem(value) : Optional.empty();
        if (notAUrl.isPresent()) {
            problems.add(RECEIVERS.key(), where + ": the webhook URL from " + (spec.secretEnv() != null ? "env " + spec.secretEnv()
                    : "file " + spec.secretFile()) + " " + notAUrl.get() + " (the value is not shown)");
            return null;
        }
        return Secret.of(value);
    }

    // ---- the item types -------------------------------------------------------------------------------------------

    static ConfigType<ReceiverSpec> receiver() {
        return item("receiver", List.of("name", "type", "webhook-url-env", "webhook-url-file", "routing-key-env",
                "routing-key-file", "events-url"), m -> {
            String name = m.required("name");
            if (!name.matches("[A-Za-z0-9][A-Za-z0-9_.-]*")) {
                throw new IllegalArgumentException("name must be letters, digits, '_', '.', '-', was '" + name + "'");
            }
            String type = m.required("type").toLowerCase(Locale.ROOT);
            String secret = switch (type) {
                case "slack" -> "webhook-url";
                case "pagerduty" -> "routing-key";
                default -> throw new IllegalArgumentException("type must be slack or pagerduty, was '" + type + "'");
            };
            String other = secret.equals("webhook-url") ? "routing-key" : "webhook-url";
            if (m.has(other + "-env") || m.has(other + "-file")) {
                throw new IllegalArgumentException("a " + type + " receiver takes " + secret + "-env or " + secret + "-file, not "
                        + other);
            }
            String env = m.optional(secret + "-env");
            String file = m.optional(secret + "-file");
            if ((env == null) == (file == null)) {
                throw new IllegalArgumentException("receiver '" + name + "' needs either " + secret + "-env: VARIABLE or "
                        + secret + "-file: /path (the secret itself is never written in the file)");
            }
            if (env != null && !ENV_NAME.matcher(env).matches()) {
                throw new IllegalArgumentException(secret + "-env must be the name of an environment variable, not the "
                        + "secret itself (the value given is not shown)");
            }
            URI eventsUrl = m.has("events-url") ? ConfigTypes.httpUrl().parse(m.raw("events-url")) : null;
            if (eventsUrl != null && type.equals("slack")) {
                throw new IllegalArgumentException("events-url is for pagerduty receivers");
            }
            return new ReceiverSpec(name, type.equals("slack") ? RoutingConfig.Type.SLACK : RoutingConfig.Type.PAGERDUTY, env,
                    file, eventsUrl);
        }, r -> "{name: " + r.name() + ", type: " + r.type().name().toLowerCase(Locale.ROOT) + ", "
                + (r.type() == RoutingConfig.Type.SLACK ? "webhook-url" : "routing-key")
                + (r.secretEnv() != null ? "-env: " + r.secretEnv() : "-file: " + r.secretFile())
                + (r.eventsUrl() != null ? ", events-url: " + ConfigTypes.redacted(r.eventsUrl()) : "") + "}");
    }

    static ConfigType<RoutingConfig.RouteSpec> route() {
        return item("route", List.of("min-severity", "rules", "receivers"), m -> {
            // every problem of the route at once, as for the rest of the file
            List<String> problems = new java.util.ArrayList<>();
            Severity min = Severity.LOW;
            if (m.has("min-severity")) {
                try {
                    min = ConfigTypes.enumOf(Severity.class, "severity").parse(m.raw("min-severity"));
                } catch (IllegalArgumentException e) {
                    problems.add("min-severity " + e.getMessage().toLowerCase(Locale.ROOT));
                }
            }
            Set<String> rules = Set.of();
            try {
                rules = ruleIds(m.strings("rules"));
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
            List<String> receivers = m.strings("receivers");
            if (receivers.isEmpty()) {
                problems.add("receivers must name at least one receiver");
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException(String.join("; ", problems));
            }
            return new RoutingConfig.RouteSpec(min, rules, receivers);
        }, r -> "{min-severity: " + r.minSeverity().label() + (r.rules().isEmpty() ? "" : ", rules: " + sorted(r.rules()))
                + ", receivers: " + r.receivers() + "}");
    }

    /** Rule ids as the catalogue has them; an unknown one is refused (a typo would match no alert). */
    private static Set<String> ruleIds(List<String> given) {
        return given.stream().map(RuleDefinition::knownId).collect(Collectors.toCollection(LinkedHashSet::new));
    }

    static ConfigType<Silence> silence() {
        return item("silence", List.of("rule", "entity", "until", "reason"), m -> {
            if (!m.has("until")) {
                throw new IllegalArgumentException("until is required: when the silence ends (2026-12-31T00:00:00Z)");
            }
            String rule = m.optional("rule") == null ? null : RuleDefinition.knownId(m.optional("rule"));
            return new Silence(rule, m.optional("entity"), instant(m.raw("until"), "until"), m.optional("reason"));
        }, s -> "{" + (s.rule() == null ? "" : "rule: " + s.rule() + ", ") + (s.entity() == null ? "" : "entity: " + s.entity() + ", ")
                + "until: " + s.until() + (s.reason().isEmpty() ? "" : ", reason: " + s.reason()) + "}");
    }

    static ConfigType<MaintenanceWindow> maintenanceWindow() {
        return item("maintenance window", List.of("from", "to", "rules", "entities", "reason"), m -> {
            if (!m.has("from") || !m.has("to")) {
                throw new IllegalArgumentException("from and to are required (2026-01-10T22:00:00Z)");
            }
            return new MaintenanceWindow(instant(m.raw("from"), "from"), instant(m.raw("to"), "to"),
                    ruleIds(m.strings("rules")), new LinkedHashSet<>(m.strings("entities")), m.optional("reason"));
        }, w -> "{from: " + w.from() + ", to: " + w.to() + (w.rules().isEmpty() ? "" : ", rules: " + sorted(w.rules()))
                + (w.entities().isEmpty() ? "" : ", entities: " + sorted(w.entities()))
                + (w.reason().isEmpty() ? "" : ", reason: " + w.reason()) + "}");
    }

    private static List<String> sorted(Set<String> s) {
        return s.stream().sorted().toList();
    }

    /** {@code 2026-12-31T00:00:00Z}, with any offset, or a date alone ({@code 2026-12-31}: its start, UTC). */
    static Instant instant(Object raw, String key) {
        String s = String.valueOf(raw).strip();
        try {
            return OffsetDateTime.parse(s).toInstant();
        } catch (DateTimeParseException notDateTime) {
            try {
                return LocalDate.parse(s).atStartOfDay(ZoneOffset.UTC).toInstant();
            } catch (DateTimeParseException notDate) {
                throw new IllegalArgumentException(key + " must be a time like 2026-12-31T00:00:00Z (with offset) or a date "
                        + "like 2026-12-31, was '" + s + "'");
            }
        }
    }

    /** The keys of one list item, read with checks; unknown keys are errors. */
    private static final class Item {
        private final Map<String, Object> map;

        Item(Map<String, Object> map) {
            this.map = map;
        }

        boolean has(String key) {
            return map.get(key) != null;
        }

        Object raw(String key) {
            return map.get(key);
        }

        String optional(String key) {
            Object v = map.get(key);
            if (v == null) {
                return null;
            }
            if (v instanceof List || v instanceof Map) {
                throw new IllegalArgumentException(key + " must be text, was a " + (v instanceof List ? "list" : "mapping"));
            }
            String s = String.valueOf(v).strip();
            return s.isEmpty() ? null : s;
        }

        String required(String key) {
            String v = optional(key);
            if (v == null) {
                throw new IllegalArgumentException(key + " is required");
            }
            return v;
        }

        List<String> strings(String key) {
            Object v = map.get(key);
            if (v == null) {
                return List.of();
            }
            try {
                return listOf(ConfigTypes.string()).parse(v);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(key + " " + e.getMessage());
            }
        }
    }

    private static <T> ConfigType<T> item(String what, List<String> keys, Function<Item, T> parse, Function<T, String> format) {
        return new ConfigType<>() {
            @Override
            public String name() {
                return what;
            }

            @Override
            public T parse(Object raw) {
                if (!(raw instanceof Map<?, ?> map)) {
                    throw new IllegalArgumentException("must be a " + what + " mapping ({" + String.join(": …, ", keys)
                            + ": …}), was " + (raw instanceof List ? "a list" : "'" + raw + "'"));
                }
                Map<String, Object> m = new LinkedHashMap<>();
                map.forEach((k, v) -> m.put(String.valueOf(k).strip(), v));
                for (String k : m.keySet()) {
                    if (!keys.contains(k)) {
                        String hint = k.equals("webhook-url") || k.equals("routing-key")
                                ? "; a secret is never written in the file, name it with " + k + "-env or " + k + "-file "
                                + "(the value given is not shown)"
                                : "; known: " + String.join(", ", keys);
                        throw new IllegalArgumentException("unknown key '" + k + "' in a " + what + hint);
                    }
                }
                return parse.apply(new Item(m));
            }

            @Override
            public String format(T value) {
                return format.apply(value);
            }

            @Override
            public String toString() {
                return what;
            }
        };
    }
}
