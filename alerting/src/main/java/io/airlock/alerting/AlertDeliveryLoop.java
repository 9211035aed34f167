package io.airlock.alerting;

import io.airlock.alerting.internal.DeadLetters;
import io.airlock.alerting.internal.DeliveryMetrics;
import io.airlock.alerting.internal.DeliveryState;
import io.airlock.alerting.internal.DocumentSender;
import io.airlock.alerting.internal.InFlightRecords;
import io.airlock.alerting.internal.KafkaDeliveryLoop;
import io.airlock.alerting.internal.LoopLifecycle;
import io.airlock.alerting.internal.NotificationSender;
import io.airlock.core.Alert;
import io.airlock.core.IndexNames;
import io.airlock.core.Json;
import io.airlock.core.MalformedRecordException;
import io.airlock.core.Topics;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers alerts from {@code <prefix>.alerts}: indexes each into {@code <prefix>-alerts} ({@code _id} = alert id, so an
 * update overwrites) and notifies the receivers the {@link AlertRouter} routes it to, all in parallel.
 *
 * <p><b>Concurrency.</b> The consumer thread only parses, routes and hands out work: one {@link DocumentSender} indexes
 * (bulk requests of whatever is queued), and every receiver has its own {@link NotificationSender} (queues and worker
 * threads), so receivers and alerts are sent in parallel and a slow or failing receiver holds up only its own queue.
 * Per receiver, an update of an alert never overtakes its earlier notification; Slack pacing and {@code Retry-After}
 * stay per endpoint; retriable failures are retried with capped exponential backoff; a permanent rejection (HTTP 4xx
 * other than 408/429) is dead-lettered with the reason. Repeat suppression is decided by each receiver's sender just
 * before sending; silences and maintenance windows when the record is consumed (suppressed alerts are indexed but
 * notify nobody).
 *
 * <p><b>Commits.</b> A record's offset is committed only once its document and every notification due for it are
 * confirmed or dead-lettered (acknowledged by Kafka), and so is every record before it in its partition. After a crash
 * every unconfirmed notification is sent again.
 *
 * <p><b>Delivery state.</b> Each confirmation (receiver name, alert id, the version's count, {@code last_seen}, status)
 * is written to the compacted {@link DeliveryStateTopic delivery-state topic} and acknowledged before the record
 * settles; the loop reads that topic to its end into the router before it consumes alerts, at start and after every
 * partition assignment. So after a crash (or a rebalance) the redelivered, uncommitted versions of an alert a receiver
 * already confirmed are found not due, and nobody is told twice. The one remaining window: a crash between the
 * receiver's confirmation and Kafka's acknowledgement of the state entry sends that one notification again (PagerDuty
 * folds it through {@code dedup_key} = alert id; Slack shows it twice).
 *
 * <p><b>Memory, and one receiver down.</b> At most about {@value #DEFAULT_MAX_IN_FLIGHT} records have open work (a
 * document or a notification not yet confirmed): beyond that the consumer is paused (it keeps polling, so it stays in its
 * group) until the senders caught up, and the backlog waits in Kafka. Each receiver and the indexer keep only the newest
 * waiting version of an alert (the overtaken versions settle), so a receiver that is down holds one record per alert,
 * not every update, and the others keep being notified; the records settled behind its oldest open one wait for their
 * commit at a few bytes each, up to {@value #TRACKED_PER_IN_FLIGHT} times as many.
 *
 * <p>Run it on its own thread; {@link #close()} stops it. An {@link Error} in a sender ends {@link #run()} with that
 * error, without committing what is unsettled.
 */
public final class AlertDeliveryLoop implements Runnable, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AlertDeliveryLoop.class);
    private static final String NAME = "alert-delivery";
    private static final Duration IDLE_POLL = Duration.ofMillis(500);
    private static final Duration BUSY_POLL = Duration.ofMillis(20);
    /** Records with open work (a document or notification not confirmed) before the consumer pauses. */
    public static final int DEFAULT_MAX_IN_FLIGHT = 1000;
    /** Settled records (tens of bytes each) that may wait behind an open one for their commit, per record in flight. */
    static final int TRACKED_PER_IN_FLIGHT = 100;

    private final Consumer<byte[], byte[]> consumer;
    private final Producer<byte[], byte[]> dlqProducer;
    private final String topic;
    private final DeadLetters deadLetters;
    private final IndexNames names;
    /** Where indexed alerts' runbooks resolve ({@link #linkingRunbooks}); none by default. */
    private volatile AlertLinks links = AlertLinks.none();
    private final DocumentIndexer indexer;
    private final AlertRouter router;
    private final DeliveryState state;
    private final String stateTopic;
    private final RetryPolicy backoff;
    private final int maxInFlight;
    private final int lanes;
    private final InFlightRecords inFlight = new InFlightRecords();
    private final AtomicReference<Throwable> fatal = new AtomicReference<>();
    private final LoopLifecycle lifecycle;
    private DocumentSender documents;
    private final Map<String, NotificationSender> senders = new LinkedHashMap<>();
    /** The next offset to commit of every partition that has settled records (consumer thread only). */
    private final Map<TopicPartition, OffsetAndMetadata> settledPositions = new HashMap<>();
    /** Set by a failed asynchronous commit (callbacks run on the consumer thread). */
    private boolean commitFailed;

    /**
     * Indexes alerts with their runbook resolved against {@code links}' runbook base ({@link IndexItem#alert(IndexNames,
     * Alert, AlertLinks)}); without it, alerts are indexed as they come.
     *
     * @return this loop
     */
    public AlertDeliveryLoop linkingRunbooks(AlertLinks links) {
        this.links = Objects.requireNonNull(links, "links");
        return this;
    }

    /**
     * @param kafkaConfig Kafka client settings with at least {@code bootstrap.servers} and {@code group.id}
     */
    public AlertDeliveryLoop(Map<String, Object> kafkaConfig, Topics topics, IndexNames names, DocumentIndexer indexer,
                             AlertRouter router, RetryPolicy backoff) {
        this(KafkaDeliveryLoop.newConsumer(withAlertDefaults(kafkaConfig)), KafkaDeliveryLoop.newDeadLetterProducer(kafkaConfig),
                DeliveryState.kafka(kafkaConfig, DeliveryStateTopic.name(topics)), topics, names, indexer, router, backoff,
                DEFAULT_MAX_IN_FLIGHT, NotificationSender.DEFAULT_LANES);
    }

    /**
     * The alert consumer takes batches of {@code max.poll.records=50} and allows {@code max.poll.interval.ms} 10 min
     * (a dead letter may be retried for a while on the consumer thread), unless {@code kafkaConfig} says otherwise.
     */
    private static Map<String, Object> withAlertDefaults(Map<String, Object> kafkaConfig) {
        Map<String, Object> config = new HashMap<>(kafkaConfig);
        config.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 50);
        config.putIfAbsent(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, 600_000);
        return config;
    }

    /** A loop over given clients (it closes them); for tests with {@code MockConsumer}. */
    public AlertDeliveryLoop(Consumer<byte[], byte[]> consumer, Producer<byte[], byte[]> dlqProducer, Topics topics,
                             IndexNames names, DocumentIndexer indexer, AlertRouter router, RetryPolicy backoff) {
        this(consumer, dlqProducer, topics, names, indexer, router, backoff, DEFAULT_MAX_IN_FLIGHT, NotificationSender.DEFAULT_LANES);
    }

    /**
     * @param maxInFlight records handed out and not yet committable before the consumer pauses
     * @param lanes       worker threads per receiver (alerts to one receiver sent in parallel; one alert's versions in order)
     */
    public AlertDeliveryLoop(Consumer<byte[], byte[]> consumer, Producer<byte[], byte[]> dlqProducer, Topics topics,
                             IndexNames names, DocumentIndexer indexer, AlertRouter router, RetryPolicy backoff,
                             int maxInFlight, int lanes) {
        this(consumer, dlqProducer, DeliveryState.NONE, topics, names, indexer, router, backoff, maxInFlight, lanes);
    }

    private AlertDeliveryLoop(Consumer<byte[], byte[]> consumer, Producer<byte[], byte[]> dlqProducer, DeliveryState state,
                              Topics topics, IndexNames names, DocumentIndexer indexer, AlertRouter router, RetryPolicy backoff,
                              int maxInFlight, int lanes) {
        this.state = Objects.requireNonNull(state, "state");
        this.stateTopic = DeliveryStateTopic.name(topics);
        this.consumer = Objects.requireNonNull(consumer, "consumer");
        this.dlqProducer = Objects.requireNonNull(dlqProducer, "dlqProducer");
        this.topic = topics.alerts();
        this.deadLetters = new DeadLetters(dlqProducer, topics.dlq());
        this.names = Objects.requireNonNull(names, "names");
        this.indexer = Objects.requireNonNull(indexer, "indexer");
        this.router = Objects.requireNonNull(router, "router");
        this.backoff = Objects.requireNonNull(backoff, "backoff");
        if (maxInFlight < 1 || lanes < 1) {
            throw new IllegalArgumentException("maxInFlight and lanes must be at least 1");
        }
        this.maxInFlight = maxInFlight;
        this.lifecycle = new LoopLifecycle(NAME, log);
        this.lanes = lanes;
    }

    @Override
    public void run() {
        if (!lifecycle.start()) {
            return; // closed before it ran: close() released the clients
        }
        try {
            if (!restoreState(true)) {
                return;
            }
            startSenders();
            consumer.subscribe(List.of(topic), new Rebalance());
            log.info("{}: consuming {} ({} receivers)", NAME, topic, senders.size());
            int failures = 0;
            while (!lifecycle.isClosed()) {
                rethrowFatal();
                try {
                    commitAsync(inFlight.committable());
                    flowControl();
                    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(inFlight.size() > 0 ? BUSY_POLL : IDLE_POLL)) {
                        dispatch(record);
                    }
                    failures = 0;
                } catch (WakeupException e) {
                    if (!lifecycle.isClosed() && fatal.get() == null) {
                        log.warn("{}: unexpected wakeup; carrying on", NAME);
                    }
                } catch (KafkaException e) {
                    failures++;
                    Duration wait = backoff.backoff(failures);
                    log.warn("{}: consumer failed ({}); retrying in {} ms", NAME, KafkaDeliveryLoop.describe(e), wait.toMillis());
                    if (lifecycle.awaitClose(wait)) {
                        break;
                    }
                }
            }
            rethrowFatal();
            // clean stop: commit what is settled; the rest is delivered again by the next run
            stopSenders();
            settledPositions.putAll(inFlight.committable());
            commit(Map.copyOf(settledPositions));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            log.error("{}: stopped by {}", NAME, KafkaDeliveryLoop.describe(e));
            throw e;
        } finally {
            stopSenders();
            inFlight.abandonAll();
            lifecycle.release(consumer, dlqProducer::close, state::close);
        }
    }

    private void startSenders() {
        java.util.function.Consumer<Throwable> onFatal = e -> {
            if (fatal.compareAndSet(null, e)) {
                consumer.wakeup();
            }
        };
        documents = new DocumentSender("alerts", indexer, deadLetters, backoff, onFatal).start();
        for (Notifier notifier : router.notifiers()) {
            senders.put(notifier.channel(),
                    new NotificationSender(notifier, router, deadLetters, backoff, lanes, onFatal, state).start());
        }
    }

    private void stopSenders() {
        if (documents != null) {
            documents.close();
        }
        senders.values().forEach(NotificationSender::close);
    }

    /**
     * Reads the delivery-state topic to its end into the router (creating the topic first if {@code create}), retrying
     * with backoff while Kafka does not answer.
     *
     * @return false if the loop was closed first
     */
    private boolean restoreState(boolean create) throws InterruptedException {
        int failures = 0;
        while (!lifecycle.isClosed()) {
            try {
                if (create) {
                    state.ensureTopic(DeliveryStateTopic.newTopicWithBrokerDefaults(stateTopic));
                }
                state.catchUp(router);
                return true;
            } catch (KafkaException e) {
                failures++;
                Duration wait = backoff.backoff(failures);
                // the first miss is usual right after the topic was created (its metadata is on its way); a second is not
                if (failures == 1) {
                    log.info("{}: delivery state not readable yet ({}); retrying in {} ms", NAME, e.getMessage(), wait.toMillis());
                } else {
                    log.warn("{}: cannot read the delivery state ({}); retrying in {} ms", NAME, KafkaDeliveryLoop.describe(e),
                            wait.toMillis());
                }
                if (lifecycle.awaitClose(wait)) {
                    break;
                }
            }
        }
        return false;
    }

    /** A sender died of an {@link Error}: the process is in no state to go on; end the loop without committing. */
    private void rethrowFatal() {
        Throwable e = fatal.get();
        if (e instanceof Error error) {
            throw error;
        }
        if (e instanceof RuntimeException re) {
            throw re;
        }
    }

    /**
     * Pauses the consumer while too many records have open work, or too many settled ones wait behind an open one to be
     * committed; resumes once both are down to half.
     */
    private void flowControl() {
        int open = inFlight.unsettled();
        int tracked = inFlight.size();
        if (open >= maxInFlight || tracked >= maxInFlight * TRACKED_PER_IN_FLIGHT) {
            if (!consumer.assignment().isEmpty() && !consumer.paused().containsAll(consumer.assignment())) {
                log.info("{}: {} records waiting for a receiver or OpenSearch, {} not committed; pausing the consumer until they "
                        + "catch up", NAME, open, tracked);
                consumer.pause(consumer.assignment());
            }
        } else if (open <= maxInFlight / 2 && tracked <= maxInFlight * TRACKED_PER_IN_FLIGHT / 2 && !consumer.paused().isEmpty()) {
            log.info("{}: {} records waiting, {} not committed; resuming the consumer", NAME, open, tracked);
            consumer.resume(consumer.paused());
        }
    }

    private void dispatch(ConsumerRecord<byte[], byte[]> record) throws InterruptedException {
        InFlightRecords.Entry entry = inFlight.track(record);
        try {
            Alert alert;
            try {
                if (record.value() == null) {
                    throw new MalformedRecordException("empty value (tombstone)");
                }
                alert = Json.read(record.value(), Alert.class);
            } catch (MalformedRecordException e) {
                deadLetter(record, "malformed", e.getMessage());
                return;
            }
            DeliveryMetrics.alert(alert.ruleId(), alert.severity().name().toLowerCase(Locale.ROOT));
            // 1. OpenSearch (SOC view); an outage there does not hold back the notifications
            documents.submit(new DocumentSender.Task(IndexItem.alert(names, alert, links), record, entry));
            // 2. people, each receiver on its own sender
            Optional<String> suppressed = router.suppression(alert);
            if (suppressed.isPresent()) {
                if (router.isHistory(alert)) {
                    // after a first start's snapshot this is history; after a stall of the pipeline it is an attack nobody heard of
                    DeliveryMetrics.notNotified("max_age");
                    log.warn("alert {} rule {} count {} not notified: {}", alert.id(), alert.ruleId(), alert.count(), suppressed.get());
                } else {
                    DeliveryMetrics.notNotified("silenced");
                    log.info("alert {} rule {} count {} not notified: {}", alert.id(), alert.ruleId(), alert.count(), suppressed.get());
                }
                return;
            }
            List<Notifier> routed = router.routed(alert);
            for (Notifier notifier : routed) {
                senders.get(notifier.channel()).submit(new NotificationSender.Task(alert, record, entry));
            }
            if (routed.isEmpty()) {
                log.debug("alert {} rule {} from {}-{}@{}: no route", alert.id(), alert.ruleId(), record.topic(),
                        record.partition(), record.offset());
            }
        } catch (RuntimeException e) {
            log.error("{}: {}-{}@{} fails with {}; dead-lettering it", NAME, record.topic(), record.partition(), record.offset(),
                    KafkaDeliveryLoop.describe(e));
            deadLetter(record, "internal-error", "unexpected " + KafkaDeliveryLoop.describe(e) + " in " + NAME);
        } finally {
            entry.settle(); // the dispatcher's own hold
        }
    }

    /** Dead-letters on the consumer thread, retrying until Kafka acknowledges (the record stays uncommitted meanwhile). */
    private void deadLetter(ConsumerRecord<byte[], byte[]> record, String kind, String reason) throws InterruptedException {
        int failures = 0;
        while (!lifecycle.isClosed()) {
            try {
                deadLetters.sendNow(record, kind, reason);
                return;
            } catch (DeliveryException e) {
                failures++;
                Duration wait = backoff.backoff(failures);
                log.warn("{}: {}; retrying in {} ms", NAME, e.getMessage(), wait.toMillis());
                if (lifecycle.awaitClose(wait)) {
                    break;
                }
            }
        }
        throw new InterruptedException("closed before the dead letter was acknowledged"); // ends run() without committing it
    }

    /**
     * Commits without waiting, so a commit round trip never delays the next alert; a failed commit is superseded by the
     * next one (offsets only grow), and the final commit (close, rebalance) is synchronous.
     */
    private void commitAsync(Map<TopicPartition, OffsetAndMetadata> offsets) {
        settledPositions.putAll(offsets);
        if (offsets.isEmpty() && !commitFailed) {
            return;
        }
        commitFailed = false;
        Map<TopicPartition, OffsetAndMetadata> all = Map.copyOf(settledPositions);
        consumer.commitAsync(all, (committed, e) -> {
            if (e != null) {
                commitFailed = true; // commit every settled position again on the next turn
                log.warn("{}: commit of {} failed ({}); trying again", NAME, all.keySet(), e.getClass().getSimpleName());
            } else if (log.isDebugEnabled()) {
                log.debug("{}: committed {}", NAME, committed);
            }
        });
    }

    private void commit(Map<TopicPartition, OffsetAndMetadata> offsets) {
        if (offsets.isEmpty()) {
            return;
        }
        for (int attempt = 1; ; attempt++) {
            try {
                consumer.commitSync(offsets);
                if (log.isDebugEnabled()) {
                    log.debug("{}: committed {}", NAME, offsets);
                }
                return;
            } catch (WakeupException e) {
                if (attempt > 1) {
                    throw e;
                }
                // close() woke the consumer; the wakeup is spent, commit once more
            } catch (KafkaException e) {
                // e.g. a rebalance took the partitions: their new owner delivers again, which is idempotent
                log.warn("{}: commit of {} failed ({}); those records may be delivered again", NAME, offsets.keySet(),
                        e.getClass().getSimpleName());
                return;
            }
        }
    }

    /** Commits what is settled before partitions go, and has the senders skip the rest (the new owner sends it). */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (!partitions.isEmpty()) {
                settledPositions.putAll(inFlight.committable());
                commit(Map.copyOf(settledPositions));
                inFlight.abandon(partitions);
                settledPositions.keySet().removeAll(partitions);
            }
        }

        /**
         * Before the new partitions' alerts are consumed, reads what other instances confirmed meanwhile (the previous
         * owner's notifications of these partitions' alerts).
         */
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return;
            }
            try {
                if (!restoreState(false)) {
                    throw new WakeupException(); // closed meanwhile: poll() must not hand out these partitions' records
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new WakeupException();
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            inFlight.abandon(partitions);
            settledPositions.keySet().removeAll(partitions);
        }
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
