package io.airlock.alerting.internal;

import java.time.Duration;

/** Waits between retries; tests replace it to observe the waits instead of spending them. */
@FunctionalInterface
public interface Sleeper {

    Sleeper REAL = duration -> {
        if (!duration.isZero() && !duration.isNegative()) {
            Thread.sleep(duration.toMillis());
        }
    };

    void sleep(Duration duration) throws InterruptedException;
}
