package io.airlock.streams;

import io.airlock.core.Topics;
import io.airlock.streams.internal.DeadLetterHandler;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

/** The Kafka Streams configuration Airlock runs with: exactly-once, named resources, dead-letter routing. */
public final class StreamsSettings {

    /**
     * Stream threads of one instance by default. Two let the normalization tasks and the rule tasks (different
     * sub-topologies, so different tasks) run on two cores at once, but with several input partitions the normalization
     * tasks then advance at their threads' paces: catching up a backlog, their outputs on {@code events} drift apart in
     * event time beyond the rules' grace (docs/reliability.md). One thread takes every task in turn and keeps them
     * together. Set with {@code kafka.stream-threads}.
     */
    public static final int DEFAULT_STREAM_THREADS = 1;

    /** {@code StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG}, deprecated since Kafka Streams 4.3. */
    static final String PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED = "processing.exception.handler.global.enabled";

    /**
     * Airlock's own setting, read by processors through {@code appConfigs()}: how many partitions the input topics have (the
     * most of any), so how many normalization tasks write AL-022's input, which waits for all of them on its first start
     * ({@link io.airlock.streams.detect.UpstreamProgress}). Unset (offline replays) it counts the writers it hears from.
     */
    public static final String INPUT_PARTITIONS = "airlock.input.partitions";

    private StreamsSettings() {
    }

    /**
     * {@code <prefix>-streams}: the Streams application id, so also its consumer group (whose committed offsets say how far
     * its outputs are committed) and the prefix of its internal topics.
     */
    public static String applicationId(Topics topics) {
        return topics.prefix() + "-streams";
    }

    /**
     * @param replicationFactor replication of internal topics (1 for the embedded single broker, 3 in production)
     */
    public static Properties of(String bootstrapServers, Topics topics, Path stateDir, int replicationFactor) {
        var props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId(topics));
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, replicationFactor);
        props.put(StreamsConfig.ENSURE_EXPLICIT_INTERNAL_RESOURCE_NAMING_CONFIG, true);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, DEFAULT_STREAM_THREADS);
        // No store uses Kafka Streams' record cache (StateStores writes every store behind: WriteBehindKeyValueStore), and
        // nothing here is a DSL table: none is allocated.
        props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0L);
        props.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class);
        props.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterHandler.class);
        // Also for the global processing path. Kafka Streams 4.3 deprecated the switch (no replacement: its default becomes
        // true when it is removed), so it is set by name, which keeps the build free of deprecation warnings.
        props.put(PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED, true);
        props.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, topics.dlq());
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        props.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 5);
        // A crashed instance's tasks move after 10 s instead of the default 45 s (a clean close leaves the group at once).
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 10_000);
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), 3_000);
        return props;
    }
}
