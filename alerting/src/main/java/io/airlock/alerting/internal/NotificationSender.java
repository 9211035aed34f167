package io.airlock.alerting.internal;

import io.airlock.alerting.AlertRouter;
import io.airlock.alerting.DeliveryException;
import io.airlock.alerting.Notifier;
import io.airlock.alerting.PermanentDeliveryException;
import io.airlock.alerting.RetryPolicy;
import io.airlock.core.Alert;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one receiver's notifications on the receiver's own worker threads ("lanes"), so a slow or failing receiver holds
 * up its own queue only. An alert always goes to the same lane (chosen by alert id), and a lane never moves past its
 * head: an update of an alert cannot overtake its earlier notification at this receiver, and repeat suppression
 * ({@link AlertRouter#isDue}) is decided just before sending, once the earlier versions are settled. A lane holds one
 * waiting version per alert: a newer version replaces a waiting one, and one that arrives while the head is being
 * retried replaces the head (the overtaken versions settle, {@code outcome=superseded}), so a receiver that is down for
 * long holds one record per alert, not every update, and gets the newest version when it is back. Different alerts go
 * out in parallel on different lanes; pacing and {@code Retry-After} stay per endpoint (the notifier's shared
 * {@link Pacer}).
 *
 * <p>A confirmation (or a dead-lettered rejection, marked as such) is written to the {@link DeliveryState} and
 * acknowledged by Kafka before the record settles, so a restart after a crash knows the receiver has had this version,
 * or refused it: a rejected version seen again (the dead letter replayed once the cause is fixed) is sent again.
 *
 * <p>The head is retried with capped exponential backoff until the receiver confirms it, or rejects it for good (then it
 * is dead-lettered and marked in the router once Kafka acknowledged the dead letter), or the sender is closed (then it
 * stays uncommitted in Kafka and is sent again after a restart). An unexpected exception that repeats
 * {@value KafkaDeliveryLoop#ISOLATE_AFTER} times in a row dead-letters the record, so a poison alert cannot block the
 * lane. An {@link Error} stops the sender and is handed to {@code onFatal}.
 */
public final class NotificationSender implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(NotificationSender.class);
    private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(5);

    /** Lanes per receiver unless told otherwise. */
    public static final int DEFAULT_LANES = 4;

    /** One alert for this receiver, from {@code record}, settling {@code entry} when done. */
    public record Task(Alert alert, ConsumerRecord<byte[], byte[]> record, InFlightRecords.Entry entry) {
    }

    private final Notifier notifier;
    private final AlertRouter router;
    private final DeadLetters deadLetters;
    private final RetryPolicy backoff;
    private final Consumer<Throwable> onFatal;
    private final DeliveryState state;
    private final List<SupersedingQueue<Task>> lanes = new ArrayList<>();
    private final List<Thread> workers = new ArrayList<>();
    private final CountDownLatch closing = new CountDownLatch(1);

    public NotificationSender(Notifier notifier, AlertRouter router, DeadLetters deadLetters, RetryPolicy backoff, int lanes,
                              Consumer<Throwable> onFatal) {
        this(notifier, router, deadLetters, backoff, lanes, onFatal, DeliveryState.NONE);
    }

    /**
     * @param state where each confirmation is persisted (and acknowledged) before the record may settle
     */
    public NotificationSender(Notifier notifier, AlertRouter router, DeadLetters deadLetters, RetryPolicy backoff, int lanes,
                              Consumer<Throwable> onFatal, DeliveryState state) {
        this.state = Objects.requireNonNull(state, "state");
        this.notifier = Objects.requireNonNull(notifier, "notifier");
        this.router = Objects.requireNonNull(router, "router");
        this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
        this.backoff = Objects.requireNonNull(backoff, "backoff");
        this.onFatal = Objects.requireNonNull(onFatal, "onFatal");
        if (lanes < 1) {
            throw new IllegalArgumentException("lanes must be at least 1");
        }
        for (int i = 0; i < lanes; i++) {
            SupersedingQueue<Task> queue = new SupersedingQueue<>(task -> task.alert().id(), this::superseded);
            this.lanes.add(queue);
            Thread worker = new Thread(() -> work(queue), "airlock-notify-" + notifier.channel() + "-" + i);
            worker.setDaemon(true);
            workers.add(worker);
        }
    }

    /** Starts the lanes' threads. */
    public NotificationSender start() {
        workers.forEach(Thread::start);
        return this;
    }

    public String receiver() {
        return notifier.channel();
    }

    /** Queues the alert on its lane; the record's entry holds until the receiver settled it. */
    public void submit(Task task) {
        task.entry().hold();
        lanes.get(Math.floorMod(task.alert().id().hashCode(), lanes.size())).add(task);
    }

    /** A newer version of the alert overtook this one while it waited: it is not sent, its record settles. */
    private void superseded(Task task) {
        DeliveryMetrics.notification(notifier.channel(), DeliveryMetrics.Outcome.SUPERSEDED);
        task.entry().settle();
    }

    private void work(SupersedingQueue<Task> queue) {
        try {
            while (closing.getCount() > 0) {
                Task task = queue.poll(200, TimeUnit.MILLISECONDS);
                if (task != null) {
                    deliver(task, queue);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Error e) {
            onFatal.accept(e);
        } catch (RuntimeException e) {
            // deliver() handles the notifier's exceptions; this is a bug in the sender itself: stop the pipeline loudly
            onFatal.accept(new IllegalStateException("notification sender " + notifier.channel() + " failed: "
                    + KafkaDeliveryLoop.describe(e)));
        }
    }

    private void deliver(Task head, SupersedingQueue<Task> lane) throws InterruptedException {
        Task task = head;
        Alert alert = task.alert();
        String channel = notifier.channel();
        int failures = 0;
        int unexpected = 0;
        while (!task.entry().abandoned() && closing.getCount() > 0) {
            Duration wait;
            Task newer = failures > 0 ? lane.remove(alert.id()) : null;
            if (newer != null) {
                // the receiver has been failing: what it gets when it is back is the alert's newest version
                superseded(task);
                task = newer;
                alert = task.alert();
                unexpected = 0; // a poison version is judged by its own failures
            }
            try {
                if (!router.isDue(alert, notifier)) {
                    // held back after a rejection: remembered (and persisted) as not told, so a replay of it is sent
                    Optional<AlertRouter.Notified> heldBack = router.heldBackAfterRejection(alert, notifier);
                    if (heldBack.isEmpty() || persist(alert, heldBack.get())) {
                        task.entry().settle();
                    }
                    return;
                }
                boolean rejectedBefore = router.wasRejected(alert, notifier);
                notifier.send(alert);
                AlertRouter.Notified notified = router.markNotified(alert, notifier);
                DeliveryMetrics.notification(channel, DeliveryMetrics.Outcome.SENT);
                if (task.entry().timestamp() >= 0) {
                    DeliveryMetrics.latency(channel, Duration.ofMillis(System.currentTimeMillis() - task.entry().timestamp()));
                }
                if (rejectedBefore) {
                    log.info("notified {} of alert {} rule {} count {}: it had rejected this alert (dead-lettered) and was "
                            + "not told of this version until now", channel, alert.id(), alert.ruleId(), alert.count());
                } else {
                    log.info("notified {} of alert {} rule {} count {}", channel, alert.id(), alert.ruleId(), alert.count());
                }
                if (persist(alert, notified)) {
                    task.entry().settle();
                }
                return;
            } catch (PermanentDeliveryException e) {
                log.error("{} rejected alert {} rule {}: {}", channel, alert.id(), alert.ruleId(), e.getMessage());
                try {
                    deadLetters.sendNow(task.record(), channel + "-rejected", e.getMessage());
                    AlertRouter.Notified rejected = router.markRejected(alert, notifier);
                    DeliveryMetrics.notification(channel, DeliveryMetrics.Outcome.DEAD_LETTERED);
                    if (persist(alert, rejected)) {
                        task.entry().settle();
                    }
                    return;
                } catch (DeliveryException dlq) {
                    failures++;
                    wait = backoff.backoff(failures);
                    log.warn("{}: dead letter for alert {} not acknowledged ({}); trying the alert again in {} ms", channel,
                            alert.id(), dlq.getMessage(), wait.toMillis());
                }
            } catch (DeliveryException e) {
                failures++;
                wait = backoff.backoff(failures);
                DeliveryMetrics.notification(channel, DeliveryMetrics.Outcome.FAILED);
                log.warn("{} unavailable for alert {} rule {} ({}); trying again in {} ms", channel, alert.id(), alert.ruleId(),
                        e.getMessage(), wait.toMillis());
            } catch (RuntimeException e) {
                failures++;
                unexpected++;
                wait = backoff.backoff(failures);
                DeliveryMetrics.notification(channel, DeliveryMetrics.Outcome.FAILED);
                String what = KafkaDeliveryLoop.describe(e);
                if (unexpected >= KafkaDeliveryLoop.ISOLATE_AFTER) {
                    log.error("{}: alert {} fails with {} every time; dead-lettering it", channel, alert.id(), what);
                    try {
                        deadLetters.sendNow(task.record(), "internal-error", "unexpected " + what + " notifying " + channel);
                        DeliveryMetrics.notification(channel, DeliveryMetrics.Outcome.DEAD_LETTERED);
                        task.entry().settle();
                        return;
                    } catch (DeliveryException dlq) {
                        log.warn("{}: dead letter for alert {} not acknowledged ({})", channel, alert.id(), dlq.getMessage());
                    }
                } else {
                    log.error("{}: unexpected {} for alert {}; trying again in {} ms", channel, what, alert.id(), wait.toMillis());
                }
            }
            if (closing.await(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                return;
            }
        }
    }

    /**
     * Writes the confirmation to the delivery-state topic, retrying with backoff until Kafka acknowledges it; the
     * notification is not sent again meanwhile. Returns false if the sender is closed first: the record then stays
     * unsettled (uncommitted), and a restart notifies the receiver once more (the documented window).
     */
    private boolean persist(Alert alert, AlertRouter.Notified notified) throws InterruptedException {
        int failures = 0;
        while (true) {
            try {
                state.write(notifier.channel(), alert.id(), notified);
                return true;
            } catch (DeliveryException e) {
                failures++;
                Duration wait = backoff.backoff(failures);
                log.warn("{}: confirmation of alert {} not persisted ({}); trying again in {} ms", notifier.channel(), alert.id(),
                        e.getMessage(), wait.toMillis());
                if (closing.await(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                    return false;
                }
            }
        }
    }

    /** Stops the lanes; queued and unconfirmed alerts stay uncommitted in Kafka. */
    @Override
    public void close() {
        closing.countDown();
        workers.forEach(Thread::interrupt);
        for (Thread worker : workers) {
            try {
                worker.join(JOIN_TIMEOUT.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
