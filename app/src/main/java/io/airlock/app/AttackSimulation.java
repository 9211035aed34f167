package io.airlock.app;

import io.airlock.embedded.AirflowDatabase;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Simulated Airflow and Vault activity for the demo: ordinary work, and the attacks of the rule catalogue. Airflow rows are
 * written to the metadata database exactly as Airflow and Flask-AppBuilder write them; Vault lines as the file audit device
 * writes them. Vault and audit-log times lie in the last half hour, so event-time rules see a realistic timeline.
 */
final class AttackSimulation {

    static final String ATTACKED_USER = "alice";
    static final String AIRFLOW_IDENTITY = "approle-airflow-worker";
    static final int SPRAYED_USERS = 10;

    private final AirflowDatabase airflow;
    private final VaultAuditWriter vault;
    private final PrintStream out;
    private final Instant now = Instant.now();

    AttackSimulation(AirflowDatabase airflow, VaultAuditWriter vault, PrintStream out) {
        this.airflow = airflow;
        this.vault = vault;
        this.out = out;
    }

    /** Accounts and past DAG runs that exist before Airlock starts: they arrive through the initial snapshot. */
    void seed() {
        airflow.createUser("admin", "admin@example.com", "Admin");
        airflow.createUser(ATTACKED_USER, "alice@example.com", "Op");
        airflow.createUser("bob", "bob@example.com", "User");
        airflow.createUser("carol", "carol@example.com", "User");
        IntStream.rangeClosed(1, 12).forEach(i -> airflow.createUser(sprayTarget(i), sprayTarget(i) + "@example.com", "Viewer"));
        airflow.dagRun("etl_daily", "scheduled__earlier", "scheduled", "success", ago(30), ago(25));
        airflow.dagRun("etl_daily", "scheduled__current", "scheduled", "running", ago(8), null);
    }

    /** Airflow activity: logins, changes, runs and accounts, in the metadata database. */
    void airflowActivity() {
        step("bob logs in, triggers etl_daily by hand (ordinary work — but it is off-hours: AL-010, AL-011)");
        airflow.successfulLogin("bob", LocalDateTime.ofInstant(now, ZoneOffset.UTC));
        airflow.auditLog(now, "trigger", "bob", "etl_daily", "{\"conf\": \"***\"}");
        airflow.dagRun("etl_daily", "manual__" + now, "manual", "queued", now, null);

        step("carol mistypes her password twice, then logs in (noise below every threshold)");
        airflow.failedLogin("carol");
        airflow.failedLogin("carol");
        airflow.successfulLogin("carol", LocalDateTime.ofInstant(now, ZoneOffset.UTC));

        step("ATTACK: 6 wrong passwords for '" + ATTACKED_USER + "' (T1110.001 password guessing: AL-001)");
        for (int i = 0; i < 6; i++) {
            airflow.failedLogin(ATTACKED_USER);
        }
        step("ATTACK: the guess succeeds — '" + ATTACKED_USER + "' logs in (T1078 valid accounts: AL-003)");
        airflow.successfulLogin(ATTACKED_USER, LocalDateTime.ofInstant(now, ZoneOffset.UTC));
        step("ATTACK: '" + ATTACKED_USER + "' edits a variable and a DAG (AL-010, escalated to high after AL-001/AL-003)");
        Instant afterLogin = Instant.now();
        airflow.auditLog(afterLogin, "variable.edit", ATTACKED_USER, null, "{\"key\": \"aws_default_region\", \"val\": \"***\"}");
        airflow.auditLog(afterLogin, "api.patch_dag", ATTACKED_USER, "payments_export", "{\"is_paused\": false}");

        step("ATTACK: '" + ATTACKED_USER + "' covers her tracks: deletes her rows from Airflow's audit log with SQL "
                + "(T1070 indicator removal: AL-013 — Airlock already has them)");
        airflow.deleteAuditLogOf(ATTACKED_USER);

        step("ATTACK: one wrong password each for " + SPRAYED_USERS + " accounts (T1110.003 password spraying: AL-002)");
        IntStream.rangeClosed(1, SPRAYED_USERS).forEach(i -> airflow.failedLogin(sprayTarget(i)));

        step("ATTACK: a new account 'svc-backdoor' appears (T1136 create account: AL-012)");
        airflow.createUser("svc-backdoor", "backdoor@example.net", "Admin");
    }

    /** Vault activity: the audit device's lines, request and response per operation. */
    void vaultActivity() {
        step("Vault: Airflow reads its connection during the running DAG run (ordinary)");
        vault.read(ago(5), AIRFLOW_IDENTITY, "airflow", "connections/postgres_default", false, Map.of());
        step("ATTACK: Airflow's identity reads a secret while no DAG run is running (stolen token? AL-022)");
        vault.read(ago(15), AIRFLOW_IDENTITY, "airflow", "variables/aws_secret_access_key", false, Map.of());
        step("ATTACK: token 'token-reporting' reads 25 distinct secrets in 2 minutes (T1555 harvesting: AL-021)");
        IntStream.range(0, 25).forEach(i -> vault.read(ago(12).plusSeconds(5L * i), "token-reporting", "secret", "team/app-" + i, false,
                Map.of()));
        step("ATTACK: 'approle-ci' is denied 6 times on production secrets (AL-023)");
        IntStream.range(0, 6).forEach(i -> vault.read(ago(10).plusSeconds(10L * i), "approle-ci", "secret", "prod/db-" + i, true,
                Map.of()));
        step("ATTACK: a person, 'userpass-bob', reads Airflow's database connection (AL-024)");
        vault.read(ago(9), "userpass-bob", "airflow", "connections/postgres_default", false, Map.of());
        // Airflow keeps working: its later reads move the detection's event time past the 2-minute grace of AL-022.
        vault.read(ago(2), AIRFLOW_IDENTITY, "airflow", "connections/postgres_default", false, Map.of());
        vault.read(now, AIRFLOW_IDENTITY, "airflow", "connections/postgres_default", false, Map.of());
    }

    private Instant ago(int minutes) {
        return now.minus(Duration.ofMinutes(minutes));
    }

    private static String sprayTarget(int i) {
        return String.format("user%02d", i);
    }

    private void step(String text) {
        out.println("simulate: " + text);
    }
}
