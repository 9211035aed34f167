package io.airlock.report;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Progress of an export: a bar redrawn in place on a terminal, else a plain line every few seconds (a log file or CI gets
 * no control characters). Only counts are shown, never record content.
 */
public interface ReportProgress {

    /** A kind of records starts; {@code total} is the expected count, or -1 if unknown. */
    void start(RecordKind kind, long total);

    /** {@code done} records of the current kind are written. */
    void advance(long done);

    /** The current kind is complete. */
    void finish(long done);

    /** No output. */
    ReportProgress NONE = new ReportProgress() {
        @Override
        public void start(RecordKind kind, long total) {
        }

        @Override
        public void advance(long done) {
        }

        @Override
        public void finish(long done) {
        }
    };

    /**
     * A bar on {@code err} (the process's standard error) when standard error is a terminal, progress lines otherwise: with
     * {@code 2> export.log} the carriage returns of a bar would end up in the file, even though stdin and stdout, which
     * {@link System#console()} looks at, are still the terminal.
     */
    static ReportProgress forStderr(PrintStream err) {
        return isTerminal(Path.of("/proc/self/fd/2"), System.console() != null) ? new Bar(err) : new Lines(err, 5_000);
    }

    /**
     * Whether a file descriptor is a terminal, from its link under {@code /proc/self/fd} (Linux): a pseudo-terminal
     * ({@code /dev/pts/N}) or a console ({@code /dev/ttyN}, {@code /dev/tty}). Where there is no such link (another system),
     * {@code fallback}.
     */
    static boolean isTerminal(Path descriptorLink, boolean fallback) {
        try {
            String target = Files.readSymbolicLink(descriptorLink).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return fallback;
        }
    }

    /** Periodic progress lines. */
    final class Lines implements ReportProgress {
        private final PrintStream out;
        private final long intervalMillis;
        private RecordKind kind;
        private long total;
        private long lastPrinted;

        public Lines(PrintStream out, long intervalMillis) {
            this.out = out;
            this.intervalMillis = intervalMillis;
        }

        @Override
        public void start(RecordKind kind, long total) {
            this.kind = kind;
            this.total = total;
            this.lastPrinted = System.currentTimeMillis();
            out.println("report: exporting " + (total >= 0 ? total + " " : "") + kind.label());
        }

        @Override
        public void advance(long done) {
            long now = System.currentTimeMillis();
            if (now - lastPrinted >= intervalMillis) {
                lastPrinted = now;
                out.println("report: " + kind.label() + " " + done + (total > 0 ? " of " + total + percent(done, total) : ""));
            }
        }

        @Override
        public void finish(long done) {
            out.println("report: " + kind.label() + " " + done + " written");
        }
    }

    /** A bar redrawn with carriage returns. */
    final class Bar implements ReportProgress {
        private static final int WIDTH = 30;
        private final PrintStream out;
        private RecordKind kind;
        private long total;
        private long lastDrawn;

        public Bar(PrintStream out) {
            this.out = out;
        }

        @Override
        public void start(RecordKind kind, long total) {
            this.kind = kind;
            this.total = total;
            draw(0);
        }

        @Override
        public void advance(long done) {
            long now = System.currentTimeMillis();
            if (now - lastDrawn >= 200) {
                lastDrawn = now;
                draw(done);
            }
        }

        @Override
        public void finish(long done) {
            if (total < done) {
                total = done;
            }
            draw(done);
            out.println();
        }

        private void draw(long done) {
            int filled = total > 0 ? (int) Math.min(WIDTH, WIDTH * done / total) : 0;
            out.print("\r" + String.format(Locale.ROOT, "%-7s [%s%s] %d%s", kind.label(), "#".repeat(filled), " ".repeat(WIDTH - filled),
                    done, total > 0 ? "/" + total + percent(done, total) : ""));
            out.flush();
        }
    }

    private static String percent(long done, long total) {
        return String.format(Locale.ROOT, " (%d%%)", Math.min(100, 100 * done / Math.max(1, total)));
    }
}
