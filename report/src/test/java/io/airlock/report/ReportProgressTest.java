package io.airlock.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ReportProgressTest {

    @Test
    void shouldPrintPlainProgressLinesWithCountsOnly() {
        var bytes = new ByteArrayOutputStream();
        var progress = new ReportProgress.Lines(new PrintStream(bytes, true, StandardCharsets.UTF_8), 0);

        progress.start(RecordKind.EVENTS, 200);
        progress.advance(50);
        progress.finish(200);

        assertThat(bytes.toString(StandardCharsets.UTF_8).lines()).containsExactly(
                "report: exporting 200 events", "report: events 50 of 200 (25%)", "report: events 200 written");
    }

    @Test
    void shouldRedrawTheBarInPlace() {
        var bytes = new ByteArrayOutputStream();
        var progress = new ReportProgress.Bar(new PrintStream(bytes, true, StandardCharsets.UTF_8));

        progress.start(RecordKind.ALERTS, 10);
        progress.finish(10);

        String drawn = bytes.toString(StandardCharsets.UTF_8);
        assertThat(drawn).startsWith("\ralerts  [").contains("\ralerts  [" + "#".repeat(30) + "] 10/10 (100%)").endsWith(System.lineSeparator());
    }
}
