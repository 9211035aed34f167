package io.airlock.app;

import io.airlock.core.Directories;
import io.airlock.core.KafkaSecurity;
import io.airlock.core.Topics;
import io.airlock.embedded.AirflowSchema;
import io.airlock.embedded.AirlockYml;
import io.airlock.streams.BusinessCalendar;
import io.airlock.streams.DetectionConfig;
import io.airlock.streams.detect.RuleDefinition;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code airlock run} without {@code --config} (DESIGN.md: "With no file, embedded defaults run everything locally"): an
 * embedded PostgreSQL holding Airflow's tables, Kafka, OpenSearch and a local receiver for Slack and PagerDuty, and an
 * {@code airlock.yml} for them, which {@code run} then runs like any other. Nothing leaves the machine; {@link #close()}
 * stops the components and deletes their data. Unlike {@code airlock demo} nothing is simulated: the activity is the
 * user's, written to the printed database and Vault audit file.
 */
final class EmbeddedRun implements AutoCloseable {

    /** The Airflow database's name, as in an Airflow installation. */
    static final String AIRFLOW_DATABASE = "airflow";
    /** Topic prefix, index prefix and replication slot: the defaults of a configured run. */
    private static final String NAME = "airlock";

    private final Path workDir;
    private final EmbeddedStack stack;
    private final AirflowSchema schema;
    private final Path auditLog;
    private final AirlockYml yml;
    private final Path config;

    private EmbeddedRun(Path workDir, EmbeddedStack stack, AirflowSchema schema, Path auditLog, AirlockYml yml, Path config) {
        this.workDir = workDir;
        this.stack = stack;
        this.schema = schema;
        this.auditLog = auditLog;
        this.yml = yml;
        this.config = config;
    }

    /**
     * Starts the components (reporting each on {@code out}) and writes the configuration for them, with the detection
     * settings of {@code detection}.
     */
    static EmbeddedRun start(AirflowSchema schema, DetectionOverlay detection, PrintStream out) throws IOException {
        Path workDir = Files.createTempDirectory("airlock-run");
        EmbeddedStack stack = null;
        try {
            stack = EmbeddedStack.start(out);
            stack.postgres.createDatabase(AIRFLOW_DATABASE);
            stack.postgres.createAirflowSchema(AIRFLOW_DATABASE, schema);
            // before the console subscribes to the alerts: a consumer's metadata request would create them with broker defaults
            TopicInitializer.ensureTopics(stack.kafka.bootstrapServers(), KafkaSecurity.PLAINTEXT, Topics.defaults(), 1, 1);
            Path auditLog = Files.createFile(workDir.resolve("vault-audit.log"));
            AirlockYml yml = AirlockYml.forEmbedded(NAME, stack.postgres, stack.kafka, stack.openSearch, stack.webhooks)
                    .set("airflow.database.name", AIRFLOW_DATABASE)
                    .vaultAuditFile(auditLog)
                    .stateDir(workDir.resolve("state"))
                    .set("metrics.port", "0") // a free port, printed: 9404 may be taken by a configured run on this machine
                    .set("metrics.bind-address", "127.0.0.1")
                    .set("delivery.slack-interval", "0s"); // Slack's pace of one message a second is not the local receiver's
            detection.asYaml().forEach(yml::set);
            Path config = yml.writeTo(workDir.resolve("airlock.yml"));
            return new EmbeddedRun(workDir, stack, schema, auditLog, yml, config);
        } catch (IOException | RuntimeException e) {
            if (stack != null) {
                stack.close();
            }
            Directories.deleteRecursively(workDir);
            throw e;
        }
    }

    /** The {@code airlock.yml} written for the components. */
    Path config() {
        return config;
    }

    /** The embedded broker. */
    String bootstrapServers() {
        return stack.kafka.bootstrapServers();
    }

    /** {@code base} with the secrets the configuration names (the local receiver's Slack URL and routing key). */
    Map<String, String> env(Map<String, String> base) {
        Map<String, String> env = new HashMap<>(base);
        env.putAll(yml.env());
        return env;
    }

    /** Where to write activity and where to look, and the detection settings in effect, printed before the pipeline starts. */
    void printWhereToLook(PrintStream out, DetectionConfig detection) {
        out.println("Feed it your own activity (nothing is simulated; `airlock demo` is the version with attacks):");
        out.printf("  Airflow DB      psql -h %s -p %d -U %s %s   (Airflow %s tables log, dag_run, ab_user: captured; no password)%n",
                stack.postgres.host(), stack.postgres.port(), stack.postgres.superuser(), AIRFLOW_DATABASE, schemaLabel());
        out.println("  Vault audit     " + auditLog + "   (append Vault file-audit-device lines: tailed; what they look like: "
                + "docs/vault-audit.md#what-a-line-looks-like)");
        BusinessCalendar calendar = detection.calendar();
        out.printf("Detection (--detection FILE changes it): business hours %s %s–%s %s%s; Airflow's Vault identity: %s; "
                + "AL-020 alerts after a learning period of %s%n", days(calendar), calendar.start(), calendar.end(), calendar.zone(),
                calendar.holidays().isEmpty() ? "" : ", " + calendar.holidays().size() + " holiday(s)",
                describe(detection.airflow()),
                io.airlock.core.config.ConfigTypes.formatDuration(detection.rule(RuleDefinition.FIRST_SEEN_SECRET_PATH).window()));
        out.println("Where to look:");
        out.println("  Alerts          printed here as they fire");
        out.println("  OpenSearch      " + stack.openSearch.httpUri() + "   (indices airlock-alerts, airlock-events-*)");
        out.println("  Kafka           " + stack.kafka.bootstrapServers() + "   (topics airlock.*)");
        out.println("  Slack/PagerDuty a local receiver: curl " + stack.webhooks.receivedUrl() + "   (what on-call would have "
                + "received; routing keys redacted)");
        out.println("  Configuration   " + config + "   (the airlock.yml of this run; its Slack URL and routing key are "
                + "environment variables of this process)");
        out.println("Everything is deleted when it stops (SIGTERM or Ctrl-C).");
    }

    /**
     * {@code entity 5cb4…}, {@code a display name, AppRole role or user name containing 'airflow'}, joined by {@code  or }:
     * what {@link io.airlock.streams.detect.VaultSecretReads#isAirflowServiceIdentity} matches — text entries in the token's
     * display name and its metadata's {@code role_name}/{@code username}, never inside an entity id.
     */
    static String describe(io.airlock.streams.DetectionConfig.AirflowInVault airflow) {
        return airflow.serviceIdentities().stream()
                .map(entry -> io.airlock.streams.DetectionConfig.AirflowInVault.isEntityId(entry) ? "entity " + entry
                        : "a display name, AppRole role or user name containing '" + entry + "'")
                .collect(java.util.stream.Collectors.joining(" or "));
    }

    private static String days(BusinessCalendar calendar) {
        if (calendar.days().equals(java.util.EnumSet.range(java.time.DayOfWeek.MONDAY, java.time.DayOfWeek.FRIDAY))) {
            return "Mon–Fri";
        }
        return calendar.days().stream().map(d -> d.getDisplayName(java.time.format.TextStyle.SHORT, java.util.Locale.ENGLISH))
                .collect(java.util.stream.Collectors.joining(","));
    }

    private String schemaLabel() {
        return schema == AirflowSchema.V2_10 ? "2.10" : "3.x";
    }

    /** Reports what the local receiver got, stops the components and deletes their data. */
    void close(PrintStream out) {
        out.printf("airlock run: the local receiver got %d Slack message(s) and %d PagerDuty event(s); removing the embedded "
                + "components and their data%n", stack.webhooks.slackPosts().size(), stack.webhooks.pagerDutyEvents().size());
        close();
    }

    @Override
    public void close() {
        try {
            stack.close();
        } finally {
            Directories.deleteRecursively(workDir);
        }
    }
}
