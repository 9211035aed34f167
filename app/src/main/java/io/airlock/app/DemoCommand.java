package io.airlock.app;

import static io.airlock.app.AttackSimulation.ATTACKED_USER;

import io.airlock.alerting.AlertLinks;
import io.airlock.alerting.OpenSearchSettings;
import io.airlock.alerting.Secret;
import io.airlock.core.Alert;
import io.airlock.core.Directories;
import io.airlock.core.Topics;
import io.airlock.embedded.AirflowDatabase;
import io.airlock.embedded.AirflowSchema;
import io.airlock.ingest.AirflowDatabaseSettings;
import io.airlock.streams.DetectionConfig;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
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

    @Option(names = "--timeout", defaultValue = "PT3M", description = "How long to wait for the expected alerts (ISO-8601, default ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--schema", defaultValue = "V2_10", description = "Airflow metadata schema to simulate: ${COMPLETION-CANDIDATES}.")
    AirflowSchema schema;

    private final PrintStream out = System.out;

    @Override
    @SuppressWarnings("try") // the pipeline only has to run (and be closed) around the simulation
    public Integer call() throws Exception {
        long t0 = System.nanoTime();
        Path stateDir = Files.createTempDirectory("airlock-demo-state");
        out.println("Airlock demo — everything embedded, nothing leaves this machine.");
        try (EmbeddedStack stack = EmbeddedStack.start(out)) {
            var topics = Topics.defaults();
            stack.kafka.createTopics(1, topics.all().toArray(String[]::new));
            stack.postgres.createDatabase("airflow");
            stack.postgres.createAirflowSchema("airflow", schema);
            var airflow = new AirflowDatabase(stack.postgres, "airflow", schema);
            var simulation = new AttackSimulation(airflow, out);
            simulation.seedAccounts();

            var database = new AirflowDatabaseSettings(stack.postgres.host(), stack.postgres.port(), "airflow", stack.postgres.superuser(),
                    stack.postgres.password(), "disable", null, null);
            var openSearch = OpenSearchSettings.local(stack.openSearch.httpUri());
            var settings = new PipelineSettings(database, stack.kafka.bootstrapServers(), topics, openSearch,
                    Secret.of(stack.webhooks.slackWebhook("soc").toString()), stack.webhooks.pagerDutyEventsUrl(), Secret.of("demo-routing-key"),
                    AlertLinks.of(URI.create("http://localhost:5601"), null, openSearch.indexNames()), DetectionConfig.defaults(), stateDir, 1);

            try (Pipeline pipeline = new Pipeline(settings).start();
                    AlertConsole console = new AlertConsole(stack.kafka.bootstrapServers(), topics, out).start()) {
                out.printf("ready: pipeline started %.1f s after launch%n", (System.nanoTime() - t0) / 1e9);
                simulation.run();

                var probe = new DemoProbe(openSearch);
                boolean ok = waitFor(() -> console.alerts().values().stream().anyMatch(DemoCommand::isExpectedAttack)
                        && probe.alertDocuments() >= 1 && !stack.webhooks.slackPosts().isEmpty() && !stack.webhooks.pagerDutyEvents().isEmpty());
                printSummary(console, probe, stack);
                if (!ok) {
                    out.println("FAILED: the expected AL-001 alert for '" + ATTACKED_USER + "' was not indexed and notified within " + timeout);
                    return 1;
                }
                out.printf("done: attack detected, indexed and notified; demo took %.1f s%n", (System.nanoTime() - t0) / 1e9);
                if (keepRunning) {
                    out.println("Running until Ctrl-C. OpenSearch: " + stack.openSearch.httpUri());
                    new CountDownLatch(1).await();
                }
                return 0;
            }
        } finally {
            Directories.deleteRecursively(stateDir);
        }
    }

    private static boolean isExpectedAttack(Alert alert) {
        return "AL-001".equals(alert.ruleId()) && ATTACKED_USER.equals(alert.entity()) && alert.count() >= 6;
    }

    private boolean waitFor(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(250);
        }
        return condition.getAsBoolean();
    }

    private void printSummary(AlertConsole console, DemoProbe probe, EmbeddedStack stack) {
        out.println();
        out.println("Where to look:");
        out.println("  OpenSearch      " + stack.openSearch.httpUri() + "  (indices airlock-alerts, airlock-events-*)");
        out.printf("                  %d alert document(s), %d event document(s)%n", probe.alertDocuments(), probe.eventDocuments());
        out.printf("  Slack receiver  %d message(s)   PagerDuty receiver %d event(s)%n", stack.webhooks.slackPosts().size(),
                stack.webhooks.pagerDutyEvents().size());
        out.printf("  Alerts          %d distinct%n", console.alerts().size());
        out.printf("Peak memory (RSS): this JVM (Kafka, Streams, Debezium, delivery) %d MiB, OpenSearch %d MiB, PostgreSQL %d MiB%n",
                ProcessMemory.selfPeakMib(), ProcessMemory.descendantsPeakMib("opensearch"), ProcessMemory.postgresPeakMib(stack.postgres.port()));
    }

}
