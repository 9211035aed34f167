package io.airlock.ingest.vault.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineAssemblerTest {

    private record Line(String text, long fullLength, long start) {
    }

    private final List<Line> lines = new ArrayList<>();
    private final LineAssembler.LineHandler collect = (buf, off, len, full, start) ->
            lines.add(new Line(new String(buf, off, len, StandardCharsets.UTF_8), full, start));

    private void feed(LineAssembler a, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        a.feed(b, 0, b.length, collect);
    }

    @Test
    void shouldJoinLinesAcrossChunksAndReportTheirStartOffsets() {
        var a = new LineAssembler(1000, 0);
        feed(a, "one\ntw");
        feed(a, "o\nthr");
        assertThat(a.nextLineStart()).isEqualTo(8);
        feed(a, "ee\n");
        assertThat(lines).containsExactly(new Line("one", 3, 0), new Line("two", 3, 4), new Line("three", 5, 8));
        assertThat(a.nextLineStart()).isEqualTo(14);
    }

    @Test
    void shouldKeepOnlyTheHeadOfAnOverlongLineSoMemoryStaysBounded() {
        var a = new LineAssembler(1024, 0);
        byte[] chunk = new byte[64 * 1024];
        Arrays.fill(chunk, (byte) 'x');
        for (int i = 0; i < 80; i++) {
            a.feed(chunk, 0, chunk.length, collect);
        }
        assertThat(a.carryCapacity()).isLessThanOrEqualTo(1024);
        feed(a, "\nnext\n");
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0).text()).hasSize(1024);
        assertThat(lines.get(0).fullLength()).isEqualTo(80L * 64 * 1024);
        assertThat(lines.get(1)).isEqualTo(new Line("next", 4, 80L * 64 * 1024 + 1));
    }

    @Test
    void shouldHandOverAnUnterminatedLastLineOnlyWhenAsked() {
        var a = new LineAssembler(1000, 100);
        feed(a, "done\npartial");
        assertThat(lines).containsExactly(new Line("done", 4, 100));
        a.finishPartial(collect);
        assertThat(lines).containsExactly(new Line("done", 4, 100), new Line("partial", 7, 105));
        a.finishPartial(collect);
        assertThat(lines).hasSize(2);
    }

    @Test
    void shouldDropThePartialLineOnReset() {
        var a = new LineAssembler(1000, 0);
        feed(a, "half");
        a.reset(0);
        feed(a, "whole\n");
        assertThat(lines).containsExactly(new Line("whole", 5, 0));
    }

    @Test
    void shouldStreamEveryByteOfALongLineToTheOverflowAndNothingOfTheOthers() {
        var streamed = new java.io.ByteArrayOutputStream();
        int[] begun = {0};
        var a = new LineAssembler(10, 0, new LineAssembler.Overflow() {
            @Override
            public void begin() {
                begun[0]++;
                streamed.reset();
            }

            @Override
            public void feed(byte[] buf, int off, int len) {
                streamed.write(buf, off, len);
            }
        });
        feed(a, "short\n0123456");
        feed(a, "789abc");
        feed(a, "def\n0123456789\nxxxxxxxxxxxxxxxxxxxx\nend");
        assertThat(begun[0]).isEqualTo(2);
        assertThat(streamed.toString(StandardCharsets.UTF_8)).as("a long line inside one chunk too").isEqualTo("x".repeat(20));
        assertThat(lines).containsExactly(new Line("short", 5, 0), new Line("0123456789", 16, 6), new Line("0123456789", 10, 23),
                new Line("x".repeat(20), 20, 34));
        var first = new java.io.ByteArrayOutputStream();
        var b = new LineAssembler(10, 0, new LineAssembler.Overflow() {
            @Override
            public void begin() {
            }

            @Override
            public void feed(byte[] buf, int off, int len) {
                first.write(buf, off, len);
            }
        });
        feed(b, "0123456");
        feed(b, "789abc");
        feed(b, "def\n");
        assertThat(first.toString(StandardCharsets.UTF_8)).isEqualTo("0123456789abcdef");
    }
}
