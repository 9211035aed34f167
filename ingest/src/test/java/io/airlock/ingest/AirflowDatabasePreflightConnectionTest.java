package io.airlock.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.UnknownHostException;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/** Why the Airflow database cannot be reached is said, not only that it cannot. */
class AirflowDatabasePreflightConnectionTest {

    @Test
    void shouldNameAHostThatDoesNotResolve() {
        var settings = new AirflowDatabaseSettings("airflow-db.invalid", 5432, "airflow", "airlock", "pw", "disable", "airlock",
                "airlock_publication");

        var findings = new AirflowDatabasePreflight(settings).inspect();

        assertThat(findings.problems()).singleElement().asString().startsWith("cannot connect as 'airlock': ")
                .contains("UnknownHostException").contains("airflow-db.invalid");
    }

    @Test
    void shouldAddTheRootCauseOnlyWhenTheMessageHidesIt() {
        var hidden = new SQLException("The connection attempt failed.", "08001",
                new RuntimeException(new UnknownHostException("db.internal")));
        var shown = new SQLException("Connection to db.internal:5432 refused.", "08001",
                new java.net.ConnectException("db.internal:5432 refused."));

        assertThat(SqlFailures.withRootCause(hidden)).isEqualTo("The connection attempt failed. (UnknownHostException: db.internal)");
        assertThat(SqlFailures.withRootCause(new SQLException("FATAL: password authentication failed")))
                .isEqualTo("FATAL: password authentication failed");
        assertThat(SqlFailures.withRootCause(shown)).as("said already").isEqualTo("Connection to db.internal:5432 refused.");
    }
}
