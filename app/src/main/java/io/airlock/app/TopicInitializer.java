package io.airlock.app;

import io.airlock.alerting.DeliveryStateTopic;
import io.airlock.core.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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

    static void ensureTopics(String bootstrapServers, Topics topics, int partitions, int replicationFactor) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis()))) {
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
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot create Airlock's topics on " + bootstrapServers + ": " + e.getCause().getMessage(), e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka at " + bootstrapServers + " did not answer within " + TIMEOUT.toSeconds() + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        }
    }
}
