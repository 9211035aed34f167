package io.airlock.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.connect.errors.ConnectException;
import org.junit.jupiter.api.Test;

/** The one line a failed start of the Airflow capture ends with: Debezium's message and the root cause it buries. */
class CaptureFailureSummaryTest {

    @Test
    void shouldAddTheRootCauseThatDebeziumLeavesInItsStackTrace() {
        var failure = new ExecutionException(new ConnectException("Unable to create filtered publication nopub_pub for "
                + "\"public\".\"log\"", new SQLException("ERROR: permission denied for database opsflow")));
        failure = new ExecutionException("Unable to create filtered publication nopub_pub for \"public\".\"log\"", failure.getCause());

        assertThat(AirflowCdcCapture.summary(failure, "")).isEqualTo("Unable to create filtered publication nopub_pub for "
                + "\"public\".\"log\"; caused by: ERROR: permission denied for database opsflow");
    }

    @Test
    void shouldKeepTheHintOfAPostgresMessageOnOneLine() {
        var failure = new ConnectException("Creation of replication slot failed", new SQLException(
                "ERROR: all replication slots are in use\n  Hint: Free one or increase max_replication_slots."));

        assertThat(AirflowCdcCapture.summary(failure, "")).isEqualTo("Creation of replication slot failed; caused by: ERROR: all "
                + "replication slots are in use Hint: Free one or increase max_replication_slots.");
    }

    @Test
    void shouldNotRepeatARootCauseTheMessageAlreadyHasNorShowThePassword() {
        var failure = new RuntimeException("connect failed: password S3cret! rejected", new SQLException("password S3cret! rejected"));

        assertThat(AirflowCdcCapture.summary(failure, "S3cret!")).isEqualTo("connect failed: password <redacted> rejected");
    }
}
