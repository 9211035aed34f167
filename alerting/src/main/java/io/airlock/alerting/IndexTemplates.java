package io.airlock.alerting;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.airlock.alerting.internal.DeliveryFailures;
import io.airlock.core.IndexNames;
import io.airlock.core.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Objects;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch.generic.Requests;
import org.opensearch.client.opensearch.generic.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Installs Airlock's composable index templates: {@code <prefix>-events} for the daily {@code <prefix>-events-*}
 * indices and {@code <prefix>-alerts} for {@code <prefix>-alerts}. The mappings live in
 * {@code io/airlock/alerting/templates/*.json}; they are explicit and {@code dynamic: false}, so hostile field names in
 * audit data can neither explode the mapping nor change a field's type. Installing is idempotent ({@code PUT}).
 */
public final class IndexTemplates {

    private static final Logger log = LoggerFactory.getLogger(IndexTemplates.class);
    /** Template version, stored in {@code version} and {@code _meta}; bump when a mapping changes. */
    public static final int VERSION = 2;
    private static final int PRIORITY = 200;

    private final OpenSearchClient client;
    private final IndexNames names;
    private final int numberOfReplicas;

    public IndexTemplates(OpenSearchClient client, IndexNames names, int numberOfReplicas) {
        this.client = Objects.requireNonNull(client, "client");
        this.names = Objects.requireNonNull(names, "names");
        if (numberOfReplicas < 0) {
            throw new IllegalArgumentException("numberOfReplicas must be >= 0");
        }
        this.numberOfReplicas = numberOfReplicas;
    }

    public IndexTemplates(OpenSearchClient client, OpenSearchSettings settings) {
        this(client, settings.indexNames(), settings.numberOfReplicas());
    }

    /** Name of the alerts template (the alerts index has the same name). */
    public String alertsTemplateName() {
        return names.alertsIndex();
    }

    /** Name of the events template. */
    public String eventsTemplateName() {
        return names.eventsTemplate();
    }

    /**
     * PUTs both templates (created or replaced).
     *
     * @throws PermanentDeliveryException if OpenSearch refuses a template
     * @throws DeliveryException          if OpenSearch is unreachable or answers 429/5xx
     */
    public void install() throws DeliveryException {
        put(eventsTemplateName(), names.eventsPattern(), "events-mappings.json");
        put(alertsTemplateName(), names.alertsIndex(), "alerts-mappings.json");
    }

    /** The request body for one template, as sent (visible for tests and {@code check-config}). */
    public ObjectNode body(String pattern, String mappingsResource) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.putArray("index_patterns").add(pattern);
        body.put("priority", PRIORITY);
        body.put("version", VERSION);
        ObjectNode template = body.putObject("template");
        template.putObject("settings").putObject("index")
                .put("number_of_shards", 1)
                .put("number_of_replicas", numberOfReplicas)
                .put("mapping.total_fields.limit", 200)
                .put("mapping.depth.limit", 5);
        template.set("mappings", mappings(mappingsResource));
        body.putObject("_meta").put("managed_by", "airlock").put("version", VERSION);
        return body;
    }

    /** The mappings of a template resource ({@code events-mappings.json}, {@code alerts-mappings.json}). */
    public static JsonNode mappings(String resource) {
        try (InputStream in = IndexTemplates.class.getResourceAsStream("templates/" + resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource templates/" + resource);
            }
            return Json.MAPPER.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void put(String name, String pattern, String resource) throws DeliveryException {
        var request = Requests.builder().method("PUT").endpoint("/_index_template/" + name)
                .json(Json.writeString(body(pattern, resource))).build();
        try (Response response = client.generic().execute(request)) {
            int status = response.getStatus();
            if (status >= 200 && status < 300) {
                log.info("opensearch: index template {} installed for {}", name, pattern);
                return;
            }
            String error = response.getBody().map(b -> errorType(b.bodyAsString())).orElse("");
            String message = "opensearch: index template " + name + " refused with HTTP " + status + " " + error;
            if (DeliveryFailures.isRetriableStatus(status)) {
                throw new DeliveryException(message);
            }
            throw new PermanentDeliveryException(message);
        } catch (IOException e) {
            Integer denied = DeliveryFailures.accessDeniedStatus(e);
            if (denied != null) {
                log.error("opensearch: HTTP {} installing index template {}: check opensearch.username, the password and "
                        + "the user's privileges (indices:admin/index_template/put)", denied, name);
                throw new DeliveryException("opensearch: access denied (HTTP " + denied + ") installing index template " + name, e);
            }
            throw new DeliveryException("opensearch: cannot install index template " + name + ": "
                    + e.getClass().getSimpleName(), e);
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

    /** The patterns the templates apply to, for checks. */
    public List<String> patterns() {
        return List.of(names.eventsPattern(), names.alertsIndex());
    }
}
