package io.airlock.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DeadLetterTest {

    private static String head(String text, int maxBytes) {
        byte[] value = text.getBytes(StandardCharsets.UTF_8);
        return DeadLetter.ofHead("t", -1, 0, "stage", "why", null, value, 0, value.length, value.length, maxBytes).value();
    }

    @Test
    void shouldCutAHeadBetweenCharacters() {
        assertThat(head("aé", 2)).isEqualTo("a");
        assertThat(head("aé", 3)).isEqualTo("aé");
        assertThat(head("a😀b", 4)).isEqualTo("a");
    }

    @Test
    void shouldSayHowMuchOfALargeValueItKept() {
        byte[] line = "0123456789".getBytes(StandardCharsets.UTF_8);

        assertThat(DeadLetter.ofHead("t", -1, 0, "stage", "too long", null, line, 2, 8, 1000, 4).reason())
                .isEqualTo("too long; value truncated to the first 4 of 1000 bytes");
        assertThat(DeadLetter.ofHead("t", -1, 0, "stage", "too long", null, line, 2, 8, 1000, 4).value()).isEqualTo("2345");
        assertThat(DeadLetter.ofHead("t", -1, 0, "stage", "bad", null, line, 0, 10, 10, 64).reason()).isEqualTo("bad");
    }
}
