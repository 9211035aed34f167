package io.airlock.app.backtest;

import io.airlock.app.Counted;
import io.airlock.core.Topics;
import io.airlock.ingest.vault.VaultAuditSettings;
import io.airlock.streams.DetectionConfig;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/** The backtest job: check the arguments, read and order the input, replay it, write the results. */
public final class Backtest {

    private static final int MAX_REASON_CHARS = 200;
    /** Skipped lines and dead letters named one by one; the rest are counted. */
    private static final int LINES_NAMED = OfflineReplay.DEAD_LETTERS_DESCRIBED;

    private final PrintStream console;
    private final boolean terminal;

    /** Progress as lines, one per tenth of the input: for a log file. */
    public Backtest(PrintStream console) {
        this(console, false);
    }

    /** @param terminal whether {@code console} is a terminal: progress then updates one line in place */
    public Backtest(PrintStream console, boolean terminal) {
        this.console = console;
        this.terminal = terminal;
    }

    /**
     * @return the process exit code: 0 on success, 1 when every input line was rejected (no event) or the replay failed, 2 on
     *     bad arguments
     */
    public int run(Path cdc, Path vaultAudit, String vaultPrefix, Path out, Path eventsOut) throws IOException {
        return run(cdc, vaultAudit, vaultPrefix, out, eventsOut, DetectionConfig.defaults(), VaultAuditSettings.DEFAULT_MAX_LINE_BYTES);
    }

    /**
     * @param maxVaultLineBytes {@code vault.audit.max-line-bytes}: longer Vault lines are compacted or left out, as the live
     *     capture compacts or dead-letters them
     * @return the process exit code: 0 on success, 1 when every input line was rejected (no event) or the replay failed, 2 on
     *     bad arguments
     */
    public int run(Path cdc, Path vaultAudit, String vaultPrefix, Path out, Path eventsOut, DetectionConfig detection,
            int maxVaultLineBytes) throws IOException {
        if (cdc == null && vaultAudit == null) {
            console.println("backtest: give --cdc FILE, --vault-audit FILE or both");
            return 2;
        }
        for (Path input : new Path[] {cdc, vaultAudit}) {
            if (input != null && (!Files.isReadable(input) || Files.isDirectory(input))) {
                console.println("backtest: cannot read " + input + (Files.isDirectory(input) ? ": it is a directory" : ""));
                return 2;
            }
            if (input != null && !Files.isRegularFile(input)) {
                // lines are read again by their position when replayed, which a pipe cannot do
                console.println("backtest: " + input + " is not a regular file (a pipe or <(…)?): write it to a file first, "
                        + "e.g. zcat changes.jsonl.gz > changes.jsonl");
                return 2;
            }
        }
        String clash = sameFileClash(new Path[] {cdc, vaultAudit}, new String[] {"--cdc", "--vault-audit"}, out, eventsOut);
        if (clash != null) {
            console.println("backtest: " + clash);
            return 2;
        }
        for (Path output : new Path[] {out, eventsOut}) {
            if (output != null && Files.isDirectory(output)) {
                console.println("backtest: cannot write " + output + ": it is a directory (give a file name)");
                return 2;
            }
            Path parent = output == null ? null : output.toAbsolutePath().getParent();
            if (parent != null && !Files.isDirectory(parent)) {
                console.println("backtest: cannot write " + output + ": directory " + parent + " does not exist");
                return 2;
            }
        }
        long t0 = System.nanoTime();
        try (OfflineReplay replay = new OfflineReplay(detection);
                ReplayInput input = new ReplayInput(replay.topics(), vaultPrefix, maxVaultLineBytes)) {
            List<ReplayRecord> records = input.read(cdc, vaultAudit);
            console.printf("backtest: %d records in event-time order%n", records.size());
            input.rejected().stream().limit(LINES_NAMED).forEach(r -> console.println("backtest: skipped " + r));
            if (input.rejected().size() > LINES_NAMED) {
                console.printf("backtest: … and %d more lines skipped%n", input.rejected().size() - LINES_NAMED);
            }
            if (input.tombstones() > 0) {
                console.printf("backtest: left out %d Debezium tombstones (null lines after deletes)%n", input.tombstones());
            }
            if (cdc != null && records.stream().noneMatch(r -> r.source() == ReplayInput.CDC) && !input.rejected().isEmpty()) {
                console.println("backtest: no line of " + cdc + " is a Debezium change of " + Topics.AIRFLOW_TABLES
                        + " — is it the Vault audit file? (--cdc takes the change events, --vault-audit the audit log)");
            }
            OfflineReplay.Result result;
            try (BufferedWriter events = eventsOut == null ? null : Files.newBufferedWriter(eventsOut, StandardCharsets.UTF_8)) {
                Consumer<String> sink = events == null ? e -> { } : e -> writeLine(events, OfflineReplay.normalizedEventLine(e));
                result = replay.replay(records, input, sink, progress(records.size()));
            } catch (OfflineReplay.ReplayFailure e) {
                Path file = e.record().source() == ReplayInput.CDC ? cdc : vaultAudit;
                console.println();
                console.println("backtest: the replay failed on " + file.getFileName() + ":" + e.record().line() + " (" + e.getMessage()
                        + "; the messages are left out, they can quote the line). This is a bug in Airlock: please report it "
                        + "with these exception types and a copy of the line with its values replaced");
                return 1;
            }
            if (terminal) {
                console.println();
            }
            try (BufferedWriter alerts = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
                result.alerts().forEach(a -> writeLine(alerts, OfflineReplay.toJsonLine(a)));
            }
            for (OfflineReplay.DeadLetterAt letter : result.firstDeadLetters()) {
                if (letter.record() == null) {
                    console.println("backtest: dead letter in " + letter.stage() + " (of a normalized event, not an input line): "
                            + abbreviated(letter.reason()));
                    continue;
                }
                Path file = letter.record().source() == ReplayInput.CDC ? cdc : vaultAudit;
                console.println("backtest: dead letter " + file.getFileName() + ":" + letter.record().line() + ": "
                        + abbreviated(letter.reason()));
            }
            if (result.deadLetters() > result.firstDeadLetters().size()) {
                console.printf("backtest: … and %d more dead letters%n", result.deadLetters() - result.firstDeadLetters().size());
            }
            long deadLetters = result.deadLetters() + input.rejected().size();
            console.printf("backtest: %s, %s, %s in %.1f s; alerts written to %s%n", Counted.of(result.events(), "event"),
                    Counted.of(result.alerts().size(), "alert"), Counted.of(deadLetters, "dead letter"), (System.nanoTime() - t0) / 1e9, out);
            // every line rejected: when read, or dead-lettered in the replay (input that legitimately gives no event, snapshot
            // rows of ab_user alone say, is not this)
            if (result.events() == 0 && deadLetters > 0 && result.deadLetters() >= records.size()) {
                console.println("backtest: WARNING: every input line was rejected, so nothing was replayed and the absence of "
                        + "alerts means nothing: see the reasons above");
                return 1;
            }
            return 0;
        }
    }

    /**
     * Which output would overwrite an input or the other output, as a message; null if none. Files are compared by where
     * they really are: symbolic links followed, {@code ./a} and {@code a} alike, an output that does not exist yet by its
     * directory's real path, and for existing files by identity (a hard link is the same file).
     */
    private static String sameFileClash(Path[] inputs, String[] inputOptions, Path out, Path eventsOut) throws IOException {
        String[] outputOptions = {"--out", "--events-out"};
        Path[] outputs = {out, eventsOut};
        for (int o = 0; o < outputs.length; o++) {
            if (outputs[o] == null) {
                continue;
            }
            for (int i = 0; i < inputs.length; i++) {
                if (inputs[i] != null && sameFile(outputs[o], inputs[i])) {
                    return outputOptions[o] + " " + outputs[o] + " is the input file " + inputOptions[i] + " " + inputs[i]
                            + ": writing it would destroy the input; give another file name";
                }
            }
        }
        if (out != null && eventsOut != null && sameFile(out, eventsOut)) {
            return "--out " + out + " and --events-out " + eventsOut + " are the same file: the alerts would replace the events; "
                    + "give two file names";
        }
        return null;
    }

    private static boolean sameFile(Path a, Path b) throws IOException {
        if (Files.exists(a) && Files.exists(b)) {
            return Files.isSameFile(a, b);
        }
        return realPath(a, 0).equals(realPath(b, 0));
    }

    /** The path with symbolic links resolved, also where the file (or a link's target) does not exist yet. */
    private static Path realPath(Path path, int links) throws IOException {
        Path absolute = path.toAbsolutePath().normalize();
        if (Files.exists(absolute)) {
            return absolute.toRealPath();
        }
        if (Files.isSymbolicLink(absolute) && links < 40) { // a link to a file not yet written
            Path target = absolute.getParent().resolve(Files.readSymbolicLink(absolute));
            return realPath(target, links + 1);
        }
        Path parent = absolute.getParent();
        if (parent == null || absolute.getFileName() == null) {
            return absolute;
        }
        return realPath(parent, links).resolve(absolute.getFileName());
    }

    private Consumer<Long> progress(long total) {
        if (terminal) {
            return done -> console.printf("\rbacktest: %d/%d replayed", done, total);
        }
        long[] tenthsShown = {0};
        return done -> {
            long tenths = total == 0 ? 10 : done * 10 / total;
            if (tenths > tenthsShown[0]) {
                tenthsShown[0] = tenths;
                console.printf("backtest: %d/%d replayed%n", done, total);
            }
        };
    }

    /** A reason as one short line: parsers' reasons can be long and quote a little of the input. */
    private static String abbreviated(String reason) {
        String line = reason == null ? "(no reason)" : reason.replaceAll("\\s+", " ");
        return line.length() > MAX_REASON_CHARS ? line.substring(0, MAX_REASON_CHARS) + "…" : line;
    }

    private static void writeLine(BufferedWriter writer, String line) {
        try {
            writer.write(line);
            writer.newLine();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
