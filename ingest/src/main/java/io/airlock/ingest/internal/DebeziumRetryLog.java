package io.airlock.ingest.internal;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
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
 *
 * <p>While a capture {@link #stopping() stops}, Debezium's WARN and ERROR messages about the interruption that stop causes
 * (an {@link InterruptedException} in the cause chain, {@code Error during snapshot}, {@code Change event source executor
 * was interrupted}, {@code Snapshot was interrupted before completion}) are not failures: they become one INFO line
 * without a stack trace, naming Debezium's message without its arguments and the exception types of the failure, not their
 * messages (which may quote SQL or values). Any other message, a real failure while stopping included, is left as it is.
 */
public final class DebeziumRetryLog extends TurboFilter {

    /** How the messages of Debezium's retry loop begin. */
    private static final List<String> LOOP = List.of("Producer failure", "Error during snapshot", "Retry {} of {} retries",
            "Going to restart connector after", "Snapshot was not completed successfully");
    private static final String PRODUCER_FAILURE = "Producer failure";
    /** How Debezium says that it was interrupted, without an exception to tell by. */
    private static final String SNAPSHOT_INTERRUPTED = "Snapshot was interrupted";
    private static final DebeziumRetryLog INSTANCE = new DebeziumRetryLog();
    private static final org.slf4j.Logger LOG = LoggerFactory.getLogger(DebeziumRetryLog.class);

    private final List<Consumer<Throwable>> listeners = new CopyOnWriteArrayList<>();
    /** How many captures are stopping now; while any is, Debezium's interruption messages are one INFO line. */
    private final AtomicInteger stopping = new AtomicInteger();
    /** Whether the INFO line of the current stop has been logged. */
    private final AtomicBoolean interruptionSaid = new AtomicBoolean();

    DebeziumRetryLog() {
    }

    /**
     * Passes every failure Debezium retries to {@code listener} until the returned stop is run; installs the filter
     * once, when logback is the logging backend (without it, nothing is filtered and nothing is heard).
     */
    public static Runnable listen(Consumer<Throwable> listener) {
        if (!installed()) {
            return () -> { };
        }
        INSTANCE.listeners.add(listener);
        return () -> INSTANCE.listeners.remove(listener);
    }

    /** Installs the filter once; false when logback is not the logging backend (then nothing is filtered or heard). */
    private static boolean installed() {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return false;
        }
        synchronized (INSTANCE) {
            if (!context.getTurboFilterList().contains(INSTANCE)) {
                INSTANCE.start();
                context.addTurboFilter(INSTANCE);
            }
        }
        return true;
    }

    /**
     * Marks a capture as stopping until the returned runnable is run: Debezium's messages about being interrupted are then
     * logged as one INFO line ({@link DebeziumRetryLog}). Installs the filter as {@link #listen} does.
     */
    public static Runnable stopping() {
        if (!installed()) {
            return () -> { };
        }
        if (INSTANCE.stopping.getAndIncrement() == 0) {
            INSTANCE.interruptionSaid.set(false);
        }
        var once = new AtomicBoolean();
        return () -> {
            if (once.compareAndSet(false, true)) {
                INSTANCE.stopping.decrementAndGet();
            }
        };
    }

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
        if (format == null || !logger.getName().startsWith("io.debezium.")) {
            return FilterReply.NEUTRAL;
        }
        Throwable failure = t != null ? t : lastThrowable(params);
        boolean debugging = !logger.getEffectiveLevel().isGreaterOrEqual(Level.INFO);
        if (stopping.get() > 0 && !debugging && level != null && level.isGreaterOrEqual(Level.WARN)
                && (format.startsWith(SNAPSHOT_INTERRUPTED) || interrupted(failure))) {
            if (interruptionSaid.compareAndSet(false, true)) {
                // Debezium's format (its own words, without the arguments) and the failure's types: its message may quote
                // SQL or values (log lines carry identifiers only)
                LOG.info("Airflow capture stopping: Debezium was interrupted by the stop ({}{}); what it had not handed over "
                        + "is read again at the next start", format.replace("{}", "…"),
                        failure == null ? "" : ": " + types(failure));
            }
            return FilterReply.DENY;
        }
        if (!isLoop(format)) {
            return FilterReply.NEUTRAL;
        }
        if (format.startsWith(PRODUCER_FAILURE) && failure != null) {
            listeners.forEach(l -> l.accept(failure));
        }
        return listeners.isEmpty() || debugging ? FilterReply.NEUTRAL : FilterReply.DENY;
    }

    /** Whether an {@link InterruptedException} is in the cause chain of {@code failure} (which may be null). */
    private static boolean interrupted(Throwable failure) {
        int depth = 0;
        for (Throwable c = failure; c != null && depth < 20; c = c.getCause(), depth++) {
            if (c instanceof InterruptedException) {
                return true;
            }
        }
        return false;
    }

    /**
     * The simple class names of {@code failure} and its causes, outermost first ({@code ConnectException caused by
     * InterruptedException}): what went wrong, without the messages, which may quote SQL or values.
     */
    static String types(Throwable failure) {
        var text = new StringBuilder(failure.getClass().getSimpleName());
        int depth = 0;
        for (Throwable c = failure.getCause(); c != null && c != failure && depth < 20; c = c.getCause(), depth++) {
            text.append(" caused by ").append(c.getClass().getSimpleName());
        }
        return text.toString();
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
