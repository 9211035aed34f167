package io.airlock.app;

import io.airlock.alerting.AlertLinks;
import io.airlock.alerting.OpenSearchSettings;
import io.airlock.alerting.Secret;
import io.airlock.core.Topics;
import io.airlock.ingest.AirflowDatabaseSettings;
import io.airlock.streams.DetectionConfig;
import java.net.URI;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Everything one Airlock process needs to run the whole pipeline. Secrets are {@link Secret}s and never printed.
 *
 * @param pagerDutyEventsUrl Events API v2 endpoint (the public one in production, a local receiver in tests)
 * @param replicationFactor  replication of Airlock's internal topics
 */
public record PipelineSettings(AirflowDatabaseSettings database, String bootstrapServers, Topics topics, OpenSearchSettings openSearch,
        Secret slackWebhook, URI pagerDutyEventsUrl, Secret pagerDutyRoutingKey, AlertLinks links, DetectionConfig detection,
        Path stateDir, int replicationFactor) {

    public PipelineSettings {
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(bootstrapServers, "kafka.bootstrap-servers");
        Objects.requireNonNull(topics, "topics");
        Objects.requireNonNull(openSearch, "opensearch");
        Objects.requireNonNull(links, "links");
        Objects.requireNonNull(detection, "detection");
        Objects.requireNonNull(stateDir, "state-dir");
    }
}
