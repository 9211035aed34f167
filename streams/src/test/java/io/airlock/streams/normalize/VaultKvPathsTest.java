package io.airlock.streams.normalize;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VaultKvPathsTest {

    @ParameterizedTest(name = "{0} ({1} at {2}) -> {3}")
    @CsvSource(nullValues = "null", value = {
        "airflow/data/connections/db, kv, airflow/, airflow/connections/db",
        "airflow/metadata/variables/api_key, kv, airflow/, airflow/variables/api_key",
        "airflow/metadata/connections/, kv, airflow/, airflow/connections/",
        "airflow/destroy/connections/db, kv, airflow/, airflow/connections/db",
        "secret/data/apps/ci, kv, null, secret/apps/ci",
        "team/kv/data/app/db, kv, team/kv/, team/kv/app/db",
        "kv1/airflow/connections/db, kv, kv1/, kv1/airflow/connections/db",
        "secret/config, kv, secret/, secret/config",
        "secret/data/apps/ci, null, null, secret/apps/ci",
        "secret/apps/ci, null, null, null",
        "sys/metadata/x, null, null, null",
        "database/creds/readonly, database, database/, null",
        "sys/mounts/airflow, system, sys/, null",
    })
    void shouldStripTheKvV2SegmentOnlyUnderKvMounts(String path, String mountType, String mountPoint, String expected) {
        assertThat(VaultKvPaths.of(path, mountType, mountPoint)).isEqualTo(expected);
    }
}
