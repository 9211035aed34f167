package io.airlock.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.connect.errors.ConnectException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Debezium's retry loop as it logs it (messages of Debezium 3.6), through the filter. */
class DebeziumRetryLogTest {

    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final Logger debezium = (Logger) LoggerFactory.getLogger("io.debezium");
    private final Logger errorHandler = (Logger) LoggerFactory.getLogger("io.debezium.pipeline.ErrorHandler");
    private final Logger task = (Logger) LoggerFactory.getLogger("io.debezium.connector.common.BaseSourceTask");
    private final Logger snapshot = (Logger) LoggerFactory.getLogger("io.debezium.relational.RelationalSnapshotChangeEventSource");
    private final Logger coordinator = (Logger) LoggerFactory.getLogger("io.debezium.pipeline.ChangeEventSourceCoordinator");
    private Level levelBefore;

    @BeforeEach
    void listen() {
        levelBefore = debezium.getLevel();
        debezium.setLevel(Level.INFO);
        logged.start();
        debezium.addAppender(logged);
    }

    @AfterEach
    void restore() {
        debezium.detachAppender(logged);
        debezium.setLevel(levelBefore);
    }

    private void oneRetry(Exception failure) {
        snapshot.error("Error during snapshot", failure);
        errorHandler.error("Producer failure", failure);
        errorHandler.warn("Retry {} of {} retries will be attempted", 1, "unlimited");
        task.warn("Going to restart connector after {} sec. after a retriable exception", 10L);
    }

    @Test
    void shouldHandEachRetriedFailureToTheListenerAndDropTheLoopsStackTraces() {
        List<Throwable> heard = new ArrayList<>();
        var failure = new ConnectException("Snapshotting of table public.log failed",
                new SQLException("ERROR: permission denied for table log", "42501"));
        Runnable stop = DebeziumRetryLog.listen(heard::add);
        try {
            oneRetry(failure);
            oneRetry(failure);
            errorHandler.warn("Something else Debezium says");
        } finally {
            stop.run();
        }

        assertThat(heard).containsExactly(failure, failure);
        assertThat(logged.list).extracting(ILoggingEvent::getFormattedMessage).containsExactly("Something else Debezium says");
    }

    /** Debezium 3.6 when the engine is closed during the snapshot, as on a SIGTERM soon after the start. */
    private void interruptedSnapshot() {
        var interrupted = new InterruptedException("Interrupted while reading structure of schema public");
        snapshot.error("Error during snapshot", interrupted);
        snapshot.warn("Snapshot was interrupted before completion");
        coordinator.warn("Change event source executor was interrupted", interrupted);
    }

    @Test
    void shouldLogTheInterruptionAStopCausesAsOneInfoLineWithoutStackTraceAndStillLogARealFailure() {
        var ours = (Logger) LoggerFactory.getLogger(DebeziumRetryLog.class);
        var said = new ListAppender<ILoggingEvent>();
        said.start();
        ours.addAppender(said);
        Runnable listening = DebeziumRetryLog.listen(e -> { });
        Runnable stopped = DebeziumRetryLog.stopping();
        try {
            interruptedSnapshot();
            coordinator.error("Something else failed", new IllegalStateException("real", new java.io.IOException("disk")));
        } finally {
            stopped.run();
            listening.run();
            ours.detachAppender(said);
        }

        assertThat(logged.list).singleElement().satisfies(e -> {
            assertThat(e.getFormattedMessage()).isEqualTo("Something else failed");
            assertThat(e.getThrowableProxy()).isNotNull();
        });
        assertThat(said.list).singleElement().satisfies(e -> {
            assertThat(e.getLevel()).isEqualTo(Level.INFO);
            assertThat(e.getThrowableProxy()).isNull();
            assertThat(e.getFormattedMessage()).contains("interrupted by the stop")
                    .contains("Error during snapshot: InterruptedException")
                    .doesNotContain("Interrupted while reading structure of schema public");
        });
    }

    /** The INFO line quoted the failure's message, which may hold SQL or values: it names the types of the cause chain. */
    @Test
    void shouldNameTheExceptionTypesOfTheInterruptionNotTheirMessages() {
        var ours = (Logger) LoggerFactory.getLogger(DebeziumRetryLog.class);
        var said = new ListAppender<ILoggingEvent>();
        said.start();
        ours.addAppender(said);
        Runnable stopped = DebeziumRetryLog.stopping();
        try {
            coordinator.warn("Change event source executor was interrupted", new ConnectException(
                    "SELECT * FROM public.connection WHERE password = 'hunter2'", new InterruptedException("sleep interrupted")));
        } finally {
            stopped.run();
            ours.detachAppender(said);
        }

        assertThat(said.list).singleElement().satisfies(e -> assertThat(e.getFormattedMessage())
                .contains("Change event source executor was interrupted: ConnectException caused by InterruptedException")
                .doesNotContain("hunter2").doesNotContain("SELECT").doesNotContain("sleep interrupted"));
    }

    @Test
    void shouldLeaveAnInterruptionAloneWhenNoCaptureIsStopping() {
        interruptedSnapshot();
        assertThat(logged.list).extracting(ILoggingEvent::getLevel).containsExactly(Level.ERROR, Level.WARN, Level.WARN);
    }

    @Test
    void shouldLeaveTheLoopAloneWhenNoCaptureListensOrDebeziumIsDebugged() {
        var failure = new IllegalStateException("boom");
        Runnable stop = DebeziumRetryLog.listen(e -> { });
        stop.run();
        errorHandler.error("Producer failure", failure);

        stop = DebeziumRetryLog.listen(e -> { });
        try {
            debezium.setLevel(Level.DEBUG);
            errorHandler.error("Producer failure", failure);
        } finally {
            stop.run();
        }

        assertThat(logged.list).hasSize(2).allSatisfy(e -> assertThat(e.getThrowableProxy()).isNotNull());
    }
}
