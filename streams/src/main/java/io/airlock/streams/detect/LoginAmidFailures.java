package io.airlock.streams.detect;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Duration;
import java.time.Instant;

/**
 * Per Airflow user, for AL-003: the latest failed login, and the latest successful login that came while failures were
 * under way (a failure at most AL-001's window before it) — a guess that worked in the middle of a brute force. Parallel
 * attempts make this the usual order, not a replay's: requests that started before the right password write their failures
 * after its login, and AL-001 then fires after the success.
 *
 * @param lastFailure    event time of the user's latest failed login
 * @param successAt      event time of the latest success that came amid failures, or null
 * @param successEventId its event id
 */
record LoginAmidFailures(@JsonProperty("last_failure") Instant lastFailure, @JsonProperty("success_at") Instant successAt,
        @JsonProperty("success_id") String successEventId) {

    static final LoginAmidFailures NONE = new LoginAmidFailures(null, null, null);

    static LoginAmidFailures of(LoginAmidFailures stored) {
        return stored == null ? NONE : stored;
    }

    LoginAmidFailures withFailure(Instant at) {
        return lastFailure != null && !at.isAfter(lastFailure) ? this : new LoginAmidFailures(at, successAt, successEventId);
    }

    /** With the success at {@code at} remembered when a failure came at most {@code failureWindow} before it. */
    LoginAmidFailures withSuccess(Instant at, String eventId, Duration failureWindow) {
        boolean amidFailures = lastFailure != null && !lastFailure.isAfter(at) && !lastFailure.isBefore(at.minus(failureWindow));
        return amidFailures ? new LoginAmidFailures(lastFailure, at, eventId) : this;
    }

    /**
     * Whether the remembered success belongs to the burst AL-001 fired for at {@code burstAt}: that burst fired after the
     * success and within {@code failureWindow} of it.
     */
    boolean successBefore(Instant burstAt, Duration failureWindow) {
        return successAt != null && burstAt != null && !burstAt.isBefore(successAt) && !burstAt.isAfter(successAt.plus(failureWindow));
    }
}
