package io.airlock.app;

import io.airlock.alerting.AlertLinks;
import io.airlock.alerting.OpenSearchSettings;
import io.airlock.alerting.Secret;
import io.airlock.core.Alert;
import io.airlock.core.Directories;
import io.airlock.core.PrintableText;
import io.airlock.core.Topics;
import io.airlock.embedded.AirflowDatabase;
import io.airlock.embedded.AirflowSchema;
import io.airlock.ingest.AirflowDatabaseSettings;
import io.airlock.ingest.vault.VaultAuditSettings;
import io.airlock.report.ReportExporter;
import io.airlock.streams.BusinessCalendar;
import io.airlock.streams.DetectionConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code airlock demo}: every component embedded, simulated Airflow activity with attacks, alerts printed as they fire.
 * Exits 0 once every expected alert was indexed and notified, 1 if that did not happen in time.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run Airlock with embedded PostgreSQL, Kafka and OpenSearch against simulated Airflow activity with attacks.")
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--keep-running", description = "Stay up after the demo (Ctrl-C to stop) to explore OpenSearch.")
    boolean keepRunning;

    @Option(names = "--timeout", defaultValue = "PT3M", paramLabel = "DURATION",
            description = "How long to wait for the expected alerts: 3m, 90s or ISO-8601 (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    /** Named as {@code airlock run} names it; {@code --schema}, its earlier name, still works ({@link #schemaByItsEarlierName}). */
    @Option(names = "--airflow-schema", paramLabel = "VERSION",
            description = "Airflow metadata schema of the embedded database to simulate: ${COMPLETION-CANDIDATES} (default: "
                    + "${DEFAULT-VALUE}; --schema works too).")
    AirflowSchema schema = AirflowSchema.V2_10; // its initial value, not a defaultValue: picocli would apply that after --schema

    /**
     * {@code --schema}, for scripts written before. A hidden option of its own rather than a second name of
     * {@link #schema}: picocli lists an option's shortest name first and puts only that one in the synopsis, so
     * {@code --schema} would stay the name {@code --help} gives.
     */
    @Option(names = "--schema", paramLabel = "VERSION", hidden = true, description = "The earlier name of --airflow-schema.")
    void schemaByItsEarlierName(AirflowSchema earlier) {
        schema = earlier;
    }

    @Option(names = "--report", paramLabel = "DIR", description = "End the demo by writing the compliance report of the run (every format) into DIR; check it with: airlock report verify DIR.")
    Path reportDir;

    private final PrintStream out = System.out;
    /** Counted down by SIGTERM or Ctrl-C: the demo stops, and its shutdown hook waits until the cleanup below is done. */
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private static final Duration CLEANUP_WAIT = Duration.ofSeconds(60);

    /** The rules the simulated attacks must raise before the demo counts as a success. */
    static final Set<String> EXPECTED_RULES = Set.of("AL-001", "AL-002", "AL-003", "AL-010", "AL-011", "AL-012", "AL-013", "AL-021", "AL-022",
            "AL-023", "AL-024");

    @Override
    @SuppressWarnings("try") // the pipeline only has to run (and be closed) around the simulation
    public Integer call() throws Exception {
        long t0 = System.nanoTime();
        if (reportDir != null) {
            try {
                ReportExporter.checkTarget(reportDir); // before minutes of demo, not after
            } catch (IOException e) {
                System.err.println("demo: --report: " + e.getMessage());
                return 2;
            }
        }
        Path workDir = Files.createTempDirectory("airlock-demo");
        CountDownLatch cleanedUp = new CountDownLatch(1);
        // without it, SIGTERM or Ctrl-C ended the JVM before the finally below: PostgreSQL, OpenSearch and ~100 MB in /tmp stayed
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopRequested.countDown();
            try {
                cleanedUp.await(CLEANUP_WAIT.toSeconds(), TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "airlock-demo-stop"));
        out.println("Airlock demo — everything embedded, nothing leaves this machine.");
        try (EmbeddedStack stack = EmbeddedStack.start(out)) {
            var topics = Topics.defaults();
            stack.kafka.createTopics(1, topics.all().toArray(String[]::new));
            stack.postgres.createDatabase("airflow");
            stack.postgres.createAirflowSchema("airflow", schema);
            var airflow = new AirflowDatabase(stack.postgres, "airflow", schema);
            Path auditLog = Files.createFile(workDir.resolve("vault-audit.log"));
            var simulation = new AttackSimulation(airflow, new VaultAuditWriter(auditLog), out);
            simulation.seed();

            BusinessCalendar calendar = DemoCalendar.nightSomewhere(Instant.now());
            out.println(DemoCalendar.describe(calendar, Instant.now()));
            var database = new AirflowDatabaseSettings(stack.postgres.host(), stack.postgres.port(), "airflow", stack.postgres.superuser(),
                    stack.postgres.password(), "disable", null, null);
            var openSearch = OpenSearchSettings.local(stack.openSearch.httpUri());
            var vault = VaultAuditSettings.forFile(stack.kafka.bootstrapServers(), topics, auditLog, workDir.resolve("vault.position"))
                    .withPollInterval(Duration.ofMillis(100));
            var settings = new PipelineSettings(database, stack.kafka.bootstrapServers(), topics, openSearch,
                    Secret.of(stack.webhooks.slackWebhook("soc").toString()), stack.webhooks.pagerDutyEventsUrl(), Secret.of("demo-routing-key"),
                    AlertLinks.of(URI.create("http://localhost:5601"), null, openSearch.indexNames()),
                    DetectionConfig.defaults().withCalendar(calendar), workDir.resolve("streams"), 1).withVaultAudit(vault);
            settings = settings.withRouting(settings.routing().withSlackInterval(Duration.ZERO)); // a local sink needs no pacing

            try (Pipeline pipeline = new Pipeline(settings).start();
                    AlertConsole console = new AlertConsole(stack.kafka.bootstrapServers(), topics, out).start()) {
                out.printf("ready: pipeline started %.1f s after launch%n", (System.nanoTime() - t0) / 1e9);
                var probe = new DemoProbe(openSearch);
                simulation.airflowActivity();
                // Vault lines come after Airflow's runs are captured, as they would in real life (AL-022 joins them).
                // AL-011 fires on the last captured dag_run row, so the earlier runs are in detection by then too.
                waitFor(() -> console.alerts().values().stream().anyMatch(a -> a.ruleId().equals("AL-011")));
                if (stopRequested.getCount() == 0) {
                    return stopped();
                }
                simulation.vaultActivity();

                boolean ok = waitFor(() -> missing(console).isEmpty() && probe.alertDocuments() >= EXPECTED_RULES.size()
                        && !stack.webhooks.slackPosts().isEmpty() && !stack.webhooks.pagerDutyEvents().isEmpty());
                if (stopRequested.getCount() == 0) {
                    return stopped();
                }
                printSummary(console, probe, stack, auditLog);
                if (!ok) {
                    out.println("FAILED: no alert within " + timeout + " for " + missing(console)
                            + " (or they were not indexed and notified)");
                    return 1;
                }
                out.printf("done: every simulated attack detected, indexed and notified; demo took %.1f s%n", (System.nanoTime() - t0) / 1e9);
                if (reportDir != null && ReportCommand.writeDemoReport(openSearch, reportDir, out) != 0) {
                    return 1;
                }
                if (keepRunning) {
                    out.println("Running until Ctrl-C. OpenSearch: " + stack.openSearch.httpUri());
                    stopRequested.await();
                    out.println("demo: stopping; removing its data");
                }
                return 0;
            }
        } finally {
            Directories.deleteRecursively(workDir);
            cleanedUp.countDown();
        }
    }

    private int stopped() {
        out.println("demo: stopped on request before it finished; removing its data");
        return 1;
    }

    private static Set<String> missing(AlertConsole console) {
        Set<String> missing = new TreeSet<>(EXPECTED_RULES);
        console.alerts().values().forEach(a -> missing.remove(a.ruleId()));
        return missing;
    }

    private boolean waitFor(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            if (stopRequested.await(250, TimeUnit.MILLISECONDS)) {
                return false;
            }
        }
        return condition.getAsBoolean();
    }

    /** A 32-hex Vault entity id shortened to fit the table's column. */
    private static String shortEntity(String entity) {
        return entity.length() <= 24 ? entity : entity.substring(0, 12) + "…";
    }

    private void printSummary(AlertConsole console, DemoProbe probe, EmbeddedStack stack, Path auditLog) {
        out.println();
        out.println("Where to look:");
        out.println("  OpenSearch      " + stack.openSearch.httpUri() + "  (indices airlock-alerts, airlock-events-*; "
                + (keepRunning ? "up until Ctrl-C)" : "stopped when the demo ends: --keep-running keeps it up)"));
        out.printf("                  %d alert document(s), %d event document(s)%n", probe.alertDocuments(), probe.eventDocuments());
        out.printf("  Slack receiver  %d message(s)   PagerDuty receiver %d event(s)%n", stack.webhooks.slackPosts().size(),
                stack.webhooks.pagerDutyEvents().size());
        if (keepRunning) { // so that an evaluator can feed the running pipeline activity of their own
            out.printf("  Airflow DB      psql -h %s -p %d -U %s airflow   (tables log, dag_run, ab_user: captured)%n",
                    stack.postgres.host(), stack.postgres.port(), stack.postgres.superuser());
            out.println("  Vault audit     " + auditLog + "   (append audit lines: tailed)");
            out.println("  Kafka           " + stack.kafka.bootstrapServers() + "   (topics airlock.*)");
        }
        out.printf("  Alerts          %d distinct:%n", console.alerts().size());
        console.alerts().values().stream()
                .sorted(java.util.Comparator.comparing(Alert::ruleId).thenComparing(Alert::entity))
                .forEach(a -> out.printf("    %s %-8s %-24s count=%-3d %s%n", a.ruleId(), a.severity().label(),
                        PrintableText.of(shortEntity(a.entity())), a.count(), a.ruleName()));
        out.println("  (a Vault entity id is shortened here; the alert's summary names the identity)");
        out.printf("Peak memory (RSS): this JVM (Kafka, Streams, Debezium, delivery) %d MiB, OpenSearch %d MiB, PostgreSQL %d MiB%n",
                ProcessMemory.selfPeakMib(), ProcessMemory.descendantsPeakMib("opensearch"), ProcessMemory.postgresPeakMib(stack.postgres.port()));
    }

}
