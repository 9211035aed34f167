package io.airlock.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.core.Json;
import java.util.LinkedHashSet;
import java.util.Set;

/** Compares counts a manifest states with counts recounted from the records, and names the first that differs. */
final class ManifestCounts {

    private ManifestCounts() {
    }

    /**
     * @param path    where {@code stated} sits in the manifest ({@code summary}, {@code sources})
     * @param stated  what the manifest says
     * @param counted what the records add up to
     * @return the first difference, e.g. {@code summary.logins_failed is 3, the records count 40}; null when they agree
     */
    static String firstDifference(String path, JsonNode stated, JsonNode counted) {
        return difference(path, stated, asRead(counted));
    }

    private static String difference(String path, JsonNode stated, JsonNode counted) {
        if (stated.isMissingNode()) {
            return path + " is missing";
        }
        if (stated.isObject() && counted.isObject()) {
            Set<String> names = new LinkedHashSet<>();
            stated.fieldNames().forEachRemaining(names::add);
            counted.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                String inner = name.matches("[a-z_]+") ? path + "." + name : path + "[" + quoted(name) + "]";
                String found = !counted.has(name) ? inner + " is " + shown(stated.get(name)) + ", the records have none"
                        : !stated.has(name) ? inner + " is not in the manifest, the records give " + shown(counted.get(name))
                        : difference(inner, stated.get(name), counted.get(name));
                if (found != null) {
                    return found;
                }
            }
            return null;
        }
        if (stated.isArray() && counted.isArray()) {
            if (stated.size() != counted.size()) {
                return path + " has " + stated.size() + " entries, the records give " + counted.size();
            }
            for (int i = 0; i < stated.size(); i++) {
                String found = difference(path + "[" + i + "]", stated.get(i), counted.get(i));
                if (found != null) {
                    return found;
                }
            }
            return null;
        }
        return stated.equals(counted) ? null : path + " is " + shown(stated) + ", the records give " + shown(counted);
    }

    /** The node as it reads back from a file, so numbers compare as the manifest's do (an int is not a long). */
    private static JsonNode asRead(JsonNode node) {
        try {
            return Json.MAPPER.readTree(Json.MAPPER.writeValueAsBytes(node));
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot copy the recounted summary", e);
        }
    }

    private static String shown(JsonNode value) {
        String text = value.isContainerNode() ? value.getNodeType().name().toLowerCase(java.util.Locale.ROOT) : value.toString();
        return text.length() > 80 ? text.substring(0, 80) + "…" : text;
    }

    /** A key of the records (a user name, a rule name) as a JSON string: quoted, control characters escaped. */
    private static String quoted(String name) {
        try {
            String json = Json.MAPPER.writeValueAsString(name);
            return json.length() > 82 ? json.substring(0, 81) + "…\"" : json;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
