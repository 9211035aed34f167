package io.airlock.streams.detect;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.airlock.core.Alert;
import io.airlock.core.StableIds;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Event-time burst detection for one entity, as a pure function over its state: "at least {@code threshold} hits within
 * {@code window}". One burst is one alert; hits that continue an open burst (within {@code window} of its last hit) update
 * it instead of opening another. A hit seen twice (same event id) is counted once, so an at-least-once replay changes
 * nothing. Hits up to {@code grace} behind the latest one are still counted.
 */
public final class BurstTracker {

    /** One counted event. */
    public record Hit(@JsonProperty("at") Instant at, @JsonProperty("id") String eventId) {
    }

    /** The burst an alert is open for. */
    public record OpenBurst(@JsonProperty("alert_id") String alertId, @JsonProperty("first_seen") Instant firstSeen,
            @JsonProperty("last_seen") Instant lastSeen, @JsonProperty("count") long count,
            @JsonProperty("evidence") List<String> evidence) {
    }

    /** Per-entity state kept in a state store. */
    public record State(@JsonProperty("hits") List<Hit> hits, @JsonProperty("open") OpenBurst open) {
        public static final State EMPTY = new State(List.of(), null);

        public State {
            hits = hits == null ? List.of() : List.copyOf(hits);
        }
    }

    /** The new state, and the burst to alert on if this hit opened or grew one (null otherwise). */
    public record Step(State next, OpenBurst fired) {
    }

    private final String ruleId;
    private final int threshold;
    private final Duration window;
    private final Duration grace;

    public BurstTracker(String ruleId, int threshold, Duration window, Duration grace) {
        this.ruleId = ruleId;
        this.threshold = threshold;
        this.window = window;
        this.grace = grace;
    }

    public Step observe(State state, String entity, Hit hit) {
        State current = state == null ? State.EMPTY : state;
        if (current.hits().stream().anyMatch(h -> h.eventId().equals(hit.eventId()))
                || current.open() != null && current.open().evidence().contains(hit.eventId())) {
            return new Step(current, null);
        }
        List<Hit> hits = new ArrayList<>(current.hits());
        hits.add(hit);
        hits.sort(Comparator.comparing(Hit::at).thenComparing(Hit::eventId));
        Instant latest = hits.get(hits.size() - 1).at();
        Instant keepFrom = latest.minus(window).minus(grace);
        hits.removeIf(h -> h.at().isBefore(keepFrom));

        OpenBurst open = current.open();
        if (open != null && !hit.at().isAfter(open.lastSeen().plus(window)) && !hit.at().isBefore(open.firstSeen().minus(window))) {
            OpenBurst grown = new OpenBurst(open.alertId(), min(open.firstSeen(), hit.at()), max(open.lastSeen(), hit.at()),
                    open.count() + 1, Alert.appendEvidence(open.evidence(), hit.eventId()));
            return new Step(new State(hits, grown), grown);
        }
        List<Hit> inWindow = hits.stream()
                .filter(h -> !h.at().isAfter(hit.at()) && h.at().isAfter(hit.at().minus(window)))
                .toList();
        if (inWindow.size() >= threshold && hits.contains(hit)) {
            Instant first = inWindow.get(0).at();
            List<String> evidence = inWindow.stream().map(Hit::eventId).limit(Alert.MAX_EVIDENCE).toList();
            OpenBurst opened = new OpenBurst(StableIds.of(ruleId, entity, first.toString()), first, hit.at(), inWindow.size(), evidence);
            return new Step(new State(hits, opened), opened);
        }
        boolean expired = open != null && latest.isAfter(open.lastSeen().plus(window).plus(grace));
        return new Step(new State(hits, expired ? null : open), null);
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }
}
