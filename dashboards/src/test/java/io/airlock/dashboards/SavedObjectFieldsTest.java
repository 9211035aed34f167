package io.airlock.dashboards;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every field a visualization or saved search uses exists in our index templates (airlock-alerting's
 * {@code templates/*-mappings.json}, {@code dynamic: false}, so an unmapped field would never have a value) with a type that
 * supports the use: a keyword (or ip, number, date) for terms, a date for date histograms, a number or date for min/max.
 */
class SavedObjectFieldsTest {

    private static final Set<String> TERMS_TYPES = Set.of("keyword", "ip", "long", "integer", "date", "boolean");
    private static final Set<String> MIN_MAX_TYPES = Set.of("date", "long", "integer", "double");
    private static final Set<String> NUMBER_TYPES = Set.of("long", "integer", "double");
    private static final Set<String> SORT_TYPES = Set.of("date", "keyword", "long", "integer", "double", "ip");
    private static final Pattern DOC_FIELD = Pattern.compile("doc\\['([^']+)'\\]");

    private final List<ObjectNode> objects = SavedObjects.objects();
    private final Map<String, IndexMappings> mappings = Map.of(
            SavedObjects.EVENTS_INDEX_PATTERN, IndexMappings.events(),
            SavedObjects.ALERTS_INDEX_PATTERN, IndexMappings.alerts());

    @Test
    void shouldUseOnlyMappedFieldsWithATypeThatSupportsTheAggregation() {
        Map<String, Map<String, JsonNode>> scripted = scriptedFields();
        List<FieldUse> uses = FieldUse.all(objects);
        assertThat(uses).extracting(FieldUse::use).contains("terms", "date_histogram", "cardinality", "max", "min", "column", "sort", "query");

        List<String> problems = new ArrayList<>();
        for (FieldUse use : uses) {
            IndexMappings mapping = mappings.get(use.indexPattern());
            assertThat(mapping).as("index pattern of %s", use.object()).isNotNull();
            JsonNode script = scripted.get(use.indexPattern()).get(use.field());
            if (script != null) {
                if (!script.path("aggregatable").asBoolean() && !use.use().equals("column")) {
                    problems.add(use + ": scripted field is not aggregatable");
                }
                continue;
            }
            IndexMappings.Field field = mapping.fields().get(use.field());
            if (field == null) {
                problems.add(use + ": not in " + mapping.name());
                continue;
            }
            String type = field.type();
            boolean fits = switch (use.use()) {
                case "terms", "significant_terms" -> TERMS_TYPES.contains(type);
                case "date_histogram" -> type.equals("date");
                case "min", "max" -> MIN_MAX_TYPES.contains(type);
                case "sum", "avg", "histogram", "percentiles" -> NUMBER_TYPES.contains(type);
                case "cardinality" -> field.aggregatable();
                case "sort" -> SORT_TYPES.contains(type);
                case "query" -> field.indexed();
                case "column" -> true;
                default -> false;
            };
            if (!fits) {
                problems.add(use + ": field type " + type + " does not support " + use.use());
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void shouldListExactlyTheMappedFieldsInEachIndexPattern() {
        // Dashboards does not refresh a saved field list that carries field caps, so the list must match the template.
        for (ObjectNode pattern : indexPatterns()) {
            String id = pattern.path("id").asText();
            IndexMappings mapping = mappings.get(id);
            assertThat(mapping).as("mapping for index pattern %s", id).isNotNull();
            Map<String, String> listed = new TreeMap<>();
            List<String> problems = new ArrayList<>();
            for (JsonNode f : fields(pattern)) {
                String name = f.path("name").asText();
                if (f.path("scripted").asBoolean() || name.startsWith("_")) {
                    continue;
                }
                String esType = f.path("esTypes").path(0).asText();
                listed.put(name, esType);
                IndexMappings.Field mapped = mapping.fields().get(name);
                if (mapped == null) {
                    continue;
                }
                if (!esType.equals(mapped.type()) || f.path("aggregatable").asBoolean() != mapped.aggregatable()
                        || f.path("searchable").asBoolean() != mapped.indexed()) {
                    problems.add(name + ": index pattern says " + f + ", template says " + mapped);
                }
            }
            Map<String, String> expected = new TreeMap<>();
            mapping.fields().forEach((name, field) -> expected.put(name, field.type()));
            assertThat(listed).as("fields of index pattern %s (refresh its field list in Dashboards and export it, see docs/dashboards.md)", id)
                    .isEqualTo(expected);
            assertThat(problems).isEmpty();
            assertThat(pattern.path("attributes").path("timeFieldName").asText()).isEqualTo("@timestamp");
            assertThat(mapping.fields().get("@timestamp").type()).isEqualTo("date");
        }
    }

    @Test
    void shouldComputeScriptedFieldsFromMappedDateFieldsOnly() {
        Map<String, Map<String, JsonNode>> scripted = scriptedFields();
        assertThat(scripted.get(SavedObjects.EVENTS_INDEX_PATTERN)).containsKeys("weekday_utc", "hour_of_day_utc");
        scripted.forEach((pattern, fields) -> fields.forEach((name, spec) -> {
            assertThat(spec.path("lang").asText()).as(name).isEqualTo("painless");
            Matcher m = DOC_FIELD.matcher(spec.path("script").asText());
            List<String> read = new ArrayList<>();
            while (m.find()) {
                read.add(m.group(1));
            }
            assertThat(read).as("fields read by scripted field %s", name).isNotEmpty();
            for (String field : read) {
                IndexMappings.Field mapped = mappings.get(pattern).fields().get(field);
                assertThat(mapped).as("%s reads %s", name, field).isNotNull();
                assertThat(mapped.type()).as("%s reads %s", name, field).isEqualTo("date");
            }
        }));
    }

    @Test
    void shouldFindFieldNamesInKqlOutsideQuotedValues() {
        assertThat(FieldUse.kqlFields("event.dataset:\"a:b\" and vault.kv_path:(airflow/x/* or y) and not vault.error:*"))
                .containsExactly("event.dataset", "vault.kv_path", "vault.error");
    }

    private List<ObjectNode> indexPatterns() {
        return objects.stream().filter(o -> o.path("type").asText().equals("index-pattern")).toList();
    }

    private static JsonNode fields(ObjectNode pattern) {
        return FieldUse.tree(pattern.path("attributes").path("fields").asText("[]"));
    }

    private Map<String, Map<String, JsonNode>> scriptedFields() {
        Map<String, Map<String, JsonNode>> scripted = new HashMap<>();
        for (ObjectNode pattern : indexPatterns()) {
            Map<String, JsonNode> byName = new HashMap<>();
            for (JsonNode f : fields(pattern)) {
                if (f.path("scripted").asBoolean()) {
                    byName.put(f.path("name").asText(), f);
                }
            }
            scripted.put(pattern.path("id").asText(), byName);
        }
        return scripted;
    }
}
