package io.airlock.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.airlock.core.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * One use of a field by a saved object: which object, on which index pattern, the field, and how it is used ({@code terms},
 * {@code date_histogram}, {@code max}, …, {@code column}, {@code sort}, {@code query}).
 */
record FieldUse(String object, String indexPattern, String field, String use) {

    private static final Pattern KQL_FIELD = Pattern.compile("([A-Za-z_@][\\w.@]*)\\s*:");
    private static final Pattern QUOTED = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");

    /** Every field use in the saved objects: searches, visualizations (directly or through their saved search). */
    static List<FieldUse> all(List<ObjectNode> objects) {
        Map<String, ObjectNode> byId = objects.stream().collect(Collectors.toMap(o -> o.path("id").asText(), Function.identity()));
        List<FieldUse> uses = new ArrayList<>();
        for (ObjectNode o : objects) {
            String type = o.path("type").asText();
            String id = type + " " + o.path("id").asText();
            JsonNode attributes = o.path("attributes");
            if (type.equals("search")) {
                String index = indexPatternOf(o, byId);
                attributes.path("columns").forEach(c -> uses.add(new FieldUse(id, index, c.asText(), "column")));
                attributes.path("sort").forEach(s -> uses.add(new FieldUse(id, index, s.path(0).asText(), "sort")));
                queryFields(attributes).forEach(f -> uses.add(new FieldUse(id, index, f, "query")));
            } else if (type.equals("visualization")) {
                String index = indexPatternOf(o, byId);
                JsonNode visState = tree(attributes.path("visState").asText());
                for (JsonNode agg : visState.path("aggs")) {
                    if (agg.path("params").hasNonNull("field")) {
                        uses.add(new FieldUse(id, index, agg.path("params").path("field").asText(), agg.path("type").asText()));
                    }
                }
                queryFields(attributes).forEach(f -> uses.add(new FieldUse(id, index, f, "query")));
            }
        }
        return uses;
    }

    /** The index pattern an object reads: its own reference, or its saved search's. */
    static String indexPatternOf(ObjectNode object, Map<String, ObjectNode> byId) {
        for (JsonNode ref : object.path("references")) {
            if (ref.path("type").asText().equals("index-pattern")) {
                return ref.path("id").asText();
            }
            if (ref.path("type").asText().equals("search") && ref.path("name").asText().equals(
                    object.path("attributes").path("savedSearchRefName").asText())) {
                ObjectNode search = byId.get(ref.path("id").asText());
                if (search == null) {
                    throw new AssertionError(object.path("id").asText() + " references missing search " + ref.path("id").asText());
                }
                return indexPatternOf(search, byId);
            }
        }
        throw new AssertionError(object.path("id").asText() + " reads no index pattern");
    }

    /** Field names in a KQL query: every {@code name:} outside a quoted value. */
    static List<String> kqlFields(String query) {
        Matcher m = KQL_FIELD.matcher(QUOTED.matcher(query).replaceAll("\"\""));
        List<String> fields = new ArrayList<>();
        while (m.find()) {
            fields.add(m.group(1));
        }
        return fields;
    }

    static List<String> queryFields(JsonNode attributes) {
        JsonNode source = tree(attributes.path("kibanaSavedObjectMeta").path("searchSourceJSON").asText("{}"));
        JsonNode query = source.path("query");
        if (!query.path("language").asText("kuery").equals("kuery")) {
            throw new AssertionError("only KQL queries are checked, got " + query.path("language").asText());
        }
        return kqlFields(query.path("query").asText(""));
    }

    static JsonNode tree(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
