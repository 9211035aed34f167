package io.airlock.ingest.internal;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;

/**
 * Debezium's retry loop, quieted: a capture that fails with an error Debezium retries (every SQL error counts as one, so a
 * missing privilege too) logged four messages and two stack traces of some 40 lines every 10 s, for ever. This filter
 * hands each failure Debezium reports ({@code Producer failure}) to the listening captures, which log one line per distinct
 * failure ({@code AirflowCdcCapture}), and drops the loop's own messages. Debezium reports a failure it does not retry the
 * same way (the engine then stops), so a listener cannot take every failure for a retried one — unless the {@code io.debezium} logger is set to
 * DEBUG, for whoever needs the stack traces.
 */
public final class DebeziumRetryLog extends TurboFilter {

    /** How the messages of Debezium's retry loop begin. */
    private static final List<String> LOOP = List.of("Producer failure", "Error during snapshot", "Retry {} of {} retries",
            "Going to restart connector after", "Snapshot was not completed successfully");
    private static final String PRODUCER_FAILURE = "Producer failure";
    private static final DebeziumRetryLog INSTANCE = new DebeziumRetryLog();

    private final List<Consumer<Throwable>> listeners = new CopyOnWriteArrayList<>();

    DebeziumRetryLog() {
    }

    /**
     * Passes every failure Debezium retries to {@code listener} until the returned stop is run; installs the filter
     * once, when logback is the logging backend (without it, nothing is filtered and nothing is heard).
     */
    public static Runnable listen(Consumer<Throwable> listener) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return () -> { };
        }
        synchronized (INSTANCE) {
            if (!context.getTurboFilterList().contains(INSTANCE)) {
                INSTANCE.start();
                context.addTurboFilter(INSTANCE);
            }
        }
        INSTANCE.listeners.add(listener);
        return () -> INSTANCE.listeners.remove(listener);
    }

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
        if (format == null || !logger.getName().startsWith("io.debezium.") || !isLoop(format)) {
            return FilterReply.NEUTRAL;
        }
        Throwable failure = t != null ? t : lastThrowable(params);
        if (format.startsWith(PRODUCER_FAILURE) && failure != null) {
            listeners.forEach(l -> l.accept(failure));
        }
        boolean debugging = !logger.getEffectiveLevel().isGreaterOrEqual(Level.INFO);
        return listeners.isEmpty() || debugging ? FilterReply.NEUTRAL : FilterReply.DENY;
    }

    /** Whether {@code format} is one of the loop's messages; a plain loop, as this runs for every {@code io.debezium} log call. */
    private static boolean isLoop(String format) {
        for (String loop : LOOP) {
            if (format.startsWith(loop)) {
                return true;
            }
        }
        return false;
    }

    private static Throwable lastThrowable(Object[] params) {
        return params != null && params.length > 0 && params[params.length - 1] instanceof Throwable e ? e : null;
    }
}
