package io.airlock.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.airlock.alerting.OpenSearchSettings;
import io.airlock.core.IndexNames;
import io.airlock.core.Json;
import java.io.IOException;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch.generic.Requests;
import org.opensearch.client.opensearch.generic.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a report's records from OpenSearch with a point in time and {@code search_after} paging: one page in memory at a
 * time, whatever the number of records, and a consistent view even while the pipeline keeps indexing. Sorted by
 * {@code @timestamp} then the record id, so the same data always gives the same sequence (and hash chain).
 */
public final class OpenSearchRecords implements RecordSource {

    private static final Logger log = LoggerFactory.getLogger(OpenSearchRecords.class);
    private static final String KEEP_ALIVE = "2m";

    private final OpenSearchClient client;
    private final IndexNames names;
    private final int pageSize;

    /**
     * @param pageSize records per request, 1 to 10 000
     */
    public OpenSearchRecords(OpenSearchClient client, IndexNames names, int pageSize) {
        this.client = Objects.requireNonNull(client, "client");
        this.names = Objects.requireNonNull(names, "names");
        if (pageSize < 1 || pageSize > 10_000) {
            throw new IllegalArgumentException("page size must be 1 to 10000, was " + pageSize);
        }
        this.pageSize = pageSize;
    }

    public OpenSearchRecords(OpenSearchClient client, OpenSearchSettings settings, int pageSize) {
        this(client, settings.indexNames(), pageSize);
    }

    @Override
    public String indexOf(RecordKind kind) {
        return kind == RecordKind.EVENTS ? names.eventsPattern() : names.alertsIndex();
    }

    /**
     * Resolves the prefix's events indices and alerts index once: none of them at all is a wrong {@code opensearch.index-prefix}
     * (or a cluster Airlock never wrote to), not an empty period, and fails; otherwise the days of the period whose daily index
     * is missing.
     */
    @Override
    public List<LocalDate> daysWithoutEventsIndex(ReportQuery query) throws IOException {
        String indices = names.eventsPattern() + "," + names.alertsIndex();
        JsonNode resolved = call("GET", "/_resolve/index/" + indices, null, "resolve " + indices);
        Set<String> present = new HashSet<>();
        resolved.path("indices").forEach(i -> present.add(i.path("name").asText()));
        resolved.path("aliases").forEach(i -> present.add(i.path("name").asText()));
        if (present.isEmpty()) {
            throw new IOException("opensearch: no Airlock index under the index prefix '" + names.prefix() + "' (neither "
                    + names.eventsPattern() + " nor " + names.alertsIndex() + "): is opensearch.index-prefix right? A report "
                    + "of no index would be a signed empty report of a period that may well have events");
        }
        List<LocalDate> missing = new ArrayList<>();
        LocalDate last = query.to().minusMillis(1).atZone(ZoneOffset.UTC).toLocalDate();
        for (LocalDate day = query.from().atZone(ZoneOffset.UTC).toLocalDate(); !day.isAfter(last); day = day.plusDays(1)) {
            if (!present.contains(names.eventsIndex(day.atStartOfDay(ZoneOffset.UTC).toInstant()))) {
                missing.add(day);
            }
        }
        return missing;
    }

    @Override
    public void read(RecordKind kind, ReportQuery query, LongConsumer total, Consumer<ReportRecord> sink) throws IOException {
        String index = indexOf(kind);
        String pit = openPointInTime(index);
        if (pit == null) {
            log.info("report: no index {} yet, no {}", index, kind.label());
            total.accept(0);
            return;
        }
        try {
            JsonNode searchAfter = null;
            boolean first = true;
            long expected = -1;
            long read = 0;
            while (true) {
                ObjectNode body = Json.MAPPER.createObjectNode();
                body.put("size", pageSize);
                body.set("query", query.openSearchQuery(kind));
                body.set("sort", ReportQuery.sort(kind));
                body.putObject("pit").put("id", pit).put("keep_alive", KEEP_ALIVE);
                body.put("track_total_hits", first);
                if (searchAfter != null) {
                    body.set("search_after", searchAfter);
                }
                JsonNode page = call("POST", "/_search", body, "search " + index);
                requireComplete(page, index);
                if (first) {
                    JsonNode hitsTotal = page.path("hits").path("total");
                    total.accept(hitsTotal.path("value").asLong());
                    if ("eq".equals(hitsTotal.path("relation").asText("eq")) && hitsTotal.path("value").isNumber()) {
                        expected = hitsTotal.path("value").asLong();
                    }
                    first = false;
                }
                pit = page.path("pit_id").asText(pit);
                JsonNode hits = page.path("hits").path("hits");
                for (JsonNode hit : hits) {
                    sink.accept(ReportRecord.fromDocument(kind, hit.path("_source")));
                    read++;
                }
                if (hits.size() < pageSize) {
                    if (expected >= 0 && read != expected) {
                        throw new IOException("opensearch: search " + index + " returned " + read + " " + kind.label()
                                + " of the " + expected + " it counted; the report would be incomplete");
                    }
                    return;
                }
                searchAfter = hits.get(hits.size() - 1).path("sort");
            }
        } finally {
            closePointInTime(pit);
        }
    }

    /**
     * A page from fewer shards than were searched, or cut short by a timeout, holds only part of the records: a compliance
     * report must fail rather than leave them out without a word.
     */
    private static void requireComplete(JsonNode page, String index) throws IOException {
        JsonNode shards = page.path("_shards");
        int failed = shards.path("failed").asInt(0);
        if (failed > 0 || page.path("timed_out").asBoolean(false)) {
            throw new IOException("opensearch: search " + index + " answered from " + shards.path("successful").asInt() + " of "
                    + shards.path("total").asInt() + " shards (" + failed + " failed"
                    + (page.path("timed_out").asBoolean(false) ? ", timed out" : "") + "); the report would be incomplete");
        }
    }

    /** The point-in-time id, or null when no index matches. */
    private String openPointInTime(String index) throws IOException {
        JsonNode resolved = call("GET", "/_resolve/index/" + index, null, "resolve " + index);
        if (resolved.path("indices").isEmpty()) {
            return null;
        }
        var request = Requests.builder().method("POST").endpoint("/" + index + "/_search/point_in_time")
                .query(Map.of("keep_alive", KEEP_ALIVE, "allow_partial_pit_creation", "false")).build();
        try (Response response = client.generic().execute(request)) {
            String text = response.getBody().map(b -> b.bodyAsString()).orElse("{}");
            if (response.getStatus() == 404) {
                return null;
            }
            if (response.getStatus() >= 300) {
                throw new IOException("opensearch: cannot open a point in time on " + index + ": HTTP " + response.getStatus()
                        + " " + errorType(text));
            }
            JsonNode json = Json.tree(text);
            if (json.path("_shards").path("total").asInt(1) == 0) {
                closePointInTime(json.path("pit_id").asText());
                return null;
            }
            return json.path("pit_id").asText();
        }
    }

    private void closePointInTime(String pit) {
        if (pit == null || pit.isEmpty()) {
            return;
        }
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.putArray("pit_id").add(pit);
        var request = Requests.builder().method("DELETE").endpoint("/_search/point_in_time").json(Json.writeString(body)).build();
        try (Response response = client.generic().execute(request)) {
            if (response.getStatus() >= 300) {
                log.warn("report: point in time not deleted (HTTP {}); it expires after {}", response.getStatus(), KEEP_ALIVE);
            }
        } catch (IOException e) {
            log.warn("report: point in time not deleted ({}); it expires after {}", e.getClass().getSimpleName(), KEEP_ALIVE);
        }
    }

    private JsonNode call(String method, String endpoint, ObjectNode body, String what) throws IOException {
        var builder = Requests.builder().method(method).endpoint(endpoint);
        if (body != null) {
            builder.json(Json.writeString(body));
        }
        var request = builder.build();
        try (Response response = client.generic().execute(request)) {
            String text = response.getBody().map(b -> b.bodyAsString()).orElse("{}");
            if (response.getStatus() >= 300) {
                throw new IOException("opensearch: " + what + " failed: HTTP " + response.getStatus() + " " + errorType(text));
            }
            return Json.tree(text);
        }
    }

    private static String errorType(String body) {
        try {
            JsonNode error = Json.tree(body).path("error");
            return error.path("type").asText("") + " " + error.path("reason").asText("");
        } catch (RuntimeException notJson) {
            return "";
        }
    }
}
