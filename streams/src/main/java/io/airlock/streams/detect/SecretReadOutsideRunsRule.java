package io.airlock.streams.detect;

import io.airlock.core.NormalizedEvent;
import io.airlock.core.Topics;
import io.airlock.streams.DetectionConfig;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.KStream;

/** AL-022: not wired yet (placeholder, adds nothing to the topology). */
public final class SecretReadOutsideRunsRule {

    public static final RuleDefinition RULE = RuleDefinition.SECRET_READ_OUTSIDE_RUNS;

    private SecretReadOutsideRunsRule() {
    }

    public static void addTo(StreamsBuilder builder, KStream<String, NormalizedEvent> events, DetectionConfig config, Topics topics) {
        // implemented by the detection work
    }
}
