package io.airlock.streams.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.core.Alert;
import io.airlock.core.Severity;
import io.airlock.streams.internal.InternalSerdes;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.MockProcessorContext.CapturedPunctuator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AlertUpdateCoalescerTest {

    private static final String STORE = "al-001-alert-updates";
    private static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");

    private MockProcessorContext<String, Alert> context;
    private KeyValueStore<String, Alert> store;

    @BeforeEach
    void setUp() {
        context = new MockProcessorContext<>();
        context.setCurrentSystemTimeMs(System.currentTimeMillis());
        store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(STORE), Serdes.String(), InternalSerdes.alerts())
                .withLoggingDisabled().build();
        store.init(context.getStateStoreContext(), store);
        context.addStateStore(store);
    }

    @Test
    void shouldSendANewAlertAtOnceAndOnlyTheLatestOfItsUpdatesAtTheNextFlush() {
        var coalescer = started();
        coalescer.process(AlertFactory.record(alert("a", 5, Severity.HIGH), context));
        assertThat(forwardedCounts()).containsExactly(5L);

        coalescer.process(AlertFactory.record(alert("a", 6, Severity.HIGH), context));
        coalescer.process(AlertFactory.record(alert("a", 7, Severity.HIGH), context));
        coalescer.process(AlertFactory.record(alert("b", 1, Severity.HIGH), context));
        assertThat(forwardedCounts()).as("a's growth waits for the flush, b is new").containsExactly(5L, 1L);

        flushPunctuator().getPunctuator().punctuate(T0.toEpochMilli());
        assertThat(forwardedCounts()).containsExactly(5L, 1L, 7L);
        assertThat(context.forwarded().get(2).record().key()).isEqualTo("a");
        assertThat(context.forwarded().get(2).record().timestamp()).isEqualTo(T0.plusSeconds(7).toEpochMilli());
        assertThat(store.approximateNumEntries()).as("sent updates leave the store").isZero();

        flushPunctuator().getPunctuator().punctuate(T0.toEpochMilli() + 100);
        assertThat(forwardedCounts()).as("nothing new to send").hasSize(3);
    }

    @Test
    void shouldFlushEveryHundredMillisecondsOfWallClock() {
        started();
        CapturedPunctuator punctuator = flushPunctuator();
        assertThat(punctuator.getType()).isEqualTo(PunctuationType.WALL_CLOCK_TIME);
        assertThat(punctuator.getInterval()).isEqualTo(Duration.ofMillis(100));
    }

    @Test
    void shouldSendASeverityChangeAtOnce() {
        var coalescer = started();
        coalescer.process(AlertFactory.record(alert("a", 1, Severity.MEDIUM), context));
        coalescer.process(AlertFactory.record(alert("a", 2, Severity.MEDIUM), context));
        coalescer.process(AlertFactory.record(alert("a", 3, Severity.HIGH), context));
        assertThat(context.forwarded()).extracting(f -> f.record().value().severity())
                .containsExactly(Severity.MEDIUM, Severity.HIGH);

        flushPunctuator().getPunctuator().punctuate(T0.toEpochMilli());
        assertThat(forwardedCounts()).as("the escalation replaced the collected update").containsExactly(1L, 3L);
    }

    @Test
    void shouldSendUpdatesCollectedBeforeACrashAfterTheRestart() {
        var beforeCrash = started();
        beforeCrash.process(AlertFactory.record(alert("a", 5, Severity.HIGH), context));
        beforeCrash.process(AlertFactory.record(alert("a", 9, Severity.HIGH), context));
        assertThat(store.get("a").count()).as("collected in the changelogged store").isEqualTo(9L);

        var afterRestart = restarted();
        flushPunctuator().getPunctuator().punctuate(T0.toEpochMilli());
        assertThat(forwardedCounts()).containsExactly(9L);
    }

    @Test
    void shouldLetANewerVersionSentAtOnceAfterARestartReplaceTheCollectedOne() {
        var beforeCrash = started();
        beforeCrash.process(AlertFactory.record(alert("a", 5, Severity.HIGH), context));
        beforeCrash.process(AlertFactory.record(alert("a", 9, Severity.HIGH), context));

        var afterRestart = restarted();
        afterRestart.process(AlertFactory.record(alert("a", 10, Severity.HIGH), context));
        flushPunctuator().getPunctuator().punctuate(T0.toEpochMilli());
        assertThat(forwardedCounts()).as("the restored count 9 must not follow 10").containsExactly(10L);
        assertThat(store.get("a")).isNull();
    }

    private AlertUpdateCoalescer started() {
        var coalescer = new AlertUpdateCoalescer(STORE);
        coalescer.init(context);
        return coalescer;
    }

    /** A new instance on a new context over the same store, as after a crash and the store's restoration. */
    private AlertUpdateCoalescer restarted() {
        context = new MockProcessorContext<>();
        context.setCurrentSystemTimeMs(System.currentTimeMillis());
        context.addStateStore(store);
        return started();
    }

    private CapturedPunctuator flushPunctuator() {
        assertThat(context.scheduledPunctuators()).hasSize(1);
        return context.scheduledPunctuators().get(0);
    }

    private List<Long> forwardedCounts() {
        return context.forwarded().stream().map(f -> f.record().value().count()).toList();
    }

    private static Alert alert(String id, long count, Severity severity) {
        Instant last = T0.plusSeconds(count);
        return new Alert(id, "AL-001", "failed-login burst", severity, last, T0, last, count, "alice", "summary " + count,
                List.of("e" + count), List.of("T1110"), "docs/runbooks/AL-001-failed-login-burst.md", Alert.Status.OPEN);
    }
}
