package io.airlock.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.core.Json;
import io.airlock.core.Topics;
import io.airlock.ingest.AirflowDatabaseSettings;
import io.airlock.ingest.CaptureSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@code deploy/connect/airflow-postgres-connector.json} (Debezium on a Kafka Connect cluster) captures the way the embedded
 * engine does: every connector setting of {@link DebeziumProperties} has the same value there, except those that name the
 * deployment (database, slot, publication, where offsets live).
 */
class ConnectorJsonTest {

    private static final Set<String> DEPLOYMENT_SPECIFIC = Set.of("name", "bootstrap.servers", "slot.name", "publication.name");

    @Test
    void shouldUseTheEmbeddedEnginesConnectorSettings() throws IOException {
        JsonNode config = Json.tree(Files.readAllBytes(Path.of("../deploy/connect/airflow-postgres-connector.json"))).get("config");
        var db = new AirflowDatabaseSettings("localhost", 5432, "airflow", "airlock", "not-used", "disable", null, null);
        Properties embedded = DebeziumProperties.of(db, CaptureSettings.of("localhost:9092", Topics.defaults()));

        for (String key : embedded.stringPropertyNames()) {
            if (DEPLOYMENT_SPECIFIC.contains(key) || key.startsWith("database.") || key.startsWith("offset.")) {
                continue;
            }
            assertThat(config.has(key)).as("%s is in the connector JSON", key).isTrue();
            assertThat(config.get(key).asText()).as(key).isEqualTo(embedded.getProperty(key));
        }
    }
}
