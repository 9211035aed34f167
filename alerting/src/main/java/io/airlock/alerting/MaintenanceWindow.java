package io.airlock.alerting;

import io.airlock.core.Alert;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * A planned period in which the activity that alerts report is expected: alerts whose newest event ({@code last_seen})
 * falls inside {@code [from, to)} notify nobody. Event time, not the clock, decides, so an alert delivered late (a Kafka
 * backlog, a replay) from inside the window stays quiet, and activity that goes on after the window notifies. The
 * alerts are still indexed.
 *
 * @param from     start, inclusive
 * @param to       end, exclusive, after {@code from}
 * @param rules    rule ids it covers; empty for every rule
 * @param entities entities it covers; empty for every entity
 * @param reason   why, for the log line
 */
public record MaintenanceWindow(Instant from, Instant to, Set<String> rules, Set<String> entities, String reason) {

    public MaintenanceWindow {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        if (!to.isAfter(from)) {
            throw new IllegalArgumentException("a maintenance window must end after it starts (" + from + " .. " + to + ")");
        }
        rules = rules == null ? Set.of() : Set.copyOf(rules);
        entities = entities == null ? Set.of() : Set.copyOf(entities);
        reason = reason == null ? "" : reason;
    }

    /** Whether the alert's newest event lies in the window and the alert's rule and entity are covered. */
    public boolean covers(Alert alert) {
        Instant at = alert.lastSeen() != null ? alert.lastSeen() : alert.timestamp();
        return !at.isBefore(from) && at.isBefore(to) && (rules.isEmpty() || rules.contains(alert.ruleId()))
                && (entities.isEmpty() || entities.contains(alert.entity()));
    }

    /** For the log line: {@code in maintenance window 2026-01-10T22:00:00Z..2026-01-11T02:00:00Z (DB upgrade)}. */
    public String describe() {
        return "in maintenance window " + from + ".." + to + (reason.isEmpty() ? "" : " (" + reason + ")");
    }
}
