package io.airlock.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.core.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Map.Entry;

/**
 * The fields of one index template mapping (from the airlock-alerting jar), flattened to the dotted names Dashboards uses:
 * object paths {@code event.outcome}, multi-fields {@code summary.keyword}.
 */
record IndexMappings(String name, Map<String, Field> fields) {

    /** One mapped field: its OpenSearch type, and whether it is indexed (searchable). */
    record Field(String type, boolean indexed) {

        boolean aggregatable() {
            return !"text".equals(type);
        }
    }

    static IndexMappings events() {
        return load("events-mappings.json");
    }

    static IndexMappings alerts() {
        return load("alerts-mappings.json");
    }

    private static IndexMappings load(String resource) {
        String path = "/io/airlock/alerting/templates/" + resource;
        try (InputStream in = IndexMappings.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing " + path + " (airlock-alerting test dependency)");
            }
            Map<String, Field> fields = new LinkedHashMap<>();
            flatten(Json.MAPPER.readTree(in).path("properties"), "", fields);
            return new IndexMappings(resource, fields);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void flatten(JsonNode properties, String prefix, Map<String, Field> into) {
        for (Entry<String, JsonNode> e : properties.properties()) {
            String name = prefix + e.getKey();
            JsonNode spec = e.getValue();
            if (spec.has("properties")) {
                flatten(spec.get("properties"), name + ".", into);
                continue;
            }
            into.put(name, new Field(spec.path("type").asText("object"), spec.path("index").asBoolean(true)));
            for (Entry<String, JsonNode> sub : spec.path("fields").properties()) {
                into.put(name + "." + sub.getKey(), new Field(sub.getValue().path("type").asText(), true));
            }
        }
    }
}
