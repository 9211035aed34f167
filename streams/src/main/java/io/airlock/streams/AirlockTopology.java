package io.airlock.streams;

import io.airlock.core.NormalizedEvent;
import io.airlock.core.Topics;
import io.airlock.streams.detect.FailedLoginBurstRule;
import io.airlock.streams.internal.JsonSerdes;
import io.airlock.streams.normalize.AbUserChangeNormalizer;
import io.airlock.streams.normalize.AbUserState;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.state.Stores;

/**
 * The one Airlock topology, built by a pure function so that {@code run}, {@code demo}, {@code backtest} and the tests
 * run the very same thing: CDC and Vault records are normalized onto {@code events}; rules read {@code events} and write
 * {@code alerts}.
 */
public final class AirlockTopology {

    private AirlockTopology() {
    }

    public static Topology build(DetectionConfig config, Topics topics) {
        var builder = new StreamsBuilder();
        addNormalization(builder, topics);
        KStream<String, NormalizedEvent> events = builder.stream(topics.events(),
                Consumed.with(Serdes.String(), JsonSerdes.events()).withName("events-source"));
        FailedLoginBurstRule.addTo(builder, events, config, topics);
        return builder.build();
    }

    private static void addNormalization(StreamsBuilder builder, Topics topics) {
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(AbUserChangeNormalizer.STORE),
                Serdes.String(), JsonSerdes.of(AbUserState.class)));
        builder.stream(topics.cdc("ab_user"), Consumed.with(Serdes.String(), JsonSerdes.tree()).withName("cdc-ab-user-source"))
                .process(AbUserChangeNormalizer::new, Named.as("normalize-ab-user"), AbUserChangeNormalizer.STORE)
                .to(topics.events(), Produced.with(Serdes.String(), JsonSerdes.events()).withName("ab-user-events-sink"));
    }
}
