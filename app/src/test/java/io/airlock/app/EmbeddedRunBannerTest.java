package io.airlock.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.streams.DetectionConfig.AirflowInVault;
import java.util.List;
import org.junit.jupiter.api.Test;

class EmbeddedRunBannerTest {

    @Test
    void shouldDescribeTextEntriesAsMatchedInNamesNeverInsideEntityIds() {
        var airflow = new AirflowInVault(List.of("5cb4a0d2-0f4e-4c7b-9d0a-1c2e3f405162", "airflow"), List.of("airflow/connections/"));

        assertThat(EmbeddedRun.describe(airflow)).isEqualTo("entity 5cb4a0d2-0f4e-4c7b-9d0a-1c2e3f405162 or "
                + "a display name, AppRole role or user name containing 'airflow'");
    }
}
