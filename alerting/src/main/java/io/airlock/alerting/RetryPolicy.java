package io.airlock.alerting;

import java.time.Duration;
import java.util.Objects;

/**
 * How one delivery call retries a retriable failure before giving up with a (retriable) {@link DeliveryException}:
 * capped exponential backoff, and an upper bound on how long a {@code Retry-After} is honoured.
 *
 * @param maxAttempts     attempts per call, at least 1
 * @param initialBackoff  wait before the second attempt
 * @param maxBackoff      cap on the exponential wait
 * @param maxRetryAfter   cap on a server's {@code Retry-After}; longer requests end the call (the caller retries later)
 * @param connectTimeout  HTTP connect timeout for the webhook notifiers
 * @param requestTimeout  HTTP request timeout for the webhook notifiers
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration maxRetryAfter,
                          Duration connectTimeout, Duration requestTimeout) {

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
        }
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        Objects.requireNonNull(maxRetryAfter, "maxRetryAfter");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        if (initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("need 0 <= initialBackoff <= maxBackoff");
        }
    }

    /** 5 attempts, 200 ms doubling up to 10 s, Retry-After honoured up to 60 s, 5 s connect and 10 s request timeout. */
    public static RetryPolicy defaults() {
        return new RetryPolicy(5, Duration.ofMillis(200), Duration.ofSeconds(10), Duration.ofSeconds(60),
                Duration.ofSeconds(5), Duration.ofSeconds(10));
    }

    public RetryPolicy withMaxAttempts(int attempts) {
        return new RetryPolicy(attempts, initialBackoff, maxBackoff, maxRetryAfter, connectTimeout, requestTimeout);
    }

    public RetryPolicy withBackoff(Duration initial, Duration max) {
        return new RetryPolicy(maxAttempts, initial, max, maxRetryAfter, connectTimeout, requestTimeout);
    }

    public RetryPolicy withTimeouts(Duration connect, Duration request) {
        return new RetryPolicy(maxAttempts, initialBackoff, maxBackoff, maxRetryAfter, connect, request);
    }

    /**
     * The capped exponential wait before attempt {@code attempt + 1} (attempt counts from 1), without jitter.
     */
    public Duration backoff(int attempt) {
        int shift = Math.min(Math.max(attempt - 1, 0), 30);
        long millis = initialBackoff.toMillis() << shift;
        return millis < 0 || millis > maxBackoff.toMillis() ? maxBackoff : Duration.ofMillis(millis);
    }
}
