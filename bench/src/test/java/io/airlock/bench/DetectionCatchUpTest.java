package io.airlock.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.embedded.EmbeddedKafka;
import io.airlock.embedded.RealComponents;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A backlog on three partitions — Airlock started after a stop, or first started on data that is already there — through the
 * real topology on the embedded broker: the normalization tasks then run minutes of event time apart, and AL-022 must
 * wait for the slowest before it calls a secret read "outside every DAG run".
 */
@ExtendWith(RealComponents.class)
class DetectionCatchUpTest {

    @Test
    void shouldNotCallReadsOutsideRunsWhenTheRunsComeFromALaggingPartition(EmbeddedKafka kafka) throws Exception {
        Map<String, Long> alerts = DetectionBenchmark.alertsByRule(kafka, 60_000, 3);

        assertThat(alerts).as("the generated attacks are found").containsKeys("AL-001", "AL-002", "AL-021", "AL-024");
        assertThat(alerts).as("every read of Airflow's service identity in the input falls into one of its runs")
                .doesNotContainKey("AL-022");
    }
}
