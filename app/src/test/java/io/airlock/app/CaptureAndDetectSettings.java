package io.airlock.app;

import io.airlock.alerting.AlertLinks;
import io.airlock.alerting.OpenSearchSettings;
import io.airlock.alerting.RoutingConfig;
import io.airlock.core.Topics;
import io.airlock.embedded.EmbeddedKafka;
import io.airlock.embedded.EmbeddedPostgres;
import io.airlock.ingest.AirflowDatabaseSettings;
import io.airlock.ingest.vault.VaultAuditSettings;
import io.airlock.streams.DetectionConfig;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Pipeline settings for tests of the capture and detection stages on the shared embedded components: the Airflow database
 * {@code database} (its own replication slot), the Vault audit file {@code vaultDir/vault-audit.log} (position file beside
 * it, polled every 100 ms), default detection, no delivery (OpenSearch at a closed port, no notification routes).
 */
final class CaptureAndDetectSettings {

    private CaptureAndDetectSettings() {
    }

    static PipelineSettings of(EmbeddedPostgres postgres, String database, EmbeddedKafka kafka, Topics topics, Path stateDir,
            Path vaultDir) {
        var search = OpenSearchSettings.local(URI.create("http://localhost:9"));
        return new PipelineSettings(
                new AirflowDatabaseSettings(postgres.host(), postgres.port(), database, postgres.superuser(), postgres.password(),
                        "disable", database.replace('-', '_'), null),
                kafka.bootstrapServers(), topics, search, null, null, null,
                AlertLinks.of(URI.create("http://localhost:5601"), null, search.indexNames()), DetectionConfig.defaults(), stateDir, 1)
                .withRouting(RoutingConfig.none())
                .withVaultAudit(VaultAuditSettings.forFile(kafka.bootstrapServers(), topics, auditFile(vaultDir),
                        vaultDir.resolve("vault-audit.position")).withPollInterval(Duration.ofMillis(100)));
    }

    /** The audit file the settings of {@link #of} tail. */
    static Path auditFile(Path vaultDir) {
        return vaultDir.resolve("vault-audit.log");
    }
}
