package io.airlock.alerting.internal;

import io.airlock.alerting.DeliveryException;
import io.airlock.alerting.PermanentDeliveryException;
import io.airlock.alerting.RetryPolicy;
import io.airlock.alerting.Secret;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * POSTs JSON to a webhook whose URL (or body) holds secrets, paced by the endpoint's token bucket ({@link Pacer}), with
 * retries: HTTP 429 pauses the endpoint as long as {@code Retry-After} says (exponential backoff without one; a pause
 * longer than {@link RetryPolicy#maxRetryAfter()} ends the call), 5xx, 408, I/O errors and timeouts back off
 * exponentially (capped); any other 4xx is a {@link PermanentDeliveryException}, and so is a 3xx: redirects are not followed,
 * the failure names the {@code Location}'s scheme and host. Messages name the channel and status, never the URL or a secret.
 */
public final class WebhookPoster {

    private static final Logger log = LoggerFactory.getLogger(WebhookPoster.class);
    private static final int MAX_BODY_EXCERPT = 200;
    /**
     * The longest {@code Retry-After} taken as given: a day. Longer ones (a date in the year 9999, ten billion seconds)
     * are taken as a day: the alert is retried later either way, and a pause must not overflow the pacer's clock.
     */
    static final Duration LONGEST_RETRY_AFTER = Duration.ofDays(1);
    /**
     * The longest the endpoint is paused for one {@code Retry-After}: security alerts must not wait hours on one answer (a
     * proxy's, a misconfigured one's). After it, the next alert tries again; a server still limiting answers 429 again.
     */
    static final Duration LONGEST_PAUSE = Duration.ofMinutes(15);

    private final String channel;
    private final HttpClient http;
    private final RetryPolicy policy;
    private final Sleeper sleeper;
    private final List<Secret> secrets;
    private final Pacer pacer;

    /**
     * @param channel  name used in logs and messages (the receiver's name: {@code slack}, {@code soc-slack})
     * @param secrets  values to redact from anything this class reports (the URL, the routing key)
     */
    public WebhookPoster(String channel, RetryPolicy policy, Sleeper sleeper, List<Secret> secrets) {
        this(channel, policy, sleeper, secrets, new Pacer(Duration.ZERO, 1, System::nanoTime));
    }

    /**
     * @param pacer the endpoint's token bucket; shared by every poster sending to the same endpoint
     */
    public WebhookPoster(String channel, RetryPolicy policy, Sleeper sleeper, List<Secret> secrets, Pacer pacer) {
        this.channel = channel;
        this.policy = policy;
        this.sleeper = sleeper;
        this.secrets = List.copyOf(secrets);
        this.pacer = pacer;
        this.http = HttpClient.newBuilder()
                .connectTimeout(policy.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /**
     * Delivers one body, retrying as described above. Every attempt first takes a token from the endpoint's
     * {@link Pacer}; a {@code Retry-After} pauses the pacer, and one longer than {@link RetryPolicy#maxRetryAfter()}
     * ends the call at once (the caller tries again later, and the pause still holds).
     *
     * @param what an identifier for logs (the alert id), never a payload
     * @throws PermanentDeliveryException if the endpoint rejected the body for good
     * @throws DeliveryException          if it stayed unavailable for every attempt (the caller tries later)
     */
    public void post(URI url, byte[] jsonBody, String what) throws DeliveryException {
        HttpRequest request;
        try {
            request = request(url, jsonBody);
        } catch (IllegalArgumentException e) {
            throw unusableUrl(what, e);
        }
        String lastProblem = "no attempt made";
        for (int attempt = 1; attempt <= policy.maxAttempts(); attempt++) {
            Duration paced = pacer.reserve(policy.maxRetryAfter());
            if (paced.compareTo(policy.maxRetryAfter()) > 0) {
                throw new DeliveryException(channel + ": " + what + " not sent, the endpoint asked to wait another "
                        + seconds(paced) + " s (Retry-After)");
            }
            sleep(paced, what);
            Duration wait;
            String retrying = null; // what the log says the next attempt waits for, if not the backoff
            try {
                HttpResponse<String> response;
                try {
                    response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                } catch (IllegalArgumentException e) {
                    throw unusableUrl(what, e);
                }
                int status = response.statusCode();
                if (status >= 200 && status < 300) {
                    if (attempt > 1) {
                        log.info("{}: delivered {} on attempt {}", channel, what, attempt);
                    }
                    return;
                }
                if (status >= 300 && status < 400) {
                    throw redirected(url, response, what);
                }
                lastProblem = "HTTP " + status + excerpt(response.body());
                if (!DeliveryFailures.isRetriableStatus(status)) {
                    throw new PermanentDeliveryException(channel + ": rejected " + what + " with " + lastProblem);
                }
                if (status == 429) {
                    // none, or "0" (which would make every attempt at once): the backoff of this attempt
                    Optional<Duration> given = retryAfter(response).filter(d -> !d.isZero());
                    Duration retryAfter = given.orElse(policy.backoff(attempt));
                    Duration pause = retryAfter;
                    if (retryAfter.compareTo(LONGEST_PAUSE) > 0) {
                        log.warn("{}: HTTP 429 with Retry-After {} s; pausing {} s only, then trying again", channel,
                                seconds(retryAfter), seconds(LONGEST_PAUSE));
                        pause = LONGEST_PAUSE;
                    }
                    pacer.pause(pause);
                    if (retryAfter.compareTo(policy.maxRetryAfter()) > 0) {
                        throw new DeliveryException(channel + ": " + what + " rate limited (HTTP 429), Retry-After "
                                + seconds(retryAfter) + " s is longer than delivery.max-retry-after; retried later");
                    }
                    wait = Duration.ZERO; // the paused pacer makes the next attempt wait
                    retrying = given.isPresent() ? "after Retry-After, " + pause.toMillis() + " ms"
                            : "in " + pause.toMillis() + " ms (backoff: the answer had no Retry-After)";
                } else {
                    wait = policy.backoff(attempt);
                }
            } catch (IOException e) {
                // HttpTimeoutException, ConnectException, ...: class name only, a message could echo the URL
                lastProblem = e.getClass().getSimpleName();
                wait = policy.backoff(attempt);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DeliveryException(channel + ": interrupted while delivering " + what);
            }
            if (attempt < policy.maxAttempts()) {
                DeliveryMetrics.notification(channel, DeliveryMetrics.Outcome.RETRIED);
                log.warn("{}: attempt {} for {} failed ({}), retrying {}", channel, attempt, what, lastProblem,
                        retrying != null ? retrying : "in " + wait.toMillis() + " ms");
                sleep(wait, what);
            }
        }
        throw new DeliveryException(channel + ": " + what + " not delivered after " + policy.maxAttempts()
                + " attempts, last: " + lastProblem);
    }

    /**
     * A 3xx (PagerDuty sends 302 to an account's regional endpoint, events.eu.pagerduty.com). Redirects are not followed:
     * one would carry the routing key (or a webhook body) to wherever the answer points. So it is permanent, named a
     * redirect, with only the scheme and host of its {@code Location} (a path or query could hold a token), and tells the
     * operator to configure that URL.
     */
    private PermanentDeliveryException redirected(URI url, HttpResponse<?> response, String what) {
        String target = response.headers().firstValue("Location").flatMap(location -> {
            try {
                URI resolved = url.resolve(new URI(location.strip()));
                return resolved.getScheme() == null || resolved.getHost() == null ? Optional.empty()
                        : Optional.of(resolved.getScheme().toLowerCase(java.util.Locale.ROOT) + "://" + resolved.getHost());
            } catch (java.net.URISyntaxException | IllegalArgumentException e) {
                return Optional.empty();
            }
        }).map(this::redact).orElse(null);
        return new PermanentDeliveryException(channel + ": " + what + " not delivered, the receiver answered with a redirect "
                + "(HTTP " + response.statusCode() + ")" + (target == null ? " without a usable Location" : " to " + target)
                + "; redirects are not followed (they would carry the routing key or webhook elsewhere): set this receiver's URL"
                + (target == null ? " to the endpoint it should use" : " to that host (PagerDuty EU: https://events.eu.pagerduty.com/v2/enqueue)")
                + ", then replay the dead letter");
    }

    private String redact(String text) {
        String out = text;
        for (Secret secret : secrets) {
            out = secret.redact(out);
        }
        return out;
    }

    private HttpRequest request(URI url, byte[] jsonBody) {
        return HttpRequest.newBuilder(url)
                // cleartext (a local sink or proxy): plain HTTP/1.1 keep-alive, no h2c upgrade headers on every request
                .version("http".equalsIgnoreCase(url.getScheme()) ? HttpClient.Version.HTTP_1_1 : HttpClient.Version.HTTP_2)
                .timeout(policy.requestTimeout())
                .header("Content-Type", "application/json; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofByteArray(jsonBody))
                .build();
    }

    /**
     * The JDK's HTTP client refused the URL itself (a port outside 1–65535, which {@link URI} takes): no attempt can
     * succeed, so it is permanent, and said as what it is rather than an unexpected internal error. Its message is redacted.
     */
    private PermanentDeliveryException unusableUrl(String what, IllegalArgumentException e) {
        String reason = e.getMessage() == null ? "" : e.getMessage();
        for (Secret secret : secrets) {
            reason = secret.redact(reason);
        }
        return new PermanentDeliveryException(channel + ": " + what + " not sent, the receiver's URL cannot be used ("
                + SlackText.truncate(SlackText.singleLine(reason), MAX_BODY_EXCERPT) + "): fix it (a port of 1–65535, "
                + "an http(s) scheme and host; ./airlock check-config checks it), then replay the dead letter");
    }

    private void sleep(Duration wait, String what) throws DeliveryException {
        if (wait.isZero() || wait.isNegative()) {
            return;
        }
        try {
            sleeper.sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeliveryException(channel + ": interrupted while delivering " + what);
        }
    }

    private static long seconds(Duration d) {
        return (d.toMillis() + 999) / 1000;
    }

    /** {@code Retry-After} as delay-seconds or an HTTP-date. */
    static Optional<Duration> retryAfter(HttpResponse<?> response) {
        return response.headers().firstValue("Retry-After").flatMap(WebhookPoster::parseRetryAfter);
    }

    /** Delay-seconds or an HTTP-date; in the past is zero, and more than {@link #LONGEST_RETRY_AFTER} is that. */
    static Optional<Duration> parseRetryAfter(String value) {
        String v = value.strip();
        Duration delay;
        try {
            long seconds = Long.parseLong(v);
            if (seconds < 0) {
                return Optional.empty();
            }
            delay = Duration.ofSeconds(Math.min(seconds, LONGEST_RETRY_AFTER.toSeconds()));
        } catch (NumberFormatException notSeconds) {
            try {
                delay = Duration.between(ZonedDateTime.now(), ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME));
            } catch (DateTimeParseException notDate) {
                return Optional.empty();
            }
        }
        return Optional.of(delay.isNegative() ? Duration.ZERO : delay.compareTo(LONGEST_RETRY_AFTER) > 0 ? LONGEST_RETRY_AFTER : delay);
    }

    private String excerpt(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        String text = body;
        for (Secret secret : secrets) {
            text = secret.redact(text);
        }
        text = SlackText.truncate(SlackText.singleLine(text), MAX_BODY_EXCERPT);
        return ": " + text;
    }
}
