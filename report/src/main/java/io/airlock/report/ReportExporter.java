package io.airlock.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.airlock.core.Json;
import io.airlock.report.internal.CsvRecords;
import io.airlock.report.internal.JsonLinesRecords;
import io.airlock.report.internal.PartialReport;
import io.airlock.report.internal.RecordFileWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a report: the events and then the alerts of a query, streamed from a {@link RecordSource} into data files
 * ({@code events.jsonl}/{@code alerts.jsonl}, or {@code .csv}) with one hash chain running through both, the summary
 * documents asked for ({@code report.html}, {@code report.pdf}), and {@code manifest.json} last, signed when a key is given.
 * Records are written as they arrive; only counters are kept (see {@link ReportSummary}).
 *
 * <pre>{@code
 * var result = new ReportExporter(new OpenSearchRecords(client, settings, 1000), ReportProgress.NONE, Clock.systemUTC())
 *         .export(query, EnumSet.of(ReportFormat.JSONL, ReportFormat.HTML), Path.of("report"), Optional.empty());
 * }</pre>
 */
public final class ReportExporter {

    /**
     * Manifest format version: 3 since the per-identity and per-entity counts are exact and Vault events are counted for
     * the identity Vault vouched for (versions 1 and 2 counted {@code user.name} first, keys beyond the 10 000th under
     * {@code (others)} and records without one under {@code (none)}; {@link ReportVerifier} recounts them that way); 2 since the summary and sources are recounted by {@link ReportVerifier} (version 1 reports
     * counted denied Vault reads as secret reads, so their summary is not recounted).
     */
    public static final int VERSION = 3;
    static final String CHAIN_ALGORITHM = "hash = hex(SHA-256(prev_hash + \"\\n\" + kind + \"\\n\" + compact JSON of the record's "
            + "non-empty fields, keys sorted, strings escaped as RFC 8785 does)), prev_hash of the first record = genesis; the chain runs through the data files "
            + "in the order listed";

    /**
     * The manifest key listing the days (UTC, {@code 2026-10-03}) of the period without a daily events index: no events that
     * day, or the index was deleted by retention. Covered by the signature; reports before it have none.
     */
    public static final String DAYS_WITHOUT_EVENTS_INDEX = "days_without_events_index";
    private static final Logger log = LoggerFactory.getLogger(ReportExporter.class);

    private final RecordSource source;
    private final ReportProgress progress;
    private final Clock clock;
    private final KeyCounts.Bound bound;

    public ReportExporter(RecordSource source, ReportProgress progress, Clock clock) {
        this(source, progress, clock, KeyCounts.Bound.REPORT);
    }

    /** With a smaller bound on exact counts than reports have, for tests of what happens beyond it. */
    ReportExporter(RecordSource source, ReportProgress progress, Clock clock, KeyCounts.Bound bound) {
        this.source = Objects.requireNonNull(source, "source");
        this.progress = Objects.requireNonNull(progress, "progress");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.bound = Objects.requireNonNull(bound, "bound");
    }

    /** What was written. */
    public record Result(Path directory, long events, long alerts, String chainHead, List<String> files, ReportSummary summary) {
    }

    /**
     * Writes the report into {@code directory}, which must not exist or be empty. The report is written into a temporary
     * directory next to it ({@link PartialReport}) and moved into place only once complete, so an export that fails, is
     * interrupted or killed leaves {@code directory} as it was, and the retry can use it.
     *
     * @param formats at least one; CSV data files if {@link ReportFormat#CSV} is among them, else JSON lines
     * @param signer  signs the manifest when present
     */
    public Result export(ReportQuery query, Set<ReportFormat> formats, Path directory, Optional<ManifestSignature> signer)
            throws IOException {
        if (formats.isEmpty()) {
            throw new IllegalArgumentException("at least one format is needed");
        }
        checkTarget(directory);
        PartialReport partial = PartialReport.create(directory);
        try {
            Result written = write(query, formats, partial.directory(), signer);
            partial.moveInto(directory);
            return new Result(directory, written.events(), written.alerts(), written.chainHead(), written.files(), written.summary());
        } finally {
            partial.removeIfLeft(); // a half-written report would block the retry and verify as "manifest missing"
        }
    }

    private Result write(ReportQuery query, Set<ReportFormat> formats, Path directory, Optional<ManifestSignature> signer)
            throws IOException {
        ReportFormat dataFormat = formats.contains(ReportFormat.CSV) ? ReportFormat.CSV : ReportFormat.JSONL;
        HashChain chain = new HashChain();
        ReportSummary summary = new ReportSummary(query, bound);
        List<LocalDate> daysWithoutIndex = source.daysWithoutEventsIndex(query);
        if (!daysWithoutIndex.isEmpty()) {
            log.warn("report: no events index for {} of the period ({}): no events that day, or deleted by retention "
                    + "(retention.events-days); the manifest lists them in {}", daysWithoutIndex.size() == 1 ? "1 day" : daysWithoutIndex.size() + " days",
                    String.join(", ", daysWithoutIndex.stream().map(LocalDate::toString).toList()), DAYS_WITHOUT_EVENTS_INDEX);
        }
        summary.daysWithoutEventsIndex(daysWithoutIndex);
        ArrayNode files = Json.MAPPER.createArrayNode();
        List<String> dataFiles = new ArrayList<>();
        long[] counts = new long[RecordKind.values().length];
        for (RecordKind kind : RecordKind.values()) {
            String name = kind.label() + "." + dataFormat.extension();
            Path file = directory.resolve(name);
            String firstPrev = chain.head();
            long[] seq = {0};
            try (RecordFileWriter writer = dataFormat == ReportFormat.CSV ? CsvRecords.writer(file, kind) : JsonLinesRecords.writer(file)) {
                source.read(kind, query, total -> progress.start(kind, total), record -> {
                    String prev = chain.head();
                    String hash = chain.append(record);
                    try {
                        writer.write(++seq[0], prev, hash, record);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    summary.add(record);
                    progress.advance(seq[0]);
                });
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
            progress.finish(seq[0]);
            counts[kind.ordinal()] = seq[0];
            dataFiles.add(name);
            files.addObject().put("name", name).put("kind", kind.label()).put("format", dataFormat.extension())
                    .put("records", seq[0]).put("first_prev_hash", firstPrev).put("last_hash", chain.head());
            if (dataFormat == ReportFormat.CSV) {
                // verify reads the cells with the guard that wrote them: reports from before this key used the first character only
                ((ObjectNode) files.get(files.size() - 1)).put(CsvSafety.GUARD_KEY, CsvSafety.CURRENT.manifestName());
            }
        }
        if (formats.contains(ReportFormat.HTML)) {
            HtmlReport.write(directory.resolve("report.html"), summary, dataFiles);
            files.addObject().put("name", "report.html").put("kind", "document").put("format", "html");
        }
        if (formats.contains(ReportFormat.PDF)) {
            PdfReport.write(directory.resolve("report.pdf"), summary, dataFiles);
            files.addObject().put("name", "report.pdf").put("kind", "document").put("format", "pdf");
        }
        List<String> names = new ArrayList<>();
        for (var entry : files) {
            ObjectNode f = (ObjectNode) entry;
            Path file = directory.resolve(f.get("name").asText());
            f.put("sha256", Manifest.sha256(file)).put("bytes", Files.size(file));
            names.add(f.get("name").asText());
        }
        ObjectNode manifest = manifest(query, files, chain, summary);
        ArrayNode days = manifest.putArray(DAYS_WITHOUT_EVENTS_INDEX);
        daysWithoutIndex.forEach(day -> days.add(day.toString()));
        signer.ifPresent(key -> manifest.putObject("signature").put("algorithm", ManifestSignature.ALGORITHM)
                .put("public_key", key.publicKeyBase64())
                .put("signed", "manifest.json without \"signature\", compact JSON, object keys sorted, UTF-8")
                .put("value", key.sign(Manifest.signedText(manifest))));
        Manifest.write(directory.resolve(Manifest.FILE), manifest);
        names.add(Manifest.FILE);
        return new Result(directory, counts[RecordKind.EVENTS.ordinal()], counts[RecordKind.ALERTS.ordinal()], chain.head(),
                names, summary);
    }

    private ObjectNode manifest(ReportQuery query, ArrayNode files, HashChain chain, ReportSummary summary) {
        ObjectNode manifest = Json.MAPPER.createObjectNode();
        manifest.put("airlock_report", VERSION);
        manifest.put("generated_at", clock.instant().toString());
        ObjectNode q = manifest.putObject("query");
        q.setAll(query.toJson());
        for (RecordKind kind : RecordKind.values()) {
            ObjectNode k = q.putObject(kind.label());
            k.put("index", source.indexOf(kind));
            k.set("query", query.openSearchQuery(kind));
            k.set("sort", ReportQuery.sort(kind));
        }
        manifest.set("files", files);
        manifest.putObject("chain").put("algorithm", CHAIN_ALGORITHM).put("genesis", HashChain.GENESIS)
                .put("records", chain.length()).put("head", chain.head());
        manifest.set("sources", summary.sourcesJson());
        manifest.set("summary", summary.toJson());
        return manifest;
    }

    /**
     * Refuses a directory a report cannot be written into (not a directory, or not empty) before any work is done: the demo
     * checks its {@code --report} directory before it starts.
     */
    public static void checkTarget(Path directory) throws IOException {
        if (Files.exists(directory)) {
            if (!Files.isDirectory(directory)) {
                throw new IOException(directory + " exists and is not a directory");
            }
            try (Stream<Path> entries = Files.list(directory)) {
                if (entries.findAny().isPresent()) {
                    throw new IOException(directory + " is not empty; a report is written into a new or empty directory");
                }
            }
        }
    }

    /** Every format. */
    public static Set<ReportFormat> allFormats() {
        return EnumSet.allOf(ReportFormat.class);
    }
}
