package io.airlock.app.metrics;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Whether {@code airlock run} is alive, for {@code /health/live}: alive until {@link #fail(String)} records why a started stage
 * stopped for good. The first reason stays; it is plain words (stage and state or exception class), never data or secrets.
 */
public final class Liveness {

    private final AtomicReference<String> failure = new AtomicReference<>();

    /** Marks the process as failed for {@code reason}; later calls keep the first reason. */
    public void fail(String reason) {
        failure.compareAndSet(null, reason);
    }

    /** Why the process is no longer alive; empty while it is. */
    public Optional<String> failure() {
        return Optional.ofNullable(failure.get());
    }
}
