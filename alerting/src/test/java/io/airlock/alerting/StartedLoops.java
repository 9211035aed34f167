package io.airlock.alerting;

import java.util.ArrayList;
import java.util.List;

/** Delivery loops a test started, each on its own thread; {@link #close} stops them and waits for their threads. */
final class StartedLoops implements AutoCloseable {

    private final List<AlertDeliveryLoop> loops = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();

    /** Starts {@code loop} on a new thread; {@code uncaught} may be null. */
    AlertDeliveryLoop start(AlertDeliveryLoop loop, String threadName, Thread.UncaughtExceptionHandler uncaught) {
        Thread thread = new Thread(loop, threadName);
        if (uncaught != null) {
            thread.setUncaughtExceptionHandler(uncaught);
        }
        loops.add(loop);
        threads.add(thread);
        thread.start();
        return loop;
    }

    int size() {
        return loops.size();
    }

    /** The thread of the {@code index}-th loop started. */
    Thread thread(int index) {
        return threads.get(index);
    }

    /** Stops the loops and waits up to 30 s for each thread; an interrupt stops the waiting and is kept for the caller. */
    @Override
    public void close() {
        for (AlertDeliveryLoop loop : loops) {
            loop.close();
        }
        try {
            for (Thread thread : threads) {
                thread.join(30_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
