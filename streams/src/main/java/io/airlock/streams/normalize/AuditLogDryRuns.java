package io.airlock.streams.normalize;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import io.airlock.core.Json;
import java.util.Iterator;
import java.util.Set;

/**
 * Tells the Airflow audit rows of dry runs from the changes of the same name ({@link AuditLogNormalizer#REASON_DRY_RUN}).
 * Airflow's {@code action_logging} writes the row <em>before</em> the request is handled, with the request's values in
 * {@code extra} (values masked), so a request that only previews a change is logged under the change's name.
 *
 * <p>2.10 ({@code airflow/www/decorators.py}; rows with {@code execution_date}): {@code extra} = {@code json.dumps} of the
 * request's values and view arguments, merged with the JSON body.
 * <ul>
 * <li>the UI views {@link #CONFIRMED_VIEWS} change something only when the form's {@code confirmed} is {@code "true"}
 *     ({@code airflow/www/views.py}: {@code request.form.get("confirmed") == "true"}); the grid's modals post their previews
 *     with {@code confirmed=false}. A row is a dry run when {@code confirmed} is
 *     {@code "false"} or JSON {@code false}; without {@code confirmed} it stays a change.</li>
 * <li>the REST endpoints {@link #DRY_RUN_BY_DEFAULT} ({@code api.}/{@code ui.} prefixed) change something only when the body's
 *     {@code dry_run} is false: their schemas default it to true. A row is a dry run when {@code dry_run} is true, or when it
 *     is absent from a body that {@code extra} evidently holds (a key other than the {@code map_index} path parameter): the
 *     decorator logs the body only for a {@code Content-Type} containing {@code application/json} verbatim, so an
 *     {@code extra} of {@code {}} may be a real change whose body was not logged.</li>
 * </ul>
 *
 * <p>3.x ({@code airflow/api_fastapi/logging/decorators.py}; rows without {@code execution_date}): {@code extra} = the query
 * and path parameters (minus {@code dag_id}, {@code dag_run_id} and a few more), merged with the JSON body, plus
 * {@code "method"}. The Clear dialogs of the 3.x UI preview with the very endpoints that clear, {@link #DRY_RUN_BY_DEFAULT_3}
 * ({@code POST /api/v2/dags/{dag_id}/clearTaskInstances}, {@code POST …/dagRuns/{dag_run_id}/clear}), sending
 * {@code dry_run: true} on every option changed; their bodies ({@code ClearTaskInstancesBody}, {@code DAGRunClearBody})
 * default {@code dry_run} to true. Releases before apache/airflow#55116 (3.0.x) log every such preview; later ones skip the
 * row when the logged body's {@code dry_run} is true or absent. A row is a dry run when {@code dry_run} is JSON {@code true},
 * or absent while {@code extra} evidently holds a body: a value that is not a string. Query and path parameters are always
 * strings, and the body is logged only for a {@code Content-Type} containing {@code application/json} (FastAPI also parses a
 * body sent without one), so neither {@code ?dry_run=true} nor any other query parameter added to a real clear makes it a
 * dry run. The other 3.x dry runs have names of their own ({@code *_dry_run}, which the change list leaves out by name).
 *
 * <p>Only the values of {@code confirmed} and {@code dry_run}, and for 3.x whether a value is a string, are read; nothing of
 * {@code extra} is kept, and an {@code extra} that is missing, not JSON or not an object is not a dry run: a change stays
 * a change.
 */
final class AuditLogDryRuns {

    /** 2.10 UI views with a preview: they change something only when the form says {@code confirmed=true}. */
    static final Set<String> CONFIRMED_VIEWS = Set.of("clear", "dagrun_clear", "dagrun_failed", "dagrun_success", "dagrun_queued");
    /** 2.10 REST endpoints whose body's {@code dry_run} defaults to true (marshmallow {@code load_default}/OpenAPI default). */
    static final Set<String> DRY_RUN_BY_DEFAULT = Set.of("post_clear_task_instances", "post_set_task_instances_state",
            "patch_task_instance", "patch_mapped_task_instance", "clear_dag_run");
    /** 3.x endpoints (unprefixed) whose body's {@code dry_run} defaults to true and whose previews share the change's name. */
    static final Set<String> DRY_RUN_BY_DEFAULT_3 = Set.of("post_clear_task_instances", "clear_dag_run");
    private static final String CONFIRMED = "confirmed";
    private static final String DRY_RUN = "dry_run";
    /** The one path parameter 2.10 logs in {@code extra} even without a body ({@code patch_mapped_task_instance}). */
    private static final String PATH_PARAMETER = "map_index";
    private static final ObjectReader STRICT = Json.MAPPER.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private AuditLogDryRuns() {
    }

    /**
     * True if the row records a dry run. {@code event} is compared as Airflow writes it (lower case; 2.x views unprefixed,
     * 2.x REST calls prefixed, 3.x endpoints unprefixed): this runs for every audit row, and only the few names above ever parse {@code extra}.
     */
    static boolean isDryRun(String event, JsonNode row) {
        if (event == null || !row.path("extra").isTextual()) {
            return false;
        }
        String extra = row.path("extra").textValue();
        return row.has("execution_date") ? isDryRun2(event, extra) : isDryRun3(event, extra);
    }

    private static boolean isDryRun2(String event, String extra) {
        if (CONFIRMED_VIEWS.contains(event)) {
            return extra.contains(CONFIRMED) && isFalse(object(extra), CONFIRMED);
        }
        boolean api = event.startsWith("api.") || event.startsWith("ui.");
        if (api && DRY_RUN_BY_DEFAULT.contains(event.substring(event.indexOf('.') + 1))) {
            JsonNode body = object(extra);
            if (body == null) {
                return false;
            }
            JsonNode dryRun = body.get(DRY_RUN);
            return dryRun == null ? holdsABody(body) : isTrue(dryRun);
        }
        return false;
    }

    private static boolean isDryRun3(String event, String extra) {
        if (!DRY_RUN_BY_DEFAULT_3.contains(event)) {
            return false;
        }
        JsonNode body = object(extra);
        if (body == null) {
            return false;
        }
        JsonNode dryRun = body.get(DRY_RUN);
        return dryRun == null ? holdsAJsonBody(body) : dryRun.isBoolean() && dryRun.booleanValue();
    }
    private static boolean isFalse(JsonNode object, String key) {
        JsonNode value = object == null ? null : object.get(key);
        return value != null && (value.isBoolean() ? !value.booleanValue() : value.isTextual() && "false".equalsIgnoreCase(value.textValue()));
    }

    private static boolean isTrue(JsonNode value) {
        return value.isBoolean() ? value.booleanValue() : value.isTextual() && "true".equalsIgnoreCase(value.textValue());
    }

    /** Whether {@code extra} has a key the body gave it (only names are looked at, never values). */
    private static boolean holdsABody(JsonNode extra) {
        for (Iterator<String> names = extra.fieldNames(); names.hasNext();) {
            if (!PATH_PARAMETER.equals(names.next())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether a 3.x {@code extra} has a value only a JSON body can give it: query and path parameters and {@code method} are
     * strings (only the kinds of the values are looked at, never the values).
     */
    private static boolean holdsAJsonBody(JsonNode extra) {
        for (JsonNode value : extra) {
            if (!value.isTextual()) {
                return true;
            }
        }
        return false;
    }

    /** {@code extra} as a JSON object, or null when it is not one. */
    private static JsonNode object(String extra) {
        try {
            JsonNode node = STRICT.readTree(extra);
            return node != null && node.isObject() ? node : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }
}
