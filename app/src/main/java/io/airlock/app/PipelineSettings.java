package io.airlock.app;

import io.airlock.alerting.AlertLinks;
import io.airlock.alerting.OpenSearchSettings;
import io.airlock.alerting.RetryPolicy;
import io.airlock.alerting.RoutingConfig;
import io.airlock.alerting.Secret;
import io.airlock.app.config.AirlockConfig;
import io.airlock.app.config.VaultAuditSource;
import io.airlock.core.KafkaSecurity;
import io.airlock.core.Topics;
import io.airlock.ingest.AirflowDatabaseSettings;
import io.airlock.ingest.vault.VaultAuditSettings;
import io.airlock.streams.DetectionConfig;
import io.airlock.streams.StreamsSettings;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Everything one Airlock process needs to run the whole pipeline. Secrets are {@link Secret}s and never printed.
 *
 * @param pagerDutyEventsUrl Events API v2 endpoint (the public one in production, a local receiver in tests)
 * @param replicationFactor  replication of Airlock's internal topics
 * @param vaultAudit         the Vault audit file or socket to capture; null: none
 * @param routing            receivers, routes, silences, maintenance windows; null: Slack for all, PagerDuty for high and up
 * @param eventsRetentionDays delete daily event indices older than this; empty: keep them
 * @param streamThreads      Kafka Streams threads of the detection stage; 0: {@link StreamsSettings#DEFAULT_STREAM_THREADS}
 * @param kafkaSecurity      what every Kafka client adds to reach a secured cluster; null: {@link KafkaSecurity#PLAINTEXT}
 */
public record PipelineSettings(AirflowDatabaseSettings database, String bootstrapServers, Topics topics, OpenSearchSettings openSearch,
        Secret slackWebhook, URI pagerDutyEventsUrl, Secret pagerDutyRoutingKey, AlertLinks links, DetectionConfig detection,
        Path stateDir, int replicationFactor, VaultAuditSettings vaultAudit, RetryPolicy retryPolicy, RoutingConfig routing,
        OptionalInt eventsRetentionDays, Duration retentionCheckInterval, int streamThreads, KafkaSecurity kafkaSecurity) {

    public PipelineSettings {
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(bootstrapServers, "kafka.bootstrap-servers");
        Objects.requireNonNull(topics, "topics");
        Objects.requireNonNull(openSearch, "opensearch");
        Objects.requireNonNull(links, "links");
        Objects.requireNonNull(detection, "detection");
        Objects.requireNonNull(stateDir, "state-dir");
        retryPolicy = retryPolicy == null ? RetryPolicy.defaults() : retryPolicy;
        routing = routing != null ? routing
                : RoutingConfig.defaults(Optional.ofNullable(slackWebhook), Optional.ofNullable(pagerDutyRoutingKey), pagerDutyEventsUrl);
        eventsRetentionDays = eventsRetentionDays == null ? OptionalInt.empty() : eventsRetentionDays;
        retentionCheckInterval = retentionCheckInterval == null ? Duration.ofHours(1) : retentionCheckInterval;
        streamThreads = streamThreads == 0 ? StreamsSettings.DEFAULT_STREAM_THREADS : streamThreads;
        kafkaSecurity = kafkaSecurity == null ? KafkaSecurity.PLAINTEXT : kafkaSecurity;
    }

    /** On a Kafka without security. */
    public PipelineSettings(AirflowDatabaseSettings database, String bootstrapServers, Topics topics, OpenSearchSettings openSearch,
            Secret slackWebhook, URI pagerDutyEventsUrl, Secret pagerDutyRoutingKey, AlertLinks links, DetectionConfig detection,
            Path stateDir, int replicationFactor, VaultAuditSettings vaultAudit, RetryPolicy retryPolicy, RoutingConfig routing,
            OptionalInt eventsRetentionDays, Duration retentionCheckInterval, int streamThreads) {
        this(database, bootstrapServers, topics, openSearch, slackWebhook, pagerDutyEventsUrl, pagerDutyRoutingKey, links, detection,
                stateDir, replicationFactor, vaultAudit, retryPolicy, routing, eventsRetentionDays, retentionCheckInterval,
                streamThreads, null);
    }

    /** Without a Vault audit source and with default delivery retries. */
    public PipelineSettings(AirflowDatabaseSettings database, String bootstrapServers, Topics topics, OpenSearchSettings openSearch,
            Secret slackWebhook, URI pagerDutyEventsUrl, Secret pagerDutyRoutingKey, AlertLinks links, DetectionConfig detection,
            Path stateDir, int replicationFactor) {
        this(database, bootstrapServers, topics, openSearch, slackWebhook, pagerDutyEventsUrl, pagerDutyRoutingKey, links, detection,
                stateDir, replicationFactor, null, null, null, null, null, 0, null);
    }

    /** The pipeline an {@code airlock.yml} describes; the Vault position file lives under {@code state-dir}. */
    public static PipelineSettings from(AirlockConfig c) {
        VaultAuditSettings vault = null;
        VaultAuditSource source = c.vaultAudit();
        if (source.file().isPresent()) {
            vault = VaultAuditSettings.forFile(c.bootstrapServers(), c.topics(), source.file().get(),
                    c.stateDir().resolve("vault-audit.position"));
        } else if (source.socket().isPresent()) {
            vault = VaultAuditSettings.forSocket(c.bootstrapServers(), c.topics(), source.socket().get().host(), source.socket().get().port());
        }
        if (vault != null) {
            vault = vault.withPrefix(source.prefix()).withMaxLineBytes(source.maxLineBytes()).withPollInterval(source.pollInterval())
                    .withKafkaSecurity(c.kafkaSecurity());
        }
        return new PipelineSettings(c.database(), c.bootstrapServers(), c.topics(), c.openSearch(), c.slackWebhook().orElse(null),
                c.pagerDutyEventsUrl(), c.pagerDutyRoutingKey().orElse(null), c.links(), c.detection(), c.stateDir().resolve("streams"),
                c.replicationFactor(), vault, c.retryPolicy(), c.routing(), c.eventsRetentionDays(), c.retentionCheckInterval(),
                c.streamThreads(), c.kafkaSecurity());
    }

    public PipelineSettings withVaultAudit(VaultAuditSettings vault) {
        return new PipelineSettings(database, bootstrapServers, topics, openSearch, slackWebhook, pagerDutyEventsUrl, pagerDutyRoutingKey,
                links, detection, stateDir, replicationFactor, vault, retryPolicy, routing, eventsRetentionDays, retentionCheckInterval,
                streamThreads, kafkaSecurity);
    }

    /** Every Kafka client, the Vault capture's included, with {@code security}. */
    public PipelineSettings withKafkaSecurity(KafkaSecurity security) {
        return new PipelineSettings(database, bootstrapServers, topics, openSearch, slackWebhook, pagerDutyEventsUrl, pagerDutyRoutingKey,
                links, detection, stateDir, replicationFactor, vaultAudit == null ? null : vaultAudit.withKafkaSecurity(security),
                retryPolicy, routing, eventsRetentionDays, retentionCheckInterval, streamThreads, security);
    }

    public PipelineSettings withRouting(RoutingConfig changed) {
        return new PipelineSettings(database, bootstrapServers, topics, openSearch, slackWebhook, pagerDutyEventsUrl, pagerDutyRoutingKey,
                links, detection, stateDir, replicationFactor, vaultAudit, retryPolicy, changed, eventsRetentionDays,
                retentionCheckInterval, streamThreads, kafkaSecurity);
    }
}
