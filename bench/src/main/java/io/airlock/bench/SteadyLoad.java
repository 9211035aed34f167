package io.airlock.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;

/**
 * A steady, paced load on the Airflow database and the Vault audit file, with attacks interleaved: every 10 ms a tick
 * writes as many events as the rate asks for by then (half Airflow {@code log} rows of workers running tasks, committed in
 * one transaction per tick; half Vault audit lines of service identities reading their ten secrets), and every
 * {@code attackEvery} an attack completes, alternately:
 * <ul>
 *   <li>AL-001: five failed logins of an existing user that never failed before (five FAB-style transactions);</li>
 *   <li>AL-021: a new Vault identity reads 20 distinct secret paths (40 lines, one flush).</li>
 * </ul>
 * Background traffic alone raises no alert (read-only Airflow events; each service identity reads at most ten paths, none
 * of Airflow's). Each attack is recorded with the {@link System#nanoTime()} at which its last event was durable: the
 * PostgreSQL commit returned, or the audit lines were flushed.
 */
final class SteadyLoad {

    static final Duration TICK = Duration.ofMillis(10);
    private static final String[] SERVICES = {"svc-reporting", "svc-billing", "svc-backup", "svc-search"};

    /** One attack and when the event completing it became durable. */
    record Attack(String rule, String entity, long completedNanos, boolean warmUp) {
    }

    /** What the load wrote. */
    record Totals(long events, double seconds, List<Attack> attacks) {
        double eventsPerSecond() {
            return seconds > 0 ? events / seconds : 0;
        }
    }

    private final Connection db;
    private final VaultAuditLines vault;
    private final String runName;
    private final int rate;
    private final Duration attackEvery;
    private final List<Attack> attacks = new ArrayList<>();
    private long events;
    private long vaultReads;
    private int users;
    private int identities;

    /**
     * @param db connection to the Airflow database (autocommit off), holding users {@link #userName(String, int)} 1..n
     * @param runName unique per run: attack entities are named after it
     */
    SteadyLoad(Connection db, VaultAuditLines vault, String runName, int rate, Duration attackEvery) {
        this.db = db;
        this.vault = vault;
        this.runName = runName;
        this.rate = rate;
        this.attackEvery = attackEvery;
    }

    /** The name of the n-th user an AL-001 attack uses. */
    static String userName(String runName, int n) {
        return String.format(Locale.ROOT, "%s-u%05d", runName, n);
    }

    /** Creates {@code n} active users (as a snapshot: before the pipeline starts, so no AL-012 fires for them). */
    static void createUsers(Connection db, String runName, int n) throws SQLException {
        try (PreparedStatement s = db.prepareStatement("INSERT INTO ab_user (first_name, last_name, username, password, active, email, "
                + "login_count, fail_login_count, created_on, changed_on) VALUES ('Bench', 'User', ?, "
                + "'pbkdf2:sha256:260000$bench$0000000000000000000000000000000000000000000000000000000000000000', true, ?, 0, 0, "
                + "now(), now())")) {
            for (int i = 1; i <= n; i++) {
                s.setString(1, userName(runName, i));
                s.setString(2, userName(runName, i) + "@example.com");
                s.addBatch();
            }
            s.executeBatch();
        }
        db.commit();
    }

    /**
     * Runs the load for {@code warmUp + measured}; attacks during the warm-up are marked as such, and {@code meter} is marked
     * when it ends. Returns what was written during the whole run.
     */
    Totals run(Duration warmUp, Duration measured, EndToEndBenchmark.CpuMeter meter) throws SQLException {
        long start = System.nanoTime();
        long warmUpEnd = start + warmUp.toNanos();
        long end = warmUpEnd + measured.toNanos();
        long tick = TICK.toNanos();
        long nextAttack = start + attackEvery.toNanos() / 2;
        boolean harvest = false;
        boolean marked = false;
        try (PreparedStatement logRows = db.prepareStatement("INSERT INTO log (dttm, dag_id, task_id, event, owner, extra, try_number) "
                + "SELECT now(), 'etl_' || (g % 40), 'task_' || (g % 7), 'cli_task_run', 'airflow', '{\"host_name\": \"worker-1\"}', 1 "
                + "FROM generate_series(1, ?) g");
                PreparedStatement failedLogin = db.prepareStatement(
                        "UPDATE ab_user SET fail_login_count = fail_login_count + 1 WHERE username = ?")) {
            for (long next = start; next < end; next += tick) {
                LockSupport.parkNanos(next - System.nanoTime());
                long now = System.nanoTime();
                if (!marked && now >= warmUpEnd) {
                    meter.mark();
                    marked = true;
                }
                if (now >= nextAttack) {
                    Attack attack = harvest ? harvest(now < warmUpEnd) : failedLogins(failedLogin, now < warmUpEnd);
                    attacks.add(attack);
                    harvest = !harvest;
                    nextAttack += attackEvery.toNanos();
                }
                long due = (long) ((System.nanoTime() - start) / 1e9 * rate) - events;
                if (due > 0) {
                    background(logRows, due);
                }
            }
        }
        return new Totals(events, (System.nanoTime() - start) / 1e9, List.copyOf(attacks));
    }

    private void background(PreparedStatement logRows, long due) throws SQLException {
        long lines = due / 4 * 2;
        long rows = due - lines;
        Instant at = Instant.now();
        for (long i = 0; i < lines / 2; i++, vaultReads++) {
            vault.read(at, SERVICES[(int) (vaultReads % SERVICES.length)], "team-a/service-" + (vaultReads / SERVICES.length % 10));
        }
        vault.flush();
        if (rows > 0) {
            logRows.setLong(1, rows);
            logRows.executeUpdate();
            db.commit();
        }
        events += due;
    }

    private Attack failedLogins(PreparedStatement failedLogin, boolean warmUp) throws SQLException {
        String user = userName(runName, ++users);
        for (int i = 0; i < 5; i++) {
            failedLogin.setString(1, user);
            if (failedLogin.executeUpdate() != 1) {
                throw new IllegalStateException("no user " + user);
            }
            db.commit();
        }
        events += 5;
        return new Attack("AL-001", user, System.nanoTime(), warmUp);
    }

    private Attack harvest(boolean warmUp) {
        String identity = String.format(Locale.ROOT, "%s-h%05d", runName, ++identities);
        Instant at = Instant.now();
        for (int i = 0; i < 20; i++) {
            vault.read(at, identity, "team-b/harvest-" + i);
        }
        vault.flush();
        events += 40;
        return new Attack("AL-021", identity, System.nanoTime(), warmUp);
    }

    /** Users to create for a run of this length (one AL-001 attack every second attack, plus a margin). */
    static int usersNeeded(Duration total, Duration attackEvery) {
        return (int) (total.toMillis() / attackEvery.toMillis() / 2) + 10;
    }
}
