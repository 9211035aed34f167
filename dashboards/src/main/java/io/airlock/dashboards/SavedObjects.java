package io.airlock.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.airlock.core.IndexNames;
import io.airlock.core.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The OpenSearch Dashboards 2.x saved objects of Airlock: index patterns for the events and alerts indices, one saved search
 * per rule with the events it reasons about, the visualizations, and the dashboards "Airlock overview", "Authentication",
 * "Airflow changes" and "Vault secret access". They live as ndjson (the Dashboards export format) under
 * {@code dashboards/src/main/resources/dashboards/}; see docs/dashboards.md.
 */
public final class SavedObjects {

    /** The resource files, in import order: what an object references comes before it. */
    public static final List<String> FILES =
            List.of("index-patterns.ndjson", "searches.ndjson", "visualizations.ndjson", "dashboards.ndjson");

    /** Saved-object ids of the index patterns. */
    public static final String EVENTS_INDEX_PATTERN = "airlock-events";
    public static final String ALERTS_INDEX_PATTERN = "airlock-alerts";

    private static final String RESOURCE_DIR = "/dashboards/";

    private SavedObjects() {
    }

    /** Every saved object, in import order. */
    public static List<ObjectNode> objects() {
        List<ObjectNode> objects = new ArrayList<>();
        for (String file : FILES) {
            objects.addAll(read(file));
        }
        return objects;
    }

    /** The saved objects of one resource file. */
    public static List<ObjectNode> read(String file) {
        try (InputStream in = SavedObjects.class.getResourceAsStream(RESOURCE_DIR + file)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + RESOURCE_DIR + file);
            }
            List<ObjectNode> objects = new ArrayList<>();
            String[] lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n");
            for (int i = 0; i < lines.length; i++) {
                if (lines[i].isBlank()) {
                    continue;
                }
                JsonNode node = Json.MAPPER.readTree(lines[i]);
                if (!(node instanceof ObjectNode object) || !object.hasNonNull("type") || !object.hasNonNull("id")) {
                    throw new IllegalStateException(file + " line " + (i + 1) + ": not a saved object (type, id, attributes)");
                }
                objects.add(object);
            }
            return objects;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE_DIR + file, e);
        }
    }

    /**
     * The import file: every object, one per line. Index pattern titles follow {@code indices}, so a deployment with another
     * {@code opensearch.index-prefix} gets patterns that match its indices; saved-object ids stay the same.
     */
    public static String ndjson(IndexNames indices) {
        StringBuilder out = new StringBuilder();
        for (ObjectNode object : objects()) {
            if ("index-pattern".equals(object.path("type").asText())) {
                ObjectNode attributes = (ObjectNode) object.get("attributes");
                switch (object.path("id").asText()) {
                    case EVENTS_INDEX_PATTERN -> attributes.put("title", indices.eventsPattern());
                    case ALERTS_INDEX_PATTERN -> attributes.put("title", indices.alertsIndex());
                    default -> throw new IllegalStateException("unknown index pattern " + object.path("id").asText());
                }
            }
            out.append(Json.writeString(object)).append('\n');
        }
        return out.toString();
    }

    /** Titles of the dashboards, in import order. */
    public static List<String> dashboardTitles() {
        return objects().stream().filter(o -> "dashboard".equals(o.path("type").asText()))
                .map(o -> o.path("attributes").path("title").asText()).toList();
    }
}
