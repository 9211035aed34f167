package io.airlock.app;

import io.airlock.alerting.DeliveryStateTopic;
import io.airlock.core.KafkaSecurity;
import io.airlock.core.RecordTimes;
import io.airlock.core.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the topics of the contract, and the compacted delivery-state topic, that do not exist yet; existing topics are
 * left exactly as they are, but a time retention too short for a backlog is warned of.
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
                awaitListed(admin, missing.stream().map(NewTopic::name).toList());
            }
            warnOfShortRetention(admin, topics);
        } catch (ExecutionException | TimeoutException | InterruptedException e) {
            throw failure("create Airlock's topics", bootstrapServers, e);
        }
    }

    /**
     * Waits until the brokers list the topics just created: the controller acknowledges a creation before every broker's
     * metadata has it, and what runs next (the input partitions detection waits for, the stages' first requests) asks a broker.
     */
    private static void awaitListed(Admin admin, List<String> created) throws ExecutionException, TimeoutException,
            InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!admin.listTopics().names().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).containsAll(created)) {
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("created topics not listed after " + TIMEOUT.toSeconds() + " s");
            }
            Thread.sleep(50);
        }
    }

    /**
     * Warns once per topic Airlock writes itself whose time retention is shorter than twice {@link RecordTimes#MAX_BEHIND}:
     * Airlock stamps a record of older history that far back ({@link RecordTimes#retained}), so such a topic could delete a
     * first start's backlog, or what a stopped reader has not read yet, before it is read — and a reader that lags behind
     * the log start goes on from there without an error.
     */
    private static void warnOfShortRetention(Admin admin, Topics topics) throws InterruptedException {
        long needed = 2 * RecordTimes.MAX_BEHIND.toMillis();
        List<ConfigResource> written = Stream.of(topics.vaultAudit(), topics.events(), topics.alerts())
                .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList();
        Map<ConfigResource, Config> configs;
        try {
            configs = admin.describeConfigs(written).all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // e.g. no DescribeConfigs ACL: the check is advice, the start goes on
            LOG.info("Could not read the retention of Airlock's topics, not checking it: {}", e.getMessage());
            return;
        }
        configs.forEach((resource, config) -> {
            ConfigEntry retention = config.get(TopicConfig.RETENTION_MS_CONFIG);
            long ms = retention == null || retention.value() == null ? -1 : Long.parseLong(retention.value());
            if (ms >= 0 && ms < needed) {
                LOG.warn("Topic {} deletes records older than retention.ms={} ({} h), and Airlock stamps records of history up to "
                                + "{} days back: a backlog (a first start on older history, a reader stopped that long) can be "
                                + "deleted before it is read. Raise retention.ms of {} to at least {} ({} days), or -1",
                        resource.name(), ms, Duration.ofMillis(ms).toHours(), RecordTimes.MAX_BEHIND.toDays(), resource.name(),
                        needed, Duration.ofMillis(needed).toDays());
            }
        });
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
