package io.airlock.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.Test;

class StreamThreadFailuresTest {

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final StreamThreadFailures failures = new StreamThreadFailures(registry, now::get);

    @Test
    void shouldReplaceAFailedThreadButStopWhenTheSameFailureKeepsComing() {
        for (int i = 1; i < StreamThreadFailures.MAX_FAILURES; i++) {
            assertThat(failures.handle(new IllegalStateException("record too large"))).isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
            now.addAndGet(30_000);
        }

        assertThat(failures.handle(new IllegalStateException("record too large"))).isEqualTo(StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
        assertThat(registry.get(StreamThreadFailures.METER).counter().count()).isEqualTo(StreamThreadFailures.MAX_FAILURES);
    }

    @Test
    void shouldKeepReplacingThreadsThatFailRarely() {
        for (int i = 0; i < 3 * StreamThreadFailures.MAX_FAILURES; i++) {
            assertThat(failures.handle(new IllegalStateException("broker went away"))).isEqualTo(StreamThreadExceptionResponse.REPLACE_THREAD);
            now.addAndGet(StreamThreadFailures.WINDOW.toMillis() / (StreamThreadFailures.MAX_FAILURES - 1) + 1);
        }
    }
}
