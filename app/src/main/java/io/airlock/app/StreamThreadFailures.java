package io.airlock.app;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.LongSupplier;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a failed detection stream thread gets: a replacement — unless {@value #MAX_FAILURES} threads failed within
 * {@link #WINDOW}. A failure that repeats that often is one the topology cannot get past (a record it fails on every
 * time, a state directory it cannot write): replacing the thread again would retry it forever while nothing is detected
 * and nothing says so. Then the client shuts down, {@link Pipeline#stoppedForGood()} sees it and {@code airlock run}
 * exits 3 with the failure in its log. Counts every failure in {@value #METER}.
 */
final class StreamThreadFailures implements StreamsUncaughtExceptionHandler {

    static final int MAX_FAILURES = 5;
    static final Duration WINDOW = Duration.ofMinutes(10);
    static final String METER = "airlock.streams.thread.failures";
    private static final Logger LOG = LoggerFactory.getLogger(StreamThreadFailures.class);

    private final Deque<Long> recent = new ArrayDeque<>();
    private final LongSupplier clockMillis;
    private final Counter failures;

    StreamThreadFailures(MeterRegistry registry, LongSupplier clockMillis) {
        this.clockMillis = clockMillis;
        this.failures = Counter.builder(METER)
                .description("Detection stream threads that failed (each was replaced, until too many failed in a row)")
                .register(registry);
    }

    @Override
    public synchronized StreamThreadExceptionResponse handle(Throwable exception) {
        failures.increment();
        long now = clockMillis.getAsLong();
        recent.addLast(now);
        while (recent.peekFirst() < now - WINDOW.toMillis()) {
            recent.removeFirst();
        }
        if (recent.size() >= MAX_FAILURES) {
            LOG.error("Detection stream threads failed {} times within {} min; stopping detection instead of retrying the same "
                    + "failure forever", recent.size(), WINDOW.toMinutes(), exception);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        LOG.error("Detection stream thread failed ({} of {} allowed within {} min); replacing it", recent.size(), MAX_FAILURES - 1,
                WINDOW.toMinutes(), exception);
        return StreamThreadExceptionResponse.REPLACE_THREAD;
    }
}
