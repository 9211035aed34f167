package io.airlock.report;

import io.airlock.core.NormalizedEvent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.airlock.core.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ReportVerifierTest {

    private static final ReportQuery QUERY = new ReportQuery(SampleData.DAY, SampleData.DAY.plusSeconds(2 * 86_400), List.of(), List.of());
    private static final ManifestSignature KEY = ManifestSignature.generate();

    @TempDir
    Path tmp;

    private Path export(Set<ReportFormat> formats, Optional<ManifestSignature> signer) throws IOException {
        return export(formats, signer, "report");
    }

    private Path export(Set<ReportFormat> formats, Optional<ManifestSignature> signer, String name) throws IOException {
        Path dir = tmp.resolve(name);
        new ReportExporter(SampleData.source(SampleData.events(), SampleData.alerts()), ReportProgress.NONE,
                Clock.fixed(Instant.parse("2026-11-05T10:00:00Z"), ZoneOffset.UTC)).export(QUERY, formats, dir, signer);
        return dir;
    }

    private static String verify(Path dir) throws IOException {
        return ReportVerifier.verify(dir, Optional.empty()).problem().orElse("intact");
    }

    private static void editLines(Path file, java.util.function.Consumer<List<String>> edit) throws IOException {
        List<String> lines = new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
        edit.accept(lines);
        Files.write(file, lines, StandardCharsets.UTF_8);
    }

    @Test
    void shouldVerifyAFreshSignedReport() throws IOException {
        Path dir = export(EnumSet.of(ReportFormat.JSONL), Optional.of(KEY));

        var verification = ReportVerifier.verify(dir, Optional.of(ManifestSignature.publicKeyFromPem(KEY.publicKeyPem())));

        assertThat(verification.problem()).isEmpty();
        assertThat(verification.signed()).isTrue();
        assertThat(verification.recounted()).isTrue();
        assertThat(verification.records()).isEqualTo(SampleData.events().size() + SampleData.alerts().size());
        assertThat(Files.readAllLines(dir.resolve("events.jsonl"))).hasSize(SampleData.events().size());
    }

    @Test
    void shouldNameTheAlteredRecord() throws IOException {
        Path dir = export(EnumSet.of(ReportFormat.JSONL), Optional.empty());
        editLines(dir.resolve("events.jsonl"), lines -> lines.set(4, lines.get(4).replace("\"failure\"", "\"success\"")));

        assertThat(verify(dir)).isEqualTo("events.jsonl line 5: record 5 is altered (its hash does not match its values)");
    }

    @Test
    void shouldNameTheRecordAfterARemovedOne() throws IOException {
        Path dir = export(EnumSet.of(ReportFormat.JSONL), Optional.empty());
        editLines(dir.resolve("events.jsonl"), lines -> lines.remove(2));

        assertThat(verify(dir)).startsWith("events.jsonl line 3: record 4 where record 3 belongs");
    }

    @Test
    void shouldNameTheFirstSwappedRecord() throws IOException {
        Path dir = export(EnumSet.of(ReportFormat.JSONL), Optional.empty());
        editLines(dir.resolve("alerts.jsonl"), lines -> Collections.swap(lines, 0, 1));

        assertThat(verify(dir)).startsWith("alerts.jsonl line 1: record 2 where record 1 belongs");
    }

    @Test
    void shouldNoticeASwapWithRenumberedRecords() throws IOException {
        Path dir = export(EnumSet.of(ReportFormat.JSONL), Optional.empty());
        editLines(dir.resolve("events.jsonl"), lines -> {
            Collections.swap(lines, 6, 7);
            lines.set(6, lines.get(6).replace("\"seq\":8", "\"seq\":7"));
            lines.set(7, lines.get(7).replace("\"seq\":7", "\"seq\":8"));
        });

        assertThat(verify(dir)).startsWith("events.jsonl line 7: record 7 does not follow the previous record");
    }

    @Test
    void shouldNoticeRecordsCutFromTheEnd() throws IOException {
        Path dir = export(EnumSet.of(ReportFormat.JSONL), Optional.empty());
        editLines(dir.resolve("events.jsonl"), lines -> lines.remove(lines.size() - 1));

        assertThat(verify(dir)).isEqualTo("events.jsonl: 11 records, the manifest lists 12 (records removed from the end)");
    }

    @Test
    void shouldNameAMissingOrAddedFile() throws IOException {
        Path dir = export(EnumSet.of(ReportFormat.JSONL, ReportFormat.HTML), Optional.empty());
        Files.delete(dir.resolve("report.html"));
        assertThat(verify(dir)).isEqualTo("file report.html is missing (listed in the manifest)");

        Path other = tmp.resolve("other");
        Files.createDirectories(other);
        Path dir2 = export2(other);
        Files.writeString(dir2.resolve("extra.jsonl"), "{}\n");
        assertThat(verify(dir2)).isEqualTo("file extra.jsonl is not listed in the manifest (added)");
    }

    private Path export2(Path parent) throws IOException {
        Path dir = parent.resolve("report");
        new ReportExporter(SampleData.source(SampleData.events(), SampleData.alerts()), ReportProgress.NONE, Clock.systemUTC())
                .export(QUERY, EnumSet.of(ReportFormat.JSONL), dir, Optional.empty());
        return dir;
    }

    @Test
    void shouldNameAnAlteredDocument() throws IOException {
        Path dir = export(EnumSet.of(ReportFormat.JSONL, ReportFormat.HTML), Optional.empty());
        Files.writeString(dir.resolve("report.html"), "<p>nothing to see</p>");

        assertThat(verify(dir)).isEqualTo("file report.html is altered: its SHA-256 differs from the manifest");
    }

    @Test
    void shouldRefuseAnAlteredSignedManifest() throws IOException {
        Path dir = export(EnumSet.of(ReportFormat.JSONL), Optional.of(KEY));
        Path manifest = dir.resolve(Manifest.FILE);
        Files.writeString(manifest, Files.readString(manifest).replace("\"from\" : \"2026-11-02T00:00:00Z\"",
                "\"from\" : \"2026-11-01T00:00:00Z\""));

        assertThat(verify(dir)).isEqualTo("manifest.json is altered: its signature does not verify");
    }

    @Test
    void shouldRefuseASignedManifestWithARepeatedKey() throws IOException {
        Path queryFirst = export(EnumSet.of(ReportFormat.JSONL), Optional.of(KEY), "query");
        Path manifest = queryFirst.resolve(Manifest.FILE);
        Files.writeString(manifest, Files.readString(manifest).replaceFirst("\n  \"query\" : \\{",
                "\n  \"query\" : { \"from\" : \"2026-11-01T00:00:00Z\", \"to\" : \"2026-12-01T00:00:00Z\" },$0"));

        Path generatedTwice = export(EnumSet.of(ReportFormat.JSONL), Optional.of(KEY), "generated");
        Path other = generatedTwice.resolve(Manifest.FILE);
        Files.writeString(other, Files.readString(other).replaceFirst("\n  \"generated_at\"",
                "\n  \"generated_at\" : \"2027-01-01T00:00:00Z\",$0"));

        assertThat(verify(queryFirst)).isEqualTo("manifest.json has the key \"query\" twice in one object (altered: a reader "
                + "would see one, the signature may cover the other)");
        assertThat(verify(generatedTwice)).startsWith("manifest.json has the key \"generated_at\" twice");
    }

    @Test
    void shouldRefuseARecordOutsideTheManifestsPeriod() throws IOException {
        Path dir = export(EnumSet.of(ReportFormat.JSONL), Optional.empty());
        editManifest(dir, manifest -> manifest.with("query").put("from", "2026-11-02T02:00:10Z"));

        assertThat(verify(dir)).isEqualTo("events.jsonl line 1: record 1 has @timestamp 2026-11-02T02:00:00Z, outside the "
                + "report's period [2026-11-02T02:00:10Z, 2026-11-04T00:00:00Z) (records added, or the manifest's query altered)");
    }

    @Test
    void shouldCompareRecordsWithThePeriodInMillisecondsAsOpenSearchSelectedThem() throws IOException {
        Path dir = export(EnumSet.of(ReportFormat.JSONL), Optional.empty());
        // as earlier reports stated a finer period than OpenSearch applied: it selected records of the whole millisecond
        editManifest(dir, manifest -> manifest.with("query").put("from", "2026-11-02T02:00:00.000900Z"));

        assertThat(verify(dir)).isEqualTo("intact");
    }

    @Test
    void shouldRefuseASignatureByAnotherKey() throws IOException {
        Path dir = export(EnumSet.of(ReportFormat.JSONL), Optional.of(ManifestSignature.generate()));

        var verification = ReportVerifier.verify(dir, Optional.of(ManifestSignature.publicKeyFromPem(KEY.publicKeyPem())));

        assertThat(verification.problem()).contains("manifest.json is signed with a different key than the one given");
    }

    @Test
    void shouldRefuseABadSignatureValue() throws IOException {
        Path dir = export(EnumSet.of(ReportFormat.JSONL), Optional.of(KEY));
        Path manifest = dir.resolve(Manifest.FILE);
        String other = ManifestSignature.generate().sign("something else");
        Files.writeString(manifest, Files.readString(manifest).replaceFirst("\"value\" : \"[^\"]+\"", "\"value\" : \"" + other + "\""));

        assertThat(verify(dir)).isEqualTo("manifest.json is altered: its signature does not verify");
    }

    @Test
    void shouldRefuseAnUnsignedManifestWhenAKeyIsPinned() throws IOException {
        Path dir = export(EnumSet.of(ReportFormat.JSONL), Optional.empty());

        var verification = ReportVerifier.verify(dir, Optional.of(ManifestSignature.publicKeyFromPem(KEY.publicKeyPem())));

        assertThat(verification.problem()).contains("manifest.json is not signed, but a public key was given to check it with");
    }

    @Test
    void shouldNoticeAnUnsignedManifestWhoseFileHashWasChanged() throws IOException {
        Path dir = export(EnumSet.of(ReportFormat.JSONL), Optional.empty());
        Path manifest = dir.resolve(Manifest.FILE);
        Files.writeString(manifest, Files.readString(manifest).replaceFirst("\"sha256\" : \"[0-9a-f]+\"", "\"sha256\" : \"" + "ab".repeat(32) + "\""));

        assertThat(verify(dir)).isEqualTo("file events.jsonl is altered: its SHA-256 differs from the manifest");
    }

    @Test
    void shouldWriteNeutralizedCsvThatVerifies() throws IOException {
        Path dir = export(EnumSet.of(ReportFormat.CSV), Optional.empty());

        assertThat(verify(dir)).isEqualTo("intact");
        String csv = Files.readString(dir.resolve("events.csv"));
        String alerts = Files.readString(dir.resolve("alerts.csv"));
        assertThat(csv).contains("'=HYPERLINK(").contains("'-svc @ops").doesNotContain(",=HYPERLINK").doesNotContain(",-svc");
        assertThat(csv.lines().findFirst().orElseThrow()).as("column names as they are").startsWith("seq,prev_hash,hash,@timestamp,");
        assertThat(alerts).contains("'+cmd|");
        for (String line : (csv.substring(csv.indexOf("\r\n")) + alerts.substring(alerts.indexOf("\r\n"))).split("\r\n")) {
            for (String cell : line.split(",")) {
                assertThat(cell).doesNotStartWith("=").doesNotStartWith("+").doesNotStartWith("-").doesNotStartWith("@");
            }
        }
    }

    @Test
    void shouldStillVerifyACsvWrittenWithTheNeutralizedHeaderOfEarlierReports() throws IOException {
        Path dir = export(EnumSet.of(ReportFormat.CSV), Optional.empty());
        for (String name : List.of("events.csv", "alerts.csv")) {
            Path csv = dir.resolve(name);
            Files.writeString(csv, Files.readString(csv).replaceFirst(",@timestamp,", ",\"'@timestamp\","));
        }
        var manifest = (com.fasterxml.jackson.databind.node.ObjectNode) Manifest.read(dir.resolve(Manifest.FILE));
        for (var file : manifest.withArray("files")) {
            Path written = dir.resolve(file.path("name").asText());
            ((com.fasterxml.jackson.databind.node.ObjectNode) file).put("sha256", Manifest.sha256(written)).put("bytes", Files.size(written));
        }
        Manifest.write(dir.resolve(Manifest.FILE), manifest);

        assertThat(verify(dir)).isEqualTo("intact");
    }

    @Test
    void shouldGuardAFormulaBehindWhitespaceAndStillVerifyCsvOfEarlierReportsThatDidNot() throws IOException {
        List<NormalizedEvent> events = new ArrayList<>(SampleData.events());
        events.add(NormalizedEvent.builder(SampleData.DAY.plusSeconds(3600 * 23 + 30), "ev-ws", NormalizedEvent.DATASET_AB_USER)
                .category("authentication").action("login").outcome("failure").userName(" =HYPERLINK(\"http://evil\")")
                .sourcePosition("postgres:airflow", 1300L).build());
        Path dir = tmp.resolve("whitespace");
        new ReportExporter(SampleData.source(events, SampleData.alerts()), ReportProgress.NONE,
                Clock.fixed(Instant.parse("2026-11-05T10:00:00Z"), ZoneOffset.UTC)).export(QUERY, EnumSet.of(ReportFormat.CSV), dir,
                Optional.empty());
        Path csv = dir.resolve("events.csv");

        assertThat(Files.readString(csv)).contains("\"' =HYPERLINK(").doesNotContain(",\" =HYPERLINK(");
        assertThat(verify(dir)).isEqualTo("intact");
        assertThat(Manifest.read(dir.resolve(Manifest.FILE)).path("files").get(0).path(CsvSafety.GUARD_KEY).asText())
                .isEqualTo("after-whitespace");

        // the guard removed from a report that says it wrote one is named
        Files.writeString(csv, Files.readString(csv).replace("\"' =HYPERLINK(", "\" =HYPERLINK("));
        assertThat(verify(dir)).contains("events.csv row").contains("neutraliz");

        // a report from before the guard looked past whitespace: no formula_guard, the cell as it was written then
        editManifest(dir, manifest -> {
            for (var file : manifest.withArray("files")) {
                ((ObjectNode) file).remove(CsvSafety.GUARD_KEY);
                try {
                    Path written = dir.resolve(file.path("name").asText());
                    ((ObjectNode) file).put("sha256", Manifest.sha256(written)).put("bytes", Files.size(written));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        });
        assertThat(verify(dir)).isEqualTo("intact");
    }

    @Test
    void shouldSignTheDaysWithoutEventsIndexAndVerifyManifestsWithAndWithoutThem() throws IOException {
        RecordSource all = SampleData.source(SampleData.events(), SampleData.alerts());
        RecordSource secondDayDeleted = new RecordSource() {
            @Override
            public void read(RecordKind kind, ReportQuery query, java.util.function.LongConsumer total,
                    java.util.function.Consumer<ReportRecord> sink) throws IOException {
                all.read(kind, query, total, sink);
            }

            @Override
            public List<java.time.LocalDate> daysWithoutEventsIndex(ReportQuery query) {
                return List.of(java.time.LocalDate.parse("2026-11-03"));
            }

            @Override
            public String indexOf(RecordKind kind) {
                return all.indexOf(kind);
            }
        };
        Path dir = tmp.resolve("retention");
        new ReportExporter(secondDayDeleted, ReportProgress.NONE, Clock.systemUTC())
                .export(QUERY, EnumSet.of(ReportFormat.JSONL, ReportFormat.PDF), dir, Optional.of(KEY));

        assertThat(Manifest.read(dir.resolve(Manifest.FILE)).path("days_without_events_index").toString()).isEqualTo("[\"2026-11-03\"]");
        assertThat(verify(dir)).isEqualTo("intact");
        editManifest(dir, manifest -> manifest.putArray("days_without_events_index"));
        assertThat(verify(dir)).as("covered by the signature").isEqualTo("manifest.json is altered: its signature does not verify");

        Path unsigned = export(EnumSet.of(ReportFormat.JSONL), Optional.empty(), "before");
        assertThat(Manifest.read(unsigned.resolve(Manifest.FILE)).path("days_without_events_index").toString()).isEqualTo("[]");
        editManifest(unsigned, manifest -> manifest.remove("days_without_events_index"));
        assertThat(verify(unsigned)).as("a report from before the key").isEqualTo("intact");
    }

    @Test
    void shouldNameTheAlteredCsvRow() throws IOException {
        Path dir = export(EnumSet.of(ReportFormat.CSV), Optional.empty());
        Path csv = dir.resolve("events.csv");
        Files.writeString(csv, Files.readString(csv).replace("etl_daily", "etl_dai1y"));

        assertThat(verify(dir)).isEqualTo("events.csv row 9: record 8 is altered (its hash does not match its values)");
    }

    @Test
    void shouldGiveTheFileLineOfAnAlteredCsvRowThatValuesWithLineBreaksMoved() throws IOException {
        // Vault's errors hold line breaks ("1 error occurred:\n\t* permission denied\n\n"): rows and lines part ways
        List<NormalizedEvent> events = new ArrayList<>(SampleData.events());
        events.add(0, NormalizedEvent.builder(SampleData.DAY.plusSeconds(60), "ev-denied", NormalizedEvent.DATASET_VAULT)
                .category("api").action("read").vaultOperation("read").vaultAuditType("response").outcome("failure")
                .vaultError("1 error occurred:\n\t* permission denied\n\n").vaultPath("secret/x").vaultIdentity("ent-x")
                .sourcePosition("vault-file:42", 1L).build());
        Path dir = tmp.resolve("multiline");
        new ReportExporter(SampleData.source(events, SampleData.alerts()), ReportProgress.NONE,
                Clock.fixed(Instant.parse("2026-11-05T10:00:00Z"), ZoneOffset.UTC)).export(QUERY, EnumSet.of(ReportFormat.CSV), dir,
                Optional.empty());
        Path csv = dir.resolve("events.csv");
        Files.writeString(csv, Files.readString(csv).replace("etl_daily", "etl_dai1y"));

        assertThat(verify(dir)).isEqualTo("events.csv row 10 (line 13): record 9 is altered (its hash does not match its values)");
        assertThat(Files.readAllLines(csv).get(12)).contains("etl_dai1y");
    }

    private static void editManifest(Path dir, java.util.function.Consumer<com.fasterxml.jackson.databind.node.ObjectNode> edit)
            throws IOException {
        var manifest = (com.fasterxml.jackson.databind.node.ObjectNode) Manifest.read(dir.resolve(Manifest.FILE));
        edit.accept(manifest);
        Manifest.write(dir.resolve(Manifest.FILE), manifest);
    }

    @Test
    void shouldNameASummaryCountTheRecordsDoNotAddUpTo() throws IOException {
        Path dir = export(EnumSet.of(ReportFormat.JSONL), Optional.empty());
        editManifest(dir, manifest -> manifest.with("summary").put("logins_failed", 1));

        assertThat(verify(dir)).isEqualTo("manifest.json: summary.logins_failed is 1, the records give 5 (manifest altered)");
    }

    @Test
    void shouldNameAnEntityLeftOutOfTheSummary() throws IOException {
        Path dir = export(EnumSet.of(ReportFormat.JSONL), Optional.empty());
        var entities = (com.fasterxml.jackson.databind.node.ObjectNode) Manifest.read(dir.resolve(Manifest.FILE))
                .path("summary").path("alerts_per_entity");
        String first = entities.fieldNames().next();
        editManifest(dir, manifest -> manifest.with("summary").with("alerts_per_entity").remove(first));

        assertThat(verify(dir)).isEqualTo("manifest.json: summary.alerts_per_entity[" + Json.MAPPER.writeValueAsString(first)
                + "] is not in the manifest, the records give " + entities.get(first) + " (manifest altered)");
    }

    @Test
    void shouldNameASourceSpanTheRecordsDoNotShow() throws IOException {
        Path dir = export(EnumSet.of(ReportFormat.CSV), Optional.empty());
        editManifest(dir, manifest -> ((com.fasterxml.jackson.databind.node.ObjectNode) manifest.withArray("sources").get(0))
                .put("first_position", 1));

        assertThat(verify(dir)).isEqualTo("manifest.json: sources[0].first_position is 1, the records give 1000 (manifest altered)");
    }

    @Test
    void shouldOnlyNoteASummaryOfAFormatOneReportThatDiffersFromTheRecords() throws IOException {
        Path dir = export(EnumSet.of(ReportFormat.JSONL), Optional.empty());
        editManifest(dir, manifest -> {
            manifest.put("airlock_report", 1);
            manifest.with("summary").put("secret_reads", 4); // format 1 counted the denied read too
        });

        var verification = ReportVerifier.verify(dir, Optional.empty());

        assertThat(verification.problem()).isEmpty();
        assertThat(verification.recounted()).isFalse();
        assertThat(verification.countsNote()).contains("summary.secret_reads is 4, the records give 3");
    }

    @Test
    void shouldRecountTheExactCountsOfEveryIdentity() throws IOException {
        Path dir = tmp.resolve("many");
        new ReportExporter(SampleData.source(SampleData.manyNamesThenOne(10_000, "mallory", 3_000), List.of()),
                ReportProgress.NONE, Clock.systemUTC()).export(QUERY, EnumSet.of(ReportFormat.JSONL), dir, Optional.empty());
        assertThat(verify(dir)).isEqualTo("intact");

        editManifest(dir, manifest -> manifest.with("summary").with("events_per_identity").put("mallory", 2_999));

        assertThat(verify(dir)).isEqualTo("manifest.json: summary.events_per_identity.mallory is 2999, the records give 3000 "
                + "(manifest altered)");
    }

    @Test
    void shouldRecountCountsBeyondTheBoundTheSameWayAndRefuseAnEditedOne() throws IOException {
        Path dir = tmp.resolve("approximate");
        KeyCounts.Bound small = new KeyCounts.Bound(100, 1_000_000, 10);
        new ReportExporter(SampleData.source(SampleData.manyNamesThenOne(10_000, "mallory", 3_000), List.of()),
                ReportProgress.NONE, Clock.systemUTC(), small).export(QUERY, EnumSet.of(ReportFormat.JSONL, ReportFormat.HTML), dir,
                Optional.empty());
        assertThat(Files.readString(dir.resolve("report.html"))).contains("Approximate counts: events_per_identity (12900 records).");
        var summary = Manifest.read(dir.resolve(Manifest.FILE)).path("summary");
        assertThat(summary.path("approximate_counts").path("events_per_identity").asLong()).isEqualTo(12_900);
        assertThat(summary.path("events_per_identity").path("mallory").asLong()).isEqualTo(3_000);

        var verification = ReportVerifier.verify(dir, Optional.empty(), small);
        assertThat(verification.problem()).isEmpty();
        assertThat(verification.recounted()).isTrue();

        editManifest(dir, manifest -> manifest.with("summary").with("events_per_identity").put("mallory", 2_999));
        assertThat(ReportVerifier.verify(dir, Optional.empty(), small).problem()).contains("manifest.json: summary"
                + ".events_per_identity.mallory is 2999, the records give 3000 (manifest altered)");

        editManifest(dir, manifest -> {
            manifest.with("summary").with("events_per_identity").put("mallory", 3_000);
            manifest.with("summary").remove("approximate_counts");
        });
        assertThat(ReportVerifier.verify(dir, Optional.empty(), small).problem()).contains("manifest.json: summary"
                + ".approximate_counts is not in the manifest, the records give object (manifest altered)");
    }

    /**
     * The exporter and the verifier must feed the sketch the same records in the same order: over these identities its
     * counters depend on the order, so a verifier reading the records otherwise would refuse the report. The counts are the
     * sketch's golden counters ({@link HeavyHitterSketchTest#ORDER_DEPENDENT}) besides the one identity counted exactly.
     */
    @Test
    void shouldVerifyCountsOfTheSketchThatDependOnTheOrderOfTheRecords() throws IOException {
        KeyCounts.Bound oneExact = new KeyCounts.Bound(1, 1_000_000, 3);
        var names = Map.of("a", "alice", "b", "bob", "d", "dave", "e", "erin"); // same order as the letters
        List<String> identities = new ArrayList<>(List.of("root"));
        HeavyHitterSketchTest.ORDER_DEPENDENT.forEach(k -> identities.add(names.get(k)));
        List<String> reversed = new ArrayList<>(List.of("root"));
        HeavyHitterSketchTest.reversed(HeavyHitterSketchTest.ORDER_DEPENDENT).forEach(k -> reversed.add(names.get(k)));

        Path inOrder = exportLogins(identities, oneExact, "in-order");
        Path inReverse = exportLogins(reversed, oneExact, "in-reverse");

        assertThat(eventsPerIdentity(inOrder)).isEqualTo(Map.of("root", 1L, "alice", 3L, "dave", 1L, "erin", 2L));
        assertThat(eventsPerIdentity(inReverse)).isEqualTo(Map.of("root", 1L, "alice", 4L, "bob", 1L, "erin", 2L));
        for (Path dir : List.of(inOrder, inReverse)) {
            var verification = ReportVerifier.verify(dir, Optional.empty(), oneExact);
            assertThat(verification.problem()).isEmpty();
            assertThat(verification.recounted()).isTrue();
            assertThat(Manifest.read(dir.resolve(Manifest.FILE)).path("summary").path("approximate_counts")
                    .path("events_per_identity").asLong()).isEqualTo(8);
        }
    }

    private Path exportLogins(List<String> identities, KeyCounts.Bound bound, String name) throws IOException {
        Path dir = tmp.resolve(name);
        new ReportExporter(SampleData.source(SampleData.loginsOf(identities), List.of()), ReportProgress.NONE, Clock.systemUTC(),
                bound).export(QUERY, EnumSet.of(ReportFormat.JSONL), dir, Optional.empty());
        return dir;
    }

    private static Map<String, Long> eventsPerIdentity(Path dir) throws IOException {
        var counts = new HashMap<String, Long>();
        Manifest.read(dir.resolve(Manifest.FILE)).path("summary").path("events_per_identity").fields()
                .forEachRemaining(e -> counts.put(e.getKey(), e.getValue().asLong()));
        return counts;
    }

    @Test
    void shouldRecountAFormatTwoReportAsItCountedRecordsWithoutIdentity() throws IOException {
        Path dir = tmp.resolve("format2");
        List<NormalizedEvent> events = new ArrayList<>(SampleData.events());
        events.add(NormalizedEvent.builder(SampleData.DAY.plusSeconds(3600 * 23 + 30), "ev-anonymous", NormalizedEvent.DATASET_LOG)
                .category("web").action("index").build());
        new ReportExporter(SampleData.source(events, SampleData.alerts()), ReportProgress.NONE, Clock.systemUTC())
                .export(QUERY, EnumSet.of(ReportFormat.JSONL), dir, Optional.empty());
        editManifest(dir, manifest -> {
            manifest.put("airlock_report", 2);
            var perIdentity = manifest.with("summary").with("events_per_identity");
            perIdentity.set(KeyCounts.FORMAT_2_NONE, perIdentity.remove(KeyCounts.NONE));
        });

        assertThat(verify(dir)).isEqualTo("intact");
    }

    @Test
    void shouldStillRefuseOtherSummaryCountsAndSourcesOfAFormatOneReport() throws IOException {
        Path dir = export(EnumSet.of(ReportFormat.JSONL), Optional.empty());
        editManifest(dir, manifest -> {
            manifest.put("airlock_report", 1);
            manifest.with("summary").put("alerts", 0);
        });

        assertThat(verify(dir)).isEqualTo("manifest.json: summary.alerts is 0, the records give 2 (manifest altered)");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "airlock_report missing | | manifest.json: airlock_report is missing, not a report format this version reads (1 to 3; manifest altered?)",
        "airlock_report text | \"latest\" | manifest.json: airlock_report is \"latest\", not a report format this version reads (1 to 3; manifest altered?)",
        "airlock_report unknown | 4 | manifest.json: airlock_report is 4, not a report format this version reads (1 to 3; manifest altered?)"})
    void shouldRefuseAManifestFormatItDoesNotKnow(String name, String version, String expected) throws IOException {
        Path dir = export(EnumSet.of(ReportFormat.JSONL), Optional.empty());
        editManifest(dir, manifest -> {
            manifest.remove("airlock_report");
            if (version != null) {
                manifest.set("airlock_report", Json.tree(version));
            }
        });

        assertThat(verify(dir)).isEqualTo(expected);
    }

    @Test
    void shouldRefuseManifestFactsThatContradictTheFiles() throws IOException {
        Path genesis = export(EnumSet.of(ReportFormat.JSONL), Optional.empty(), "genesis");
        editManifest(genesis, manifest -> manifest.with("chain").put("genesis", "1".repeat(64)));
        assertThat(verify(genesis)).isEqualTo("manifest.json: chain.genesis is not the genesis every chain starts from (manifest altered)");

        Path count = export(EnumSet.of(ReportFormat.JSONL), Optional.empty(), "count");
        editManifest(count, manifest -> manifest.with("chain").put("records", 200));
        assertThat(verify(count)).startsWith("manifest.json: chain.records is 200, the files hold ");

        Path bytes = export(EnumSet.of(ReportFormat.CSV), Optional.empty(), "bytes");
        editManifest(bytes, manifest -> ((ObjectNode) manifest.withArray("files").get(0)).put("bytes", 1));
        assertThat(verify(bytes)).matches("file events.csv has \\d+ bytes, the manifest lists 1 \\(manifest altered\\)");

        Path format = export(EnumSet.of(ReportFormat.CSV), Optional.empty(), "format");
        editManifest(format, manifest -> ((ObjectNode) manifest.withArray("files").get(0)).put("format", "jsonl"));
        assertThat(verify(format)).isEqualTo("file events.csv is listed with format 'jsonl' (manifest altered)");
    }

    @Test
    void shouldRecordTheQuerySourcesAndChainHeadInTheManifest() throws IOException {
        Path dir = export(EnumSet.of(ReportFormat.JSONL), Optional.empty());

        var manifest = Json.tree(Files.readString(dir.resolve(Manifest.FILE)));

        assertThat(manifest.path("query").path("from").asText()).isEqualTo("2026-11-02T00:00:00Z");
        assertThat(manifest.path("query").path("events").path("index").asText()).isEqualTo("test-events-*");
        assertThat(manifest.path("sources").toString())
                .contains("{\"source\":\"postgres:airflow\",\"events\":8,\"first_position\":1000,\"last_position\":1200}")
                .contains("{\"source\":\"vault-file:42\",\"events\":4,\"first_position\":0,\"last_position\":1500}");
        String lastAlertLine = Files.readAllLines(dir.resolve("alerts.jsonl")).get(1);
        assertThat(lastAlertLine).contains("\"hash\":\"" + manifest.path("chain").path("head").asText() + "\"");
        assertThat(manifest.path("summary").path("logins_failed").asLong()).isEqualTo(5);
        assertThat(manifest.path("summary").path("secret_reads").asLong()).as("the denied read disclosed nothing").isEqualTo(3);
        assertThat(manifest.path("summary").path("changes").asLong()).isEqualTo(2);
    }

    @Test
    void shouldRefuseANonEmptyDirectory() throws IOException {
        Path dir = tmp.resolve("report");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("old.txt"), "x");

        assertThatThrownBy(() -> new ReportExporter(SampleData.source(List.of(), List.of()),
                        ReportProgress.NONE, Clock.systemUTC()).export(QUERY, EnumSet.of(ReportFormat.JSONL), dir, Optional.empty()))
                .hasMessageContaining("is not empty");
    }

    @Test
    void shouldLeaveNothingBehindWhenTheExportFails() throws IOException {
        RecordSource down = new RecordSource() {
            @Override
            public void read(RecordKind kind, ReportQuery query, java.util.function.LongConsumer total,
                    java.util.function.Consumer<ReportRecord> sink) throws IOException {
                throw new IOException("OpenSearch is not reachable");
            }

            @Override
            public String indexOf(RecordKind kind) {
                return "test-" + kind.label();
            }
        };
        Path created = tmp.resolve("new-report");
        Path empty = Files.createDirectories(tmp.resolve("empty-report"));

        for (Path dir : List.of(created, empty)) {
            assertThatThrownBy(() -> new ReportExporter(down, ReportProgress.NONE, Clock.systemUTC())
                    .export(QUERY, EnumSet.of(ReportFormat.CSV), dir, Optional.empty())).hasMessage("OpenSearch is not reachable");
        }

        assertThat(created).as("made by the export, removed").doesNotExist();
        assertThat(empty).as("given empty, left empty: the retry can use it").isEmptyDirectory();
        try (var left = Files.list(tmp)) {
            assertThat(left.map(p -> p.getFileName().toString())).as("no partial report left").containsExactly("empty-report");
        }
        assertThat(verify(tmp.resolve("nowhere"))).endsWith("nowhere does not exist");
    }
}
