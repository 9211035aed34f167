package io.airlock.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.airlock.report.internal.ChainedRecord;
import io.airlock.report.internal.CsvRecords;
import io.airlock.report.internal.JsonLinesRecords;
import io.airlock.report.internal.RecordFileReader;
import io.airlock.report.internal.RecordFileReader.MalformedRecordFileException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Checks a report directory against its manifest, from the files alone, and names the first thing that is wrong:
 * <ol>
 *   <li>the manifest's signature, when it has one (and that it is by the pinned key, when one is given);</li>
 *   <li>every listed file is there, and no file is there that is not listed;</li>
 *   <li>every data file, record by record: the sequence number, the link to the previous record ({@code prev_hash}), the
 *       record's own hash recomputed from its values, and its {@code @timestamp} (what the query selected it by) inside the
 *       manifest's period {@code [query.from, query.to)}; then the record count and the last hash against the manifest;</li>
 *   <li>every file's SHA-256, size and format, the chain's genesis, head and record count, and the manifest's format
 *       ({@code airlock_report}, 1 to {@link ReportExporter#VERSION});</li>
 *   <li>the manifest's {@code summary} and {@code sources}, recounted from the records (counts beyond the exact bound with
 *       the same deterministic sketch, so {@code approximate_counts} and the lower bounds must agree too): a difference is a
 *       problem, except
 *       {@code summary.secret_reads} of format 1 reports, which is only noted (format 1 counted denied Vault reads as
 *       secret reads).</li>
 * </ol>
 */
public final class ReportVerifier {

    /**
     * The outcome.
     *
     * @param problem the first problem found, empty when the report is intact
     * @param records records checked
     * @param files   files checked
     * @param recordFiles the files among them that hold the records (events and alerts; not report.html or report.pdf)
     * @param signed  whether the manifest's signature was checked and valid
     * @param recounted whether the manifest's summary and sources were recounted from the records and agree with them
     * @param countsNote for a format 1 report whose summary differs from the records: the first difference (not a problem:
     *                   format 1 counted differently, so tampering with its summary cannot be told apart)
     * @param scope      what the report vouches for, as its manifest states it; empty when the manifest could not be read
     */
    public record Verification(Optional<String> problem, long records, int files, int recordFiles, boolean signed, boolean recounted,
            Optional<String> countsNote, Optional<Scope> scope) {

        public boolean intact() {
            return problem.isEmpty();
        }
    }

    /**
     * What an intact report covers, from its manifest: an intact report of another period, of some users or rules only, or
     * an older one is intact too, so the auditor compares these with the report they asked for.
     *
     * @param from        {@code query.from}, the period's start (inclusive)
     * @param to          {@code query.to}, its end (exclusive)
     * @param users       {@code query.users}; empty: everybody
     * @param rules       {@code query.rules}; empty: every rule
     * @param generatedAt {@code generated_at}, when the report was written ("unknown" if the manifest has none)
     */
    public record Scope(String from, String to, List<String> users, List<String> rules, String generatedAt) {

        static Scope of(JsonNode manifest) {
            JsonNode query = manifest.path("query");
            return new Scope(query.path("from").asText(), query.path("to").asText(), texts(query.path("users")),
                    texts(query.path("rules")), manifest.path("generated_at").asText("unknown"));
        }

        private static List<String> texts(JsonNode array) {
            List<String> values = new ArrayList<>();
            array.forEach(v -> values.add(v.asText()));
            return List.copyOf(values);
        }
    }

    /** The first manifest format whose summary {@link #verify} recounts in full. */
    static final int RECOUNTED_SINCE = 2;
    /** The summary count that format 1 counted differently. */
    private static final String SECRET_READS = "secret_reads";

    private ReportVerifier() {
    }

    /**
     * @param pinnedKey the public key the manifest must be signed with; empty to accept an unsigned manifest, or any key
     *                  (the one it carries)
     */
    public static Verification verify(Path directory, Optional<PublicKey> pinnedKey) throws IOException {
        return verify(directory, pinnedKey, KeyCounts.Bound.REPORT);
    }

    /** Recounting with the smaller bound a test's report was written with. */
    static Verification verify(Path directory, Optional<PublicKey> pinnedKey, KeyCounts.Bound bound) throws IOException {
        return new Run(directory, bound).verify(pinnedKey);
    }

    private static final class Run {
        private final Path directory;
        private final KeyCounts.Bound bound;
        private long records;
        private int files;
        private int recordFiles;
        private boolean signed;
        private boolean recounted;
        private String countsNote;
        private ReportSummary counted;
        private ReportQuery period;
        private Scope scope;

        Run(Path directory, KeyCounts.Bound bound) {
            this.directory = directory;
            this.bound = bound;
        }

        Verification verify(Optional<PublicKey> pinnedKey) throws IOException {
            String problem = check(pinnedKey);
            return new Verification(Optional.ofNullable(problem), records, files, recordFiles, signed, recounted, Optional.ofNullable(countsNote),
                    Optional.ofNullable(scope));
        }

        private String check(Optional<PublicKey> pinnedKey) throws IOException {
            Path manifestFile = directory.resolve(Manifest.FILE);
            if (!Files.exists(directory)) {
                return directory + " does not exist";
            }
            if (!Files.isDirectory(directory)) {
                return directory + " is not a directory";
            }
            if (!Files.isRegularFile(manifestFile)) {
                return Manifest.FILE + " is missing";
            }
            JsonNode manifest;
            try {
                manifest = Manifest.read(manifestFile);
            } catch (Manifest.DuplicateKeyException e) {
                return Manifest.FILE + " has the key \"" + e.key() + "\" twice in one object (altered: a reader would see one, "
                        + "the signature may cover the other)";
            } catch (IOException e) {
                return Manifest.FILE + " is not valid JSON (altered?)";
            }
            if (!manifest.isObject() || !manifest.path("files").isArray() || !manifest.path("chain").isObject()) {
                return Manifest.FILE + " is not an Airlock report manifest (files, chain missing)";
            }
            scope = Scope.of(manifest);
            String signatureProblem = checkSignature((ObjectNode) manifest, pinnedKey);
            if (signatureProblem != null) {
                return signatureProblem;
            }
            JsonNode version = manifest.get("airlock_report");
            if (version == null || !version.isInt() || version.asInt() < 1 || version.asInt() > ReportExporter.VERSION) {
                return Manifest.FILE + ": airlock_report is " + (version == null ? "missing" : version.toString())
                        + ", not a report format this version reads (1 to " + ReportExporter.VERSION + "; manifest altered?)";
            }
            int format = version.asInt();
            counted = ReportSummary.recount(format, bound);
            try {
                // reports before format 3 could state a finer period than OpenSearch applied: it truncated the bounds to ms
                period = new ReportQuery(Instant.parse(manifest.path("query").path("from").asText()),
                        Instant.parse(manifest.path("query").path("to").asText()), List.of(), List.of());
            } catch (DateTimeParseException | IllegalArgumentException e) {
                return Manifest.FILE + ": query.from and query.to are not a period (" + manifest.path("query").path("from") + " to "
                        + manifest.path("query").path("to") + "; manifest altered)";
            }
            if (!HashChain.GENESIS.equals(manifest.path("chain").path("genesis").asText())) {
                return Manifest.FILE + ": chain.genesis is not the genesis every chain starts from (manifest altered)";
            }

            List<JsonNode> entries = new ArrayList<>();
            manifest.get("files").forEach(entries::add);
            Set<String> listed = new LinkedHashSet<>();
            for (JsonNode entry : entries) {
                String name = entry.path("name").asText("");
                if (name.isEmpty() || name.contains("/") || name.contains("\\") || name.equals(Manifest.FILE)
                        || !listed.add(name)) {
                    return Manifest.FILE + " lists an invalid or repeated file name '" + name + "'";
                }
                if (!Files.isRegularFile(directory.resolve(name))) {
                    return "file " + name + " is missing (listed in the manifest)";
                }
            }
            Set<String> present = new TreeSet<>();
            try (Stream<Path> list = Files.list(directory)) {
                list.forEach(p -> present.add(p.getFileName().toString()));
            }
            present.remove(Manifest.FILE);
            present.removeAll(listed);
            if (!present.isEmpty()) {
                return "file " + present.iterator().next() + " is not listed in the manifest (added)";
            }

            String running = HashChain.GENESIS;
            for (JsonNode entry : entries) {
                String kindLabel = entry.path("kind").asText();
                if ("document".equals(kindLabel)) {
                    continue;
                }
                String name = entry.get("name").asText();
                RecordKind kind;
                try {
                    kind = RecordKind.ofLabel(kindLabel);
                } catch (IllegalArgumentException e) {
                    return Manifest.FILE + ": file " + name + " has an unknown kind";
                }
                if (!running.equals(entry.path("first_prev_hash").asText())) {
                    return "file " + name + ": its chain does not continue from the previous data file (files reordered, or "
                            + "manifest altered)";
                }
                String problem = checkRecords(directory.resolve(name), name, kind, entry, running);
                if (problem != null) {
                    return problem;
                }
                recordFiles++;
                running = entry.path("last_hash").asText();
            }

            for (JsonNode entry : entries) {
                String name = entry.get("name").asText();
                files++;
                String problem = checkFileFacts(directory.resolve(name), name, entry, format);
                if (problem != null) {
                    return problem;
                }
            }
            if (!running.equals(manifest.path("chain").path("head").asText())) {
                return "the chain head differs from the manifest's chain.head (manifest altered)";
            }
            if (manifest.path("chain").path("records").asLong(-1) != records) {
                return Manifest.FILE + ": chain.records is " + manifest.path("chain").path("records") + ", the files hold " + records
                        + " records (manifest altered)";
            }
            if (format >= RECOUNTED_SINCE) {
                String difference = countsDifference(manifest, null);
                recounted = difference == null;
                return difference == null ? null : Manifest.FILE + ": " + difference + " (manifest altered)";
            }
            // format 1 counted denied Vault reads as secret reads: only that count may differ, and is then only noted
            String difference = countsDifference(manifest, SECRET_READS);
            if (difference != null) {
                return Manifest.FILE + ": " + difference + " (manifest altered)";
            }
            countsNote = countsDifference(manifest, null);
            recounted = countsNote == null;
            return null;
        }

        /** The file's SHA-256, size and format (its name's extension) against its manifest entry. */
        private static String checkFileFacts(Path file, String name, JsonNode entry, int format) throws IOException {
            if (!Manifest.sha256(file).equals(entry.path("sha256").asText())) {
                return "file " + name + " is altered: its SHA-256 differs from the manifest";
            }
            JsonNode bytes = entry.get("bytes");
            long size = Files.size(file);
            if ((bytes != null || format >= RECOUNTED_SINCE) && (bytes == null || bytes.asLong(-1) != size)) {
                return "file " + name + " has " + size + " bytes, the manifest lists " + (bytes == null ? "none" : bytes)
                        + " (manifest altered)";
            }
            String extension = name.substring(name.lastIndexOf('.') + 1);
            if (!extension.equals(entry.path("format").asText())) {
                return "file " + name + " is listed with format '" + entry.path("format").asText() + "' (manifest altered)";
            }
            return null;
        }

        /**
         * The first place where the manifest's summary and sources differ from what the records add up to, leaving out the
         * summary count {@code except} (null: none); null if none.
         */
        private String countsDifference(JsonNode manifest, String except) {
            JsonNode stated = manifest.path("summary");
            ObjectNode recount = counted.toJson();
            if (except != null && stated.isObject()) {
                stated = ((ObjectNode) stated).deepCopy().without(except);
                recount.remove(except);
            }
            String difference = ManifestCounts.firstDifference("summary", stated, recount);
            return difference != null ? difference
                    : ManifestCounts.firstDifference("sources", manifest.path("sources"), counted.sourcesJson());
        }

        private String checkSignature(ObjectNode manifest, Optional<PublicKey> pinnedKey) {
            JsonNode signature = manifest.get("signature");
            if (signature == null) {
                return pinnedKey.isPresent() ? Manifest.FILE + " is not signed, but a public key was given to check it with" : null;
            }
            PublicKey key;
            try {
                key = ManifestSignature.publicKeyFromBase64(signature.path("public_key").asText());
            } catch (IllegalArgumentException e) {
                return Manifest.FILE + ": signature.public_key is not an Ed25519 public key";
            }
            if (pinnedKey.isPresent() && !pinnedKey.get().equals(key)) {
                return Manifest.FILE + " is signed with a different key than the one given";
            }
            if (!ManifestSignature.ALGORITHM.equals(signature.path("algorithm").asText())
                    || !ManifestSignature.verify(key, Manifest.signedText(manifest), signature.path("value").asText())) {
                return Manifest.FILE + " is altered: its signature does not verify";
            }
            signed = true;
            return null;
        }

        private String checkRecords(Path file, String name, RecordKind kind, JsonNode entry, String start) throws IOException {
            String running = start;
            long expected = 1;
            String unit = name.endsWith(".csv") ? "row" : "line";
            try (RecordFileReader reader = name.endsWith(".csv") ? CsvRecords.reader(file, kind,
                    CsvSafety.Guard.ofManifestName(entry.path(CsvSafety.GUARD_KEY).asText())) : JsonLinesRecords.reader(file, kind)) {
                for (ChainedRecord r; (r = reader.next()) != null; expected++) {
                    // a CSV row with line breaks in its values spans lines: an editor's line number is given too
                    String where = name + " " + unit + " " + r.line() + (r.fileLine() != r.line() ? " (line " + r.fileLine() + ")" : "");
                    if (r.seq() != expected) {
                        return where + ": record " + r.seq() + " where record " + expected + " belongs (records removed, "
                                + "inserted or reordered)";
                    }
                    if (!running.equals(r.prevHash())) {
                        return where + ": record " + r.seq() + " does not follow the previous record (prev_hash differs: "
                                + "records removed, inserted or reordered)";
                    }
                    String hash = HashChain.hash(running, r.record());
                    if (!hash.equals(r.hash())) {
                        return where + ": record " + r.seq() + " is altered (its hash does not match its values)";
                    }
                    String time = r.record().get(ReportQuery.TIME_FIELD);
                    Instant at = time == null ? null : RecordTime.parse(time);
                    if (at == null || !period.covers(at)) {
                        return where + ": record " + r.seq() + " has " + ReportQuery.TIME_FIELD + " " + (time == null ? "none"
                                : at == null ? "'" + time + "', not a time" : time) + ", outside the report's period ["
                                + period.from() + ", " + period.to() + ") (records added, or the manifest's query altered)";
                    }
                    running = hash;
                    records++;
                    counted.add(r.record());
                }
            } catch (MalformedRecordFileException e) {
                return name + " " + unit + " " + e.line() + ": " + e.getMessage() + " (altered)";
            }
            long listed = entry.path("records").asLong(-1);
            if (expected - 1 != listed) {
                return name + ": " + (expected - 1) + " records, the manifest lists " + listed + " (records "
                        + (expected - 1 < listed ? "removed from the end" : "appended") + ")";
            }
            if (!running.equals(entry.path("last_hash").asText())) {
                return name + ": the last record's hash differs from the manifest (records replaced)";
            }
            return null;
        }
    }
}
