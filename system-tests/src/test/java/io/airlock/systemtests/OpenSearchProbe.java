package io.airlock.systemtests;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.core.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Reads what {@code airlock run} indexed: every document of an index pattern, with its {@code _id}. */
final class OpenSearchProbe {

    private static final int MAX_DOCUMENTS = 10_000;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI base;

    OpenSearchProbe(URI base) {
        this.base = base;
    }

    /** Every document of {@code pattern} (refreshed first), as {@code _id} and {@code _source}. */
    List<Document> documents(String pattern) {
        get("/" + pattern + "/_refresh?ignore_unavailable=true&allow_no_indices=true");
        JsonNode body = Json.tree(get("/" + pattern + "/_search?ignore_unavailable=true&allow_no_indices=true&size="
                + MAX_DOCUMENTS + "&track_total_hits=true"));
        long total = body.path("hits").path("total").path("value").asLong(0);
        if (total > MAX_DOCUMENTS) {
            throw new IllegalStateException(pattern + " holds " + total + " documents, more than this probe reads");
        }
        List<Document> documents = new ArrayList<>();
        body.path("hits").path("hits").forEach(hit -> documents.add(new Document(hit.path("_id").asText(), hit.path("_source"))));
        return documents;
    }

    /** The {@code _id}s of {@code pattern}, one per document (so a duplicate would show twice). */
    List<String> ids(String pattern) {
        return documents(pattern).stream().map(Document::id).toList();
    }

    private String get(String path) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30))
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 == 5) {
                // e.g. 503 "all shards failed" while a restarted node recovers its shards: not yet, ask again
                throw new AssertionError("GET " + path + " answered " + response.statusCode() + " (not available yet): "
                        + response.body());
            }
            if (response.statusCode() / 100 != 2) {
                throw new IllegalStateException("GET " + path + " answered " + response.statusCode() + ": " + response.body());
            }
            if (Json.tree(response.body()).path("_shards").path("failed").asInt(0) > 0) {
                throw new AssertionError("GET " + path + " answered from only some shards: " + response.body());
            }
            return response.body();
        } catch (IOException e) {
            throw new AssertionError("GET " + path + " failed (not reachable yet): " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** One indexed document. */
    record Document(String id, JsonNode source) {

        /** A field by its ECS name, whether stored flat ({@code "rule.id": ...}) or nested. */
        String field(String name) {
            JsonNode flat = source.get(name);
            if (flat != null && !flat.isNull()) {
                return flat.asText();
            }
            JsonNode node = source;
            for (String part : name.split("\\.")) {
                node = node.path(part);
            }
            return node.isMissingNode() || node.isNull() ? null : node.asText();
        }
    }
}
