package io.airlock.streams.detect;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.airlock.core.Alert;
import io.airlock.core.StableIds;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * Event-time burst detection for one entity, as a pure function over its state: "at least {@code threshold} hits within
 * {@code window}". One burst is one alert; hits that continue an open burst ({@link #continues}: inside its span, or near
 * it and themselves in a window that holds half the threshold: {@link #keepingThreshold}) update it instead of opening
 * another; any other hit neither grows the burst nor keeps it open, so a burst ends once its hits no longer hold half the
 * threshold within {@code window}. A hit seen twice (same event id) is counted once, so an at-least-once replay changes
 * nothing: the ids checked are the open burst's evidence (its first {@value Alert#MAX_EVIDENCE}) and the hits the state
 * keeps. A hit is counted while a window holding it is open, up to {@code window} + {@code grace} behind the latest one
 * (as a Kafka Streams window takes records until its end plus the grace); a later one is dropped — unless one hit is a
 * burst ({@code threshold} 1: AL-010, AL-011, AL-012 group single findings), then it alerts alone ({@link Step#detached}),
 * as it would have for an entity with no state: a change made at 03:00 and logged two hours late by a CLI host's clock is
 * no less a change.
 *
 * <p>The state stays small however long a burst runs: of the hits inside an open burst only the latest
 * {@code max(threshold, }{@value #RECENT_HITS}{@code )} are kept (they are all a new burst after this one could count, and
 * they recognize a replay of the recent events, which is what an at-least-once source re-sends). Before this, a user making
 * 700 off-hours changes an hour (AL-010 groups them for an hour) had 700 hits rewritten into the store on every change.
 *
 * <p>{@link #distinct} trackers count distinct {@linkplain Hit#value() values} instead of hits ("failed logins on at least
 * 10 distinct users"): a burst opens when the hits within {@code window} carry {@code threshold} distinct values, its
 * {@code count} is the number of distinct values seen in it, and a repeat of a value already counted extends the burst
 * ({@code last_seen}, evidence) without raising the count. A value stays counted (its burst's {@code values}) while it has a
 * hit kept ({@code window} + {@code grace} behind the latest); hit again after that, it counts again — the count is every
 * value once within any {@code window}-long stretch of the burst, exact unless a burst outlasts {@code window} +
 * {@code grace} and comes back to old values. A value counts in a window by its latest hit; its earliest hit within {@code window} of that is kept
 * too, and a burst begins with it when it is inside the burst's window ({@link DistinctValueBursts} explains). AL-002 and
 * AL-021 run {@link DistinctValueBursts}, which decides the same with one store entry per value (checked against this class
 * by {@code DistinctValueBurstsTest}).
 */
public final class BurstTracker {

    /**
     * One counted event.
     *
     * @param value what a {@linkplain #distinct distinct} tracker counts (e.g. the user name); null for plain trackers
     */
    public record Hit(@JsonProperty("at") Instant at, @JsonProperty("id") String eventId, @JsonProperty("value") String value) {

        public Hit(Instant at, String eventId) {
            this(at, eventId, null);
        }
    }

    /**
     * The burst an alert is open for.
     *
     * @param values the distinct values counted that are still members (a value goes when it has no hit kept), in order of
     *               being counted ({@linkplain #distinct distinct} trackers only, empty otherwise; {@link DistinctValueBursts}
     *               keeps the first {@value DistinctValueBursts#SAMPLE} counted instead)
     */
    public record OpenBurst(@JsonProperty("alert_id") String alertId, @JsonProperty("first_seen") Instant firstSeen,
            @JsonProperty("last_seen") Instant lastSeen, @JsonProperty("count") long count,
            @JsonProperty("evidence") List<String> evidence,
            @JsonProperty("values") @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> values) {

        public OpenBurst {
            values = values == null ? List.of() : List.copyOf(values);
        }

        public OpenBurst(String alertId, Instant firstSeen, Instant lastSeen, long count, List<String> evidence) {
            this(alertId, firstSeen, lastSeen, count, evidence, List.of());
        }
    }

    /** Per-entity state kept in a state store. */
    public record State(@JsonProperty("hits") List<Hit> hits, @JsonProperty("open") OpenBurst open) {
        public static final State EMPTY = new State(List.of(), null);

        public State {
            hits = hits == null ? List.of() : List.copyOf(hits);
        }
    }

    /**
     * The new state, and the burst to alert on if this hit opened or grew one (null otherwise).
     *
     * @param detached the fired burst is not the state's open burst: a hit of a one-hit rule that came later than the
     *                 state still holds hits for ({@code window} + {@code grace} behind the latest), alerted alone and
     *                 not remembered — the open burst, if any, stays open
     */
    public record Step(State next, OpenBurst fired, boolean detached) {

        public Step(State next, OpenBurst fired) {
            this(next, fired, false);
        }
    }

    /** Hits inside an open burst kept for recognizing replays (at least {@code threshold} are kept). */
    static final int RECENT_HITS = 50;

    private final String ruleId;
    private final int threshold;
    private final Duration window;
    private final Duration grace;
    private final boolean distinct;

    public BurstTracker(String ruleId, int threshold, Duration window, Duration grace) {
        this(ruleId, threshold, window, grace, false);
    }

    private BurstTracker(String ruleId, int threshold, Duration window, Duration grace, boolean distinct) {
        this.ruleId = ruleId;
        this.threshold = threshold;
        this.window = window;
        this.grace = grace;
        this.distinct = distinct;
    }

    /** A tracker of "at least {@code threshold} distinct {@linkplain Hit#value() values} within {@code window}". */
    public static BurstTracker distinct(String ruleId, int threshold, Duration window, Duration grace) {
        return new BurstTracker(ruleId, threshold, window, grace, true);
    }

    public Step observe(State state, String entity, Hit hit) {
        if (distinct) {
            Objects.requireNonNull(hit.value(), "a distinct tracker counts hit values; value");
        }
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
        if (distinct) {
            hits = latestAndEarliestPerValue(hits, hit, keepFrom);
        } else {
            hits.removeIf(h -> h.at().isBefore(keepFrom));
        }

        OpenBurst open = current.open();
        if (distinct && open != null) {
            open = withoutExpiredMembers(open, current.hits(), keepFrom);
        }
        boolean late = distinct && hit.at().isBefore(keepFrom); // dropped, even within a long open burst's span
        List<Hit> counted = distinct ? latestPerValue(hits) : hits;
        if (!late && open != null && continues(open, hit.at(), window, () -> qualifies(counted, hit))) {
            OpenBurst grown = distinct ? grownDistinct(open, hit)
                    : new OpenBurst(open.alertId(), min(open.firstSeen(), hit.at()), max(open.lastSeen(), hit.at()),
                            open.count() + 1, Alert.appendEvidence(open.evidence(), hit.eventId()));
            return new Step(new State(withinBurstBound(hits, grown), grown), grown.equals(open) ? null : grown);
        }
        boolean expired = open != null && latest.isAfter(open.lastSeen().plus(window).plus(grace));
        OpenBurst kept = expired ? null : open;
        if (threshold <= 1 && hit.at().isBefore(keepFrom)) {
            // the id names the hit too: an earlier burst that began at the same instant may have left the state
            OpenBurst alone = new OpenBurst(StableIds.of(ruleId, entity, hit.at().toString(), hit.eventId()), hit.at(), hit.at(), 1,
                    List.of(hit.eventId()), distinct ? List.of(hit.value()) : List.of());
            return new Step(new State(withinBurstBound(hits, kept), kept), alone, true);
        }
        if (counted.contains(hit)) {
            OpenBurst opened = openedWith(counted, hits, hit, entity);
            if (opened != null) {
                return new Step(new State(withinBurstBound(hits, opened), opened), opened);
            }
        }
        return new Step(new State(withinBurstBound(hits, kept), kept), null);
    }

    /**
     * The burst {@code hit} completes, or null: the {@linkplain #firstBurstWindow first window} holding it that reaches the
     * threshold opens it, and the hits already kept after that window grow it as they would have had they come after it. So
     * the order the hits arrive in does not decide whether a burst is found, nor its count.
     */
    private OpenBurst openedWith(List<Hit> sortedHits, List<Hit> kept, Hit hit, String entity) {
        Span span = firstBurstWindow(sortedHits, sortedHits.indexOf(hit), Hit::at, window,
                hits -> distinct ? hits.stream().map(Hit::value).distinct().count() : hits.size(), threshold);
        if (span == null) {
            return null;
        }
        List<Hit> inWindow = sortedHits.subList(span.start(), span.end() + 1);
        Instant lastSeen = inWindow.get(inWindow.size() - 1).at();
        List<Hit> reads = inWindow;
        if (distinct) {
            // the counted values' hits in the window: each value's latest, and its earlier hit when kept and in the window
            var counted = new java.util.HashSet<>(inWindow.stream().map(Hit::value).toList());
            reads = kept.stream().filter(h -> counted.contains(h.value()) && !h.at().isBefore(lastSeen.minus(window))).toList();
        }
        List<String> values = distinct ? List.copyOf(new LinkedHashSet<>(reads.stream().map(Hit::value).toList())) : List.of();
        Instant first = reads.get(0).at();
        List<String> evidence = reads.stream().map(Hit::eventId).limit(Alert.MAX_EVIDENCE).toList();
        OpenBurst opened = new OpenBurst(StableIds.of(ruleId, entity, first.toString()), first, lastSeen,
                distinct ? values.size() : inWindow.size(), evidence, values);
        for (Hit later : sortedHits.subList(span.end() + 1, sortedHits.size())) {
            if (later.at().isAfter(opened.lastSeen().plus(window))) {
                break;
            }
            if (continues(opened, later.at(), window, () -> qualifies(sortedHits, later))) {
                opened = distinct ? grownDistinct(opened, later) : new OpenBurst(opened.alertId(), opened.firstSeen(), later.at(),
                        opened.count() + 1, Alert.appendEvidence(opened.evidence(), later.eventId()));
            }
        }
        return opened;
    }

    /**
     * Whether a hit at {@code at} grows the {@code open} burst: when it lies inside the burst's span (a late hit amid a
     * long burst, whose neighbours the state may no longer keep), or within {@code window} of it and keeping it going
     * ({@link #qualifies}: half the threshold in a window). So a burst that goes on at about the threshold's rate stays
     * one alert, and one that falls below half of it ends.
     */
    static boolean continues(OpenBurst open, Instant at, Duration window, BooleanSupplier keepsThreshold) {
        if (!at.isBefore(open.firstSeen()) && !at.isAfter(open.lastSeen())) {
            return true;
        }
        return !at.isBefore(open.firstSeen().minus(window)) && !at.isAfter(open.lastSeen().plus(window))
                && keepsThreshold.getAsBoolean();
    }

    /**
     * Whether {@code hit} keeps a burst going: some window of length {@code window} holding it (for a distinct tracker:
     * holding its value's latest hit) reaches the {@linkplain #keepingThreshold keeping threshold} among the {@code counted}
     * hits. Only such hits (and those inside the burst's span) grow an open burst, so a trickle below it (an identity
     * reading a path every few minutes after a fan-out, a failed login every four minutes) neither keeps the alert open
     * for days nor folds a later, separate burst of the entity into it.
     */
    private boolean qualifies(List<Hit> counted, Hit hit) {
        int keeping = keepingThreshold(threshold);
        if (keeping <= 1) {
            return true;
        }
        int index = counted.indexOf(hit);
        if (index < 0 && distinct) { // a later hit of its value is counted instead
            for (int i = counted.size() - 1; i >= 0 && index < 0; i--) {
                if (counted.get(i).value().equals(hit.value())) {
                    index = i;
                }
            }
        }
        if (index < 0) {
            return false;
        }
        // the window ending at it first (where nearly every hit of a burst is; counted holds one hit per value), then the rest
        Instant at = counted.get(index).at();
        int start = index;
        while (start > 0 && !counted.get(start - 1).at().isBefore(at.minus(window))) {
            start--;
        }
        int end = index;
        while (end + 1 < counted.size() && counted.get(end + 1).at().equals(at)) {
            end++;
        }
        return end - start + 1 >= keeping || firstBurstWindow(counted, index, Hit::at, window,
                hits -> distinct ? hits.stream().map(Hit::value).distinct().count() : hits.size(), keeping) != null;
    }

    /**
     * What keeps an open burst going: half its threshold (rounded up) within a window. A burst opens at the threshold and
     * ends below half of it — the hysteresis that keeps an attack at about the threshold's rate one alert (windows that
     * fall one hit short do not end it), while a trickle after a burst (a heartbeat reading three paths after a fan-out of
     * fifty, one failed login every few minutes) does not keep it open.
     */
    static int keepingThreshold(int threshold) {
        return Math.max(1, (threshold + 1) / 2);
    }

    /** Indexes of the first and last element of a window, both inclusive. */
    record Span(int start, int end) {
    }

    /**
     * The earliest window of length {@code window} that holds the element at {@code index} of {@code sorted} (in time order)
     * and in which {@code count} reaches {@code threshold}; null when none does. Every window holding it counts — the one
     * ending at it and those ending at an element that came earlier but happened later (out of order within the grace:
     * Vault lines of one identity reach {@code events} from several partitions). A window {@code [end − window, end]}
     * holds both its ends, as a burst grows with a hit up to {@code window} after its last one ("five failed logins within
     * five minutes" counts one at 01:00:00 and one at 01:05:00), and ends after every element of its last instant.
     */
    static <T> Span firstBurstWindow(List<T> sorted, int index, Function<T, Instant> timeOf, Duration window,
            ToLongFunction<List<T>> count, long threshold) {
        Instant holdsUntil = timeOf.apply(sorted.get(index)).plus(window);
        for (int end = index; end < sorted.size(); end++) {
            Instant endAt = timeOf.apply(sorted.get(end));
            if (endAt.isAfter(holdsUntil)) {
                return null; // windows ending here no longer hold the element
            }
            if (end + 1 < sorted.size() && timeOf.apply(sorted.get(end + 1)).equals(endAt)) {
                continue;
            }
            int start = 0;
            while (timeOf.apply(sorted.get(start)).isBefore(endAt.minus(window))) {
                start++;
            }
            if (count.applyAsLong(sorted.subList(start, end + 1)) >= threshold) {
                return new Span(start, end);
            }
        }
        return null;
    }

    /**
     * The hits to keep while {@code open} is open: every hit before it (a late hit may still form a burst with them) and the
     * latest {@code max(threshold, RECENT_HITS)} from its first hit on; all of them when no burst is open. Distinct trackers
     * keep one hit per value instead.
     */
    private List<Hit> withinBurstBound(List<Hit> sortedHits, OpenBurst open) {
        int keep = Math.max(threshold, RECENT_HITS);
        if (open == null || distinct || sortedHits.size() <= keep) {
            return sortedHits;
        }
        int firstInBurst = 0;
        while (firstInBurst < sortedHits.size() && sortedHits.get(firstInBurst).at().isBefore(open.firstSeen())) {
            firstInBurst++;
        }
        int inBurst = sortedHits.size() - firstInBurst;
        if (inBurst <= keep) {
            return sortedHits;
        }
        List<Hit> bounded = new ArrayList<>(firstInBurst + keep);
        bounded.addAll(sortedHits.subList(0, firstInBurst));
        bounded.addAll(sortedHits.subList(sortedHits.size() - keep, sortedHits.size()));
        return bounded;
    }

    private static OpenBurst grownDistinct(OpenBurst open, Hit hit) {
        List<String> values = open.values();
        long count = open.count();
        if (!values.contains(hit.value())) {
            values = new ArrayList<>(values);
            values.add(hit.value());
            count++;
        }
        return new OpenBurst(open.alertId(), min(open.firstSeen(), hit.at()), max(open.lastSeen(), hit.at()), count,
                Alert.appendEvidence(open.evidence(), hit.eventId()), values);
    }

    /**
     * {@code open} without the values whose every kept hit ({@code hits}, the state before this hit) is older than
     * {@code keepFrom}: they are members no more, and a later hit counts them again ({@link DistinctValueBursts} explains
     * why). The count stays.
     */
    private static OpenBurst withoutExpiredMembers(OpenBurst open, List<Hit> hits, Instant keepFrom) {
        var stillKept = new java.util.HashSet<String>();
        hits.stream().filter(h -> !h.at().isBefore(keepFrom)).forEach(h -> stillKept.add(h.value()));
        var expired = new java.util.HashSet<String>();
        hits.stream().map(Hit::value).filter(v -> !stillKept.contains(v)).forEach(expired::add);
        if (expired.isEmpty() || open.values().stream().noneMatch(expired::contains)) {
            return open;
        }
        return new OpenBurst(open.alertId(), open.firstSeen(), open.lastSeen(), open.count(), open.evidence(),
                open.values().stream().filter(v -> !expired.contains(v)).toList());
    }

    /**
     * In distinct mode only the latest hit of each value matters for "how many distinct values within the window", so older
     * hits of a value are dropped: the state grows with the number of distinct values (users), not with the number of hits
     * — one global spray key would otherwise be rewritten with every failed login of the window on each new failure. Of the
     * older hits one is kept, the earliest within {@code window} of the latest (where a burst that counts the value begins);
     * a value whose latest hit is older than {@code keepFrom} is dropped, and so is {@code hit} if it is (later than the
     * grace).
     */
    private List<Hit> latestAndEarliestPerValue(List<Hit> sortedHits, Hit hit, Instant keepFrom) {
        java.util.Map<String, List<Hit>> byValue = new java.util.LinkedHashMap<>();
        for (Hit h : sortedHits) {
            if (h != hit || !h.at().isBefore(keepFrom)) {
                byValue.computeIfAbsent(h.value(), v -> new ArrayList<>()).add(h);
            }
        }
        List<Hit> kept = new ArrayList<>();
        for (List<Hit> ofValue : byValue.values()) {
            Hit last = ofValue.get(ofValue.size() - 1);
            if (last.at().isBefore(keepFrom)) {
                continue;
            }
            ofValue.stream().limit(ofValue.size() - 1).filter(h -> !h.at().isBefore(last.at().minus(window))).findFirst()
                    .ifPresent(kept::add);
            kept.add(last);
        }
        kept.sort(Comparator.comparing(Hit::at).thenComparing(Hit::eventId));
        return kept;
    }

    /** The latest hit of each value, in time order. */
    private static List<Hit> latestPerValue(List<Hit> sortedHits) {
        java.util.Map<String, Hit> latest = new java.util.LinkedHashMap<>();
        for (Hit h : sortedHits) {
            latest.remove(h.value());
            latest.put(h.value(), h);
        }
        return new ArrayList<>(latest.values());
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }
}
