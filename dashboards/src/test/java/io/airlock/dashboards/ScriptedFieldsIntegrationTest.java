package io.airlock.dashboards;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.airlock.core.Json;
import io.airlock.embedded.EmbeddedOpenSearch;
import io.airlock.embedded.RealComponents;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The painless of the events index pattern's scripted fields ({@code weekday_utc}, {@code hour_of_day_utc}) runs on a real
 * OpenSearch 2.x node, as Dashboards sends it: a terms aggregation on the script. Skipped when the node has no painless (the
 * embedded integ-test distribution has none); run it with {@code AIRLOCK_OPENSEARCH_HOME} set to a full distribution.
 */
@ExtendWith(RealComponents.class)
class ScriptedFieldsIntegrationTest {

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void shouldBucketEventsByUtcWeekdayAndHour(EmbeddedOpenSearch openSearch) throws Exception {
        URI base = openSearch.httpUri();
        assumeTrue(send(base, "GET", "/_nodes/plugins", null).findValuesAsText("name").contains("lang-painless"),
                "the OpenSearch distribution has no lang-painless module (the integ-test zip has none); set AIRLOCK_OPENSEARCH_HOME "
                        + "to a full OpenSearch 2.x distribution to run this test");
        String index = RealComponents.uniqueName("dashboards") + "-events-2024.06.02";
        String mappings;
        try (InputStream in = getClass().getResourceAsStream("/io/airlock/alerting/templates/events-mappings.json")) {
            mappings = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        send(base, "PUT", "/" + index, "{\"mappings\":" + mappings + "}");
        // Sunday 23:30 UTC (Monday in Berlin), Monday 00:15 UTC, and Monday 08:00 UTC
        for (String at : List.of("2024-06-02T23:30:00Z", "2024-06-03T00:15:00Z", "2024-06-03T08:00:00.123Z")) {
            send(base, "POST", "/" + index + "/_doc?refresh=true",
                    "{\"@timestamp\":\"" + at + "\",\"event.id\":\"" + at + "\",\"event.dataset\":\"airflow.log\"}");
        }
        Map<String, String> scripts = scripts();

        JsonNode weekdays = termsOnScript(base, index, scripts.get("weekday_utc"));
        JsonNode hours = termsOnScript(base, index, scripts.get("hour_of_day_utc"));

        assertThat(buckets(weekdays)).containsExactly(Map.entry("1 Mon", 2L), Map.entry("7 Sun", 1L));
        assertThat(buckets(hours)).containsExactly(Map.entry("0", 1L), Map.entry("8", 1L), Map.entry("23", 1L));
    }

    private static Map<String, String> scripts() {
        ObjectNode pattern = SavedObjects.read("index-patterns.ndjson").stream()
                .filter(o -> o.path("id").asText().equals(SavedObjects.EVENTS_INDEX_PATTERN)).findFirst().orElseThrow();
        Map<String, String> scripts = new HashMap<>();
        for (JsonNode f : FieldUse.tree(pattern.path("attributes").path("fields").asText())) {
            if (f.path("scripted").asBoolean()) {
                scripts.put(f.path("name").asText(), f.path("script").asText());
            }
        }
        return scripts;
    }

    private JsonNode termsOnScript(URI base, String index, String script) throws IOException, InterruptedException {
        ObjectNode body = Json.MAPPER.createObjectNode().put("size", 0);
        ObjectNode terms = body.putObject("aggs").putObject("by").putObject("terms");
        terms.put("size", 30).putObject("order").put("_key", "asc");
        terms.putObject("script").put("source", script).put("lang", "painless");
        return send(base, "POST", "/" + index + "/_search", Json.writeString(body)).path("aggregations").path("by").path("buckets");
    }

    private static Map<String, Long> buckets(JsonNode buckets) {
        Map<String, Long> counts = new java.util.LinkedHashMap<>();
        buckets.forEach(b -> counts.put(b.path("key").asText(), b.path("doc_count").asLong()));
        return counts;
    }

    private JsonNode send(URI base, String method, String path, String json) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/json")
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("%s %s: %s", method, path, response.body()).isBetween(200, 299);
        return Json.MAPPER.readTree(response.body());
    }
}
