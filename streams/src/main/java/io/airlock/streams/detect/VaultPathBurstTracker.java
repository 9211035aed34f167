package io.airlock.streams.detect;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.airlock.core.Alert;
import io.airlock.core.BoundedText;
import io.airlock.core.StableIds;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Event-time burst detection over <em>distinct</em> secret paths for one Vault identity, as a pure function over its state:
 * "at least {@code threshold} distinct paths within {@code window}". Its rules run it with threshold 1, grouping single
 * findings into one alert per identity (AL-020, AL-022, AL-024), where a burst opens at its first hit; AL-021 (20 paths)
 * counts with {@link DistinctValueBursts}, which also begins a burst at the first read of a path read again before the
 * threshold — with only the latest hit per path kept here, a burst of a higher threshold would begin at that re-read.
 * {@link BurstTracker} counts hits; this counts values.
 *
 * <ul>
 * <li>One burst is one alert: a hit within {@code window} of the open burst updates it (same alert id, {@code count} = its
 *     distinct paths, later {@code last_seen}, more evidence) and is reported only if it changed something.</li>
 * <li>A hit seen twice (same event id) is counted once.</li>
 * <li>State is bounded whatever the reads: per path only its latest hit is kept, for {@code window} + {@code grace} behind
 *     the newest hit, and of those the latest {@link #MAX_TRACKED_PATHS} (an identity reading ten thousand new paths in
 *     an hour must not grow one store value past what Kafka takes: a changelog record over its limit would stop the
 *     stream thread). A burst remembers at most {@link #MAX_TRACKED_PATHS} paths; beyond that its count grows by every
 *     hit on a path it does not list (a repeat of such a path can be counted again). Paths longer than
 *     {@link #MAX_PATH_CHARS} are kept as their head and a digest of the whole ({@link #boundedPath}).</li>
 * <li>A hit may carry a flag (AL-024: off-hours); a burst is flagged once any of its hits is.</li>
 * </ul>
 */
public final class VaultPathBurstTracker {

    public static final int MAX_TRACKED_PATHS = 1_000;
    /** Longest path kept as it is; Vault takes paths as long as a URL. */
    public static final int MAX_PATH_CHARS = 200;
    /** Paths named in a summary. */
    public static final int SUMMARY_PATHS = 5;

    /** {@code a, b, c (+17 more)}: the first {@link #SUMMARY_PATHS} of {@code paths}, and how many of {@code count} are not named. */
    static String pathSample(List<String> paths, long count) {
        String sample = String.join(", ", paths.subList(0, Math.min(paths.size(), SUMMARY_PATHS)));
        return count > SUMMARY_PATHS ? sample + " (+" + (count - SUMMARY_PATHS) + " more)" : sample;
    }

    /**
     * {@code path}, or for a path over {@link #MAX_PATH_CHARS} its head, {@code …#} and 16 hex digits of its SHA-256:
     * distinct paths stay distinct, and a summary still shows where it was.
     */
    static String boundedPath(String path) {
        return BoundedText.of(path, MAX_PATH_CHARS);
    }

    /** One counted operation. */
    public record Hit(@JsonProperty("at") Instant at, @JsonProperty("id") String eventId, @JsonProperty("path") String path,
            @JsonProperty("flag") boolean flagged) {
        public Hit {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(eventId, "id");
            path = boundedPath(Objects.requireNonNull(path, "path"));
        }
    }

    /** The burst an alert is open for. */
    public record OpenBurst(@JsonProperty("alert_id") String alertId, @JsonProperty("first_seen") Instant firstSeen,
            @JsonProperty("last_seen") Instant lastSeen, @JsonProperty("count") long count,
            @JsonProperty("paths") List<String> paths, @JsonProperty("evidence") List<String> evidence,
            @JsonProperty("flag") boolean flagged) {
        public OpenBurst {
            paths = List.copyOf(paths);
            evidence = List.copyOf(evidence);
        }

        /** The burst as {@link AlertFactory} takes it. */
        public BurstTracker.OpenBurst toBurst() {
            return new BurstTracker.OpenBurst(alertId, firstSeen, lastSeen, count, evidence);
        }

        /** {@code a, b, c (+17 more)}. */
        public String pathSample() {
            return VaultPathBurstTracker.pathSample(paths, count);
        }

        OpenBurst with(Hit hit) {
            List<String> grownPaths = paths;
            long grownCount = count;
            if (!paths.contains(hit.path())) {
                grownCount++;
                if (paths.size() < MAX_TRACKED_PATHS) {
                    grownPaths = new ArrayList<>(paths);
                    grownPaths.add(hit.path());
                }
            }
            return new OpenBurst(alertId, min(firstSeen, hit.at()), max(lastSeen, hit.at()), grownCount, grownPaths,
                    Alert.appendEvidence(evidence, hit.eventId()), flagged || hit.flagged());
        }
    }

    /** Per-identity state kept in a state store: the latest hit of each recent path, and the open burst. */
    public record State(@JsonProperty("hits") List<Hit> hits, @JsonProperty("open") OpenBurst open) {
        public static final State EMPTY = new State(List.of(), null);

        public State {
            hits = hits == null ? List.of() : List.copyOf(hits);
        }
    }

    /** The new state, and the burst to alert on if this hit opened or changed one (null otherwise). */
    public record Step(State next, OpenBurst fired) {
    }

    private final String ruleId;
    private final int threshold;
    private final Duration window;
    private final Duration grace;

    public VaultPathBurstTracker(String ruleId, int threshold, Duration window, Duration grace) {
        if (threshold < 1) {
            throw new IllegalArgumentException("threshold must be at least 1, was " + threshold);
        }
        this.ruleId = ruleId;
        this.threshold = threshold;
        this.window = window;
        this.grace = grace;
    }

    public Step observe(State state, String entity, Hit hit) {
        State current = state == null ? State.EMPTY : state;
        Map<String, Hit> latestByPath = new LinkedHashMap<>();
        current.hits().forEach(h -> latestByPath.put(h.path(), h));
        Hit known = latestByPath.get(hit.path());
        if (known != null && known.eventId().equals(hit.eventId())
                || current.open() != null && current.open().evidence().contains(hit.eventId())) {
            return new Step(current, null);
        }
        if (known == null || hit.at().isAfter(known.at())) {
            latestByPath.put(hit.path(), hit);
        }
        Instant newest = latestByPath.values().stream().map(Hit::at).max(Comparator.naturalOrder()).orElseThrow();
        Instant keepFrom = newest.minus(window).minus(grace);
        List<Hit> hits = latestByPath.values().stream()
                .filter(h -> !h.at().isBefore(keepFrom))
                .sorted(Comparator.comparing(Hit::at).thenComparing(Hit::eventId))
                .toList();
        if (hits.size() > MAX_TRACKED_PATHS) {
            hits = hits.subList(hits.size() - MAX_TRACKED_PATHS, hits.size());
        }

        OpenBurst open = current.open();
        if (open != null && newest.isAfter(open.lastSeen().plus(window).plus(grace))) {
            open = null;
        }
        if (open != null && !hit.at().isAfter(open.lastSeen().plus(window)) && !hit.at().isBefore(open.firstSeen().minus(window))) {
            OpenBurst grown = open.with(hit);
            return new Step(new State(hits, grown), grown.equals(open) ? null : grown);
        }
        if (hit.at().isBefore(keepFrom)) {
            // later than the state holds hits for: dropped, unless one hit is a finding (AL-020, AL-022, AL-024), which then
            // alerts alone as it would have for an identity with no state, and is not remembered
            OpenBurst alone = threshold > 1 ? null : new OpenBurst(StableIds.of(ruleId, entity, hit.at().toString(), hit.eventId()), hit.at(),
                    hit.at(), 1, List.of(hit.path()), List.of(hit.eventId()), hit.flagged());
            return new Step(new State(hits, open), alone);
        }
        Instant from = hit.at().minus(window);
        List<Hit> inWindow = hits.stream().filter(h -> !h.at().isBefore(from) && !h.at().isAfter(hit.at())).toList();
        List<Hit> members = new ArrayList<>(inWindow);
        if (members.stream().noneMatch(h -> h.path().equals(hit.path()))) {
            members.add(hit); // its path's latest hit is later than this late one
        }
        if (members.size() < threshold) {
            return new Step(new State(hits, open), null);
        }
        Instant first = members.stream().map(Hit::at).min(Comparator.naturalOrder()).orElseThrow();
        OpenBurst opened = new OpenBurst(StableIds.of(ruleId, entity, first.toString()), first, hit.at(), members.size(),
                members.stream().map(Hit::path).limit(MAX_TRACKED_PATHS).toList(),
                members.stream().map(Hit::eventId).limit(Alert.MAX_EVIDENCE).toList(),
                members.stream().anyMatch(Hit::flagged));
        return new Step(new State(hits, opened), opened);
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }
}
