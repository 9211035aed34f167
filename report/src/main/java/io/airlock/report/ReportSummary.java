package io.airlock.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.airlock.core.Json;
import io.airlock.core.NormalizedEvent;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a report says at a glance, gathered while the records stream past (counters only: memory grows with the distinct
 * identities, entities and rules, not with the records, and stops growing at {@link KeyCounts.Bound}; up to it every one is
 * counted exactly, so the top identities are the true ones however many names an attacker makes up, and beyond it a
 * heavy hitter still shows, the counts flagged in {@code approximate_counts}, see {@link KeyCounts}). Times are UTC.
 *
 * <ul>
 *   <li>logins: events of category {@code authentication}, by outcome;</li>
 *   <li>changes: Airflow audit-log events of category {@code iam}, {@code configuration} or {@code process}, except worker
 *       commands ({@code cli_task_run} and other {@code cli_*} run events);</li>
 *   <li>secret reads: Vault {@code read} operations on a path outside {@code sys/}, {@code auth/}, {@code identity/}, counted
 *       once per operation (the response line; a request line is not counted).</li>
 * </ul>
 */
public final class ReportSummary {

    /** Formats 1 and 2: the cap on distinct users, entities and rules. */
    private static final int FORMAT_2_MAX_KEYS = 10_000;
    /** Formats 1 and 2: the cap on distinct datasets and severities. */
    private static final int FORMAT_2_MAX_SMALL_KEYS = 100;
    /** The entries of {@code alerts_per_entity} and {@code events_per_identity} in the manifest. */
    static final int TOP_IN_MANIFEST = 50;
    private static final Set<String> CHANGE_CATEGORIES = Set.of("iam", "configuration", "process");

    private final ReportQuery query;
    private final int format;
    private long events;
    private final KeyCounts eventsPerDataset;
    private final KeyCounts eventsPerIdentity;
    private long loginsSucceeded;
    private long loginsFailed;
    private long changes;
    private long secretReads;
    private final long[] changesByHour = new long[24];
    private long alerts;
    private final KeyCounts alertsPerRule;
    private final KeyCounts alertsPerSeverity;
    private final KeyCounts alertsPerEntity;
    private final Map<LocalDate, Long> alertsPerDay = new TreeMap<>();
    private final Map<String, SourceSpan> sources = new TreeMap<>();
    private final Set<String> vaultEntitiesNotSelected = new TreeSet<>();
    /** At most this many entity ids are kept for {@link #vaultEntitiesNotSelected()}. */
    static final int MAX_ENTITY_HINTS = 20;

    /**
     * First and last position read from one source, over the exported events.
     *
     * @param source {@code postgres:<db>} or {@code vault-file:<id>}
     * @param first  lowest position (PostgreSQL LSN, byte offset), null when the source has none
     * @param last   highest position
     * @param events events of this source in the report
     */
    public record SourceSpan(String source, Long first, Long last, long events) {
    }

    public ReportSummary(ReportQuery query) {
        this(query, KeyCounts.Bound.REPORT);
    }

    /**
     * With another bound on the identities and entities than reports have ({@link KeyCounts.Bound#REPORT}), for tests of
     * what happens beyond it.
     */
    ReportSummary(ReportQuery query, KeyCounts.Bound bound) {
        this(query, ReportExporter.VERSION, bound);
    }

    private ReportSummary(ReportQuery query, int format, KeyCounts.Bound bound) {
        this.query = query;
        this.format = format;
        boolean capped = format < BOUNDED_SINCE;
        eventsPerDataset = capped ? KeyCounts.capped(FORMAT_2_MAX_SMALL_KEYS) : KeyCounts.bounded(KeyCounts.Bound.FEW);
        eventsPerIdentity = capped ? KeyCounts.capped(FORMAT_2_MAX_KEYS) : KeyCounts.bounded(bound);
        alertsPerRule = capped ? KeyCounts.capped(FORMAT_2_MAX_KEYS) : KeyCounts.bounded(KeyCounts.Bound.FEW);
        alertsPerSeverity = capped ? KeyCounts.capped(FORMAT_2_MAX_SMALL_KEYS) : KeyCounts.bounded(KeyCounts.Bound.FEW);
        alertsPerEntity = capped ? KeyCounts.capped(FORMAT_2_MAX_KEYS) : KeyCounts.bounded(bound);
    }

    /**
     * The first report format whose per-key counts are {@link KeyCounts#bounded} (exact up to {@link KeyCounts.Bound#REPORT}
     * for identities and entities, {@link KeyCounts.Bound#FEW} for datasets, severities and rules, then a sketch, stated in
     * {@code approximate_counts}), with {@link KeyCounts#NONE} for no value.
     */
    static final int BOUNDED_SINCE = 3;
    /** The first report format that counts Vault events by the identity Vault vouched for ({@link #identity}). */
    static final int VOUCHED_IDENTITY_SINCE = 3;

    /**
     * Counts without a query, as a report of {@code format} counted: what {@link ReportVerifier} recounts from its records
     * (formats 1 and 2 capped the distinct keys and wrote {@value KeyCounts#FORMAT_2_NONE} for no value).
     */
    static ReportSummary recount(int format) {
        return recount(format, KeyCounts.Bound.REPORT);
    }

    /** {@link #recount(int)} with the bound a test's report was written with. */
    static ReportSummary recount(int format, KeyCounts.Bound bound) {
        return new ReportSummary(null, format, bound);
    }

    /** Counts one record. */
    public void add(ReportRecord record) {
        if (record.kind() == RecordKind.EVENTS) {
            addEvent(record);
        } else {
            addAlert(record);
        }
    }

    private void addEvent(ReportRecord e) {
        events++;
        eventsPerDataset.add(e.get("event.dataset"));
        eventsPerIdentity.add(identity(e));
        String category = e.get("event.category");
        if ("authentication".equals(category)) {
            if ("failure".equals(e.get("event.outcome"))) {
                loginsFailed++;
            } else if ("success".equals(e.get("event.outcome"))) {
                loginsSucceeded++;
            }
        }
        if (isChange(e)) {
            changes++;
            Instant at = instant(e.get("@timestamp"));
            if (at != null) {
                changesByHour[at.atZone(ZoneOffset.UTC).getHour()]++;
            }
        }
        if (isSecretRead(e)) {
            secretReads++;
        }
        String entity = e.get("vault.identity");
        if (query != null && !query.users().isEmpty() && entity != null
                && vaultEntitiesNotSelected.size() < MAX_ENTITY_HINTS && !query.users().contains(entity)) {
            vaultEntitiesNotSelected.add(entity);
        }
        String source = e.get("airlock.source");
        if (source != null) {
            Long position = parseLong(e.get("airlock.position"));
            sources.merge(source, new SourceSpan(source, position, position, 1), (a, b) -> new SourceSpan(source,
                    min(a.first(), b.first()), max(a.last(), b.last()), a.events() + b.events()));
        }
    }

    /**
     * Who an event is counted for in {@code events_per_identity}: for a Vault event {@code vault.identity}, the identity Vault
     * vouched for (the entity id, else the token's display name), and none when it has none; for an Airflow event its
     * {@code user.name}. Not a Vault event's {@code user.name}: a failed login carries the name its path claims
     * ({@code auth/<mount>/login/<name>}), and anyone who reaches Vault can claim millions of names without a token.
     * Formats 1 and 2 counted {@code user.name}, else {@code vault.identity}.
     */
    private String identity(ReportRecord e) {
        if (format < VOUCHED_IDENTITY_SINCE) {
            return e.get("user.name") != null ? e.get("user.name") : e.get("vault.identity");
        }
        return NormalizedEvent.DATASET_VAULT.equals(e.get("event.dataset")) ? e.get("vault.identity") : e.get("user.name");
    }

    static boolean isChange(ReportRecord e) {
        String action = e.get("event.action");
        return "airflow.log".equals(e.get("event.dataset")) && CHANGE_CATEGORIES.contains(e.get("event.category"))
                && !(action != null && (action.startsWith("cli_task") || action.equals("cli_run")));
    }

    /** A Vault read response that succeeded (a denied read discloses nothing), outside Vault's own mounts. */
    static boolean isSecretRead(ReportRecord e) {
        String path = e.get("vault.path");
        return "vault.audit".equals(e.get("event.dataset")) && "read".equals(e.get("vault.operation")) && path != null
                && !"failure".equals(e.get("event.outcome"))
                && !path.startsWith("sys/") && !path.startsWith("auth/") && !path.startsWith("identity/")
                && !"request".equals(e.get("vault.audit_type"));
    }

    private void addAlert(ReportRecord a) {
        alerts++;
        String rule = a.get("rule.id");
        String name = a.get("rule.name");
        alertsPerRule.add(rule == null ? null : name == null ? rule : rule + " " + name);
        alertsPerSeverity.add(a.get("severity"));
        alertsPerEntity.add(a.get("entity"));
        Instant at = instant(a.get("@timestamp"));
        if (at != null) {
            alertsPerDay.merge(LocalDate.ofInstant(at, ZoneOffset.UTC), 1L, Long::sum);
        }
    }

    private static Instant instant(String text) {
        try {
            return text == null ? null : Instant.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static Long parseLong(String text) {
        try {
            return text == null ? null : Long.parseLong(text);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Long min(Long a, Long b) {
        return a == null ? b : b == null ? a : Math.min(a, b);
    }

    private static Long max(Long a, Long b) {
        return a == null ? b : b == null ? a : Math.max(a, b);
    }

    public ReportQuery query() {
        return query;
    }

    public long events() {
        return events;
    }

    public long alerts() {
        return alerts;
    }

    public long loginsSucceeded() {
        return loginsSucceeded;
    }

    public long loginsFailed() {
        return loginsFailed;
    }

    public long changes() {
        return changes;
    }

    public long secretReads() {
        return secretReads;
    }

    /** The headline counts as rows of what and how many, as the HTML and PDF documents show them. */
    public List<List<String>> headline() {
        return List.of(
                List.of("events", Long.toString(events)),
                List.of("alerts", Long.toString(alerts)),
                List.of("successful logins", Long.toString(loginsSucceeded)),
                List.of("failed logins", Long.toString(loginsFailed)),
                List.of("changes", Long.toString(changes)),
                List.of("secret reads", Long.toString(secretReads)));
    }

    /** Counts as rows of key and count, in the order given, with {@link #shown} keys. */
    static List<List<String>> rows(Map<String, Long> counts) {
        return rows(List.copyOf(counts.entrySet()));
    }

    /** Counts as rows of key and count, in the order given, with {@link #shown} keys. */
    static List<List<String>> rows(List<Map.Entry<String, Long>> counts) {
        return counts.stream().map(e -> List.of(shown(e.getKey()), Long.toString(e.getValue()))).toList();
    }

    /** A key as the HTML and PDF documents show it: {@link KeyCounts#NONE} (no value) as {@value #NONE_SHOWN}. */
    static String shown(String key) {
        return KeyCounts.NONE.equals(key) ? NONE_SHOWN : key;
    }

    /** How the documents show records without a value (the manifest has the empty key). */
    static final String NONE_SHOWN = "(not set)";

    public Map<String, Long> eventsPerDataset() {
        return eventsPerDataset.all();
    }

    public Map<String, Long> alertsPerRule() {
        return alertsPerRule.all();
    }

    public Map<String, Long> alertsPerSeverity() {
        return alertsPerSeverity.all();
    }

    /**
     * Alerts per entity (user, Vault identity, account or DAG), largest first, at most {@code n}; alerts without one under
     * {@link KeyCounts#NONE}.
     */
    public List<Map.Entry<String, Long>> alertsPerEntity(int n) {
        return alertsPerEntity.top(n);
    }

    /**
     * Events per identity (an Airflow event's user, a Vault event's {@code vault.identity}: see {@link #identity}), largest
     * first, at most {@code n}; events without one under {@link KeyCounts#NONE}.
     */
    public List<Map.Entry<String, Long>> topIdentities(int n) {
        return eventsPerIdentity.top(n);
    }

    /** Alerts per UTC day, every day of the period that had one, in order. */
    public Map<LocalDate, Long> alertsPerDay() {
        return new LinkedHashMap<>(alertsPerDay);
    }

    /** Changes per UTC hour of day, index 0 to 23. */
    public long[] changesByHour() {
        return changesByHour.clone();
    }

    /**
     * With {@code --users}: the Vault identities ({@code vault.identity}, an entity id) of selected events that are not among
     * the users given, sorted, at most {@value #MAX_ENTITY_HINTS}. An alert of a Vault rule is keyed by that id (its
     * {@code entity}), and the alert carries no display name, so {@code --users token-reporting} selects that token's events
     * but not its alerts: these ids are what to add to {@code --users} for them.
     */
    public List<String> vaultEntitiesNotSelected() {
        return List.copyOf(vaultEntitiesNotSelected); // in the TreeSet's order: Set.copyOf's would change from run to run
    }

    /** First and last position per source. */
    public List<SourceSpan> sources() {
        return List.copyOf(sources.values());
    }

    /** The manifest's {@code sources}: per source its events and, when it has positions, the first and last. */
    public ArrayNode sourcesJson() {
        ArrayNode json = Json.MAPPER.createArrayNode();
        for (SourceSpan span : sources.values()) {
            ObjectNode s = json.addObject().put("source", span.source()).put("events", span.events());
            if (span.first() != null) {
                s.put("first_position", span.first()).put("last_position", span.last());
            }
        }
        return json;
    }

    /** The counts for the manifest. */
    public ObjectNode toJson() {
        ObjectNode json = Json.MAPPER.createObjectNode();
        json.put("events", events);
        json.put("alerts", alerts);
        json.put("logins_succeeded", loginsSucceeded);
        json.put("logins_failed", loginsFailed);
        json.put("changes", changes);
        json.put("secret_reads", secretReads);
        ObjectNode perRule = json.putObject("alerts_per_rule");
        alertsPerRule.all().forEach(perRule::put);
        ObjectNode perSeverity = json.putObject("alerts_per_severity");
        alertsPerSeverity.all().forEach(perSeverity::put);
        ObjectNode perEntity = json.putObject("alerts_per_entity");
        alertsPerEntity.top(TOP_IN_MANIFEST).forEach(e -> perEntity.put(e.getKey(), e.getValue()));
        ObjectNode perIdentity = json.putObject("events_per_identity");
        eventsPerIdentity.top(TOP_IN_MANIFEST).forEach(e -> perIdentity.put(e.getKey(), e.getValue()));
        Map<String, Long> approximated = approximated();
        if (!approximated.isEmpty()) {
            approximated.forEach(json.putObject("approximate_counts")::put);
        }
        return json;
    }

    private List<java.time.LocalDate> daysWithoutEventsIndex = List.of();

    /** The days of the period without a daily events index, for the documents (the manifest lists them apart from the summary). */
    void daysWithoutEventsIndex(List<java.time.LocalDate> days) {
        this.daysWithoutEventsIndex = List.copyOf(days);
    }

    /**
     * For the documents, when days of the period have no daily events index: which (the first ten), and what that means, in
     * lines short enough for the PDF; empty when every day has one.
     */
    public List<String> missingIndexNote() {
        List<java.time.LocalDate> days = daysWithoutEventsIndex;
        if (days.isEmpty()) {
            return List.of();
        }
        String listed = String.join(", ", days.stream().limit(10).map(Object::toString).toList())
                + (days.size() > 10 ? " and " + (days.size() - 10) + " more" : "");
        return List.of("No events index for " + days.size() + (days.size() == 1 ? " day" : " days") + " of the period: " + listed + ".",
                "No events those days, or their index was deleted by retention (retention.events-days): the events of",
                "those days, if there were any, are not in this report (manifest.json: days_without_events_index).");
    }

    /**
     * For the documents, when some per-key counts went beyond {@link KeyCounts.Bound}: which, and what that means, in lines
     * short enough for the PDF; empty while every count is exact.
     */
    public List<String> approximationNote() {
        Map<String, Long> approximated = approximated();
        if (approximated.isEmpty()) {
            return List.of();
        }
        return List.of("Approximate counts: " + String.join(", ", approximated.entrySet().stream()
                        .map(e -> e.getKey() + " (" + e.getValue() + " records)").toList()) + ".",
                "These had more distinct names than are counted exactly; names first seen after that are counted in a",
                "fixed-size sketch, and their counts are lower bounds (manifest.json: summary.approximate_counts).");
    }

    /**
     * The per-key counts that went beyond {@link KeyCounts.Bound}, by their name in the manifest, each with the records
     * counted in its sketch (their keys' counts are lower bounds); empty while every count is exact.
     */
    public Map<String, Long> approximated() {
        Map<String, Long> approximated = new TreeMap<>();
        Map.of("events_per_dataset", eventsPerDataset, "events_per_identity", eventsPerIdentity, "alerts_per_rule", alertsPerRule,
                "alerts_per_severity", alertsPerSeverity, "alerts_per_entity", alertsPerEntity).forEach((name, counts) -> {
                    if (counts.approximated() > 0) {
                        approximated.put(name, counts.approximated());
                    }
                });
        return approximated;
    }
}
