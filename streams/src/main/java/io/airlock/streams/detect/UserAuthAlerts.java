package io.airlock.streams.detect;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.airlock.streams.internal.JsonSerdes;
import java.time.Instant;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.state.Stores;

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

    public static void addStore(StreamsBuilder builder) {
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE), Serdes.String(),
                JsonSerdes.of(UserAuthAlerts.class)));
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
