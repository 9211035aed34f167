package io.airlock.alerting.internal;

import io.airlock.alerting.DeliveryException;
import io.airlock.alerting.RetryPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A consumer loop that delivers each polled batch and commits its offsets only once every record of the batch is
 * delivered (acknowledged downstream) or dead-lettered (acknowledged by the dead-letter topic). When delivery fails
 * retriably, nothing is committed: the consumer seeks back to the batch start, waits with capped exponential backoff
 * and polls the same records again, so a backlog waits in Kafka while OpenSearch or a webhook is down.
 *
 * <p>An unexpected exception (a bug, a client failure) does not end the loop: it is logged as identifiers only
 * (exception class, where it was thrown, topic, partition, offsets; never a message, which may quote data), and the
 * batch is retried with the same backoff. A batch that fails unexpectedly {@value #ISOLATE_AFTER} times in a row is
 * delivered record by record, and only the record that still fails is dead-lettered, so one poison record can neither
 * stop the loop nor block its partition. {@link #close()} wakes the consumer and waits for the loop to end.
 */
public abstract class KafkaDeliveryLoop implements Runnable, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KafkaDeliveryLoop.class);
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(500);
    /** Unexpected failures of one batch in a row before it is delivered record by record. */
    public static final int ISOLATE_AFTER = 3;
    /** Delivery consumers' {@code session.timeout.ms} unless given: a dead instance's partitions move after ~10 s. */
    public static final int SESSION_TIMEOUT_MS = 10_000;
    /** Delivery consumers' {@code heartbeat.interval.ms} unless given (a third of the session timeout). */
    public static final int HEARTBEAT_INTERVAL_MS = 3_000;

    private final String name;
    private final Consumer<byte[], byte[]> consumer;
    private final Producer<byte[], byte[]> dlqProducer;
    private final String topic;
    private final DeadLetters deadLetters;
    private final RetryPolicy backoff;
    private final LoopLifecycle lifecycle;
    /** Records of the current batch not yet committed: what a failure rewinds. */
    private List<ConsumerRecord<byte[], byte[]>> unsettled = List.of();

    protected KafkaDeliveryLoop(String name, Consumer<byte[], byte[]> consumer, Producer<byte[], byte[]> dlqProducer,
                                String topic, String dlqTopic, RetryPolicy backoff) {
        this.name = Objects.requireNonNull(name, "name");
        this.lifecycle = new LoopLifecycle(name, log);
        this.consumer = Objects.requireNonNull(consumer, "consumer");
        this.dlqProducer = Objects.requireNonNull(dlqProducer, "dlqProducer");
        this.topic = Objects.requireNonNull(topic, "topic");
        this.deadLetters = new DeadLetters(dlqProducer, Objects.requireNonNull(dlqTopic, "dlqTopic"));
        this.backoff = Objects.requireNonNull(backoff, "backoff");
    }

    /**
     * Consumer settings for a delivery loop on top of {@code kafkaConfig} (which must name
     * {@code bootstrap.servers} and {@code group.id}): byte-array deserializers, {@code enable.auto.commit=false},
     * {@code isolation.level=read_committed}, {@code auto.offset.reset=earliest} unless given, and
     * {@code session.timeout.ms=10000}, {@code heartbeat.interval.ms=3000} unless given, so the partitions of a killed
     * instance move to another one after about 10 s instead of Kafka's default 45 s.
     */
    public static Consumer<byte[], byte[]> newConsumer(Map<String, Object> kafkaConfig) {
        Map<String, Object> config = new HashMap<>(kafkaConfig);
        require(config, ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG);
        require(config, ConsumerConfig.GROUP_ID_CONFIG);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.putIfAbsent(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, SESSION_TIMEOUT_MS);
        config.putIfAbsent(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, HEARTBEAT_INTERVAL_MS);
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return new KafkaConsumer<>(config);
    }

    /** An idempotent, acks=all producer for the dead-letter topic, from the same connection settings. */
    public static Producer<byte[], byte[]> newDeadLetterProducer(Map<String, Object> kafkaConfig) {
        Map<String, Object> config = new HashMap<>();
        for (var e : kafkaConfig.entrySet()) {
            // connection and security settings apply to both; consumer-only keys would only produce warnings
            if (ProducerConfig.configNames().contains(e.getKey()) || e.getKey().startsWith("ssl.")
                    || e.getKey().startsWith("sasl.") || e.getKey().equals("security.protocol")) {
                config.put(e.getKey(), e.getValue());
            }
        }
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return new KafkaProducer<>(config);
    }

    private static void require(Map<String, Object> config, String key) {
        if (config.get(key) == null || config.get(key).toString().isBlank()) {
            throw new IllegalArgumentException("Kafka setting " + key + " is required");
        }
    }

    /**
     * Delivers one batch. Returns normally once every record is delivered or handed to {@code deadLetters}.
     *
     * @throws DeliveryException if delivery must be retried later (nothing of the batch is committed)
     */
    protected abstract void deliver(List<ConsumerRecord<byte[], byte[]>> records, DeadLetters deadLetters)
            throws DeliveryException;

    /**
     * Called once the batch given to the last {@link #deliver} call is delivered and its dead letters are acknowledged,
     * just before its offsets are committed. Not called for a batch that failed.
     */
    protected void acknowledged() {
    }

    @Override
    public void run() {
        if (!lifecycle.start()) {
            return; // closed before it ran: close() released the clients
        }
        int failures = 0;
        int unexpectedInARow = 0;
        try {
            consumer.subscribe(List.of(topic));
            log.info("{}: consuming {}", name, topic);
            while (!lifecycle.isClosed()) {
                List<ConsumerRecord<byte[], byte[]>> batch = List.of();
                unsettled = List.of();
                try {
                    ConsumerRecords<byte[], byte[]> polled = consumer.poll(POLL_TIMEOUT);
                    if (polled.isEmpty()) {
                        continue;
                    }
                    batch = new ArrayList<>(polled.count());
                    polled.forEach(batch::add);
                    unsettled = batch;
                    if (unexpectedInARow >= ISOLATE_AFTER) {
                        deliverOneByOne(batch);
                    } else {
                        deliver(batch, deadLetters);
                        deadLetters.awaitAcknowledged();
                        acknowledged();
                        commit(batch);
                    }
                    failures = 0;
                    unexpectedInARow = 0;
                } catch (DeliveryException e) {
                    failures++;
                    Duration wait = backoff.backoff(failures);
                    log.warn("{}: batch of {} from {} not delivered ({}); nothing committed, retrying in {} ms",
                            name, batch.size(), topic, e.getMessage(), wait.toMillis());
                    rewind(unsettled);
                    if (lifecycle.awaitClose(wait)) {
                        break;
                    }
                } catch (WakeupException e) {
                    if (lifecycle.isClosed()) {
                        break;
                    }
                    log.warn("{}: unexpected wakeup; carrying on", name);
                    rewind(unsettled);
                } catch (RuntimeException e) {
                    // a bug or an unexpected client failure must not end the loop: back off and try again; a batch
                    // failing this way ISOLATE_AFTER times in a row is then delivered record by record
                    failures++;
                    if (!batch.isEmpty()) {
                        unexpectedInARow++;
                    }
                    Duration wait = backoff.backoff(failures);
                    log.error("{}: unexpected {} while delivering {} from {} (offsets {}); nothing committed, "
                            + "retrying in {} ms", name, describe(e), batch.size(), topic, offsets(unsettled), wait.toMillis());
                    rewind(unsettled);
                    if (lifecycle.awaitClose(wait)) {
                        break;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            log.error("{}: stopped by {}", name, describe(e));
            throw e;
        } finally {
            lifecycle.release(consumer, dlqProducer::close);
        }
    }

    /**
     * Delivers a batch that keeps failing unexpectedly one record at a time: a record that still throws something
     * unexpected is dead-lettered (reason: the exception class and where it was thrown), the others are delivered. The
     * records delivered before a retriable failure are committed; the rest are polled again.
     */
    private void deliverOneByOne(List<ConsumerRecord<byte[], byte[]>> batch) throws DeliveryException {
        log.warn("{}: delivering {} records from {} (offsets {}) one by one to isolate a failing record", name, batch.size(),
                topic, offsets(batch));
        for (int i = 0; i < batch.size(); i++) {
            ConsumerRecord<byte[], byte[]> record = batch.get(i);
            List<ConsumerRecord<byte[], byte[]>> one = List.of(record);
            unsettled = batch.subList(i, batch.size());
            try {
                deliver(one, deadLetters);
            } catch (RuntimeException e) {
                log.error("{}: {}-{}@{} fails with {} every time; dead-lettering it", name, record.topic(), record.partition(),
                        record.offset(), describe(e));
                deadLetters.send(record, "internal-error", "unexpected " + describe(e) + " in " + name);
            }
            deadLetters.awaitAcknowledged();
            acknowledged();
            commit(one);
        }
    }

    /** An exception as identifiers only: its class and where it was thrown, never its message (it may quote data). */
    public static String describe(Throwable e) {
        StringBuilder s = new StringBuilder(e.getClass().getName());
        StackTraceElement[] frames = e.getStackTrace();
        for (int i = 0; i < Math.min(3, frames.length); i++) {
            s.append(i == 0 ? " at " : " < ").append(frames[i].getClassName()).append('.').append(frames[i].getMethodName())
                    .append(':').append(frames[i].getLineNumber());
        }
        if (e.getCause() != null && e.getCause() != e) {
            s.append(", caused by ").append(e.getCause().getClass().getName());
        }
        return s.toString();
    }

    private static String offsets(List<ConsumerRecord<byte[], byte[]>> records) {
        Map<Integer, long[]> ranges = new LinkedHashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            ranges.merge(r.partition(), new long[] {r.offset(), r.offset()},
                    (a, b) -> new long[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])});
        }
        StringBuilder s = new StringBuilder();
        ranges.forEach((p, r) -> s.append(s.length() == 0 ? "" : ", ").append(p).append('@').append(r[0]).append("..").append(r[1]));
        return s.length() == 0 ? "none" : s.toString();
    }

    private void commit(List<ConsumerRecord<byte[], byte[]>> batch) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : batch) {
            offsets.merge(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1),
                    (a, b) -> a.offset() >= b.offset() ? a : b);
        }
        try {
            consumer.commitSync(offsets);
            if (log.isDebugEnabled()) {
                log.debug("{}: committed {}", name, offsets);
            }
        } catch (WakeupException e) {
            throw e;
        } catch (KafkaException e) {
            // e.g. a rebalance took the partitions: their new owner redelivers, which is idempotent
            log.warn("{}: commit of {} records failed ({}); they will be delivered again", name, batch.size(),
                    e.getClass().getSimpleName());
        }
    }

    /** Seeks every partition of the batch back to its first record in the batch. */
    private void rewind(List<ConsumerRecord<byte[], byte[]>> batch) {
        Map<TopicPartition, Long> first = new LinkedHashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : batch) {
            first.merge(new TopicPartition(r.topic(), r.partition()), r.offset(), Math::min);
        }
        first.forEach((tp, offset) -> {
            if (consumer.assignment().contains(tp)) {
                consumer.seek(tp, offset);
            }
        });
    }

    /** Stops the loop: wakes the consumer and waits (up to 30 s) for {@link #run()} to finish and close it. */
    @Override
    public void close() {
        lifecycle.close(() -> {
            consumer.close();
            dlqProducer.close();
        }, consumer::wakeup);
    }
}
