package io.airlock.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import org.apache.kafka.streams.KafkaStreams.State;
import org.junit.jupiter.api.Test;

/** Which Kafka Streams states make {@code airlock run} exit for a restart: only those Streams never leaves by itself. */
class PipelineStreamsStateTest {

    @Test
    void shouldTreatOnlyStatesWithoutWayBackAsStoppedForGood() {
        var failed = EnumSet.of(State.PENDING_ERROR, State.ERROR, State.PENDING_SHUTDOWN, State.NOT_RUNNING);
        for (State state : State.values()) {
            assertThat(Pipeline.stoppedForGood(state)).as(state.name()).isEqualTo(failed.contains(state));
        }
        // a rebalance is transient: not ready for a moment, still alive
        assertThat(Pipeline.stoppedForGood(State.REBALANCING)).isFalse();
    }
}
