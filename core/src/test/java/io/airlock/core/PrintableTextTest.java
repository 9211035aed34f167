package io.airlock.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PrintableTextTest {

    @Test
    void shouldReplaceEscapesLineBreaksAndBidiControlsAndKeepTheRest() {
        assertThat(PrintableText.of("a\u001b[31mred\r\nb\u2028c\u202Ed\u2066e\u0000")).isEqualTo("a?[31mred??b?c?d?e?");
        assertThat(PrintableText.of("Ωμέγα-用户-😀 <script> *bold*")).isEqualTo("Ωμέγα-用户-😀 <script> *bold*");
        assertThat(PrintableText.of("ad\u200Dmin\u00AD\u200E")).isEqualTo("ad?min??");
        assertThat(PrintableText.of(null)).isNull();
    }
}
