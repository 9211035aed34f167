package io.airlock.alerting;

import io.airlock.core.Alert;
import io.airlock.core.Severity;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides who hears about an alert, and when again. Each {@link Route} sends alerts of at least a severity to one
 * notifier; by default every alert goes to Slack and high/critical ones also page through PagerDuty.
 *
 * <p>Repeat suppression, per alert id and channel: the first sighting is notified; an update (same id, larger count)
 * is notified again only once its {@code last_seen} is at least the repeat interval after the {@code last_seen} last
 * notified (event time, so a replay behaves like live); a status change (open → resolved) is always notified. The
 * memory is bounded (least recently seen alerts are forgotten first) and not persistent: after a restart an alert may be
 * notified once more, which PagerDuty folds into the same incident through {@code dedup_key}.
 */
public final class AlertRouter {

    private static final Logger log = LoggerFactory.getLogger(AlertRouter.class);

    /** Default time between two notifications of one growing alert. */
    public static final Duration DEFAULT_REPEAT_INTERVAL = Duration.ofMinutes(60);
    private static final int MAX_TRACKED = 100_000;

    /**
     * Alerts of at least {@code minimum} severity go to {@code notifier}.
     */
    public record Route(Notifier notifier, Severity minimum) {
        public Route {
            Objects.requireNonNull(notifier, "notifier");
            Objects.requireNonNull(minimum, "minimum");
        }

        boolean matches(Alert alert) {
            return alert.severity().compareTo(minimum) >= 0;
        }
    }

    /**
     * What {@link #deliver} did.
     *
     * @param notified channels that accepted the alert
     * @param rejected channel → reason, for channels that rejected it for good (the caller dead-letters these)
     */
    public record Delivery(List<String> notified, Map<String, String> rejected) {
        public Delivery {
            notified = List.copyOf(notified);
            rejected = Map.copyOf(rejected);
        }
    }

    private record Notified(long count, Instant lastSeen, Alert.Status status) {
    }

    private final List<Route> routes;
    private final Duration repeatInterval;
    private final Map<String, Notified> notified = new LinkedHashMap<>(1024, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Notified> eldest) {
            return size() > MAX_TRACKED;
        }
    };

    public AlertRouter(List<Route> routes, Duration repeatInterval) {
        this.routes = List.copyOf(routes);
        this.repeatInterval = Objects.requireNonNull(repeatInterval, "repeatInterval");
        if (repeatInterval.isNegative()) {
            throw new IllegalArgumentException("repeatInterval must not be negative");
        }
    }

    /** Every alert to Slack, high and critical also to PagerDuty, repeats after {@link #DEFAULT_REPEAT_INTERVAL}. */
    public static AlertRouter defaults(Notifier slack, Notifier pagerDuty) {
        return new AlertRouter(List.of(new Route(slack, Severity.LOW), new Route(pagerDuty, Severity.HIGH)),
                DEFAULT_REPEAT_INTERVAL);
    }

    /** The notifiers that should hear about this alert now (routing and repeat suppression applied). */
    public synchronized List<Notifier> due(Alert alert) {
        List<Notifier> due = new ArrayList<>();
        for (Route route : routes) {
            if (route.matches(alert) && isDue(alert, notified.get(key(alert, route.notifier())))) {
                due.add(route.notifier());
            }
        }
        return due;
    }

    /** Remembers that {@code notifier} has had (or has permanently refused) this version of the alert. */
    public synchronized void markNotified(Alert alert, Notifier notifier) {
        notified.put(key(alert, notifier), new Notified(alert.count(), lastSeen(alert), status(alert)));
    }

    /**
     * Sends the alert to every due notifier. Channels that accept it or reject it for good are marked, so a retry of
     * the same alert only goes to the channels that are still missing.
     *
     * @return who was notified and who rejected the alert for good
     * @throws DeliveryException (retriable) if some channel stayed unavailable; the others were still tried
     */
    public Delivery deliver(Alert alert) throws DeliveryException {
        List<String> ok = new ArrayList<>();
        Map<String, String> rejected = new LinkedHashMap<>();
        DeliveryException unavailable = null;
        for (Notifier notifier : due(alert)) {
            try {
                notifier.send(alert);
                markNotified(alert, notifier);
                ok.add(notifier.channel());
                log.info("notified {} of alert {} rule {} count {}", notifier.channel(), alert.id(), alert.ruleId(), alert.count());
            } catch (PermanentDeliveryException e) {
                markNotified(alert, notifier);
                rejected.put(notifier.channel(), e.getMessage());
                log.error("{} rejected alert {} rule {}: {}", notifier.channel(), alert.id(), alert.ruleId(), e.getMessage());
            } catch (DeliveryException e) {
                log.warn("{} unavailable for alert {} rule {}: {}", notifier.channel(), alert.id(), alert.ruleId(), e.getMessage());
                if (unavailable == null) {
                    unavailable = e;
                } else {
                    unavailable.addSuppressed(e);
                }
            }
        }
        if (unavailable != null) {
            throw unavailable;
        }
        return new Delivery(ok, rejected);
    }

    private boolean isDue(Alert alert, Notified last) {
        if (last == null) {
            return true;
        }
        if (last.status() != status(alert)) {
            return true;
        }
        return alert.count() > last.count() && !lastSeen(alert).isBefore(last.lastSeen().plus(repeatInterval));
    }

    private static String key(Alert alert, Notifier notifier) {
        return notifier.channel() + '\u001f' + alert.id();
    }

    private static Instant lastSeen(Alert alert) {
        return alert.lastSeen() != null ? alert.lastSeen() : alert.timestamp();
    }

    private static Alert.Status status(Alert alert) {
        return alert.status() == null ? Alert.Status.OPEN : alert.status();
    }
}
