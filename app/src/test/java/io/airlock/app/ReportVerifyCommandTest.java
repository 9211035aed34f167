package io.airlock.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.report.HashChain;
import io.airlock.report.ManifestSignature;
import io.airlock.report.RecordKind;
import io.airlock.report.RecordSource;
import io.airlock.report.ReportExporter;
import io.airlock.report.ReportFormat;
import io.airlock.report.ReportProgress;
import io.airlock.report.ReportQuery;
import io.airlock.report.ReportRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** What {@code airlock report verify} tells an auditor about the signature, without OpenSearch. */
class ReportVerifyCommandTest {

    private static final Instant T0 = Instant.parse("2026-10-05T09:00:00Z");

    @TempDir
    Path tmp;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private Path report(Optional<ManifestSignature> key) throws IOException {
        return report(key, new ReportQuery(T0, T0.plusSeconds(3600), List.of(), List.of()), Clock.systemUTC());
    }

    private Path report(Optional<ManifestSignature> key, ReportQuery query, Clock clock) throws IOException {
        return report(key, query, clock, EnumSet.of(ReportFormat.JSONL));
    }

    private Path report(Optional<ManifestSignature> key, ReportQuery query, Clock clock, Set<ReportFormat> formats)
            throws IOException {
        RecordSource source = new RecordSource() {
            @Override
            public void read(RecordKind kind, ReportQuery query, LongConsumer total, Consumer<ReportRecord> sink) {
                if (kind == RecordKind.EVENTS) {
                    sink.accept(new ReportRecord(kind, Map.of("@timestamp", T0.toString(), "event.id", "ev-1", "user.name", "alice")));
                }
            }

            @Override
            public String indexOf(RecordKind kind) {
                return kind.label();
            }
        };
        Path dir = tmp.resolve("report");
        new ReportExporter(source, ReportProgress.NONE, clock).export(query, formats, dir, key);
        return dir;
    }

    private int verify(String... args) {
        var verify = new ReportCommand.Verify();
        verify.stdout = new PrintStream(out, true, StandardCharsets.UTF_8);
        return new CommandLine(verify).execute(args);
    }

    @Test
    void shouldNameTheSigningKeyWhenNoneIsPinnedSinceAnyoneCanReSign() throws IOException {
        ManifestSignature key = ManifestSignature.generate();
        Path dir = report(Optional.of(key));

        assertThat(verify(dir.toString())).isZero();

        String fingerprint = HashChain.sha256Hex(Base64.getDecoder().decode(key.publicKeyBase64()));
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("OK: ").contains(fingerprint).contains("--public-key");
    }

    @Test
    void shouldSayWhatPeriodFiltersAndDateTheIntactReportCovers() throws IOException {
        Path filtered = report(Optional.empty(), new ReportQuery(T0, T0.plusSeconds(600), List.of("AL-001"), List.of("alice")),
                Clock.fixed(Instant.parse("2026-10-06T07:30:00Z"), java.time.ZoneOffset.UTC));

        assertThat(verify(filtered.toString())).isZero();

        assertThat(out.toString(StandardCharsets.UTF_8).lines()).hasSize(2).element(1).isEqualTo("    covers "
                + "[2026-10-05T09:00:00Z, 2026-10-05T09:10:00Z), users: alice, rules: AL-001; generated at 2026-10-06T07:30:00Z "
                + "(compare with the report you asked for)");
        assertThat(ReportCommand.Verify.scopeLine(new io.airlock.report.ReportVerifier.Scope("a", "b", List.of(), List.of(), "c")))
                .startsWith("covers [a, b), users: all, rules: all; generated at c");
    }

    @Test
    void shouldCountTheFilesThatHoldTheRecordsApartFromTheFilesChecked() throws IOException {
        Path dir = report(Optional.empty(), new ReportQuery(T0, T0.plusSeconds(3600), List.of(), List.of()), Clock.systemUTC(),
                EnumSet.of(ReportFormat.JSONL, ReportFormat.HTML));

        assertThat(verify(dir.toString())).isZero();

        assertThat(out.toString(StandardCharsets.UTF_8)).contains("is intact: 1 record in 2 record files; 3 files checked, ");
        assertThat(Counted.of(1, "record file")).isEqualTo("1 record file");
        assertThat(Counted.of(0, "alert")).isEqualTo("0 alerts");
    }

    @Test
    void shouldSayThatAnUnsignedReportProvesInternalConsistencyOnly() throws IOException {
        Path dir = report(Optional.empty());

        assertThat(verify(dir.toString())).isZero();

        assertThat(out.toString(StandardCharsets.UTF_8)).contains("not signed").contains("internal consistency only");
    }

    @Test
    void shouldAnchorAnUnsignedReportOnTheManifestsSha256SinceTheChainHeadCoversOnlyTheRecords() throws IOException {
        Path dir = report(Optional.empty(), new ReportQuery(T0, T0.plusSeconds(3600), List.of(), List.of("alice")), Clock.systemUTC());
        String written = io.airlock.report.Manifest.sha256(dir.resolve("manifest.json"));
        String chainHead = io.airlock.core.Json.tree(Files.readString(dir.resolve("manifest.json"))).path("chain").path("head").asText();

        assertThat(ReportCommand.anchorLine(dir, chainHead, false)).startsWith("manifest NOT signed: keep its SHA-256 " + written)
                .contains("report.signing-key-file").contains("chain head " + chainHead + " (covers the records only");
        assertThat(verify(dir.toString())).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("compare manifest.json's SHA-256 " + written)
                .doesNotContain("compare the chain head");

        // the reviewer's relabelling: a --users alice report made to look unfiltered keeps its chain head and verifies,
        // but not with the manifest's SHA-256 the operator kept
        Path manifest = dir.resolve("manifest.json");
        Files.writeString(manifest, Files.readString(manifest).replaceFirst("\"users\" : \\[ \"alice\" \\]", "\"users\" : [ ]"));
        out.reset();
        assertThat(verify(dir.toString())).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("users: all").doesNotContain(written)
                .contains("compare manifest.json's SHA-256 " + io.airlock.report.Manifest.sha256(manifest));
    }

    @Test
    void shouldConfirmThePinnedKey() throws IOException {
        ManifestSignature key = ManifestSignature.generate();
        Path dir = report(Optional.of(key));
        Path pem = Files.writeString(tmp.resolve("pub.pem"), key.publicKeyPem());

        assertThat(verify(dir.toString(), "--public-key", pem.toString())).isZero();

        assertThat(out.toString(StandardCharsets.UTF_8)).contains("signature valid (by the given public key)");
    }

    @Test
    void shouldExitTwoForAPathThatIsNoReportAndOneForATamperedReport() throws IOException {
        Path dir = report(Optional.empty());
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Path file = Files.writeString(tmp.resolve("file.txt"), "x");

        assertThat(verify(tmp.resolve("nonexistent").toString())).isEqualTo(2);
        assertThat(verify(empty.toString())).isEqualTo(2);
        assertThat(verify(file.toString())).isEqualTo(2);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("nonexistent does not exist",
                empty + " is not a report directory: it has no manifest.json and no report files", file + " is not a directory");

        Files.delete(dir.resolve("manifest.json"));
        assertThat(verify(dir.toString())).as("a report whose manifest was removed: tampered").isEqualTo(1);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("manifest.json is missing");
    }

    @Test
    void shouldWriteTheDemoReportsPublicKeyNextToItSoTheVerifyCommandItPrintsWorks() throws IOException {
        ManifestSignature key = ManifestSignature.generate();
        Path dir = report(Optional.of(key));

        Path pem = ReportCommand.writePublicKey(dir, key);
        String note = ReportCommand.publicKeyNote(dir, pem);

        assertThat(pem).isEqualTo(dir.toAbsolutePath().resolveSibling("report.public-key.pem"));
        assertThat(Files.readString(pem)).contains("PUBLIC KEY").doesNotContain("PRIVATE");
        assertThat(note).contains("verify: ./airlock report verify " + dir + " --public-key " + pem);
        String[] command = note.substring(note.indexOf("verify: ./airlock report verify ") + "verify: ./airlock report verify ".length())
                .strip().split(" ");
        assertThat(verify(command)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("signature valid (by the given public key)");
    }

    @Test
    void shouldSayThePublicKeyFileDoesNotExistOrIsADirectory() throws IOException {
        Path dir = report(Optional.empty());

        assertThat(verify(dir.toString(), "--public-key", tmp.resolve("nope.pem").toString())).isEqualTo(2);
        assertThat(verify(dir.toString(), "--public-key", tmp.toString())).isEqualTo(2);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("FAILED: the public key " + tmp.resolve("nope.pem") + " does not exist\n",
                "FAILED: cannot read the public key " + tmp + ": it is a directory");
    }

    @Test
    void shouldRefuseADemoReportDirectoryThatIsNotEmptyBeforeTheDemoStarts() throws IOException {
        Path full = Files.createDirectories(tmp.resolve("full"));
        Files.writeString(full.resolve("old.txt"), "x");
        var err = new ByteArrayOutputStream();
        var stdout = new ByteArrayOutputStream();
        PrintStream stderr = System.err;
        PrintStream console = System.out;
        int exit;
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
            exit = new CommandLine(new DemoCommand()).execute("--report", full.toString());
        } finally {
            System.setErr(stderr);
            System.setOut(console);
        }

        assertThat(exit).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("demo: --report:", "is not empty");
        assertThat(stdout.toString(StandardCharsets.UTF_8)).as("refused before the demo started").doesNotContain("Airlock demo");
    }
}
