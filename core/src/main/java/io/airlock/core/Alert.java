package io.airlock.core;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The alert of DESIGN.md. One burst is one alert: a repeat within the window yields the same {@code alert.id} with a larger
 * {@code count}, a later {@code last_seen} and more evidence (at most {@link #MAX_EVIDENCE} event ids).
 */
public record Alert(
        @JsonProperty("alert.id") String id,
        @JsonProperty("rule.id") String ruleId,
        @JsonProperty("rule.name") String ruleName,
        @JsonProperty("severity") Severity severity,
        @JsonProperty("@timestamp") Instant timestamp,
        @JsonProperty("first_seen") Instant firstSeen,
        @JsonProperty("last_seen") Instant lastSeen,
        @JsonProperty("count") long count,
        @JsonProperty("entity") String entity,
        @JsonProperty("summary") String summary,
        @JsonProperty("evidence") List<String> evidence,
        @JsonProperty("threat.technique.id") List<String> techniqueIds,
        @JsonProperty("runbook") String runbook,
        @JsonProperty("status") Status status) {

    public static final int MAX_EVIDENCE = 50;

    /** Lifecycle of an alert. */
    public enum Status {
        @JsonProperty("open") OPEN,
        @JsonProperty("resolved") RESOLVED
    }

    public Alert {
        Objects.requireNonNull(id, "alert.id");
        Objects.requireNonNull(ruleId, "rule.id");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(timestamp, "@timestamp");
        Objects.requireNonNull(entity, "entity");
        evidence = evidence == null ? List.of() : List.copyOf(evidence.subList(0, Math.min(evidence.size(), MAX_EVIDENCE)));
        techniqueIds = techniqueIds == null ? List.of() : List.copyOf(techniqueIds);
        if (count < 1) {
            throw new IllegalArgumentException("count must be at least 1, was " + count);
        }
        if (firstSeen != null && lastSeen != null && lastSeen.isBefore(firstSeen)) {
            throw new IllegalArgumentException("last_seen " + lastSeen + " before first_seen " + firstSeen);
        }
    }

    /** Adds evidence ids, keeping the first {@link #MAX_EVIDENCE}. */
    public static List<String> appendEvidence(List<String> evidence, String eventId) {
        if (evidence.size() >= MAX_EVIDENCE || evidence.contains(eventId)) {
            return evidence;
        }
        var grown = new ArrayList<>(evidence);
        grown.add(eventId);
        return grown;
    }

    /** This alert with {@code runbook} as its runbook link, every other field the same. */
    public Alert withRunbook(String runbook) {
        return new Alert(id, ruleId, ruleName, severity, timestamp, firstSeen, lastSeen, count, entity, summary, evidence,
                techniqueIds, runbook, status);
    }
}
