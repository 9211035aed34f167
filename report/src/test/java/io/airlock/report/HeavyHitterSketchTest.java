package io.airlock.report;

import static org.assertj.core.api.Assertions.assertThat;

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

    @Test
    void shouldGiveTheSameCountersForTheSameKeysInTheSameOrder() {
        HeavyHitterSketch first = new HeavyHitterSketch(3);
        HeavyHitterSketch second = new HeavyHitterSketch(3);
        for (int i = 0; i < 1_000; i++) {
            String key = "k" + (i * 7919 % 13);
            first.add(key);
            second.add(key);
        }

        assertThat(first.atLeast()).isEqualTo(second.atLeast());
        assertThat(new HeavyHitterSketch(1)).satisfies(s -> {
            s.add("a");
            s.add("b");
            assertThat(s.atLeast()).isEqualTo(Map.of("b", 1L)); // b took a's counter at 1, owing it 1
        });
    }
}
