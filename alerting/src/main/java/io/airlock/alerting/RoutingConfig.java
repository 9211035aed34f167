package io.airlock.alerting;

import io.airlock.core.Severity;
import java.net.URI;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Who hears about which alert: named receivers (Slack webhooks, PagerDuty routing keys), routes from severity and rule to
 * receivers, the repeat interval, silences and maintenance windows. {@link AlertRouter#from} turns it into a router.
 *
 * <p>Every route that matches an alert applies (the receivers add up, each receiver is notified at most once per alert
 * version); a route without rules matches every rule.
 *
 * @param receivers          named endpoints, names unique
 * @param routes             which alerts go to which receivers
 * @param repeatInterval     least event time between two notifications of one growing alert, per receiver
 * @param silences           alerts notified to nobody until a time (wall clock)
 * @param maintenanceWindows alerts from planned periods (event time) notified to nobody
 * @param slackInterval      least time between two messages to one Slack webhook
 * @param maxAge             alerts last seen longer ago than this notify nobody (history); zero for no limit
 */
public record RoutingConfig(List<Receiver> receivers, List<RouteSpec> routes, Duration repeatInterval, List<Silence> silences,
                            List<MaintenanceWindow> maintenanceWindows, Duration slackInterval, Duration maxAge) {

    /** The kinds of endpoint. */
    public enum Type { SLACK, PAGERDUTY }

    /**
     * One endpoint.
     *
     * @param secret    the Slack webhook URL or the PagerDuty routing key
     * @param eventsUrl PagerDuty's Events API v2 endpoint; null for Slack
     */
    public record Receiver(String name, Type type, Secret secret, URI eventsUrl) {
        public Receiver {
            Objects.requireNonNull(name, "name");
            if (!name.matches("[A-Za-z0-9][A-Za-z0-9_.-]*")) {
                throw new IllegalArgumentException("receiver name '" + name + "' must be letters, digits, '_', '.', '-'");
            }
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(secret, "secret");
            if (type == Type.PAGERDUTY) {
                Objects.requireNonNull(eventsUrl, "eventsUrl");
            }
        }

        public static Receiver slack(String name, Secret webhookUrl) {
            return new Receiver(name, Type.SLACK, webhookUrl, null);
        }

        public static Receiver pagerDuty(String name, Secret routingKey, URI eventsUrl) {
            return new Receiver(name, Type.PAGERDUTY, routingKey, eventsUrl);
        }
    }

    /**
     * Alerts of at least {@code minSeverity} and, if {@code rules} is not empty, of one of those rules go to
     * {@code receivers}.
     */
    public record RouteSpec(Severity minSeverity, Set<String> rules, List<String> receivers) {
        public RouteSpec {
            minSeverity = minSeverity == null ? Severity.LOW : minSeverity;
            rules = rules == null ? Set.of() : Set.copyOf(rules);
            receivers = List.copyOf(receivers);
            if (receivers.isEmpty()) {
                throw new IllegalArgumentException("a route needs at least one receiver");
            }
        }
    }

    public RoutingConfig {
        receivers = List.copyOf(receivers);
        routes = List.copyOf(routes);
        silences = List.copyOf(silences);
        maintenanceWindows = List.copyOf(maintenanceWindows);
        Objects.requireNonNull(repeatInterval, "repeatInterval");
        Objects.requireNonNull(slackInterval, "slackInterval");
        Objects.requireNonNull(maxAge, "maxAge");
        if (repeatInterval.isNegative() || slackInterval.isNegative() || maxAge.isNegative()) {
            throw new IllegalArgumentException("intervals must not be negative");
        }
        Set<String> names = new HashSet<>();
        for (Receiver r : receivers) {
            if (!names.add(r.name())) {
                throw new IllegalArgumentException("receiver '" + r.name() + "' is defined twice");
            }
        }
        for (int i = 0; i < routes.size(); i++) {
            for (String name : routes.get(i).receivers()) {
                if (!names.contains(name)) {
                    throw new IllegalArgumentException("route " + (i + 1) + " names receiver '" + name
                            + "', which is not defined (defined: " + String.join(", ", names.stream().sorted().toList()) + ")");
                }
            }
        }
    }

    /** Nobody is notified. */
    public static RoutingConfig none() {
        return new RoutingConfig(List.of(), List.of(), AlertRouter.DEFAULT_REPEAT_INTERVAL, List.of(), List.of(),
                SlackNotifier.DEFAULT_INTERVAL, AlertRouter.DEFAULT_MAX_AGE);
    }

    /**
     * The default routes of DESIGN.md: every alert to the Slack receiver {@code slack}, high and critical also to the
     * PagerDuty receiver {@code pagerduty}; either may be missing.
     */
    public static RoutingConfig defaults(Optional<Secret> slackWebhook, Optional<Secret> pagerDutyRoutingKey, URI eventsUrl) {
        RoutingConfig config = none();
        return config.withReceivers(defaultReceivers(slackWebhook, pagerDutyRoutingKey, eventsUrl))
                .withRoutes(defaultRoutes(slackWebhook.isPresent(), pagerDutyRoutingKey.isPresent()));
    }

    /** The receivers {@code slack} and {@code pagerduty} of the simple settings, where given. */
    public static List<Receiver> defaultReceivers(Optional<Secret> slackWebhook, Optional<Secret> pagerDutyRoutingKey, URI eventsUrl) {
        var out = new java.util.ArrayList<Receiver>();
        slackWebhook.ifPresent(s -> out.add(Receiver.slack("slack", s)));
        pagerDutyRoutingKey.ifPresent(k -> out.add(Receiver.pagerDuty("pagerduty", k, eventsUrl)));
        return out;
    }

    /** Everything to {@code slack}, high and critical to {@code pagerduty}. */
    public static List<RouteSpec> defaultRoutes(boolean slack, boolean pagerDuty) {
        var out = new java.util.ArrayList<RouteSpec>();
        if (slack) {
            out.add(new RouteSpec(Severity.LOW, Set.of(), List.of("slack")));
        }
        if (pagerDuty) {
            out.add(new RouteSpec(Severity.HIGH, Set.of(), List.of("pagerduty")));
        }
        return out;
    }

    /** Other receivers; the routes are cleared, since they may name receivers that are gone. */
    public RoutingConfig withReceivers(List<Receiver> r) {
        return new RoutingConfig(r, List.of(), repeatInterval, silences, maintenanceWindows, slackInterval, maxAge);
    }

    public RoutingConfig withRoutes(List<RouteSpec> r) {
        return new RoutingConfig(receivers, r, repeatInterval, silences, maintenanceWindows, slackInterval, maxAge);
    }

    public RoutingConfig withRepeatInterval(Duration d) {
        return new RoutingConfig(receivers, routes, d, silences, maintenanceWindows, slackInterval, maxAge);
    }

    public RoutingConfig withSilences(List<Silence> s) {
        return new RoutingConfig(receivers, routes, repeatInterval, s, maintenanceWindows, slackInterval, maxAge);
    }

    public RoutingConfig withMaintenanceWindows(List<MaintenanceWindow> w) {
        return new RoutingConfig(receivers, routes, repeatInterval, silences, w, slackInterval, maxAge);
    }

    public RoutingConfig withMaxAge(Duration d) {
        return new RoutingConfig(receivers, routes, repeatInterval, silences, maintenanceWindows, slackInterval, d);
    }

    public RoutingConfig withSlackInterval(Duration d) {
        return new RoutingConfig(receivers, routes, repeatInterval, silences, maintenanceWindows, d, maxAge);
    }
}
