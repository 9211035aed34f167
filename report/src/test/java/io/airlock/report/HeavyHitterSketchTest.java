package io.airlock.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HeavyHitterSketchTest {

    @Test
    void shouldKeepAKeyMoreFrequentThanOneInCapacityWhateverCameBetween() {
        HeavyHitterSketch sketch = new HeavyHitterSketch(5);
        int heavy = 0;
        for (int i = 0; i < 10_000; i++) {
            if (i % 4 == 0) {
                sketch.add("heavy");
                heavy++;
            } else {
                sketch.add("one-off-" + i);
            }
        }

        assertThat(sketch.atLeast()).hasSize(5).containsKey("heavy");
        assertThat(sketch.atLeast().get("heavy")).isBetween(heavy - 10_000L / 5, (long) heavy);
    }

    /**
     * Part of the report format: the verifier recounts a report with this sketch, so a report exported before a change of
     * the tie-breaking rule would no longer verify. These counters hold only while ties go to the smallest key: the oldest,
     * the newest or the largest key first would each give others, as would the same keys in reverse.
     */
    static final List<String> ORDER_DEPENDENT = List.of("b", "e", "a", "d", "a", "e", "a", "a");
    static final Map<String, Long> ORDER_DEPENDENT_COUNTERS = Map.of("a", 3L, "d", 1L, "e", 2L);

    @Test
    void shouldGiveTheCountersOfTheReportFormatForAFixedSequenceOfKeys() {
        // b, e, a fill the counters; d replaces a (1, the smallest key of the ties), a replaces b (1), e and a count on
        assertThat(counters(ORDER_DEPENDENT)).isEqualTo(ORDER_DEPENDENT_COUNTERS);
        assertThat(counters(reversed(ORDER_DEPENDENT))).isEqualTo(Map.of("a", 4L, "b", 1L, "e", 2L));
        assertThat(counters(List.of("a", "b"), 1)).isEqualTo(Map.of("b", 1L)); // b took a's counter at 1, owing it 1
    }

    static List<String> reversed(List<String> keys) {
        List<String> reversed = new ArrayList<>(keys);
        Collections.reverse(reversed);
        return reversed;
    }

    private static Map<String, Long> counters(List<String> keys) {
        return counters(keys, 3);
    }

    private static Map<String, Long> counters(List<String> keys, int capacity) {
        HeavyHitterSketch sketch = new HeavyHitterSketch(capacity);
        keys.forEach(sketch::add);
        return sketch.atLeast();
    }
}
