package io.airlock.bench;

import io.airlock.embedded.ReceivedRequest;
import io.airlock.embedded.WebhookReceiver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Notes when each Slack message and PagerDuty event reaches the {@link WebhookReceiver}: a thread looks for new requests
 * every millisecond and stamps them with {@link System#nanoTime()}, so an arrival is known to within about a millisecond
 * (the receiver records no time itself). Only requests whose body contains {@code marker} (the run's name, part of every
 * attack entity) are kept.
 */
final class NotificationClock implements AutoCloseable {

    private record Arrival(long nanos, String body) {
    }

    private final WebhookReceiver webhooks;
    private final String marker;
    private final List<Arrival> arrivals = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;
    private int slackSeen;
    private int pagerDutySeen;

    NotificationClock(WebhookReceiver webhooks, String marker) {
        this.webhooks = webhooks;
        this.marker = marker;
        this.slackSeen = webhooks.slackPosts().size();
        this.pagerDutySeen = webhooks.pagerDutyEvents().size();
        this.thread = new Thread(this::watch, "bench-notification-clock");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /**
     * When the first notification of {@code rule} about {@code entity} arrived, if one has (Slack or PagerDuty, whichever
     * came first).
     */
    synchronized OptionalLong firstArrival(String rule, String entity) {
        for (Arrival a : arrivals) {
            if (a.body().contains(entity) && a.body().contains(rule)) {
                return OptionalLong.of(a.nanos());
            }
        }
        return OptionalLong.empty();
    }

    /** Commit-to-notification latencies of some attacks, in ms, sorted; and how many attacks got no notification. */
    record Latencies(List<Double> sortedMs, int missing, Map<String, List<Double>> sortedMsByRule) {
    }

    /**
     * Waits up to {@code max} for a notification about each attack, then returns the latencies: first arrival minus the
     * attack's {@link SteadyLoad.Attack#completedNanos()}.
     */
    Latencies latencies(List<SteadyLoad.Attack> attacks, Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < deadline && attacks.stream().anyMatch(a -> firstArrival(a.rule(), a.entity()).isEmpty())) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
        List<Double> latencies = new ArrayList<>();
        Map<String, List<Double>> byRule = new TreeMap<>();
        int missing = 0;
        for (SteadyLoad.Attack a : attacks) {
            OptionalLong arrival = firstArrival(a.rule(), a.entity());
            if (arrival.isPresent()) {
                double ms = (arrival.getAsLong() - a.completedNanos()) / 1e6;
                latencies.add(ms);
                byRule.computeIfAbsent(a.rule(), r -> new ArrayList<>()).add(ms);
            } else {
                missing++;
            }
        }
        latencies.sort(Double::compare);
        byRule.values().forEach(l -> l.sort(Double::compare));
        return new Latencies(List.copyOf(latencies), missing, byRule);
    }

    /** Notifications of this run so far. */
    synchronized int count() {
        return arrivals.size();
    }

    @Override
    public void close() {
        running = false;
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void watch() {
        while (running) {
            List<ReceivedRequest> slack = webhooks.slackPosts();
            List<ReceivedRequest> pagerDuty = webhooks.pagerDutyEvents();
            long now = System.nanoTime();
            synchronized (this) {
                for (int i = slackSeen; i < slack.size(); i++) {
                    keep(now, slack.get(i));
                }
                for (int i = pagerDutySeen; i < pagerDuty.size(); i++) {
                    keep(now, pagerDuty.get(i));
                }
            }
            slackSeen = slack.size();
            pagerDutySeen = pagerDuty.size();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    private void keep(long now, ReceivedRequest request) {
        if (request.body().contains(marker)) {
            arrivals.add(new Arrival(now, request.body()));
        }
    }
}
