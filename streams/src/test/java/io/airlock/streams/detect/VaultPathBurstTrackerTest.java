package io.airlock.streams.detect;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class VaultPathBurstTrackerTest {

    private static final Instant T0 = Instant.parse("2026-03-02T10:00:00Z");
    private final VaultPathBurstTracker tracker = new VaultPathBurstTracker("AL-021", 3, Duration.ofMinutes(5), Duration.ofMinutes(10));

    private static VaultPathBurstTracker.Hit hit(int second, String id, String path) {
        return new VaultPathBurstTracker.Hit(T0.plusSeconds(second), id, path, false);
    }

    @Test
    void shouldFireOnTheThirdDistinctPathAndCountPathsNotReads() {
        var state = VaultPathBurstTracker.State.EMPTY;
        state = tracker.observe(state, "ent", hit(0, "e1", "a")).next();
        state = tracker.observe(state, "ent", hit(1, "e2", "a")).next();
        state = tracker.observe(state, "ent", hit(2, "e3", "b")).next();
        var step = tracker.observe(state, "ent", hit(3, "e4", "c"));

        assertThat(step.fired()).isNotNull();
        assertThat(step.fired().count()).isEqualTo(3);
        assertThat(step.fired().paths()).containsExactlyInAnyOrder("a", "b", "c");
        assertThat(step.next().hits()).hasSize(3);
    }

    @Test
    void shouldReportARepeatOnlyWhenItChangesTheBurstAndIgnoreADuplicate() {
        var state = VaultPathBurstTracker.State.EMPTY;
        for (int i = 0; i < 3; i++) {
            state = tracker.observe(state, "ent", hit(i, "e" + i, "p" + i)).next();
        }
        var repeat = tracker.observe(state, "ent", hit(60, "e9", "p0"));
        assertThat(repeat.fired()).isNotNull().satisfies(b -> assertThat(b.count()).isEqualTo(3));
        assertThat(tracker.observe(repeat.next(), "ent", hit(60, "e9", "p0")).fired()).isNull();
    }

    @Test
    void shouldOpenANewBurstWithANewIdAfterAQuietWindow() {
        var state = VaultPathBurstTracker.State.EMPTY;
        String first = null;
        for (int i = 0; i < 3; i++) {
            var step = tracker.observe(state, "ent", hit(i, "e" + i, "p" + i));
            state = step.next();
            first = step.fired() != null ? step.fired().alertId() : first;
        }
        String second = null;
        for (int i = 0; i < 3; i++) {
            var step = tracker.observe(state, "ent", hit(3600 + i, "f" + i, "q" + i));
            state = step.next();
            second = step.fired() != null ? step.fired().alertId() : second;
        }
        assertThat(second).isNotNull().isNotEqualTo(first);
    }

    @Test
    void shouldFlagABurstOnceAnyOfItsHitsIsFlagged() {
        var single = new VaultPathBurstTracker("AL-024", 1, Duration.ofHours(1), Duration.ZERO);
        var opened = single.observe(null, "ent", hit(0, "e1", "a"));
        var flagged = single.observe(opened.next(), "ent", new VaultPathBurstTracker.Hit(T0.plusSeconds(60), "e2", "b", true));
        var later = single.observe(flagged.next(), "ent", hit(120, "e3", "c"));

        assertThat(opened.fired().flagged()).isFalse();
        assertThat(flagged.fired().flagged()).isTrue();
        assertThat(later.fired().flagged()).isTrue();
        assertThat(later.fired().alertId()).isEqualTo(opened.fired().alertId());
    }

    @Test
    void shouldKeepOneIdentitysStateUnderAMegabyteWhateverItReadsInAnHour() {
        var grouping = new VaultPathBurstTracker("AL-020", 1, Duration.ofHours(1), Duration.ofMinutes(10));
        var state = VaultPathBurstTracker.State.EMPTY;
        String longSegment = "x".repeat(60_000);
        VaultPathBurstTracker.OpenBurst last = null;
        for (int i = 0; i < 12_000; i++) {
            String path = i % 100 == 0 ? "kv/" + longSegment + "/" + i : "kv/team/app/secret-number-" + i;
            var step = grouping.observe(state, "ent", new VaultPathBurstTracker.Hit(T0.plusMillis(i * 250L), "e" + i, path, false));
            state = step.next();
            last = step.fired() == null ? last : step.fired();
        }

        byte[] stored = RuleStateSerdes.forType(VaultPathBurstTracker.State.class).serializer().serialize("t", state);
        assertThat(stored.length).isLessThan(1 << 20);
        assertThat(state.hits()).hasSize(VaultPathBurstTracker.MAX_TRACKED_PATHS);
        assertThat(last.count()).isEqualTo(12_000);
        assertThat(last.paths()).hasSize(VaultPathBurstTracker.MAX_TRACKED_PATHS)
                .allSatisfy(p -> assertThat(p.length()).isLessThanOrEqualTo(VaultPathBurstTracker.MAX_PATH_CHARS));
        assertThat(last.paths()).doesNotHaveDuplicates();
    }

    @Test
    void shouldAlertAloneOnAFindingLaterThanTheGraceButDropALateHitOfACountingRule() {
        var grouping = new VaultPathBurstTracker("AL-024", 1, Duration.ofHours(1), Duration.ofMinutes(10));
        var open = grouping.observe(VaultPathBurstTracker.State.EMPTY, "ent", hit(7200, "e1", "airflow/connections/a"));
        var late = grouping.observe(open.next(), "ent", hit(0, "e0", "airflow/connections/b"));

        assertThat(late.fired()).isNotNull().satisfies(b -> {
            assertThat(b.paths()).containsExactly("airflow/connections/b");
            assertThat(b.alertId()).isNotEqualTo(open.fired().alertId());
        });
        assertThat(late.next().open()).isEqualTo(open.fired());

        var state = VaultPathBurstTracker.State.EMPTY;
        for (int i = 0; i < 3; i++) {
            state = tracker.observe(state, "ent", hit(2000 + i, "h" + i, "p" + i)).next();
        }
        assertThat(tracker.observe(state, "ent", hit(0, "old", "p9")).fired()).isNull();
    }

    @Test
    void shouldKeepLongPathsDistinctByTheirDigest() {
        String head = "kv/" + "y".repeat(500);
        assertThat(VaultPathBurstTracker.boundedPath(head + "/a")).isNotEqualTo(VaultPathBurstTracker.boundedPath(head + "/b"))
                .startsWith("kv/yyy").hasSize(VaultPathBurstTracker.MAX_PATH_CHARS);
        assertThat(VaultPathBurstTracker.boundedPath("kv/short")).isEqualTo("kv/short");
    }
}
