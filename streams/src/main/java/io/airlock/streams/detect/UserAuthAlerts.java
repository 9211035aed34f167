package io.airlock.streams.detect;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.airlock.core.NormalizedEvent;
import io.airlock.streams.internal.JsonSerdes;
import io.airlock.streams.internal.StateStores;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.streams.StreamsBuilder;

/**
 * Per Airflow user, when authentication rules last fired: written by AL-001 and AL-003, read by AL-003 (login after a
 * burst) and AL-010 (escalation of off-hours changes). Every rule reading or writing it runs in the sub-topology of the
 * {@code events} source, keyed by user name, so they share this one store.
 *
 * @param lastFailedLoginBurst event time of the latest AL-001 hit for the user
 * @param lastLoginAfterBurst  event time of the latest AL-003 hit for the user
 */
public record UserAuthAlerts(@JsonProperty("al_001") Instant lastFailedLoginBurst, @JsonProperty("al_003") Instant lastLoginAfterBurst) {

    public static final String STORE = "user-auth-alerts";

    public static final UserAuthAlerts NONE = new UserAuthAlerts(null, null);

    static final int MAX_NAME_CHARS = 64;

    public static void addStore(StreamsBuilder builder) {
        builder.addStateStore(StateStores.onDisk(STORE, JsonSerdes.of(UserAuthAlerts.class)));
    }

    /** The stored value, or {@link #NONE} for a user no authentication rule fired for yet. */
    public static UserAuthAlerts of(UserAuthAlerts stored) {
        return stored == null ? NONE : stored;
    }

    /**
     * Whether AL-001 fired for the user at or before {@code at} and no longer than {@code lookBack} before it (AL-003's
     * "within 30 minutes after a failed-login burst").
     */
    public boolean failedLoginBurstWithin(Duration lookBack, Instant at) {
        return lastFailedLoginBurst != null && !at.isBefore(lastFailedLoginBurst) && !at.isAfter(lastFailedLoginBurst.plus(lookBack));
    }

    /**
     * The entity of changes whose audit-log row names no user ({@code owner} null or empty: a row written with SQL or by a
     * tool other than Airflow's action loggers, which name an unauthenticated user {@code anonymous}, 2.10 and 3.x alike):
     * a change nobody signed is no less a change (AL-010, AL-012).
     */
    static final String NO_USER = "(no user recorded)";

    /** The user who made an audit-logged change: its {@code user.name}, or {@link #NO_USER}. */
    static String actingUser(NormalizedEvent event) {
        return event.userName() == null || event.userName().isBlank() ? NO_USER : event.userName();
    }

    /** How a summary names the acting user: quoted, or that the audit log recorded none. */
    static String describeActingUser(String user) {
        return NO_USER.equals(user) ? "(no user recorded in the audit log)" : quoted(user);
    }

    /**
     * A name from the source data (user, DAG, action) as rules print it in a one-line, plain-text summary: quoted, control
     * and line-separator characters replaced by {@code ?}, at most {@value #MAX_NAME_CHARS} characters; {@code (none)} for
     * null. Markup escaping is the notifiers' job.
     */
    public static String quoted(String user) {
        if (user == null) {
            return "(none)";
        }
        String plain = AlertFactory.oneLine(user);
        if (plain.codePointCount(0, plain.length()) > MAX_NAME_CHARS) {
            plain = plain.substring(0, plain.offsetByCodePoints(0, MAX_NAME_CHARS)) + "…";
        }
        return "'" + plain + "'";
    }

    public UserAuthAlerts withFailedLoginBurst(Instant at) {
        return new UserAuthAlerts(latest(lastFailedLoginBurst, at), lastLoginAfterBurst);
    }

    public UserAuthAlerts withLoginAfterBurst(Instant at) {
        return new UserAuthAlerts(lastFailedLoginBurst, latest(lastLoginAfterBurst, at));
    }

    private static Instant latest(Instant a, Instant b) {
        return a == null || b.isAfter(a) ? b : a;
    }
}
