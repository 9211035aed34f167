package io.airlock.alerting.internal;

import io.airlock.alerting.AlertRouter;
import io.airlock.alerting.DeliveryException;
import io.airlock.core.Alert;
import io.airlock.core.Json;
import io.airlock.core.MalformedRecordException;
import io.airlock.core.Severity;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The alert delivery loop's persistent notification memory: one entry per receiver name and alert id in the
 * delivery-state topic, written (and acknowledged by Kafka) after each confirmed notification, and read back into the
 * {@link AlertRouter} before alerts are consumed. {@link #NONE} keeps the memory in the router only (tests with a
 * mock consumer).
 *
 * <p>{@link #write} may be called from any thread; {@link #ensureTopic} and {@link #catchUp} only from the loop's.
 */
public class DeliveryState implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DeliveryState.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Duration POLL = Duration.ofMillis(200);

    /** Remembers nothing beyond the router's memory. */
    public static final DeliveryState NONE = new DeliveryState();

    /**
     * The value of one entry; the key is {@code <receiver>/<alert id>}; {@code severity} is absent in entries of 0.1.0.
     * {@code rejectedUpTo} is written only for a rejection (the receiver refused this version, it was dead-lettered, and
     * was not told of the versions up to that count held back since, {@link AlertRouter.Notified#rejectedUpTo()});
     * absent, as in every entry written before rejections were told apart, it is a confirmed delivery.
     */
    record Entry(String receiver, String alertId, long count, Instant lastSeen, Alert.Status status, Severity severity,
            Instant confirmedAt, Long rejectedUpTo) {
    }

    private final Producer<byte[], byte[]> producer;
    private final Consumer<byte[], byte[]> reader;
    private final Supplier<Admin> admin;
    private final String topic;
    private final AcknowledgedSends writes;
    private boolean assigned;

    private DeliveryState() {
        this.producer = null;
        this.reader = null;
        this.admin = null;
        this.topic = null;
        this.writes = null;
    }

    DeliveryState(Producer<byte[], byte[]> producer, Consumer<byte[], byte[]> reader, Supplier<Admin> admin, String topic) {
        this.producer = producer;
        this.reader = reader;
        this.admin = admin;
        this.topic = topic;
        this.writes = new AcknowledgedSends(producer, topic, "delivery-state", "entry", TIMEOUT);
    }

    /** State in {@code topic}, with clients from the connection (and security) settings of {@code kafkaConfig}. */
    public static DeliveryState kafka(Map<String, Object> kafkaConfig, String topic) {
        Map<String, Object> readerConfig = new HashMap<>();
        Map<String, Object> adminConfig = new HashMap<>();
        for (var e : kafkaConfig.entrySet()) {
            if (isConnectionSetting(e.getKey())) {
                readerConfig.put(e.getKey(), e.getValue());
                adminConfig.put(e.getKey(), e.getValue());
            }
        }
        readerConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        readerConfig.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        readerConfig.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000);
        readerConfig.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        readerConfig.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        adminConfig.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
        return new DeliveryState(KafkaDeliveryLoop.newDeadLetterProducer(kafkaConfig), new KafkaConsumer<>(readerConfig),
                () -> Admin.create(adminConfig), topic);
    }

    private static boolean isConnectionSetting(String key) {
        return key.equals(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG) || key.equals("security.protocol") || key.startsWith("ssl.")
                || key.startsWith("sasl.") || key.equals(ProducerConfig.CLIENT_DNS_LOOKUP_CONFIG);
    }

    /** Creates the topic (compacted, see {@code DeliveryStateTopic}) if it does not exist yet. */
    public void ensureTopic(NewTopic spec) {
        if (admin == null) {
            return;
        }
        try (Admin client = admin.get()) {
            if (client.listTopics().names().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).contains(spec.name())) {
                return;
            }
            client.createTopics(List.of(spec)).all().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            log.info("created the delivery-state topic {}", spec.name());
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new KafkaException("cannot create the delivery-state topic " + spec.name() + ": "
                        + e.getCause().getClass().getSimpleName(), e.getCause());
            }
        } catch (TimeoutException e) {
            throw new KafkaException("Kafka did not answer within " + TIMEOUT.toSeconds() + " s creating " + spec.name(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("interrupted while creating " + spec.name(), e);
        }
    }

    /**
     * Reads the topic from where it stopped (the beginning, the first time) to its current end into {@code router}.
     *
     * @return how many entries the router took
     * @throws KafkaException if Kafka did not answer (call again)
     */
    public int catchUp(AlertRouter router) {
        if (reader == null) {
            return 0;
        }
        if (!assigned) {
            List<PartitionInfo> partitions = reader.partitionsFor(topic, TIMEOUT);
            if (partitions == null || partitions.isEmpty()) {
                throw new KafkaException("the delivery-state topic " + topic + " has no partitions (yet)");
            }
            List<TopicPartition> all = new ArrayList<>();
            partitions.forEach(p -> all.add(new TopicPartition(topic, p.partition())));
            reader.assign(all);
            reader.seekToBeginning(all);
            assigned = true;
        }
        Map<TopicPartition, Long> end = reader.endOffsets(reader.assignment(), TIMEOUT);
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        int taken = 0;
        int read = 0;
        while (!reachedEnd(end)) {
            if (System.nanoTime() > deadline) {
                throw new KafkaException("the delivery-state topic " + topic + " was not read to its end within "
                        + TIMEOUT.toSeconds() + " s");
            }
            for (ConsumerRecord<byte[], byte[]> record : reader.poll(POLL)) {
                read++;
                if (record.value() != null && apply(router, record)) {
                    taken++;
                }
            }
        }
        if (read > 0) {
            log.info("delivery state: read {} entries from {}, {} restored", read, topic, taken);
        }
        return taken;
    }

    private boolean reachedEnd(Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (reader.position(e.getKey(), TIMEOUT) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    private static boolean apply(AlertRouter router, ConsumerRecord<byte[], byte[]> record) {
        try {
            Entry entry = Json.read(record.value(), Entry.class);
            if (entry.receiver() == null || entry.alertId() == null || entry.lastSeen() == null || entry.status() == null
                    || entry.confirmedAt() == null) {
                throw new MalformedRecordException("incomplete entry");
            }
            return router.restore(entry.receiver(), entry.alertId(),
                    new AlertRouter.Notified(entry.count(), entry.lastSeen(), entry.status(), entry.severity(),
                            entry.confirmedAt(), entry.rejectedUpTo() == null ? null : Math.max(entry.rejectedUpTo(), entry.count())));
        } catch (MalformedRecordException e) {
            log.warn("delivery state: ignoring unreadable entry {}-{}@{}", record.topic(), record.partition(), record.offset());
            return false;
        }
    }

    /**
     * Records that {@code receiver} confirmed (or refused, {@link AlertRouter.Notified#rejected()}) this version of alert
     * {@code alertId} and waits for Kafka's acknowledgement.
     *
     * @throws DeliveryException if Kafka did not acknowledge it (the caller tries again)
     */
    public void write(String receiver, String alertId, AlertRouter.Notified notified) throws DeliveryException {
        if (producer == null) {
            return;
        }
        Entry entry = new Entry(receiver, alertId, notified.count(), notified.lastSeen(), notified.status(), notified.severity(),
                notified.confirmedAt(), notified.rejectedUpTo());
        byte[] key = (receiver + '/' + alertId).getBytes(StandardCharsets.UTF_8);
        writes.sendAndAwait(new ProducerRecord<>(topic, key, Json.write(entry)));
    }

    @Override
    public void close() {
        if (producer != null) {
            try {
                producer.close(Duration.ofSeconds(5));
            } finally {
                reader.close();
            }
        }
    }
}
