package io.airlock.embedded;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A shutdown hook that stops an embedded component the program did not close — but only after giving the program's own
 * orderly stop time to do it. Shutdown hooks run at once and together: a component stopped by its own hook while the
 * pipeline still shuts down (Ctrl-C on {@code airlock demo}) cuts the pipeline's connections mid-stop, which logs errors
 * for nothing. {@link #closed()} tells the hook the component was closed (and removes it when the JVM is not exiting).
 */
final class StopAtExit {

    /**
     * How long the hook waits for the orderly stop: beyond the CLI's own wait for it (60 s), so that the components are not
     * stopped under a pipeline still stopping.
     */
    static final Duration GRACE = Duration.ofSeconds(75);

    private final CountDownLatch closed = new CountDownLatch(1);
    private final Thread hook;

    private StopAtExit(String name, Runnable stop) {
        this.hook = new Thread(() -> {
            try {
                if (closed.await(GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            stop.run();
        }, name);
    }

    /** Registers the hook; {@code stop} runs at exit unless {@link #closed()} was called within {@link #GRACE}. */
    static StopAtExit register(String name, Runnable stop) {
        StopAtExit stopAtExit = new StopAtExit(name, stop);
        Runtime.getRuntime().addShutdownHook(stopAtExit.hook);
        return stopAtExit;
    }

    /** The component was closed: the hook has nothing left to do. */
    void closed() {
        closed.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException exiting) {
            // the JVM is exiting: the hook runs and returns at once
        }
    }
}
