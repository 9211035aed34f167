package io.airlock.alerting;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.core.IndexNames;
import java.net.URI;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.opensearch.client.opensearch.OpenSearchClient;

class IndexTemplatesTest {

    private final OpenSearchClient client = OpenSearchClients.create(OpenSearchSettings.local(URI.create("http://127.0.0.1:1")));
    private final IndexTemplates templates = new IndexTemplates(client, new IndexNames("soc"), 2);

    @AfterEach
    void close() throws Exception {
        client._transport().close();
    }

    @Test
    void shouldTargetThePrefixedPatternsWithTheConfiguredReplicas() {
        JsonNode events = templates.body("soc-events-*", "events-mappings.json");

        assertThat(events.path("index_patterns").get(0).asText()).isEqualTo("soc-events-*");
        assertThat(events.path("template").path("settings").path("index").path("number_of_replicas").asInt()).isEqualTo(2);
        assertThat(templates.eventsTemplateName()).isEqualTo("soc-events");
        assertThat(templates.alertsTemplateName()).isEqualTo("soc-alerts");
        assertThat(templates.patterns()).containsExactly("soc-events-*", "soc-alerts");
    }

    @Test
    void shouldMapDottedEventFieldsAsObjectPathsWithoutDynamicMapping() {
        JsonNode mappings = IndexTemplates.mappings("events-mappings.json");

        assertThat(mappings.path("dynamic").asBoolean(true)).isFalse();
        assertThat(mappings.at("/properties/@timestamp/type").asText()).isEqualTo("date");
        assertThat(mappings.at("/properties/event/properties/id/type").asText()).isEqualTo("keyword");
        assertThat(mappings.at("/properties/user/properties/name/type").asText()).isEqualTo("keyword");
        assertThat(mappings.at("/properties/source/properties/ip/type").asText()).isEqualTo("ip");
        assertThat(mappings.at("/properties/vault/properties/path/type").asText()).isEqualTo("keyword");
        assertThat(mappings.at("/properties/airflow/properties/dag_id/type").asText()).isEqualTo("keyword");
    }

    @Test
    void shouldMapAlertFields() {
        JsonNode mappings = IndexTemplates.mappings("alerts-mappings.json");

        assertThat(mappings.path("dynamic").asBoolean(true)).isFalse();
        assertThat(mappings.at("/properties/alert/properties/id/type").asText()).isEqualTo("keyword");
        assertThat(mappings.at("/properties/rule/properties/id/type").asText()).isEqualTo("keyword");
        assertThat(mappings.at("/properties/first_seen/type").asText()).isEqualTo("date");
        assertThat(mappings.at("/properties/last_seen/type").asText()).isEqualTo("date");
        assertThat(mappings.at("/properties/count/type").asText()).isEqualTo("long");
        assertThat(mappings.at("/properties/summary/type").asText()).isEqualTo("text");
        assertThat(mappings.at("/properties/summary/fields/keyword/type").asText()).isEqualTo("keyword");
        assertThat(mappings.at("/properties/threat/properties/technique/properties/id/type").asText()).isEqualTo("keyword");
        assertThat(mappings.at("/properties/evidence/type").asText()).isEqualTo("keyword");
        assertThat(mappings.at("/properties/severity/type").asText()).isEqualTo("keyword");
        assertThat(mappings.at("/properties/status/type").asText()).isEqualTo("keyword");
    }
}
