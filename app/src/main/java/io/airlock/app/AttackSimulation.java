package io.airlock.app;

import io.airlock.embedded.AirflowDatabase;
import java.io.PrintStream;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * Simulated Airflow activity for the demo, written to the metadata database exactly as Airflow and Flask-AppBuilder write it:
 * ordinary work of several users, and the attacks the rule catalogue detects.
 */
final class AttackSimulation {

    static final String ATTACKED_USER = "alice";

    private final AirflowDatabase airflow;
    private final PrintStream out;

    AttackSimulation(AirflowDatabase airflow, PrintStream out) {
        this.airflow = airflow;
        this.out = out;
    }

    /** Accounts that exist before Airlock starts: they arrive through the initial snapshot. */
    void seedAccounts() {
        airflow.createUser("admin", "admin@example.com", "Admin");
        airflow.createUser(ATTACKED_USER, "alice@example.com", "Op");
        airflow.createUser("bob", "bob@example.com", "User");
        airflow.createUser("carol", "carol@example.com", "User");
    }

    void run() {
        Instant now = Instant.now();
        out.println("simulate: bob logs in and triggers a DAG (normal work)");
        airflow.successfulLogin("bob", LocalDateTime.ofInstant(now, ZoneOffset.UTC));
        airflow.auditLog(now, "trigger", "bob", "etl_daily", "{\"conf\": \"***\"}");
        airflow.dagRun("etl_daily", "manual__" + now, "manual", "running", now, null);

        out.println("simulate: carol mistypes her password twice, then logs in (noise, below threshold)");
        airflow.failedLogin("carol");
        airflow.failedLogin("carol");
        airflow.successfulLogin("carol", LocalDateTime.ofInstant(now, ZoneOffset.UTC));

        out.println("simulate: ATTACK — 6 wrong passwords for '" + ATTACKED_USER + "' (password guessing, T1110.001)");
        for (int i = 0; i < 6; i++) {
            airflow.failedLogin(ATTACKED_USER);
        }
    }
}
