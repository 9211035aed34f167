package io.airlock.ingest;

import io.airlock.core.KafkaSecurity;
import io.airlock.core.Topics;
import java.time.Duration;
import java.util.Objects;

/**
 * Where captured changes go and how the capture keeps its position.
 *
 * @param serverName        Debezium's logical server name ({@code topic.prefix}), also the name of the offsets key
 * @param heartbeatInterval how often the connector confirms its position on an idle database
 * @param replicationFactor replication of the offsets topic (1 for a single broker)
 * @param kafkaSecurity     what the capture's Kafka clients add to reach a secured Kafka; null: {@link KafkaSecurity#PLAINTEXT}
 */
public record CaptureSettings(String bootstrapServers, Topics topics, String serverName, Duration heartbeatInterval,
        short replicationFactor, KafkaSecurity kafkaSecurity) {

    public CaptureSettings {
        Objects.requireNonNull(bootstrapServers, "kafka.bootstrap-servers");
        Objects.requireNonNull(topics, "topics");
        serverName = serverName == null ? "airflow" : serverName;
        heartbeatInterval = heartbeatInterval == null ? Duration.ofSeconds(10) : heartbeatInterval;
        kafkaSecurity = kafkaSecurity == null ? KafkaSecurity.PLAINTEXT : kafkaSecurity;
    }

    /** On a Kafka without security. */
    public CaptureSettings(String bootstrapServers, Topics topics, String serverName, Duration heartbeatInterval,
            short replicationFactor) {
        this(bootstrapServers, topics, serverName, heartbeatInterval, replicationFactor, null);
    }

    public static CaptureSettings of(String bootstrapServers, Topics topics) {
        return new CaptureSettings(bootstrapServers, topics, "airflow", Duration.ofSeconds(10), (short) 1);
    }

    /** The topic holding the connector's source offsets (the PostgreSQL LSN it confirmed). */
    public String offsetsTopic() {
        return topics.prefix() + ".cdc.offsets";
    }
}
