package io.airlock.app.config;

import static io.airlock.core.config.ConfigTypes.path;

import io.airlock.alerting.AlertLinks;
import io.airlock.alerting.OpenSearchSettings;
import io.airlock.alerting.RetryPolicy;
import io.airlock.alerting.RoutingConfig;
import io.airlock.alerting.Secret;
import io.airlock.app.metrics.MetricsSettings;
import io.airlock.core.KafkaSecurity;
import io.airlock.core.Topics;
import io.airlock.core.config.ConfigDefinition.Group;
import io.airlock.core.config.ConfigDefinition;
import io.airlock.core.config.ConfigException;
import io.airlock.core.config.ConfigProblems;
import io.airlock.core.config.ConfigSource;
import io.airlock.core.config.ConfigValues;
import io.airlock.core.config.SecretValue;
import io.airlock.core.config.Setting;
import io.airlock.ingest.AirflowDatabaseSettings;
import io.airlock.streams.DetectionConfig;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Supplier;

/**
 * {@code airlock.yml}, read, checked and mapped onto the records the modules take. Every problem in the file is reported at
 * once ({@link ConfigException}); secrets come from the environment or files and never appear in any output.
 *
 * <pre>{@code
 * AirlockConfig config = AirlockConfig.load(Path.of("airlock.yml"), System.getenv());
 * new AirflowCdcCapture(config.database(), ...);
 * }</pre>
 *
 * The settings are defined in {@link KafkaFields}, {@link AirflowDatabaseFields}, {@link VaultAuditFields},
 * {@link OpenSearchFields}, {@link NotificationFields}, {@link RoutingFields}, {@link DetectionFields}, {@link CaptureFields} and {@link MetricsFields}; {@code docs/configuration.md} is
 * generated from them ({@link AirlockConfigReference}).
 */
public final class AirlockConfig {

    public static final Setting<Path> STATE_DIR = Setting.of("state-dir", path())
            .defaultValue(Path.of("./airlock-data"))
            .doc("Directory for local state: Kafka Streams state stores (rebuilt from Kafka when lost) and the Vault file "
                    + "tailer's position. Keep it across restarts for fast starts.");

    public static final Group PROCESS_GROUP = Group.of("Process", "What the Airlock process keeps on local disk.", STATE_DIR);

    /** Every setting of {@code airlock.yml}. */
    public static final ConfigDefinition DEFINITION = ConfigDefinition.of(KafkaFields.GROUP, AirflowDatabaseFields.GROUP,
            VaultAuditFields.GROUP, OpenSearchFields.GROUP, OpenSearchFields.RETENTION_GROUP, NotificationFields.GROUP,
            RoutingFields.GROUP, NotificationFields.DELIVERY_GROUP,
            DetectionFields.GROUP, DetectionFields.RULES_GROUP, CaptureFields.GROUP, MetricsFields.GROUP, ReportFields.GROUP, PROCESS_GROUP);

    private final ConfigValues values;
    private final Topics topics;
    private final String bootstrapServers;
    private final KafkaSecurity kafkaSecurity;
    private final AirflowDatabaseSettings database;
    private final VaultAuditSource vaultAudit;
    private final OpenSearchSettings openSearch;
    private final AlertLinks links;
    private final RetryPolicy retryPolicy;
    private final DetectionConfig detection;
    private final RoutingConfig routing;
    /** Whether the receivers' secrets were read (not stand-ins: {@code --only streams} reads none). */
    private final boolean receiverSecretsRead;

    private AirlockConfig(ConfigValues values, ConfigSource source) {
        this.values = values;
        receiverSecretsRead = source.reads(RoutingFields.RECEIVERS.key());
        ConfigProblems problems = values.problems();
        topics = map(problems, "topics", () -> KafkaFields.topics(values));
        bootstrapServers = map(problems, "kafka", () -> KafkaFields.bootstrapServers(values));
        kafkaSecurity = map(problems, "kafka", () -> KafkaFields.security(values, problems));
        database = map(problems, "airflow.database", () -> AirflowDatabaseFields.settings(values));
        vaultAudit = map(problems, "vault.audit", () -> VaultAuditFields.source(values, problems));
        openSearch = map(problems, "opensearch", () -> OpenSearchFields.settings(values, problems));
        links = openSearch == null ? null
                : map(problems, "dashboards.url", () -> NotificationFields.links(values, openSearch.indexNames()));
        retryPolicy = map(problems, "delivery", () -> NotificationFields.retryPolicy(values, problems));
        routing = map(problems, "notifications", () -> RoutingFields.routing(values, source, problems,
                values.get(NotificationFields.SLACK_INTERVAL)));
        Boolean businessHours = map(problems, "detection.business-hours", () -> DetectionFields.checkBusinessHours(values, problems));
        detection = Boolean.TRUE.equals(businessHours) ? map(problems, "detection", () -> DetectionFields.config(values)) : null;
        problems.throwIfAny(values.origin());
    }

    /**
     * Reads {@code file}, or only the defaults (everything on localhost) if {@code file} is null.
     *
     * @param env the environment secrets are read from ({@code System.getenv()})
     * @throws ConfigException listing every problem, numbered
     */
    public static AirlockConfig load(Path file, Map<String, String> env) {
        return from(file == null ? ConfigSource.empty(env) : ConfigSource.fromFile(file, env));
    }

    /** The defaults: every component on localhost at its standard port, no notifications. */
    public static AirlockConfig defaults() {
        return load(null, Map.of());
    }

    /**
     * @throws ConfigException listing every problem, numbered
     */
    public static AirlockConfig from(ConfigSource source) {
        return new AirlockConfig(DEFINITION.parse(source), source);
    }

    /** Maps one area; a value with a problem was reported already, a record refusing a value adds its reason. */
    private static <T> T map(ConfigProblems problems, String area, Supplier<T> build) {
        try {
            return build.get();
        } catch (ConfigValues.Unavailable reported) {
            return null;
        } catch (IllegalArgumentException e) {
            problems.add(area, e.getMessage());
            return null;
        }
    }

    /** What was read: the file name, or {@link io.airlock.core.config.ConfigSource#DEFAULTS_ORIGIN defaults}. */
    public String origin() {
        return values.origin();
    }

    public Topics topics() {
        return topics;
    }

    /** {@code bootstrap.servers}: {@code host1:9092,host2:9092}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** What every Kafka client adds to reach a secured cluster ({@link KafkaSecurity#PLAINTEXT} by default). */
    public KafkaSecurity kafkaSecurity() {
        return kafkaSecurity;
    }

    /** Replication of the topics Airlock creates. */
    public int replicationFactor() {
        return values.get(KafkaFields.REPLICATION_FACTOR);
    }

    public int partitions() {
        return values.get(KafkaFields.PARTITIONS);
    }

    /** Kafka Streams threads of the detection stage. */
    public int streamThreads() {
        return values.get(KafkaFields.STREAM_THREADS);
    }

    public AirflowDatabaseSettings database() {
        return database;
    }

    public VaultAuditSource vaultAudit() {
        return vaultAudit;
    }

    public OpenSearchSettings openSearch() {
        return openSearch;
    }

    public Optional<Secret> slackWebhook() {
        return NotificationFields.slackWebhook(values);
    }

    public Optional<Secret> pagerDutyRoutingKey() {
        return NotificationFields.pagerDutyRoutingKey(values);
    }

    public URI pagerDutyEventsUrl() {
        return values.get(NotificationFields.PAGERDUTY_EVENTS_URL);
    }

    public AlertLinks links() {
        return links;
    }

    /**
     * Receivers, routes, repeat interval, silences and maintenance windows:
     * {@code AlertRouter.from(config.routing(), config.links(), config.retryPolicy())}. Without
     * {@code notifications.routes} it is the default route of the simple settings.
     */
    public RoutingConfig routing() {
        return routing;
    }

    /** Days after which daily event indices are deleted; empty to keep them forever. */
    public OptionalInt eventsRetentionDays() {
        return values.find(OpenSearchFields.RETENTION_EVENTS_DAYS).map(OptionalInt::of).orElse(OptionalInt.empty());
    }

    /** How often retention runs. */
    public Duration retentionCheckInterval() {
        return values.get(OpenSearchFields.RETENTION_CHECK_INTERVAL);
    }

    /** How indexing and notifications retry. */
    public RetryPolicy retryPolicy() {
        return retryPolicy;
    }

    public DetectionConfig detection() {
        return detection;
    }

    /** The time zone of business hours; not part of {@link DetectionConfig} yet. */
    public ZoneId timeZone() {
        return values.get(DetectionFields.TIME_ZONE);
    }

    public Path stateDir() {
        return values.get(STATE_DIR);
    }

    /** False when a Kafka Connect cluster captures the Airflow database ({@link CaptureFields}). */
    public boolean embeddedAirflowCapture() {
        return CaptureFields.embeddedAirflowCapture(values);
    }

    /** The metrics and health endpoint ({@link MetricsFields}). */
    public MetricsSettings metrics() {
        return MetricsFields.settings(values);
    }

    /** Every checked value, for settings without an accessor yet (the reserved rule settings, say). */
    public ConfigValues values() {
        return values;
    }

    /**
     * What an operator should know about settings that are valid: settings given that have no effect yet, and a
     * {@code detection.airflow-identity} that is a name rather than Airflow's entity id.
     */
    public List<String> notes() {
        List<String> notes = new java.util.ArrayList<>(values.notes());
        for (String name : detection.airflow().nameParts()) {
            String identity = io.airlock.core.PrintableText.of(name);
            notes.add(DetectionFields.AIRFLOW_IDENTITY.key() + " '" + identity + "' is matched "
                    + "inside Vault display names and the role_name and username of token metadata, in any case (not inside "
                    + "entity ids, not in the display name of a token-method token with an entity): any token whose name "
                    + "contains it (a person's userpass-" + identity + "-admin, a pod in a Kubernetes namespace of that name, an "
                    + "AppRole role of that name) passes for Airflow's service identity, and AL-024 stays silent for its "
                    + "reads; set Airflow's Vault entity id instead (vault read -field=id identity/entity/name/<name>)");
        }
        if (routing != null) {
            boolean simpleKeyRead = values.find(NotificationFields.PAGERDUTY_ROUTING_KEY).filter(k -> !k.isUnread()).isPresent();
            routing.receivers().stream().filter(r -> r.type() == RoutingConfig.Type.PAGERDUTY)
                    .filter(r -> r.name().equals("pagerduty") ? simpleKeyRead : receiverSecretsRead)
                    .forEach(r -> routingKeyNote(r).ifPresent(notes::add));
        }
        return notes;
    }

    /**
     * A PagerDuty routing key that does not look like one: the Events API v2 takes "the 32 character Integration Key". A
     * note, not a problem: proxies and test receivers take other keys. The key is never shown, nor its characters.
     */
    private static Optional<String> routingKeyNote(RoutingConfig.Receiver receiver) {
        String key = receiver.secret().reveal();
        String what = key.chars().anyMatch(Character::isWhitespace) ? "contains blanks or line breaks"
                : key.length() != 32 ? "is " + key.length() + " characters long" : null;
        return what == null ? Optional.empty() : Optional.of("receiver '" + receiver.name() + "': the PagerDuty routing key "
                + what + ", PagerDuty's Events API v2 integration keys are 32 characters without blanks; PagerDuty will "
                + "answer 400 unless this receiver is a proxy or test receiver that takes it (the key is not shown)");
    }

    /** Every setting with its effective value; secrets only as where they come from ({@code <set from env X>}). */
    public String summary() {
        return values.summary();
    }

    /**
     * Removes every configured secret from a text that came from elsewhere (a driver's or server's error message) before it
     * is printed. Webhook URLs lose their path and long path segments too.
     */
    public String redact(String text) {
        String out = text;
        for (SecretValue secret : values.secrets()) {
            if (secret.isUnread()) {
                continue; // a stand-in, "unread", that is in no message as a secret
            }
            out = Secret.of(secret.reveal()).redact(out);
        }
        if (routing != null) {
            for (RoutingConfig.Receiver receiver : routing.receivers()) {
                out = receiver.secret().redact(out);
            }
        }
        return out;
    }

    /** Never a secret: only where the configuration came from. */
    @Override
    public String toString() {
        return "AirlockConfig[" + origin() + "]";
    }
}
