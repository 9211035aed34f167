package io.airlock.app.config;

import static io.airlock.core.config.ConfigTypes.hostPort;
import static io.airlock.core.config.ConfigTypes.integer;
import static io.airlock.core.config.ConfigTypes.listOf;
import static io.airlock.core.config.ConfigTypes.string;

import io.airlock.core.Topics;
import io.airlock.core.config.ConfigDefinition.Group;
import io.airlock.core.config.ConfigValues;
import io.airlock.core.config.HostPort;
import io.airlock.core.config.Setting;
import io.airlock.core.config.Validators;
import io.airlock.streams.StreamsSettings;
import java.util.List;
import java.util.stream.Collectors;

/** Kafka and the topic names (DESIGN.md, Topics). Belongs to {@code core} once modules read their own settings. */
public final class KafkaFields {

    public static final Setting<String> TOPICS_PREFIX = Setting.of("topics.prefix", string())
            .defaultValue(Topics.DEFAULT_PREFIX)
            .validate(Validators.accepts("letters, digits, '.', '_', '-'", Topics::new))
            .doc("Prefix of every Kafka topic (`<prefix>.events`, `<prefix>.alerts`, `<prefix>.cdc.airflow.log`, ...), of the "
                    + "Kafka Streams application id and of the consumer groups. Two Airlock deployments on one Kafka need "
                    + "different prefixes.");

    public static final Setting<List<HostPort>> BOOTSTRAP_SERVERS = Setting.of("kafka.bootstrap-servers", listOf(hostPort()))
            .defaultValue(List.of(new HostPort("localhost", 9092)))
            .validate(Validators.notEmpty())
            .doc("Kafka brokers to connect to first (`bootstrap.servers`): a YAML list or one comma-separated string.");

    public static final Setting<Integer> REPLICATION_FACTOR = Setting.of("kafka.replication-factor", integer())
            .defaultValue(1)
            .validate(Validators.between(1, Short.MAX_VALUE))
            .doc("Replication of the topics Airlock creates (Kafka Streams internal topics, the capture's offsets topic): "
                    + "1 for a single broker, 3 in production.");

    public static final Setting<Integer> PARTITIONS = Setting.of("kafka.partitions", integer())
            .defaultValue(3)
            .validate(Validators.between(1, 10_000))
            .doc("Partitions of the topics `airlock run` creates when they do not exist yet; more partitions let more "
                    + "`--only streams` instances share the work.");

    public static final Setting<Integer> STREAM_THREADS = Setting.of("kafka.stream-threads", integer())
            .defaultValue(StreamsSettings.DEFAULT_STREAM_THREADS)
            .validate(Validators.between(1, 64))
            .doc("Kafka Streams threads of the detection stage (`num.stream.threads`) in one process. 2 lets normalization "
                    + "and the rules use two cores at once (on 2 cores: 27 000-30 000 instead of 24 000-25 000 events/s, "
                    + "notifications ~250 ms sooner), but with more than one input partition a catch-up of a backlog can then "
                    + "split a Vault alert group in two or drop a read later than `detection.grace` (see docs/reliability.md): "
                    + "use it with one input partition, or where Airlock never has a backlog to catch up.");

    public static final Group GROUP = Group.of("Kafka",
            "Airlock's data flows through Kafka topics (DESIGN.md, *Topics*).",
            TOPICS_PREFIX, BOOTSTRAP_SERVERS, REPLICATION_FACTOR, PARTITIONS, STREAM_THREADS);

    private KafkaFields() {
    }

    static Topics topics(ConfigValues values) {
        return new Topics(values.get(TOPICS_PREFIX));
    }

    /** {@code host1:9092,host2:9092}. */
    static String bootstrapServers(ConfigValues values) {
        return values.get(BOOTSTRAP_SERVERS).stream().map(HostPort::toString).collect(Collectors.joining(","));
    }
}
