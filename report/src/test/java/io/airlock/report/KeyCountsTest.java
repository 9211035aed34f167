package io.airlock.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class KeyCountsTest {

    @Test
    void shouldCountExactlyUpToTheBoundAndKeepCountingTheKeysAlreadySeenExactly() {
        KeyCounts counts = KeyCounts.bounded(new KeyCounts.Bound(2, 1_000, 1));
        for (String key : new String[] {"a", "b", "c", "a", "d", "a", "b"}) {
            counts.add(key);
        }

        // c and d share the sketch's one counter: d took it over from c and certainly reached 1
        assertThat(counts.all()).containsExactly(Map.entry("a", 3L), Map.entry("b", 2L), Map.entry("d", 1L));
        assertThat(counts.approximated()).isEqualTo(2);
    }

    @Test
    void shouldStopCountingNewKeysExactlyWhenTheirCharactersReachTheBound() {
        KeyCounts counts = KeyCounts.bounded(new KeyCounts.Bound(1_000, 10, 4));
        counts.add("x".repeat(6));
        counts.add("y".repeat(6)); // 12 characters: beyond the bound
        counts.add("z"); // fits, but the exact keys are closed once one went beyond
        counts.add(null);

        assertThat(counts.approximated()).isEqualTo(2);
        assertThat(counts.all()).containsEntry(KeyCounts.NONE, 1L).containsEntry("x".repeat(6), 1L).hasSize(4);
    }

    @Test
    void shouldCountRecordsWithoutAKeyExactlyBeyondTheBound() {
        KeyCounts counts = KeyCounts.bounded(new KeyCounts.Bound(1, 1_000, 1));
        counts.add("a");
        counts.add("b");
        counts.add(null);
        counts.add("");

        assertThat(counts.top(1)).containsExactly(Map.entry(KeyCounts.NONE, 2L));
        assertThat(counts.approximated()).isEqualTo(1);
    }
}
