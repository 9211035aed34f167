package io.airlock.alerting.internal;

import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * A token bucket for one endpoint (one Slack webhook, one PagerDuty routing key): at most {@code burst} requests at once,
 * then one per {@code interval}. A server's {@code Retry-After} pauses the bucket for everyone sending to that endpoint.
 * Written as the equivalent "virtual scheduling" form: {@code next} is when the bucket is full enough for one more
 * request if nothing else asked.
 */
public final class Pacer {

    private final long intervalNanos;
    private final long toleranceNanos;
    private final LongSupplier nanoTime;
    private long next;
    private long pausedUntil;

    /**
     * @param interval time one token takes to refill; {@link Duration#ZERO} for no pacing (only pauses)
     * @param burst    requests allowed back to back, at least 1
     */
    public Pacer(Duration interval, int burst, LongSupplier nanoTime) {
        if (interval.isNegative()) {
            throw new IllegalArgumentException("interval must not be negative");
        }
        if (burst < 1) {
            throw new IllegalArgumentException("burst must be at least 1");
        }
        this.intervalNanos = interval.toNanos();
        this.toleranceNanos = (burst - 1) * intervalNanos;
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
        this.next = nanoTime.getAsLong();
        this.pausedUntil = next;
    }

    /** One request per {@code interval}, no burst, on the system clock. */
    public static Pacer every(Duration interval) {
        return new Pacer(interval, 1, System::nanoTime);
    }

    /**
     * Takes a token: how long the caller must wait before sending. If the wait would exceed {@code maxWait}, no token is
     * taken and the wait is returned anyway (the caller gives up for now).
     */
    public synchronized Duration reserve(Duration maxWait) {
        long now = nanoTime.getAsLong();
        long start = Math.max(Math.max(now, next - toleranceNanos), pausedUntil);
        long wait = start - now;
        Duration rounded = Duration.ofMillis((wait + 999_999) / 1_000_000); // never early: sleeps are in whole ms
        if (rounded.compareTo(maxWait) > 0) {
            return rounded;
        }
        next = Math.max(next, start) + intervalNanos;
        return rounded;
    }

    /** The endpoint said {@code Retry-After}: nobody sends before then. */
    public synchronized void pause(Duration retryAfter) {
        long until = nanoTime.getAsLong() + retryAfter.toNanos();
        pausedUntil = Math.max(pausedUntil, until);
    }
}
