package io.airlock.alerting.internal;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.Consumer;
import org.slf4j.Logger;

/**
 * The life of a consumer loop that runs on a thread of its own and is closed from another: started once, closed at most
 * once (before it ran, or while it runs), and {@link #close} waits for the loop to finish and release its clients.
 */
public final class LoopLifecycle {

    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private final String name;
    private final Logger log;
    private final Object lock = new Object();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CountDownLatch closing = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    private boolean started;

    /** @param log the loop's logger: the lines about its start and stop carry its name */
    public LoopLifecycle(String name, Logger log) {
        this.name = name;
        this.log = log;
    }

    /**
     * Called first by the loop's {@code run()}.
     *
     * @return false if the loop was closed before it ran (close released the clients): run must return at once
     * @throws IllegalStateException when the loop is run a second time
     */
    public boolean start() {
        synchronized (lock) {
            if (started) {
                throw new IllegalStateException(name + " is already running");
            }
            started = true;
            return !closed.get();
        }
    }

    public boolean isClosed() {
        return closed.get();
    }

    /** Waits up to {@code wait} (a backoff) unless the loop is closed meanwhile; true if it was. */
    public boolean awaitClose(Duration wait) throws InterruptedException {
        return closing.await(wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Called last by the loop's {@code run()}: closes its consumer (a failure is logged, not thrown), then the rest of its
     * clients ({@code others}, e.g. producers), and marks the loop stopped for {@link #close}.
     */
    public void release(Consumer<?, ?> consumer, Runnable... others) {
        try {
            consumer.close();
        } catch (RuntimeException e) {
            log.warn("{}: closing the consumer failed ({})", name, e.getClass().getSimpleName());
        } finally {
            try {
                for (Runnable other : others) {
                    other.run();
                }
            } finally {
                stopped.countDown();
                log.info("{}: stopped", name);
            }
        }
    }

    /**
     * Closes the loop once: if it never ran, {@code releaseUnstarted} releases its clients here; otherwise {@code wakeup}
     * interrupts its poll and this waits (up to 30 s) for {@code run()} to finish.
     */
    public void close(Runnable releaseUnstarted, Runnable wakeup) {
        boolean running;
        synchronized (lock) {
            if (!closed.compareAndSet(false, true)) {
                return;
            }
            running = started;
        }
        closing.countDown();
        if (!running) {
            releaseUnstarted.run();
            return;
        }
        wakeup.run();
        try {
            if (!stopped.await(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("{}: did not stop within {}", name, CLOSE_TIMEOUT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
