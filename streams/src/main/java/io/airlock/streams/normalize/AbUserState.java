package io.airlock.streams.normalize;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.core.MalformedRecordException;
import java.time.Instant;
import java.util.List;

/**
 * What detection remembers of one {@code ab_user} row between updates, because updates carry no {@code before} image with
 * the default replica identity. Never holds the password (it is excluded at capture anyway); of the name and e-mail columns
 * only a fingerprint ({@code profile}), enough to tell that they changed (states written before it existed have none: their
 * next change of name or e-mail is reported as an edit of other columns).
 */
public record AbUserState(String username, long failLoginCount, long loginCount, boolean active, Instant lastSuccessAt,
        String profile, String lastLogin, Long lsn, Instant lastFailureAt) {

    private static final List<String> PROFILE_COLUMNS = List.of("first_name", "last_name", "email");

    static AbUserState fromRow(JsonNode row) {
        JsonNode username = row.get("username");
        if (username == null || !username.isTextual() || username.asText().isEmpty()) {
            throw new MalformedRecordException("ab_user row without a text 'username'");
        }
        return new AbUserState(username.asText(), counter(row, "fail_login_count"), counter(row, "login_count"),
                !row.has("active") || row.get("active").isNull() || row.get("active").asBoolean(), null, profileOf(row),
                row.hasNonNull("last_login") ? row.get("last_login").toString() : null, null, null);
    }

    AbUserState withLastSuccessAt(Instant at) {
        return new AbUserState(username, failLoginCount, loginCount, active, at, profile, lastLogin, lsn, lastFailureAt);
    }

    AbUserState withLastFailureAt(Instant at) {
        return new AbUserState(username, failLoginCount, loginCount, active, lastSuccessAt, profile, lastLogin, lsn, at);
    }

    /**
     * This state as of the streamed change at {@code changeLsn} (null when the change has none, and for snapshot rows: the
     * first change after a snapshot can carry the very LSN the snapshot rows were read at, and must not pass for one of them).
     */
    AbUserState at(Long changeLsn) {
        return new AbUserState(username, failLoginCount, loginCount, active, lastSuccessAt, profile, lastLogin, changeLsn,
                lastFailureAt);
    }

    /**
     * Whether {@code current} is {@code this} row written again with a failed-login count above zero that did not grow,
     * and nothing else captured changed: what a wrong password writes when it raced others (Flask-AppBuilder reads the
     * row, checks the password hash, and writes {@code fail_login_count + 1} computed in Python, so parallel attempts write
     * the same count, or — landing after a faster one that read a later count — a smaller one), or what a password reset
     * writes (the password is not captured, and the count stays).
     */
    boolean failedLoginCountWrittenAgain(AbUserState current) {
        return current.failLoginCount() > 0 && current.failLoginCount() <= failLoginCount
                && current.loginCount() == loginCount && current.active() == active
                && current.username().equals(username) && !current.profileDiffers(this) && !current.loginTimeDiffers(this);
    }

    /**
     * Whether the change at {@code changeLsn} was applied to this state already: the capture delivers at least once, and
     * after a crash it sends a row's last changes again — with nothing changed, which must not read as an edit.
     */
    boolean alreadyApplied(Long changeLsn) {
        return lsn != null && changeLsn != null && changeLsn <= lsn;
    }

    /**
     * Whether {@code last_login} differs from {@code earlier}'s: a login, even when it changed no counter — Flask-AppBuilder
     * increments the counters in Python, so of two logins at once the second writes the same count again.
     */
    boolean loginTimeDiffers(AbUserState earlier) {
        return lastLogin != null && !lastLogin.equals(earlier.lastLogin());
    }

    /** Whether the name or e-mail columns differ from {@code earlier}'s; never when either fingerprint is unknown. */
    boolean profileDiffers(AbUserState earlier) {
        return profile != null && earlier.profile() != null && !profile.equals(earlier.profile());
    }

    private static String profileOf(JsonNode row) {
        if (PROFILE_COLUMNS.stream().noneMatch(row::has)) {
            return null;
        }
        // String hashes, not a digest: this runs for every ab_user change, and a collision would only make a changed name or
        // e-mail read as "other columns changed" — the edit is reported either way
        StringBuilder fingerprint = new StringBuilder(27);
        for (String column : PROFILE_COLUMNS) {
            fingerprint.append(Integer.toHexString(row.path(column).asText("").hashCode())).append(':');
        }
        return fingerprint.toString();
    }

    private static long counter(JsonNode row, String column) {
        JsonNode value = row.get(column);
        if (value == null || value.isNull()) {
            return 0;
        }
        if (!value.isIntegralNumber()) {
            throw new MalformedRecordException("ab_user." + column + " is not an integer");
        }
        return value.asLong();
    }
}
