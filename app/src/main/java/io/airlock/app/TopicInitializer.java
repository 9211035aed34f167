package io.airlock.app;

import io.airlock.alerting.DeliveryStateTopic;
import io.airlock.core.KafkaSecurity;
import io.airlock.core.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the topics of the contract, and the compacted delivery-state topic, that do not exist yet; existing topics are
 * left exactly as they are.
 */
final class TopicInitializer {

    private static final Logger LOG = LoggerFactory.getLogger(TopicInitializer.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private TopicInitializer() {
    }

    static void ensureTopics(String bootstrapServers, KafkaSecurity security, Topics topics, int partitions, int replicationFactor) {
        try (Admin admin = admin(bootstrapServers, security)) {
            Set<String> existing = admin.listTopics().names().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            List<NewTopic> missing = new java.util.ArrayList<>(topics.all().stream()
                    .filter(t -> !existing.contains(t))
                    .map(t -> new NewTopic(t, partitions, (short) replicationFactor))
                    .toList());
            // the alert delivery loop's notification memory: compacted (it also creates it if missing)
            if (!existing.contains(DeliveryStateTopic.name(topics))) {
                missing.add(DeliveryStateTopic.newTopic(topics, partitions, (short) replicationFactor));
            }
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                LOG.info("Created topics {} ({} partitions, replication {})", missing.stream().map(NewTopic::name).toList(), partitions,
                        replicationFactor);
            }
        } catch (ExecutionException | TimeoutException | InterruptedException e) {
            throw failure("create Airlock's topics", bootstrapServers, e);
        }
    }

    /**
     * The most partitions any input topic (CDC tables, Vault audit) has — the number of normalization tasks, which detection
     * waits to hear from on its first start — or empty when none exists yet.
     */
    static OptionalInt inputPartitions(String bootstrapServers, KafkaSecurity security, Topics topics) {
        try (Admin admin = admin(bootstrapServers, security)) {
            Set<String> existing = admin.listTopics().names().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            List<String> present = topics.inputs().stream().filter(existing::contains).toList();
            if (present.isEmpty()) {
                return OptionalInt.empty();
            }
            return admin.describeTopics(present).allTopicNames().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).values().stream()
                    .mapToInt(description -> description.partitions().size()).max();
        } catch (ExecutionException | TimeoutException | InterruptedException e) {
            throw failure("describe the input topics", bootstrapServers, e);
        }
    }

    private static Admin admin(String bootstrapServers, KafkaSecurity security) {
        return Admin.create(security.clientConfig(bootstrapServers,
                Map.of(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis())));
    }

    static IllegalStateException failure(String what, String bootstrapServers, Exception e) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
            return new IllegalStateException("interrupted while trying to " + what, e);
        }
        if (e instanceof TimeoutException || e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
            return new IllegalStateException("Kafka at " + bootstrapServers + " did not answer within " + TIMEOUT.toSeconds()
                    + " s: is kafka.bootstrap-servers right, and the broker up and reachable from here?", e);
        }
        return new IllegalStateException("cannot " + what + " on " + bootstrapServers + ": " + e.getCause().getMessage(), e);
    }
}
