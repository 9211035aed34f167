package io.airlock.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.airlock.core.Json;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;

/**
 * What a report selects: events whose {@code @timestamp} is in {@code [from, to)}, alerts whose {@code @timestamp} (their
 * latest update) is in that period, optionally only alerts of some rules and only events and alerts of some users.
 *
 * <p>The period is in whole milliseconds: {@code from} and {@code to} are truncated (floored) to the millisecond, since
 * OpenSearch keeps {@code @timestamp} as a millisecond {@code date} and truncates the bounds of a range query the same way:
 * a finer bound would select other records than it says ({@code gte …258900Z} returned an event at {@code …258457Z}).
 *
 * @param from  start of the period, inclusive; truncated to the millisecond
 * @param to    end of the period, exclusive; truncated to the millisecond
 * @param rules rule ids ({@code AL-001}); empty for every rule. Selects alerts only: events have no rule
 * @param users user names or Vault identities; empty for everybody. An event matches on {@code user.name},
 *              {@code related.user} or {@code vault.identity}, an alert on {@code entity} (it carries no other name: for a
 *              Vault rule its entity id, see {@link ReportSummary#vaultEntitiesNotSelected()}); exact, case-sensitive
 *              {@code terms} on keywords
 */
public record ReportQuery(Instant from, Instant to, List<String> rules, List<String> users) {

    public ReportQuery {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        from = from.truncatedTo(ChronoUnit.MILLIS);
        to = to.truncatedTo(ChronoUnit.MILLIS);
        if (!to.isAfter(from)) {
            throw new IllegalArgumentException("the end of the period (" + to + ") must be after its start (" + from + ")");
        }
        rules = List.copyOf(rules == null ? List.of() : rules);
        users = List.copyOf(users == null ? List.of() : users);
    }

    /** The OpenSearch query for one kind of record, exactly as sent (and recorded in the manifest). */
    public ObjectNode openSearchQuery(RecordKind kind) {
        ObjectNode query = Json.MAPPER.createObjectNode();
        ArrayNode filter = query.putObject("bool").putArray("filter");
        filter.addObject().putObject("range").putObject(TIME_FIELD)
                .put("gte", from.toString()).put("lt", to.toString());
        if (kind == RecordKind.ALERTS && !rules.isEmpty()) {
            terms(filter.addObject(), "rule.id", rules);
        }
        if (!users.isEmpty()) {
            if (kind == RecordKind.ALERTS) {
                terms(filter.addObject(), "entity", users);
            } else {
                ObjectNode anyUser = filter.addObject().putObject("bool");
                ArrayNode should = anyUser.putArray("should");
                for (String field : List.of("user.name", "related.user", "vault.identity")) {
                    terms(should.addObject(), field, users);
                }
                anyUser.put("minimum_should_match", 1);
            }
        }
        return query;
    }

    /** Whether {@code at} lies in the period {@code [from, to)}: the records the query selects. */
    public boolean covers(Instant at) {
        return !at.isBefore(from) && at.isBefore(to);
    }

    /** The field whose value selects a record of either kind into the period. */
    public static final String TIME_FIELD = "@timestamp";

    /** The sort of a kind: {@code @timestamp}, then the id, both ascending. */
    public static ArrayNode sort(RecordKind kind) {
        ArrayNode sort = Json.MAPPER.createArrayNode();
        sort.addObject().put("@timestamp", "asc");
        sort.addObject().put(kind.idField(), "asc");
        return sort;
    }

    private static void terms(ObjectNode holder, String field, List<String> values) {
        ArrayNode array = holder.putObject("terms").putArray(field);
        values.forEach(array::add);
    }

    /** For the manifest: the period, the filters and the OpenSearch queries. */
    public ObjectNode toJson() {
        ObjectNode json = Json.MAPPER.createObjectNode();
        json.put("from", from.toString());
        json.put("to", to.toString());
        rules.forEach(json.putArray("rules")::add);
        users.forEach(json.putArray("users")::add);
        return json;
    }
}
