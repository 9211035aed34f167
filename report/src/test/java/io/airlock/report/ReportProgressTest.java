package io.airlock.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

    @Test
    void shouldTellAStandardErrorRedirectedToAFileFromATerminalByItsOwnDescriptor(@TempDir Path tmp) throws Exception {
        Path log = Files.createFile(tmp.resolve("export.log"));
        Path redirected = Files.createSymbolicLink(tmp.resolve("2"), log);
        Path pseudoTerminal = Files.createSymbolicLink(tmp.resolve("2-pts"), Path.of("/dev/pts/3"));
        Path console = Files.createSymbolicLink(tmp.resolve("2-tty"), Path.of("/dev/tty1"));

        // a console on stdin/stdout (the fallback) does not make a redirected stderr a terminal
        assertThat(ReportProgress.isTerminal(redirected, true)).isFalse();
        assertThat(ReportProgress.isTerminal(pseudoTerminal, false)).isTrue();
        assertThat(ReportProgress.isTerminal(console, false)).isTrue();
        // no descriptor link (not Linux): the console decides
        assertThat(ReportProgress.isTerminal(tmp.resolve("absent"), true)).isTrue();
        assertThat(ReportProgress.isTerminal(tmp.resolve("absent"), false)).isFalse();
    }
}
