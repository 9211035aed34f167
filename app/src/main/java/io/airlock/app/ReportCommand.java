package io.airlock.app;

import io.airlock.alerting.OpenSearchClients;
import io.airlock.alerting.OpenSearchSettings;
import io.airlock.app.config.AirlockConfig;
import io.airlock.app.config.ReportFields;
import io.airlock.core.PrintableText;
import io.airlock.core.config.ConfigException;
import io.airlock.core.config.ConfigSource;
import io.airlock.report.ManifestSignature;
import io.airlock.report.OpenSearchRecords;
import io.airlock.report.ReportExporter;
import io.airlock.report.ReportFormat;
import io.airlock.report.ReportProgress;
import io.airlock.report.ReportQuery;
import io.airlock.report.ReportVerifier;
import io.airlock.streams.detect.RuleDefinition;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code airlock report}: the events and alerts of a period, exported from OpenSearch into a tamper-evident report (hash
 * chain over the records, {@code manifest.json} with every file's SHA-256, signed when {@code report.signing-key} is set);
 * {@code airlock report verify DIR} checks one. See docs/report.md.
 */
@Command(name = "report", mixinStandardHelpOptions = true, subcommands = ReportCommand.Verify.class,
        description = {"Export the events and alerts of a period from OpenSearch as a tamper-evident compliance report",
                "(hash-chained records, manifest.json with SHA-256 of every file, optional Ed25519 signature).",
                "Exit 0 when written, 1 on a problem, 2 on a usage error. Check a report with: airlock report verify DIR"})
final class ReportCommand implements Callable<Integer> {

    @Option(names = "--from", paramLabel = "TIME", description = "Start of the period, inclusive: 2026-11-01 (UTC midnight) or 2026-11-01T08:00:00Z; truncated to the millisecond.")
    String from;

    @Option(names = "--to", paramLabel = "TIME", description = "End of the period, exclusive: 2026-12-01 or an instant; truncated to the millisecond.")
    String to;

    @Option(names = "--rules", split = ",", paramLabel = "RULE", description = "Only alerts of these rules (AL-001,AL-010); events are not filtered by rule.")
    List<String> rules = List.of();

    @Option(names = "--users", split = ",", paramLabel = "USER", description = "Only events and alerts of these users or Vault identities (exact, case-sensitive). Alerts match on their entity: for a Vault identity's alerts give its entity id.")
    List<String> users = List.of();

    @Option(names = "--format", split = ",", paramLabel = "FORMAT", defaultValue = "jsonl",
            description = "csv, jsonl, html, pdf; several comma-separated (default ${DEFAULT-VALUE}). Records go to CSV if csv is given, else JSON lines; html and pdf add a summary with charts.")
    List<String> formats;

    @Option(names = "--out", paramLabel = "DIR", description = "New or empty directory to write the report into.")
    Path out;

    @Option(names = "--config", paramLabel = "FILE", description = "airlock.yml with the OpenSearch connection and report settings (default: localhost).")
    Path config;

    private final Map<String, String> env;
    private final PrintStream stdout;
    private final PrintStream stderr;

    ReportCommand() {
        this(System.getenv(), System.out, System.err);
    }

    /** For tests: a given environment and output streams. */
    ReportCommand(Map<String, String> env, PrintStream stdout, PrintStream stderr) {
        this.env = Map.copyOf(env);
        this.stdout = stdout;
        this.stderr = stderr;
    }

    @Override
    public Integer call() {
        if (from == null || to == null || out == null) {
            stderr.println("airlock report: --from, --to and --out are required (or: airlock report verify DIR)");
            return 2;
        }
        ReportQuery query;
        Set<ReportFormat> wanted = EnumSet.noneOf(ReportFormat.class);
        Instant fromGiven;
        Instant toGiven;
        try {
            fromGiven = time(from, "--from");
            toGiven = time(to, "--to");
            query = new ReportQuery(fromGiven, toGiven, ruleIds(rules), users);
            formats.forEach(f -> wanted.add(ReportFormat.parse(f)));
        } catch (IllegalArgumentException e) {
            stderr.println("airlock report: " + e.getMessage());
            return 2;
        }
        if (wanted.contains(ReportFormat.CSV) && wanted.contains(ReportFormat.JSONL)) {
            stderr.println("airlock report: the records are written as CSV only (events.csv, alerts.csv), not also as JSON "
                    + "lines: a report holds each record once, in one hash chain; for .jsonl files, export a second report "
                    + "with --format jsonl");
        }
        if (!query.from().equals(fromGiven) || !query.to().equals(toGiven)) {
            stderr.println("airlock report: OpenSearch keeps times in milliseconds: the period is [" + query.from() + ", "
                    + query.to() + "), --from and --to truncated to the millisecond (as the manifest states it)");
        }
        try {
            ReportExporter.checkTarget(out); // a directory that already holds something is the caller's mistake
        } catch (IOException e) {
            stderr.println("airlock report: --out: " + e.getMessage());
            return 2;
        }
        AirlockConfig loaded;
        try {
            // only the OpenSearch connection and the report settings are used: other parts' secrets may be missing here
            loaded = config == null ? AirlockConfig.load(null, env)
                    : AirlockConfig.from(ConfigSource.fromFile(config, env).withSecretsOnlyUnder("opensearch.", "report."));
        } catch (ConfigException e) {
            stderr.println(e.getMessage());
            stderr.println("report: it uses only the opensearch.* and report.* settings, and reads no other secret, but the "
                    + "rest of the file must check out too");
            return 1;
        }
        try {
            return export(loaded.openSearch(), query, wanted, out, ReportFields.signer(loaded.values()),
                    loaded.values().get(ReportFields.PAGE_SIZE), ReportProgress.forStderr(stderr));
        } catch (IOException | RuntimeException e) {
            stderr.println("airlock report: failed: " + loaded.redact(FailureMessages.ofOpenSearchWork(e, loaded.openSearch())));
            if (config == null && FailureMessages.unreachable(e)) {
                stderr.println("airlock report: without --config it reads the OpenSearch of the defaults, on localhost; for "
                        + "yours: airlock report --config airlock.yml (opensearch.urls) …");
            }
            return 1;
        }
    }

    /** Writes a report and says what was written; used by {@code airlock demo --report} too. */
    int export(OpenSearchSettings openSearch, ReportQuery query, Set<ReportFormat> wanted, Path dir,
            Optional<ManifestSignature> signer, int pageSize, ReportProgress progress) throws IOException {
        var client = OpenSearchClients.create(openSearch);
        try {
            var result = new ReportExporter(new OpenSearchRecords(client, openSearch, pageSize), progress, Clock.systemUTC())
                    .export(query, wanted, dir, signer);
            stdout.printf("Report of %s to %s written to %s: %s, %s; files %s%n", query.from(), query.to(), dir,
                    Counted.of(result.events(), "event"), Counted.of(result.alerts(), "alert"), String.join(", ", result.files()));
            stdout.println(anchorLine(dir, result.chainHead(), signer.isPresent()));
            var entities = result.summary().vaultEntitiesNotSelected();
            if (!entities.isEmpty()) {
                stdout.println(PrintableText.of("note: the selected Vault events carry the entity ids " + String.join(", ", entities)
                        + "; alerts of Vault rules are keyed by entity id (not the display name) and were selected only if "
                        + "given in --users: add them to --users for those alerts"));
            }
            return 0;
        } finally {
            client._transport().close();
        }
    }

    /**
     * What to keep of a report written just now. The chain head covers the records only: the query (period and filters), the
     * summary and the documents' hashes are in the manifest, which whoever holds the report can rewrite (a {@code --users
     * alice} report relabelled as unfiltered keeps its chain head). So the anchor of an unsigned report is the manifest's
     * SHA-256, and the advice is to keep that, or to sign.
     */
    static String anchorLine(Path dir, String chainHead, boolean signed) {
        String manifestSha = manifestSha256(dir);
        if (signed) {
            return "manifest signed (Ed25519); manifest.json SHA-256 " + manifestSha + "; chain head " + chainHead;
        }
        return "manifest NOT signed: keep its SHA-256 " + manifestSha + " where the report's custodian cannot change it, and "
                + "compare it with what 'airlock report verify' prints (better: sign reports, report.signing-key-file); chain "
                + "head " + chainHead + " (covers the records only, not the period, filters or summary)";
    }

    /**
     * {@code airlock demo --report DIR}: every format, the demo's whole run (a day either side of {@code now}), signed with a
     * key made for the occasion (its public key is in the manifest). Returns the exit code.
     */
    static int writeDemoReport(OpenSearchSettings openSearch, Path dir, PrintStream out) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS); // OpenSearch's precision: the manifest states what was selected
        var query = new ReportQuery(now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(1)), List.of(), List.of());
        try {
            out.println();
            ManifestSignature key = ManifestSignature.generate();
            int exit = new ReportCommand(Map.of(), out, System.err).export(openSearch, query, ReportExporter.allFormats(), dir,
                    Optional.of(key), 1000, ReportProgress.NONE);
            if (exit == 0) {
                out.println(publicKeyNote(dir, writePublicKey(dir, key)));
            }
            return exit;
        } catch (IOException | RuntimeException e) {
            out.println("FAILED: report not written: " + e.getMessage());
            return 1;
        }
    }

    /**
     * Writes the public key (never the private one) of a report's signing key next to the report directory, as
     * {@code DIR.public-key.pem}: not inside it, where verification would find a file the manifest does not list.
     */
    static Path writePublicKey(Path dir, ManifestSignature key) throws IOException {
        Path absolute = dir.toAbsolutePath().normalize();
        Path pem = absolute.resolveSibling(absolute.getFileName() + ".public-key.pem");
        Files.writeString(pem, key.publicKeyPem());
        return pem;
    }

    /** What a demo report was signed with and how to check it against that key. */
    static String publicKeyNote(Path dir, Path publicKey) {
        return "signed with a key made for this demo (the private key is not kept); its public key is in " + publicKey
                + System.lineSeparator() + "verify: ./airlock report verify " + dir + " --public-key " + publicKey;
    }

    /** The rule ids of {@code --rules}, upper case; one that is not in the catalogue is a usage error, not an empty report. */
    static List<String> ruleIds(List<String> given) {
        try {
            return given.stream().map(RuleDefinition::knownId).toList();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--rules: " + e.getMessage(), e);
        }
    }

    /** {@code 2026-11-01} (midnight UTC) or an ISO-8601 instant. */
    static Instant time(String text, String option) {
        try {
            return text.length() == 10 ? LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant() : Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(option + " '" + text + "' is neither a date (2026-11-01) nor an instant (2026-11-01T08:00:00Z)");
        }
    }

    /**
     * Hex SHA-256 of the DER (X.509) public key in a verified manifest, as {@code openssl pkey -pubin -in KEY.pem -outform DER
     * | sha256sum} prints it for the expected key.
     */
    static String signingKeyFingerprint(Path dir) {
        try {
            String base64 = io.airlock.core.Json.tree(Files.readString(dir.resolve(io.airlock.report.Manifest.FILE)))
                    .path("signature").path("public_key").asText();
            return io.airlock.report.HashChain.sha256Hex(java.util.Base64.getDecoder().decode(base64));
        } catch (IOException | RuntimeException e) {
            return "(unreadable)";
        }
    }

    /** Hex SHA-256 of a report's {@code manifest.json}, as {@code sha256sum DIR/manifest.json} prints it. */
    static String manifestSha256(Path dir) {
        try {
            return io.airlock.report.Manifest.sha256(dir.resolve(io.airlock.report.Manifest.FILE));
        } catch (IOException e) {
            return "(unreadable)";
        }
    }

    /** {@code airlock report verify DIR}. */
    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = {"Check a report against its manifest: every file's SHA-256, the hash chain record by record, the signature.",
                    "Exit 0 when intact, 1 naming the first altered, removed or reordered record or file, 2 on a usage error "
                            + "(DIR missing or not a report directory, an unreadable --public-key)."})
    static final class Verify implements Callable<Integer> {

        @Parameters(paramLabel = "DIR", description = "The report directory (with manifest.json).")
        Path dir;

        @Option(names = "--public-key", paramLabel = "FILE", description = "PEM public key the manifest must be signed with (openssl pkey -pubout).")
        Path publicKey;

        PrintStream stdout = System.out;

        @Override
        public Integer call() throws IOException {
            Optional<PublicKey> pinned = Optional.empty();
            if (publicKey != null) {
                try {
                    pinned = Optional.of(ManifestSignature.publicKeyFromPem(Files.readString(publicKey)));
                } catch (java.nio.file.NoSuchFileException e) {
                    stdout.println("FAILED: the public key " + PrintableText.of(publicKey.toString()) + " does not exist");
                    return 2;
                } catch (IOException e) {
                    stdout.println("FAILED: cannot read the public key " + PrintableText.of(publicKey.toString()) + ": "
                            + (Files.isDirectory(publicKey) ? "it is a directory" : e.getClass().getSimpleName()));
                    return 2;
                } catch (IllegalArgumentException e) {
                    stdout.println("FAILED: cannot read the public key " + publicKey + ": " + e.getMessage());
                    return 2;
                }
            }
            Optional<String> notAReport = notAReport(dir);
            if (notAReport.isPresent()) {
                stdout.println("FAILED: " + PrintableText.of(dir.toString()) + " " + notAReport.get());
                return 2;
            }
            ReportVerifier.Verification verification;
            try {
                verification = ReportVerifier.verify(dir, pinned);
            } catch (IOException | RuntimeException e) {
                stdout.println("FAILED: " + PrintableText.of(dir.toString()) + ": cannot be read (" + e.getClass().getSimpleName() + ")");
                return 1;
            }
            if (verification.intact()) {
                String signature;
                if (!verification.signed()) {
                    // the chain head covers the records only: a relabelled query or an edited summary keeps it
                    signature = "not signed (this proves internal consistency only: compare manifest.json's SHA-256 "
                            + manifestSha256(dir) + " with the one kept when the report was written; sign reports with "
                            + "report.signing-key-file)";
                } else if (pinned.isPresent()) {
                    signature = "signature valid (by the given public key)";
                } else {
                    // without a pinned key, anyone who rewrote the report can also have re-signed it with a key of their own
                    signature = "signature valid, by the key the manifest carries, SHA-256 " + signingKeyFingerprint(dir)
                            + "; not pinned: pass --public-key to require the key you expect";
                }
                String counts = verification.recounted() ? "summary matches the records"
                        : "summary NOT confirmed: " + verification.countsNote().orElse("?") + " (a format 1 report, which "
                                + "counted denied Vault reads as secret reads: an altered summary cannot be told apart)";
                // the records are in the data files only: report.html and report.pdf are checked, but hold none
                stdout.printf("OK: %s is intact: %s in %s; %s checked, hash chain complete, %s, %s%n",
                        PrintableText.of(dir.toString()), Counted.of(verification.records(), "record"),
                        Counted.of(verification.recordFiles(), "record file"), Counted.of(verification.files(), "file"),
                        PrintableText.of(counts), signature);
                verification.scope().ifPresent(scope -> stdout.println("    " + PrintableText.of(scopeLine(scope))));
                return 0;
            }
            // file names come from the directory and the manifest: no control character may rewrite the terminal's lines
            stdout.println("FAILED: " + PrintableText.of(dir + ": " + verification.problem().orElseThrow()));
            return 1;
        }

        /**
         * What the intact report vouches for: an intact report of another period, of some users or rules only, or an older
         * one, verifies as well, so the auditor has to compare this with the report they asked for.
         */
        static String scopeLine(ReportVerifier.Scope scope) {
            return "covers [" + scope.from() + ", " + scope.to() + "), users: "
                    + (scope.users().isEmpty() ? "all" : String.join(", ", scope.users())) + ", rules: "
                    + (scope.rules().isEmpty() ? "all" : String.join(", ", scope.rules())) + "; generated at " + scope.generatedAt()
                    + " (compare with the report you asked for)";
        }

        /**
         * Why {@code dir} is no report to verify (a usage error), if it is not: it does not exist, is not a directory, or has
         * neither a manifest nor any file a report has. A directory with report files but no manifest is a report whose
         * manifest was removed: that is found by the verification (exit 1), as any other tampering.
         */
        static Optional<String> notAReport(Path dir) throws IOException {
            if (!Files.exists(dir)) {
                return Optional.of("does not exist");
            }
            if (!Files.isDirectory(dir)) {
                return Optional.of("is not a directory: give the report's directory (with " + io.airlock.report.Manifest.FILE + ")");
            }
            if (Files.exists(dir.resolve(io.airlock.report.Manifest.FILE))) {
                return Optional.empty();
            }
            try (var files = Files.list(dir)) {
                boolean reportFiles = files.map(f -> f.getFileName().toString())
                        .anyMatch(n -> n.matches("(events|alerts)\\.(jsonl|csv)|report\\.(html|pdf)"));
                return reportFiles ? Optional.empty()
                        : Optional.of("is not a report directory: it has no " + io.airlock.report.Manifest.FILE + " and no report files");
            }
        }
    }
}
