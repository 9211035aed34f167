package io.airlock.embedded;

import io.airlock.core.KafkaSecurity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.test.JaasUtils;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node KRaft Kafka broker (combined broker and controller) running inside this JVM.
 *
 * <p>Every internal topic (consumer offsets, transaction state, share-group state) has replication
 * factor 1 and min ISR 1, so transactions and Kafka Streams {@code exactly_once_v2} work on one node.
 * The cluster runs the latest production metadata version (no preview features).
 * Topics are <b>not</b> auto-created: create them with {@link #createTopics(int, String...)}, as
 * production deployments do.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

    /** Broker settings on top of the test kit defaults: RF/min ISR 1 everywhere, small segments, few threads. */
    static final Map<String, String> BROKER_CONFIG = Map.ofEntries(
            Map.entry("auto.create.topics.enable", "false"),
            Map.entry("num.partitions", "1"),
            Map.entry("default.replication.factor", "1"),
            Map.entry("min.insync.replicas", "1"),
            Map.entry("offsets.topic.replication.factor", "1"),
            Map.entry("offsets.topic.num.partitions", "1"),
            Map.entry("offsets.topic.segment.bytes", "1048576"),
            Map.entry("transaction.state.log.replication.factor", "1"),
            Map.entry("transaction.state.log.min.isr", "1"),
            Map.entry("transaction.state.log.num.partitions", "1"),
            Map.entry("transaction.state.log.segment.bytes", "1048576"),
            Map.entry("share.coordinator.state.topic.replication.factor", "1"),
            Map.entry("share.coordinator.state.topic.min.isr", "1"),
            Map.entry("share.coordinator.state.topic.num.partitions", "1"),
            Map.entry("group.initial.rebalance.delay.ms", "0"),
            Map.entry("log.segment.bytes", "1048576"),
            Map.entry("log.index.size.max.bytes", "65536"),
            Map.entry("log.cleaner.threads", "1"),
            Map.entry("num.network.threads", "2"),
            Map.entry("num.io.threads", "2"),
            Map.entry("num.recovery.threads.per.data.dir", "1"),
            Map.entry("background.threads", "2"));

    /** The SASL user of {@link #startWithSasl()}, a super user. */
    public static final String SASL_USER = JaasUtils.KAFKA_PLAIN_ADMIN;
    /** Its password. */
    public static final String SASL_PASSWORD = JaasUtils.KAFKA_PLAIN_ADMIN_PASSWORD;

    private final KafkaClusterTestKit cluster;
    private final Path baseDirectory;
    private final KafkaSecurity security;
    private final Admin admin;
    private volatile boolean closed;

    private EmbeddedKafka(KafkaClusterTestKit cluster, Path baseDirectory, KafkaSecurity security) {
        this.cluster = cluster;
        this.baseDirectory = baseDirectory;
        this.security = security;
        this.admin = admin();
    }

    /** Formats fresh log directories and starts the broker; returns once it accepts clients. */
    public static EmbeddedKafka start() {
        return start(SecurityProtocol.PLAINTEXT);
    }

    /**
     * A broker whose client listener takes only {@code SASL_PLAINTEXT} with {@code PLAIN} ({@link #SASL_USER}); this
     * object's own clients ({@link #admin()}, {@link #consumer}, …) use {@link #security()}.
     */
    public static EmbeddedKafka startWithSasl() {
        return start(SecurityProtocol.SASL_PLAINTEXT);
    }

    /** What a client needs to connect: {@link KafkaSecurity#PLAINTEXT}, or SASL for {@link #startWithSasl()}. */
    public KafkaSecurity security() {
        return security;
    }

    private static EmbeddedKafka start(SecurityProtocol protocol) {
        long started = System.nanoTime();
        Path base;
        try {
            base = Files.createTempDirectory("airlock-kafka-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the Kafka log directory", e);
        }
        KafkaClusterTestKit cluster = null;
        try {
            TestKitNodes nodes = new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .setBaseDirectory(base)
                    .setBootstrapMetadataVersion(MetadataVersion.latestProduction())
                    .setBrokerSecurityProtocol(protocol)
                    .setControllerSecurityProtocol(protocol)
                    .build();
            var builder = new KafkaClusterTestKit.Builder(nodes).setDeleteOnClose(true);
            BROKER_CONFIG.forEach(builder::setConfigProp);
            cluster = builder.build();
            bindToLoopback(cluster);
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
            KafkaSecurity security = protocol == SecurityProtocol.PLAINTEXT ? KafkaSecurity.PLAINTEXT
                    : KafkaSecurity.of(protocol.name, "PLAIN", SASL_USER, SASL_PASSWORD, null);
            EmbeddedKafka kafka = new EmbeddedKafka(cluster, base, security);
            LOG.info("Kafka broker started at {} in {} ms", kafka.bootstrapServers(),
                    Duration.ofNanos(System.nanoTime() - started).toMillis());
            return kafka;
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            closeQuietly(cluster);
            RunDirectories.deleteQuietly(base);
            throw new IllegalStateException("embedded Kafka failed to start", e);
        }
    }

    /**
     * Rebinds the broker's and the controller's listening sockets to loopback. The test kit binds each listener's port
     * before the node starts (the controller quorum and the clients are told the port up front), on every interface,
     * whatever host the listener names; the node then takes the socket as it is. This broker takes clients without
     * authentication and the embedded run promises that nothing leaves the machine, so each socket is closed and bound
     * again, on the same port, to loopback before the node starts. (A broker started again after {@link #stopBroker()}
     * reopens its port on the listener's host, {@code localhost}: loopback too.)
     */
    private static void bindToLoopback(KafkaClusterTestKit cluster) throws ReflectiveOperationException, IOException {
        Field managerField = KafkaClusterTestKit.class.getDeclaredField("socketFactoryManager");
        managerField.setAccessible(true);
        Object manager = managerField.get(cluster);
        Field socketsField = manager.getClass().getDeclaredField("sockets");
        socketsField.setAccessible(true);
        synchronized (manager) { // the manager's own lock
            @SuppressWarnings("unchecked")
            var sockets = (Map<Integer, Map<String, ServerSocketChannel>>) socketsField.get(manager);
            for (Map<String, ServerSocketChannel> ofNode : sockets.values()) {
                for (Map.Entry<String, ServerSocketChannel> listener : ofNode.entrySet()) {
                    int port = ((InetSocketAddress) listener.getValue().getLocalAddress()).getPort();
                    listener.getValue().close();
                    ServerSocketChannel loopback = ServerSocketChannel.open();
                    loopback.configureBlocking(false); // as the test kit opens it: the node's acceptor selects on it
                    loopback.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                    listener.setValue(loopback);
                }
            }
        }
    }

    /** The {@code bootstrap.servers} value for clients. */
    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /** The ports the broker and its controller listen on (each on loopback only). */
    Set<Integer> listenerPorts() {
        Set<Integer> ports = new TreeSet<>();
        for (String address : (bootstrapServers() + "," + cluster.bootstrapControllers()).split(",")) {
            ports.add(Integer.parseInt(address.substring(address.lastIndexOf(':') + 1).strip()));
        }
        return ports;
    }

    /**
     * Creates the topics with {@code partitions} partitions (replication factor 1) and waits until they
     * are visible; topics that already exist are left as they are.
     */
    public void createTopics(int partitions, String... names) {
        createTopics(partitions, Map.of(), names);
    }

    /**
     * Waits until every partition of the topics has a leader that answers as one: a producer that writes to a partition still electing its
     * leader can see its first batch refused and retried behind later ones (OutOfOrderSequenceException on a new topic).
     */
    private void awaitLeaders(List<String> names) {
        long deadline = System.nanoTime() + ADMIN_TIMEOUT.toNanos();
        while (true) {
            try {
                var described = admin.describeTopics(names).allTopicNames().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                if (described.values().stream().flatMap(d -> d.partitions().stream()).allMatch(p -> p.leader() != null && !p.leader().isEmpty())) {
                    // the metadata names a leader before the broker itself acts as one: ListOffsets is answered by the leader
                    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                    described.forEach((topic, d) -> d.partitions().forEach(p -> latest.put(new TopicPartition(topic, p.partition()),
                            OffsetSpec.latest())));
                    admin.listOffsets(latest).all().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                    return;
                }
            } catch (ExecutionException e) {
                // not visible yet: retry until the deadline
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for topic leaders", e);
            } catch (TimeoutException e) {
                throw new IllegalStateException("topics not visible: " + names, e);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("topics have no leader yet: " + names);
            }
            Thread.onSpinWait();
        }
    }

    /** Creates topics with topic-level configs (e.g. {@code retention.ms=-1}); existing topics are fine. */
    public void createTopics(int partitions, Map<String, String> configs, String... names) {
        List<NewTopic> topics = Arrays.stream(names).map(n -> new NewTopic(n, partitions, (short) 1).configs(configs)).toList();
        var futures = admin.createTopics(topics).values();
        for (var entry : futures.entrySet()) {
            try {
                entry.getValue().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("cannot create topic " + entry.getKey(), e.getCause());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while creating topic " + entry.getKey(), e);
            } catch (TimeoutException e) {
                throw new IllegalStateException("timed out creating topic " + entry.getKey(), e);
            }
        }
        awaitLeaders(List.of(names));
        LOG.debug("topics ready: {}", List.of(names));
    }

    /** Creates single-partition topics; see {@link #createTopics(int, String...)}. */
    public void createTopics(String... names) {
        createTopics(1, names);
    }

    /**
     * Every committed record of the topics, read from the beginning up to their end offsets at the time of the call
     * (read_committed), as strings. For assertions: "exactly these records, nothing more".
     */
    public List<ConsumerRecord<String, String>> readAll(Collection<String> topics) {
        try (var consumer = consumer(topics)) {
            List<TopicPartition> partitions = List.copyOf(consumer.assignment());
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<ConsumerRecord<String, String>> records = new ArrayList<>();
            long deadline = System.nanoTime() + ADMIN_TIMEOUT.multipliedBy(2).toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topics + " to their end offsets " + end);
                }
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            return records;
        }
    }

    /**
     * A consumer of every partition of the topics, positioned at their beginning, reading committed records as strings;
     * the caller polls and closes it.
     */
    public KafkaConsumer<String, String> consumer(Collection<String> topics) {
        var props = security.clientConfig(bootstrapServers(), Map.of(
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 << 20));
        var consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
        List<TopicPartition> partitions = topics.stream()
                .flatMap(t -> consumer.partitionsFor(t).stream().map(p -> new TopicPartition(t, p.partition())))
                .toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return consumer;
    }

    /** {@link #consumer(Collection)} for some topics. */
    public KafkaConsumer<String, String> consumer(String... topics) {
        return consumer(List.of(topics));
    }

    /** {@link #readAll(Collection)} for some topics. */
    public List<ConsumerRecord<String, String>> readAll(String... topics) {
        return readAll(List.of(topics));
    }

    /**
     * The offsets a consumer group has committed on the topics' partitions; a partition it has committed nothing on is
     * absent. A Kafka Streams application under exactly-once commits them in the transaction of the output their records
     * caused: once its offset on an input partition is past a record, whatever that record produced is committed too.
     */
    public Map<TopicPartition, Long> committedOffsets(String groupId, Collection<String> topics) {
        try {
            Map<TopicPartition, Long> committed = new HashMap<>();
            admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata()
                    .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .forEach((tp, offset) -> {
                        if (offset != null && topics.contains(tp.topic())) {
                            committed.put(tp, offset.offset());
                        }
                    });
            return committed;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the offsets of " + groupId, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot read the committed offsets of " + groupId, e);
        }
    }

    /** The end offset (the offset of the next record written) of every partition of the topics. */
    public Map<TopicPartition, Long> endOffsets(Collection<String> topics) {
        try {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            admin.describeTopics(topics).allTopicNames().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .forEach((topic, d) -> d.partitions().forEach(p -> latest.put(new TopicPartition(topic, p.partition()),
                            OffsetSpec.latest())));
            Map<TopicPartition, Long> end = new HashMap<>();
            admin.listOffsets(latest).all().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .forEach((tp, info) -> end.put(tp, info.offset()));
            return end;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the end offsets of " + topics, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot read the end offsets of " + topics, e);
        }
    }

    /**
     * Stops the broker as a crash-free shutdown would (the KRaft controller keeps running), keeping its log directories and
     * its port, so clients see the broker gone. {@link #startBroker()} brings it back. For fault-injection tests: use an
     * instance of your own, not the shared one of {@link RealComponents}.
     */
    public synchronized void stopBroker() {
        cluster.brokers().values().forEach(broker -> {
            broker.shutdown();
            broker.awaitShutdown();
        });
        LOG.info("Kafka broker at {} stopped (controller still running)", bootstrapServers());
    }

    /** Starts the broker stopped by {@link #stopBroker()} on the same port and logs; returns once it accepts clients. */
    public synchronized void startBroker() {
        cluster.brokers().values().forEach(broker -> broker.startup());
        try {
            cluster.waitForReadyBrokers();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("the Kafka broker did not come back", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the Kafka broker", e);
        }
        LOG.info("Kafka broker at {} started again", bootstrapServers());
    }

    /** A new admin client connected to this broker; the caller closes it. */
    public Admin admin() {
        return Admin.create(security.clientConfig(bootstrapServers(), Map.of()));
    }

    /** Stops the broker and deletes its log directories. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        String bootstrap = bootstrapServers();
        admin.close(Duration.ofSeconds(5));
        closeQuietly(cluster);
        RunDirectories.deleteQuietly(baseDirectory);
        LOG.info("Kafka broker at {} stopped", bootstrap);
    }

    @Override
    public String toString() {
        return "EmbeddedKafka[" + bootstrapServers() + "]";
    }

    private static void closeQuietly(KafkaClusterTestKit cluster) {
        if (cluster == null) {
            return;
        }
        try {
            cluster.close();
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            LOG.warn("Kafka broker did not stop cleanly", e);
        }
    }
}
