package io.airlock.embedded;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.core.Json;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One HTTP request the {@link WebhookReceiver} recorded.
 *
 * @param path    request path, e.g. {@code /slack/soc}
 * @param headers request headers; names as the JDK HTTP server reports them (first letter upper case)
 * @param body    request body as UTF-8 text
 */
public record ReceivedRequest(String path, Map<String, List<String>> headers, String body) {

    /** Copies {@code headers} so the record stays immutable. */
    public ReceivedRequest {
        headers = Map.copyOf(headers);
    }

    /** The body parsed as JSON. */
    public JsonNode json() {
        try {
            return Json.MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("body of the request to " + path + " is not JSON", e);
        }
    }

    /** First value of a header, name compared case-insensitively. */
    public Optional<String> header(String name) {
        return headers.entrySet().stream()
                .filter(e -> e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty())
                .map(e -> e.getValue().get(0))
                .findFirst();
    }
}
