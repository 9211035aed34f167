package io.airlock.alerting;

import io.airlock.core.Topics;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;

/**
 * The delivery-state topic, {@code <prefix>.delivery-state}: per receiver name and alert id, the alert version the
 * receiver last confirmed and when. The alert delivery loop writes an entry after each confirmed notification (before
 * the alert record may be committed) and reads the topic to its end before it consumes alerts, so a restart after a
 * crash does not notify anyone again of what they already confirmed. Keys are {@code <receiver name>/<alert id>}: names
 * only, never a webhook URL or routing key.
 *
 * <p>Compacted (the newest entry per key is what counts) and also deleted after {@link #RETENTION}, so alerts that
 * stopped long ago do not accumulate.
 */
public final class DeliveryStateTopic {

    /** How long entries are kept; a restart only needs those younger than the longest repeat interval (or a day). */
    public static final Duration RETENTION = Duration.ofDays(7);

    private DeliveryStateTopic() {
    }

    /** {@code <prefix>.delivery-state}. */
    public static String name(Topics topics) {
        return topics.prefix() + ".delivery-state";
    }

    /** The topic's settings: {@code cleanup.policy=compact,delete}, {@code retention.ms} = {@link #RETENTION}. */
    public static Map<String, String> configs() {
        return Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT + "," + TopicConfig.CLEANUP_POLICY_DELETE,
                TopicConfig.RETENTION_MS_CONFIG, Long.toString(RETENTION.toMillis()));
    }

    /** The topic to create, with {@link #configs()}. */
    public static NewTopic newTopic(Topics topics, int partitions, short replicationFactor) {
        return new NewTopic(name(topics), partitions, replicationFactor).configs(configs());
    }

    /** The topic to create with the broker's default partitions and replication (the delivery loop, if it is missing). */
    static NewTopic newTopicWithBrokerDefaults(String name) {
        return new NewTopic(name, Optional.empty(), Optional.empty()).configs(configs());
    }
}
