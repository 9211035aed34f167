package io.airlock.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.StringJoiner;

/**
 * One exported event or alert: its {@link RecordKind#columns() columns} with their values as text; absent and empty values
 * are left out (a CSV cannot tell them apart).
 *
 * @param kind   events or alerts
 * @param fields column → value, in column order, only non-empty values
 */
public record ReportRecord(RecordKind kind, Map<String, String> fields) {

    public ReportRecord {
        Objects.requireNonNull(kind, "kind");
        Map<String, String> ordered = new LinkedHashMap<>();
        for (String column : kind.columns()) {
            String value = fields.get(column);
            if (value != null && !value.isEmpty()) {
                ordered.put(column, value);
            }
        }
        fields = Collections.unmodifiableMap(ordered);
    }

    /** The value of a column, or null. */
    public String get(String column) {
        return fields.get(column);
    }

    /**
     * Projects an indexed document ({@code _source}) onto the kind's columns. Flat dotted keys ({@code "event.id"}, as Airlock
     * indexes them) and nested objects ({@code {"event": {"id": …}}}) both work; arrays become their values joined by
     * {@code ", "}; fields outside the columns are not part of the record.
     */
    public static ReportRecord fromDocument(RecordKind kind, JsonNode source) {
        Map<String, String> flat = new LinkedHashMap<>();
        flatten("", source, flat);
        return new ReportRecord(kind, flat);
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
        if (node.isObject()) {
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                flatten(prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey(), field.getValue(), out);
            }
        } else if (node.isArray()) {
            StringJoiner joined = new StringJoiner(", ");
            node.forEach(element -> joined.add(element.isValueNode() ? element.asText() : element.toString()));
            out.put(prefix, joined.toString());
        } else if (!node.isNull()) {
            out.put(prefix, node.asText());
        }
    }
}
