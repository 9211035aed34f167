package io.airlock.alerting;

import io.airlock.core.Alert;
import java.time.Instant;
import java.util.Objects;

/**
 * Keeps alerts of one rule and/or one entity from notifying anyone until {@code until} (wall clock). Silenced alerts are
 * still indexed; only the notification is left out.
 *
 * @param rule   rule id ({@code AL-024}), or null for any rule
 * @param entity the alert's entity exactly ({@code svc-backup}), or null for any entity
 * @param until  end of the silence; it holds while the clock is before it
 * @param reason why, for the log line and reviewers
 */
public record Silence(String rule, String entity, Instant until, String reason) {

    public Silence {
        if (rule == null && entity == null) {
            throw new IllegalArgumentException("a silence needs a rule, an entity or both");
        }
        Objects.requireNonNull(until, "until");
        reason = reason == null ? "" : reason;
    }

    /** Whether the silence holds for {@code alert} at wall-clock time {@code now}. */
    public boolean silences(Alert alert, Instant now) {
        return now.isBefore(until) && (rule == null || rule.equals(alert.ruleId()))
                && (entity == null || entity.equals(alert.entity()));
    }

    /** For the log line: {@code silenced until 2026-12-31T00:00:00Z (known job)}. */
    public String describe() {
        return "silenced until " + until + (reason.isEmpty() ? "" : " (" + reason + ")");
    }
}
