package io.airlock.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.core.Topics;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CdcRecordRouterTest {

    private final CdcRecordRouter router = new CdcRecordRouter(new Topics("router-test"), "airflow");

    @ParameterizedTest(name = "{0} row of {1}: ends the initial snapshot = {2}")
    @CsvSource({
        "first, dag_run, false",
        "first_in_data_collection, log, false",
        "true, log, false",
        "last_in_data_collection, log, false",
        "last, dag_run, true",
        "false, ab_user, true",
        "incremental, log, true",
    })
    void shouldTellTheInitialSnapshotsRowsFromItsEnd(String snapshot, String table, boolean ends) {
        String value = "{\"before\":null,\"after\":{\"id\":1},\"source\":{\"snapshot\":\"" + snapshot + "\",\"ts_ms\":1},\"op\":\"r\"}";

        assertThat(router.endsInitialSnapshot("airflow.public." + table, value)).isEqualTo(ends);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "a change without source.snapshot (streamed) | airflow.public.log | {\"after\":{\"id\":1},\"source\":{\"ts_ms\":1},\"op\":\"c\"}",
        "a heartbeat                                  | __debezium-heartbeat.airflow | {\"ts_ms\":1}",
        "a logical message                            | airflow.message | {\"op\":\"m\"}",
    })
    void shouldTakeAnyStreamedRecordAsTheEndOfTheInitialSnapshot(String what, String destination, String value) {
        assertThat(router.endsInitialSnapshot(destination, value)).isTrue();
        assertThat(router.endsInitialSnapshot("airflow.public.log", null)).as("a tombstone (streamed delete)").isTrue();
    }

    @org.junit.jupiter.api.Test
    void shouldStampAChangeWithItsCommitTimeButNoFurtherAheadThanTheBrokerTakes() {
        long now = System.currentTimeMillis();
        long committed = now - 5_000;
        long daysAhead = now + java.time.Duration.ofDays(3).toMillis();

        var onTime = router.route("airflow.public.log", "{\"id\":1}",
                "{\"after\":{\"id\":1},\"source\":{\"ts_ms\":" + committed + "},\"op\":\"c\"}").orElseThrow();
        var skewed = router.route("airflow.public.log", "{\"id\":2}",
                "{\"after\":{\"id\":2},\"source\":{\"ts_ms\":" + daysAhead + "},\"op\":\"c\"}").orElseThrow();

        assertThat(onTime.timestamp()).isEqualTo(committed);
        assertThat(skewed.timestamp()).as("a database clock three days ahead (the broker refuses more than an hour)")
                .isBetween(now, System.currentTimeMillis() + io.airlock.core.RecordTimes.MAX_AHEAD.toMillis());
        assertThat(skewed.value()).contains("\"ts_ms\":" + daysAhead);
    }
}
