package io.airlock.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Writes an {@code airlock.yml} for {@code airlock run} against the embedded components: topics, Kafka, the Airflow
 * database, a Vault audit file, OpenSearch, Slack and PagerDuty at the {@link WebhookReceiver}, a state directory.
 * Secrets (Slack webhook URL, PagerDuty routing key) go into the file as {@code -env} references; {@link #env()} holds
 * their values for the child process.
 *
 * <pre>{@code
 * AirlockYml yml = AirlockYml.forEmbedded(name, postgres, kafka, openSearch, webhooks)
 *         .vaultAuditFile(dir.resolve("audit.log"))
 *         .stateDir(dir.resolve("state"))
 *         .set("delivery.max-attempts", "8");
 * Path file = yml.writeTo(dir.resolve("airlock.yml"));
 * AirlockProcess.builder(file).env(yml.env()).start();
 * }</pre>
 *
 * The topic prefix and OpenSearch index prefix are {@code name}; the replication slot is {@code name} with {@code -}
 * replaced by {@code _}; the Slack webhook is {@code webhooks.slackWebhook(name)}.
 */
public final class AirlockYml {

    /** Environment variable holding the Slack webhook URL. */
    public static final String SLACK_URL_ENV = "AIRLOCK_TEST_SLACK_URL";
    /** Environment variable holding the PagerDuty routing key. */
    public static final String PAGERDUTY_KEY_ENV = "AIRLOCK_TEST_PAGERDUTY_KEY";

    private final String name;
    private final Map<String, String> settings = new LinkedHashMap<>();
    private final Map<String, String> env = new LinkedHashMap<>();

    private AirlockYml(String name) {
        this.name = Objects.requireNonNull(name, "name");
    }

    /**
     * Settings for the given components, with topic and index prefix {@code name}, the Airflow database {@code name} (create
     * it first), one partition per topic. Add the Vault audit source and state directory before writing.
     */
    public static AirlockYml forEmbedded(String name, EmbeddedPostgres postgres, EmbeddedKafka kafka,
            EmbeddedOpenSearch openSearch, WebhookReceiver webhooks) {
        AirlockYml yml = new AirlockYml(name);
        yml.set("topics.prefix", name)
                .set("kafka.bootstrap-servers", quoted(kafka.bootstrapServers()))
                .set("kafka.partitions", "1")
                .set("kafka.replication-factor", "1")
                .set("airflow.database.host", postgres.host())
                .set("airflow.database.port", Integer.toString(postgres.port()))
                .set("airflow.database.name", name)
                .set("airflow.database.user", postgres.superuser())
                .set("airflow.database.sslmode", "disable")
                .set("airflow.database.slot", name.replace('-', '_'))
                .set("opensearch.urls", quoted(openSearch.httpUri().toString()))
                .set("opensearch.index-prefix", name)
                .set("slack.webhook-url-env", SLACK_URL_ENV)
                .set("pagerduty.routing-key-env", PAGERDUTY_KEY_ENV)
                .set("pagerduty.events-url", quoted(webhooks.pagerDutyEventsUrl().toString()));
        yml.env.put(SLACK_URL_ENV, webhooks.slackWebhook(name).toString());
        yml.env.put(PAGERDUTY_KEY_ENV, "routing-key-" + name);
        return yml;
    }

    /** Tails {@code file} as the Vault file audit device (polling every 100 ms). */
    public AirlockYml vaultAuditFile(Path file) {
        settings.remove("vault.audit.socket");
        return set("vault.audit.file", quoted(file.toAbsolutePath().toString())).set("vault.audit.poll-interval", "100ms");
    }

    /** Where {@code airlock run} keeps local state (Kafka Streams stores, file offsets). */
    public AirlockYml stateDir(Path dir) {
        return set("state-dir", quoted(dir.toAbsolutePath().toString()));
    }

    /**
     * Sets (or replaces) one dotted key to a YAML value written as given: quote strings that YAML would read otherwise,
     * e.g. {@code set("delivery.max-attempts", "8")}, {@code set("detection.time-zone", "UTC")}.
     */
    public AirlockYml set(String key, String yamlValue) {
        settings.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(yamlValue, "yamlValue"));
        return this;
    }

    /** Removes a key (e.g. {@code pagerduty.routing-key-env} to run without PagerDuty). */
    public AirlockYml remove(String key) {
        settings.remove(key);
        return this;
    }

    /** Uses {@code key} as the PagerDuty routing key (e.g. a canary a test looks for in every output). */
    public AirlockYml pagerDutyRoutingKey(String key) {
        env.put(PAGERDUTY_KEY_ENV, Objects.requireNonNull(key, "key"));
        return this;
    }

    /** Sets the environment variable {@code name} for the process, e.g. a secret that a {@code -env} key names. */
    public AirlockYml env(String name, String value) {
        env.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
        return this;
    }

    /** The name the prefixes derive from. */
    public String name() {
        return name;
    }

    /** The Slack webhook URL (a secret: never in the file, only in {@link #env()}). */
    public String slackWebhookUrl() {
        return env.get(SLACK_URL_ENV);
    }

    /** The PagerDuty routing key (a secret: never in the file, only in {@link #env()}). */
    public String pagerDutyRoutingKey() {
        return env.get(PAGERDUTY_KEY_ENV);
    }

    /** Environment variables for the process: the secrets the file refers to. */
    public Map<String, String> env() {
        return Map.copyOf(env);
    }

    /** The file's text. */
    public String text() {
        StringBuilder text = new StringBuilder("# written by io.airlock.embedded.AirlockYml\n");
        settings.forEach((k, v) -> text.append(k).append(": ").append(v).append('\n'));
        return text.toString();
    }

    /** Writes the file (replacing it) and returns {@code file}. */
    public Path writeTo(Path file) {
        try {
            Files.writeString(file, text());
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static String quoted(String value) {
        return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
}
