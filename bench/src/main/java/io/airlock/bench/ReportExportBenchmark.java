package io.airlock.bench;

import io.airlock.alerting.IndexItem;
import io.airlock.alerting.IndexTemplates;
import io.airlock.alerting.OpenSearchClients;
import io.airlock.alerting.OpenSearchSettings;
import io.airlock.core.IndexNames;
import io.airlock.core.NormalizedEvent;
import io.airlock.embedded.EmbeddedOpenSearch;
import io.airlock.report.ManifestSignature;
import io.airlock.report.OpenSearchRecords;
import io.airlock.report.ReportExporter;
import io.airlock.report.ReportFormat;
import io.airlock.report.ReportProgress;
import io.airlock.report.ReportQuery;
import io.airlock.report.ReportVerifier;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch.core.bulk.BulkOperation;

/**
 * Report export at scale: indexes {@code n} small events (default 1 000 000) into an embedded OpenSearch node, then exports
 * them, with every format, in a child JVM limited to {@code -Xmx512m}, and verifies the result. Prints records/s of the
 * export and of the verification and the child's peak heap (sum of the heap pools' peaks, an upper bound). The export
 * streams (point in time + {@code search_after}, one page in memory), so the peak does not grow with {@code n}; a child
 * that ran out of memory fails the run. Not a test: it prints figures.
 *
 * <pre>{@code mvn -B -o -q install -pl bench -DskipTests
 * java -cp "bench/target/airlock-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*" io.airlock.bench.ReportExportBenchmark 1000000}</pre>
 */
public final class ReportExportBenchmark {

    private static final int BATCH = 5_000;
    private static final Instant T0 = Instant.parse("2026-03-01T00:00:00Z");
    private static final String[] USERS = {"alice", "bob", "carol", "dave", "svc-etl", "svc-backup"};

    private ReportExportBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        BenchSuite.useBenchLogging();
        if (args.length > 0 && args[0].equals("--export")) {
            exportInThisJvm(URI.create(args[1]), args[2], Path.of(args[3]));
            return;
        }
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        try (EmbeddedOpenSearch openSearch = EmbeddedOpenSearch.start()) {
            String prefix = "bench-report-" + Long.toString(System.nanoTime() % 1_000_000, 36);
            long t0 = System.nanoTime();
            index(openSearch.httpUri(), prefix, n);
            System.out.printf(Locale.ROOT, "indexed %,d events in %.1f s%n", n, (System.nanoTime() - t0) / 1e9);
            Path out = Files.createTempDirectory("airlock-report-bench").resolve("report");
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process child = new ProcessBuilder(java, "-Xmx512m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                    ReportExportBenchmark.class.getName(), "--export", openSearch.httpUri().toString(), prefix, out.toString())
                    .inheritIO().start();
            int exit = child.waitFor();
            if (exit != 0) {
                System.out.println("FAILED: the export in a 512 MB heap exited with " + exit);
                System.exit(1);
            }
            long bytes;
            try (var files = Files.list(out)) {
                bytes = files.mapToLong(f -> f.toFile().length()).sum();
            }
            System.out.printf(Locale.ROOT, "report size %.1f MB in %s%n", bytes / 1e6, out);
            io.airlock.core.Directories.deleteRecursively(out.getParent());
        }
    }

    /** The child: export and verify with the heap given on its command line, then print the figures. */
    private static void exportInThisJvm(URI url, String prefix, Path out) throws Exception {
        resetPeaks();
        OpenSearchSettings settings = OpenSearchSettings.local(url).withIndexPrefix(prefix);
        OpenSearchClient client = OpenSearchClients.create(settings);
        try {
            var query = new ReportQuery(T0, T0.plus(Duration.ofDays(4)), List.of(), List.of());
            long start = System.nanoTime();
            var result = new ReportExporter(new OpenSearchRecords(client, settings, 1000), new ReportProgress.Lines(System.err, 10_000),
                    Clock.systemUTC()).export(query, EnumSet.allOf(ReportFormat.class), out, Optional.of(ManifestSignature.generate()));
            double exportSeconds = (System.nanoTime() - start) / 1e9;
            long exportPeak = heapPeakBytes();
            System.gc();
            long live = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
            start = System.nanoTime();
            var verification = ReportVerifier.verify(out, Optional.empty());
            double verifySeconds = (System.nanoTime() - start) / 1e9;
            if (!verification.intact()) {
                throw new IllegalStateException("report does not verify: " + verification.problem().orElseThrow());
            }
            long max = Runtime.getRuntime().maxMemory();
            System.out.printf(Locale.ROOT, "%nReport export: %,d events + %,d alerts in %.1f s = %,.0f records/s (csv + html + pdf, signed); "
                    + "peak heap %.0f MB of max %.0f MB (live after GC %.0f MB)%n", result.events(), result.alerts(), exportSeconds,
                    result.events() / exportSeconds, exportPeak / 1e6, max / 1e6, live / 1e6);
            System.out.printf(Locale.ROOT, "Report verify: %,d records in %.1f s = %,.0f records/s; peak heap (export and verify) %.0f MB%n",
                    verification.records(), verifySeconds, verification.records() / verifySeconds, heapPeakBytes() / 1e6);
            System.out.printf(Locale.ROOT, "{\"report_export_records_per_s\": %.0f, \"report_export_peak_heap_mb\": %.0f, "
                    + "\"report_verify_records_per_s\": %.0f, \"report_records\": %d}%n", result.events() / exportSeconds,
                    exportPeak / 1e6, verification.records() / verifySeconds, result.events());
        } finally {
            client._transport().close();
        }
    }

    private static void index(URI url, String prefix, int n) throws Exception {
        OpenSearchSettings settings = OpenSearchSettings.local(url).withIndexPrefix(prefix);
        OpenSearchClient client = OpenSearchClients.create(settings);
        try {
            IndexNames names = settings.indexNames();
            new IndexTemplates(client, settings).install();
            for (int from = 0; from < n; from += BATCH) {
                List<BulkOperation> operations = new ArrayList<>(BATCH);
                for (int i = from; i < Math.min(n, from + BATCH); i++) {
                    IndexItem item = IndexItem.event(names, event(i, n));
                    operations.add(BulkOperation.of(op -> op.index(ix -> ix.index(item.index()).id(item.id()).document(item.document()))));
                }
                var response = client.bulk(b -> b.operations(operations));
                if (response.errors()) {
                    throw new IllegalStateException("bulk indexing reported errors");
                }
            }
            client.indices().refresh(r -> r.index(names.eventsPattern()));
            long count = client.count(c -> c.index(names.eventsPattern())).count();
            if (count != n) {
                throw new IllegalStateException("indexed " + count + " of " + n);
            }
        } finally {
            client._transport().close();
        }
    }

    /** Small events over three days: Airflow changes, logins and Vault reads, with source positions. */
    private static NormalizedEvent event(int i, int n) {
        Instant at = T0.plus(Duration.ofMillis(i * (3L * 86_400_000) / n));
        String user = USERS[i % USERS.length];
        String id = String.format(Locale.ROOT, "%032x", (long) i * 2_654_435_761L);
        return switch (i % 3) {
            case 0 -> NormalizedEvent.builder(at, id, NormalizedEvent.DATASET_AB_USER).category("authentication").action("login")
                    .outcome(i % 7 == 0 ? "failure" : "success").userName(user).sourcePosition("postgres:airflow", 1_000L + i).build();
            case 1 -> NormalizedEvent.builder(at, id, NormalizedEvent.DATASET_LOG).category("configuration").action("variable.edit")
                    .userName(user).dagId("etl_" + (i % 40)).sourcePosition("postgres:airflow", 1_000L + i).build();
            default -> NormalizedEvent.builder(at, id, NormalizedEvent.DATASET_VAULT).category("api").action("read")
                    .vaultOperation("read").vaultAuditType("response").vaultPath("airflow/connections/c" + (i % 50))
                    .vaultIdentity("entity-" + user).sourcePosition("vault-file:bench", 300L * i).build();
        };
    }

    private static void resetPeaks() {
        ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
    }

    private static long heapPeakBytes() {
        long sum = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                sum += pool.getPeakUsage().getUsed();
            }
        }
        return sum;
    }
}
