package io.airlock.alerting;

import io.airlock.alerting.internal.Pacer;
import io.airlock.core.Alert;
import io.airlock.core.Severity;
import io.airlock.core.config.ConfigTypes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides who hears about an alert, and when again. Each {@link Route} sends alerts of at least a severity (and, if it
 * names rules, of those rules) to one notifier; every matching route applies, a notifier named by several is notified
 * once. By default every alert goes to Slack and high/critical ones also page through PagerDuty.
 *
 * <p>Before routing, {@link Silence silences} (wall clock), {@link MaintenanceWindow maintenance windows} (event time) and
 * the age limit are checked: a suppressed alert notifies nobody, and one log line names the alert id and the reason. The age
 * limit keeps history from paging: an alert whose {@code last_seen} is longer ago than it (a first start's snapshot of
 * Airflow's audit log, a Vault audit file read from its start, a replay) is indexed, not notified.
 *
 * <p>Repeat suppression, per alert id and notifier: the first sighting is notified; an update (same id, larger count)
 * is notified again only once its {@code last_seen} is at least the repeat interval after the {@code last_seen} last
 * notified (event time, so a replay behaves like live); a status change (open → resolved) is always notified. A notifier
 * counts as done with an alert version once it accepted it, or once its permanent rejection was dead-lettered
 * ({@link #markRejected}). A rejection is remembered as one: the growth of the alert after it follows the repeat interval
 * as usual (a receiver that refuses everything gets one dead letter per interval, not one per update; the versions held
 * back are remembered, {@link #heldBackAfterRejection}), but a version the receiver was not told, seen again, is due
 * again: replaying the dead-lettered record once the cause is fixed, resetting the delivery group, or processing it again
 * after a restart delivers the alert instead of skipping it as already told. The memory is bounded (least recently seen alerts are forgotten first); the delivery loop
 * persists each confirmation in the delivery-state topic and {@link #restore restores} it after a restart, so a crash
 * does not notify a receiver again of what it already confirmed (see {@link AlertDeliveryLoop}).
 */
public final class AlertRouter {

    private static final Logger log = LoggerFactory.getLogger(AlertRouter.class);

    /** Default time between two notifications of one growing alert. */
    public static final Duration DEFAULT_REPEAT_INTERVAL = Duration.ofMinutes(60);
    /** Default age limit: alerts last seen longer ago than this (wall clock against event time) notify nobody. */
    public static final Duration DEFAULT_MAX_AGE = Duration.ofHours(24);
    private static final int MAX_TRACKED = 100_000;

    /**
     * Alerts of at least {@code minimum} severity and, unless {@code rules} is empty, of one of {@code rules}, go to
     * {@code notifier}.
     */
    public record Route(Notifier notifier, Severity minimum, Set<String> rules) {
        public Route {
            Objects.requireNonNull(notifier, "notifier");
            Objects.requireNonNull(minimum, "minimum");
            rules = rules == null ? Set.of() : Set.copyOf(rules);
        }

        public Route(Notifier notifier, Severity minimum) {
            this(notifier, minimum, Set.of());
        }

        boolean matches(Alert alert) {
            return alert.severity().compareTo(minimum) >= 0 && (rules.isEmpty() || rules.contains(alert.ruleId()));
        }
    }

    /**
     * What {@link #deliver} did.
     *
     * @param notified   channels that accepted the alert
     * @param rejected   channel → reason, for channels that rejected it for good (the caller dead-letters these, then
     *                   calls {@link #markRejected})
     * @param suppressed why nobody was notified (a silence, a maintenance window), if so
     */
    public record Delivery(List<String> notified, Map<String, String> rejected, Optional<String> suppressed) {
        public Delivery {
            notified = List.copyOf(notified);
            rejected = Map.copyOf(rejected);
            Objects.requireNonNull(suppressed, "suppressed");
        }

        public Delivery(List<String> notified, Map<String, String> rejected) {
            this(notified, rejected, Optional.empty());
        }
    }

    /**
     * What one receiver was last told about one alert: the version's {@code count}, {@code last_seen}, status and
     * severity, and when (wall clock) the receiver confirmed it. Persisted by the delivery loop in the delivery-state
     * topic so a restart after a crash does not notify it again. {@code severity} is null in what was persisted before it
     * was remembered.
     *
     * @param rejectedUpTo null if the receiver confirmed this version. Otherwise it refused this version for good (it was
     *                     dead-lettered) and was told nothing of the versions up to this count either (held back by the
     *                     repeat interval since): seen again, any of them is due again (a replay once the cause is fixed)
     */
    public record Notified(long count, Instant lastSeen, Alert.Status status, Severity severity, Instant confirmedAt,
                           Long rejectedUpTo) {
        public Notified {
            Objects.requireNonNull(lastSeen, "lastSeen");
            Objects.requireNonNull(status, "status");
            Objects.requireNonNull(confirmedAt, "confirmedAt");
            if (rejectedUpTo != null && rejectedUpTo < count) {
                throw new IllegalArgumentException("rejectedUpTo must not be below count");
            }
        }

        /** A confirmed notification. */
        public Notified(long count, Instant lastSeen, Alert.Status status, Severity severity, Instant confirmedAt) {
            this(count, lastSeen, status, severity, confirmedAt, null);
        }

        /** Whether the receiver refused this version (and was told nothing since). */
        public boolean rejected() {
            return rejectedUpTo != null;
        }

        /** Whether {@code alert} is a version the receiver refused or had held back since, and was not told of. */
        boolean notToldOf(Alert alert) {
            return rejectedUpTo != null && AlertRouter.status(alert) == status && alert.count() >= count
                    && alert.count() <= rejectedUpTo && !AlertRouter.lastSeen(alert).isBefore(lastSeen);
        }
    }

    /** The shortest time a restored notification is remembered, whatever the repeat interval. */
    static final Duration MIN_STATE_HORIZON = Duration.ofDays(1);

    private final List<Route> routes;
    private final Duration repeatInterval;
    private final List<Silence> silences;
    private final List<MaintenanceWindow> windows;
    private final Duration maxAge;
    private final Clock clock;
    private final Map<String, Notified> notified = new LinkedHashMap<>(1024, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Notified> eldest) {
            return size() > MAX_TRACKED;
        }
    };

    public AlertRouter(List<Route> routes, Duration repeatInterval) {
        this(routes, repeatInterval, List.of(), List.of(), Clock.systemUTC());
    }

    /** No age limit: every alert may notify, however old. */
    public AlertRouter(List<Route> routes, Duration repeatInterval, List<Silence> silences, List<MaintenanceWindow> windows,
                       Clock clock) {
        this(routes, repeatInterval, silences, windows, Duration.ZERO, clock);
    }

    /**
     * @param maxAge alerts whose {@code last_seen} is longer ago than this notify nobody; zero for no limit
     * @param clock  the wall clock silences and the age limit are checked against
     */
    public AlertRouter(List<Route> routes, Duration repeatInterval, List<Silence> silences, List<MaintenanceWindow> windows,
                       Duration maxAge, Clock clock) {
        this.routes = List.copyOf(routes);
        this.maxAge = Objects.requireNonNull(maxAge, "maxAge");
        if (maxAge.isNegative()) {
            throw new IllegalArgumentException("maxAge must not be negative");
        }
        this.repeatInterval = Objects.requireNonNull(repeatInterval, "repeatInterval");
        if (repeatInterval.isNegative()) {
            throw new IllegalArgumentException("repeatInterval must not be negative");
        }
        this.silences = List.copyOf(silences);
        this.windows = List.copyOf(windows);
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Every alert to Slack, high and critical also to PagerDuty, repeats after {@link #DEFAULT_REPEAT_INTERVAL}. */
    public static AlertRouter defaults(Notifier slack, Notifier pagerDuty) {
        return new AlertRouter(List.of(new Route(slack, Severity.LOW), new Route(pagerDuty, Severity.HIGH)),
                DEFAULT_REPEAT_INTERVAL);
    }

    /**
     * A router for a routing configuration: one notifier per receiver (receivers posting to the same Slack webhook share
     * its rate limit), silences checked against the system clock.
     */
    public static AlertRouter from(RoutingConfig config, AlertLinks links, RetryPolicy policy) {
        return from(config, links, policy, Clock.systemUTC());
    }

    public static AlertRouter from(RoutingConfig config, AlertLinks links, RetryPolicy policy, Clock clock) {
        Map<String, Notifier> notifiers = new HashMap<>();
        Map<Secret, Pacer> pacers = new HashMap<>();
        for (RoutingConfig.Receiver receiver : config.receivers()) {
            Pacer pacer = pacers.computeIfAbsent(receiver.secret(), s -> Pacer.every(
                    receiver.type() == RoutingConfig.Type.SLACK ? config.slackInterval() : Duration.ZERO));
            Notifier notifier = switch (receiver.type()) {
                case SLACK -> new SlackNotifier(receiver.name(), receiver.secret(), links, policy, pacer);
                case PAGERDUTY -> new PagerDutyNotifier(receiver.name(), receiver.eventsUrl(), receiver.secret(), links, policy,
                        io.airlock.alerting.internal.Sleeper.REAL, pacer);
            };
            notifiers.put(receiver.name(), notifier);
        }
        List<Route> routes = new ArrayList<>();
        for (RoutingConfig.RouteSpec spec : config.routes()) {
            for (String name : spec.receivers()) {
                routes.add(new Route(notifiers.get(name), spec.minSeverity(), spec.rules()));
            }
        }
        return new AlertRouter(routes, config.repeatInterval(), config.silences(), config.maintenanceWindows(), config.maxAge(), clock);
    }

    /** Why the alert notifies nobody right now (a silence, a maintenance window, its age), if so. */
    public Optional<String> suppression(Alert alert) {
        Instant now = clock.instant();
        for (Silence silence : silences) {
            if (silence.silences(alert, now)) {
                return Optional.of(silence.describe());
            }
        }
        for (MaintenanceWindow window : windows) {
            if (window.covers(alert)) {
                return Optional.of(window.describe());
            }
        }
        if (isHistory(alert)) {
            return Optional.of("last seen " + alert.lastSeen() + ", longer ago than notifications.max-age ("
                    + ConfigTypes.formatDuration(maxAge) + "): history, indexed but not notified");
        }
        return Optional.empty();
    }

    /** Whether the alert was last seen longer ago than {@code notifications.max-age}: history, notified to nobody. */
    public boolean isHistory(Alert alert) {
        return !maxAge.isZero() && alert.lastSeen() != null && alert.lastSeen().isBefore(clock.instant().minus(maxAge));
    }

    /** The notifiers that should hear about this alert now (routing and repeat suppression applied, not silences). */
    public synchronized List<Notifier> due(Alert alert) {
        Map<String, Notifier> due = new LinkedHashMap<>();
        for (Route route : routes) {
            Notifier notifier = route.notifier();
            if (!due.containsKey(notifier.channel()) && route.matches(alert)
                    && isDue(alert, notified.get(key(alert.id(), notifier.channel())))) {
                due.put(notifier.channel(), notifier);
            }
        }
        return List.copyOf(due.values());
    }

    /** Every distinct notifier some route names, in route order: the receivers a delivery loop needs a sender for. */
    public List<Notifier> notifiers() {
        Map<String, Notifier> all = new LinkedHashMap<>();
        for (Route route : routes) {
            all.putIfAbsent(route.notifier().channel(), route.notifier());
        }
        return List.copyOf(all.values());
    }

    /**
     * The notifiers whose routes match the alert, without repeat suppression (nor silences): a delivery loop queues the
     * alert for each and checks {@link #isDue} just before sending, once the receiver has had the alert's earlier versions.
     */
    public List<Notifier> routed(Alert alert) {
        Map<String, Notifier> routed = new LinkedHashMap<>();
        for (Route route : routes) {
            if (route.matches(alert)) {
                routed.putIfAbsent(route.notifier().channel(), route.notifier());
            }
        }
        return List.copyOf(routed.values());
    }

    /** Whether {@code notifier} should hear about this version of the alert now (repeat suppression). */
    public synchronized boolean isDue(Alert alert, Notifier notifier) {
        return isDue(alert, notified.get(key(alert.id(), notifier.channel())));
    }

    /**
     * Whether what {@code notifier} last heard of this alert was a rejection of this very version: sending it now is the
     * replay of a dead letter (the delivery loop says so in its log).
     */
    public synchronized boolean wasRejected(Alert alert, Notifier notifier) {
        Notified last = notified.get(key(alert.id(), notifier.channel()));
        return last != null && last.notToldOf(alert);
    }

    /**
     * Called for a version found not due: if it is held back only by the repeat interval after the receiver rejected an
     * earlier version, and is newer than any held back so far, remembers it as not told (so a replay of it is due) and
     * returns what to persist; otherwise nothing changed.
     */
    public synchronized Optional<Notified> heldBackAfterRejection(Alert alert, Notifier notifier) {
        String key = key(alert.id(), notifier.channel());
        Notified last = notified.get(key);
        if (last == null || !last.rejected() || status(alert) != last.status() || alert.count() <= last.rejectedUpTo()) {
            return Optional.empty();
        }
        Notified held = new Notified(last.count(), last.lastSeen(), last.status(), last.severity(), clock.instant(),
                alert.count());
        notified.put(key, held);
        return Optional.of(held);
    }

    /** Remembers that {@code notifier} has had this version of the alert; returns what it remembered. */
    public Notified markNotified(Alert alert, Notifier notifier) {
        return mark(alert, notifier.channel(), false);
    }

    /**
     * Remembers that {@code notifier} refused this version of the alert for good and that it was dead-lettered
     * (acknowledged); returns what it remembered.
     */
    public Notified markRejected(Alert alert, Notifier notifier) {
        return mark(alert, notifier.channel(), true);
    }

    /** Remembers that these channels' permanent rejections of this alert version are dead-lettered (acknowledged). */
    public void markRejected(Alert alert, Collection<String> channels) {
        channels.forEach(channel -> mark(alert, channel, true));
    }

    private synchronized Notified mark(Alert alert, String channel, boolean rejected) {
        Notified last = new Notified(alert.count(), lastSeen(alert), status(alert), alert.severity(), clock.instant(),
                rejected ? Long.valueOf(alert.count()) : null);
        notified.put(key(alert.id(), channel), last);
        return last;
    }

    /**
     * How long (wall clock, since its confirmation) a persisted notification is worth restoring: the repeat interval,
     * but at least a day, so that a redelivered version of an alert is still recognised after a long outage.
     */
    public Duration stateHorizon() {
        return repeatInterval.compareTo(MIN_STATE_HORIZON) > 0 ? repeatInterval : MIN_STATE_HORIZON;
    }

    /**
     * Restores what {@code channel} was told about alert {@code alertId} (read back from the delivery-state topic).
     * Ignored if it was confirmed longer than {@link #stateHorizon()} ago, or if this router already remembers a later
     * confirmation (its own write being read back late).
     *
     * @return whether it was taken
     */
    public synchronized boolean restore(String channel, String alertId, Notified last) {
        if (last.confirmedAt().isBefore(clock.instant().minus(stateHorizon()))) {
            return false;
        }
        String key = key(alertId, channel);
        Notified current = notified.get(key);
        if (current != null && current.confirmedAt().isAfter(last.confirmedAt())) {
            return false;
        }
        notified.put(key, last);
        return true;
    }

    /**
     * Sends the alert to every due notifier, unless it is silenced or in a maintenance window. Channels that accept it are
     * marked, so a retry of the same alert only goes to the channels still missing. Channels that reject it for good are
     * returned and not marked: the caller dead-letters the alert and then calls {@link #markRejected}, so a dead letter
     * that did not reach Kafka is sent again.
     *
     * @return who was notified, who rejected the alert for good, or why nobody was told
     * @throws DeliveryException (retriable) if some channel stayed unavailable; the others were still tried
     */
    public Delivery deliver(Alert alert) throws DeliveryException {
        Optional<String> suppressed = suppression(alert);
        if (suppressed.isPresent()) {
            log.info("alert {} rule {} count {} not notified: {}", alert.id(), alert.ruleId(), alert.count(), suppressed.get());
            return new Delivery(List.of(), Map.of(), suppressed);
        }
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
        if (last.notToldOf(alert)) {
            return true; // refused or held back, never told: seen again (a replay once the cause is fixed), it is sent
        }
        if (last.status() != status(alert) || isEscalation(alert, last)) {
            return true;
        }
        return alert.count() > last.count() && !lastSeen(alert).isBefore(last.lastSeen().plus(repeatInterval));
    }

    /** A rule raised the alert's severity (AL-010 after a login alert, AL-012 and AL-024 off hours): said at once. */
    private static boolean isEscalation(Alert alert, Notified last) {
        return last.severity() != null && alert.severity() != null && alert.severity().compareTo(last.severity()) > 0;
    }

    private static String key(String alertId, String channel) {
        return channel + '\u001f' + alertId;
    }

    private static Instant lastSeen(Alert alert) {
        return alert.lastSeen() != null ? alert.lastSeen() : alert.timestamp();
    }

    private static Alert.Status status(Alert alert) {
        return alert.status() == null ? Alert.Status.OPEN : alert.status();
    }
}
