package io.airlock.streams;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Test data: a script of Airflow logins as {@code ab_user} change events, written once and piped into any number of
 * fixtures, so a replay feeds byte-identical input. The first time a user appears, a snapshot row primes the normalizer.
 * {@code new AirflowLogins().failed("alice", t).succeeded("alice", t.plusSeconds(60)).pipeInto(fixture)}.
 */
public final class AirflowLogins {

    /** One captured change of an {@code ab_user} row. */
    public record Change(String key, String json, Instant at) {
    }

    private final Map<String, AbUserRow> rows = new LinkedHashMap<>();
    private final Map<String, long[]> counters = new LinkedHashMap<>();
    private final List<Change> changes = new ArrayList<>();

    /** A wrong password for an existing user: {@code fail_login_count} + 1. */
    public AirflowLogins failed(String user, Instant at) {
        long[] c = row(user, at);
        c[0]++;
        return record(user, at);
    }

    /** One wrong password per user, {@code users} in order, each {@code step} after the previous. */
    public AirflowLogins failedOnEach(List<String> users, Instant start, java.time.Duration step) {
        for (int i = 0; i < users.size(); i++) {
            failed(users.get(i), start.plus(step.multipliedBy(i)));
        }
        return this;
    }

    /** A successful login: {@code login_count} + 1, {@code fail_login_count} reset to 0. */
    public AirflowLogins succeeded(String user, Instant at) {
        long[] c = row(user, at);
        c[0] = 0;
        c[1]++;
        return record(user, at);
    }

    public List<Change> changes() {
        return List.copyOf(changes);
    }

    public void pipeInto(TopologyFixture fixture) {
        changes.forEach(c -> fixture.abUserRaw(c.key(), c.json(), c.at()));
    }

    private long[] row(String user, Instant at) {
        return counters.computeIfAbsent(user, u -> {
            AbUserRow row = AbUserRow.of(rows.size() + 1, u);
            rows.put(u, row);
            changes.add(new Change(row.key(), row.change("r", at, null), at));
            return new long[2];
        });
    }

    private AirflowLogins record(String user, Instant at) {
        long[] c = counters.get(user);
        AbUserRow row = rows.get(user).failCount(c[0]).loginCount(c[1]);
        changes.add(new Change(row.key(), row.update(at), at));
        return this;
    }
}
