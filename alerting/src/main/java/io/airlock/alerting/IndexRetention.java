package io.airlock.alerting;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.airlock.alerting.internal.DeliveryFailures;
import io.airlock.core.IndexNames;
import io.airlock.core.Json;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch.generic.Request;
import org.opensearch.client.opensearch.generic.Requests;
import org.opensearch.client.opensearch.generic.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes daily event indices ({@code <prefix>-events-YYYY.MM.DD}) once every event they can hold is more than the
 * configured number of days old (UTC): with 30 days, {@code airlock-events-2026.01.01} goes once the clock passes
 * 2026-01-31T00:00Z. The date comes from the index name, so indices of replayed old data are judged by their events'
 * time. Only names matching the pattern exactly are deleted, each by its full name (never a wildcard), never the alerts
 * index.
 *
 * <p>If the cluster runs the Index State Management plugin (not in the core distribution), Airlock installs an ISM policy
 * {@code <prefix>-events-retention} instead (delete at {@code min_index_age} = the days, attached to new indices by an
 * {@code ism_template} and to existing ones at install) and deletes nothing itself. ISM counts from an index's creation.
 *
 * <p>{@link #start} runs it at once and then every interval on a daemon thread; a failing run is logged (identifiers
 * only; 401/403 as an ERROR naming the cluster, never the password) and the next run tries again.
 */
public final class IndexRetention implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(IndexRetention.class);
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("uuuu.MM.dd");
    private static final String ISM_PLUGIN = "opensearch-index-management";
    private static final int DELETE_CHUNK = 20;

    /**
     * What one run did.
     *
     * @param ism     true if an ISM policy manages retention (then nothing is deleted here)
     * @param deleted indices deleted by this run
     */
    public record Outcome(boolean ism, List<String> deleted) {
        public Outcome {
            deleted = List.copyOf(deleted);
        }
    }

    private final OpenSearchClient client;
    private final IndexNames names;
    private final String cluster;
    private final int days;
    private final Clock clock;
    private final Pattern dailyIndex;
    private ScheduledExecutorService scheduler;

    /**
     * @param eventsDays events older than this many days are deleted, at least 1
     */
    public IndexRetention(OpenSearchClient client, OpenSearchSettings settings, int eventsDays) {
        this(client, settings.indexNames(), OpenSearchIndexer.describe(settings), eventsDays, Clock.systemUTC());
    }

    IndexRetention(OpenSearchClient client, IndexNames names, String cluster, int eventsDays, Clock clock) {
        this.client = Objects.requireNonNull(client, "client");
        this.names = Objects.requireNonNull(names, "names");
        this.cluster = Objects.requireNonNull(cluster, "cluster");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (eventsDays < 1) {
            throw new IllegalArgumentException("eventsDays must be at least 1, was " + eventsDays);
        }
        this.days = eventsDays;
        this.dailyIndex = Pattern.compile(Pattern.quote(names.prefix() + "-events-") + "(\\d{4}\\.\\d{2}\\.\\d{2})");
    }

    /** The ISM policy's id. */
    public String policyId() {
        return names.prefix() + "-events-retention";
    }

    /** Runs now and then every {@code interval} until {@link #close()}. */
    public synchronized IndexRetention start(Duration interval) {
        if (scheduler != null) {
            throw new IllegalStateException("already started");
        }
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "airlock-index-retention");
            t.setDaemon(true);
            return t;
        });
        scheduler.scheduleWithFixedDelay(this::runLogged, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    private void runLogged() {
        try {
            Outcome outcome = runOnce();
            if (!outcome.ism()) {
                log.info("{}: retention {} days: deleted {} event indices", cluster, days, outcome.deleted().size());
            }
        } catch (DeliveryException e) {
            log.warn("{}: retention run failed ({}); next run tries again", cluster, e.getMessage());
        } catch (RuntimeException e) {
            log.error("{}: retention run failed with {}; next run tries again", cluster, e.getClass().getName());
        }
    }

    /**
     * One run: installs the ISM policy if the cluster has ISM, else deletes the expired daily indices.
     *
     * @throws DeliveryException if OpenSearch is unreachable or refuses (401/403 are logged as ERROR too)
     */
    public Outcome runOnce() throws DeliveryException {
        if (hasIsm()) {
            installPolicy();
            return new Outcome(true, List.of());
        }
        return new Outcome(false, deleteExpired());
    }

    /** The daily indices that are due for deletion at {@code now}, from a list of names. */
    List<String> expired(List<String> indices, Instant now) {
        LocalDate oldestKept = LocalDate.ofInstant(now.minus(Duration.ofDays(days)), ZoneOffset.UTC);
        List<String> out = new ArrayList<>();
        for (String index : indices) {
            Matcher m = dailyIndex.matcher(index);
            if (!m.matches()) {
                continue;
            }
            try {
                if (LocalDate.parse(m.group(1), DAY).isBefore(oldestKept)) {
                    out.add(index);
                }
            } catch (DateTimeParseException notADay) {
                // e.g. 2025.13.40: not one of ours
            }
        }
        out.sort(null);
        return out;
    }

    private List<String> deleteExpired() throws DeliveryException {
        JsonNode listed = call("GET", "/_cat/indices/" + names.eventsPattern(),
                Map.of("format", "json", "h", "index", "expand_wildcards", "all"), null, "list event indices");
        List<String> indices = new ArrayList<>();
        listed.forEach(row -> indices.add(row.path("index").asText()));
        List<String> expired = expired(indices, clock.instant());
        for (int i = 0; i < expired.size(); i += DELETE_CHUNK) {
            List<String> chunk = expired.subList(i, Math.min(expired.size(), i + DELETE_CHUNK));
            call("DELETE", "/" + String.join(",", chunk), Map.of("ignore_unavailable", "true"), null, "delete expired indices");
            log.info("{}: deleted event indices older than {} days: {}", cluster, days, chunk);
        }
        return expired;
    }

    private boolean hasIsm() {
        try {
            JsonNode plugins = call("GET", "/_cat/plugins", Map.of("format", "json", "h", "component"), null, "list plugins");
            for (JsonNode p : plugins) {
                if (ISM_PLUGIN.equals(p.path("component").asText())) {
                    return true;
                }
            }
            return false;
        } catch (DeliveryException e) {
            log.warn("{}: cannot list plugins ({}); deleting expired indices directly", cluster, e.getMessage());
            return false;
        }
    }

    /** The ISM policy for the configured days (visible for tests). */
    ObjectNode policy() {
        ObjectNode body = Json.MAPPER.createObjectNode();
        ObjectNode policy = body.putObject("policy");
        policy.put("description", "Airlock: delete " + names.eventsPattern() + " after " + days + " days");
        policy.put("default_state", "hot");
        ArrayNode states = policy.putArray("states");
        ObjectNode hot = states.addObject().put("name", "hot");
        hot.putArray("actions");
        hot.putArray("transitions").addObject().put("state_name", "delete")
                .putObject("conditions").put("min_index_age", days + "d");
        ObjectNode delete = states.addObject().put("name", "delete");
        delete.putArray("actions").addObject().putObject("delete");
        delete.putArray("transitions");
        policy.putArray("ism_template").addObject().put("priority", 100)
                .putArray("index_patterns").add(names.eventsPattern());
        return body;
    }

    private void installPolicy() throws DeliveryException {
        String endpoint = "/_plugins/_ism/policies/" + policyId();
        JsonNode existing = callAllowing404("GET", endpoint, "read the ISM policy");
        String wanted = days + "d";
        if (existing != null) {
            String current = existing.at("/policy/states/0/transitions/0/conditions/min_index_age").asText("");
            if (wanted.equals(current)) {
                return;
            }
            call("PUT", endpoint, Map.of("if_seq_no", existing.path("_seq_no").asText(),
                    "if_primary_term", existing.path("_primary_term").asText()), Json.writeString(policy()), "update the ISM policy");
            call("POST", "/_plugins/_ism/change_policy/" + names.eventsPattern(), Map.of(),
                    Json.writeString(Json.MAPPER.createObjectNode().put("policy_id", policyId())), "move indices to the new policy");
            log.info("{}: ISM policy {} updated: delete {} after {} days", cluster, policyId(), names.eventsPattern(), days);
            return;
        }
        call("PUT", endpoint, Map.of(), Json.writeString(policy()), "install the ISM policy");
        call("POST", "/_plugins/_ism/add/" + names.eventsPattern(), Map.of(),
                Json.writeString(Json.MAPPER.createObjectNode().put("policy_id", policyId())), "attach existing indices");
        log.info("{}: ISM policy {} installed: delete {} after {} days", cluster, policyId(), names.eventsPattern(), days);
    }

    private JsonNode callAllowing404(String method, String endpoint, String what) throws DeliveryException {
        return send(method, endpoint, Map.of(), null, what, true);
    }

    private JsonNode call(String method, String endpoint, Map<String, String> query, String json, String what)
            throws DeliveryException {
        return send(method, endpoint, query, json, what, false);
    }

    private JsonNode send(String method, String endpoint, Map<String, String> query, String json, String what, boolean allow404)
            throws DeliveryException {
        var builder = Requests.builder().method(method).endpoint(endpoint).query(query);
        if (json != null) {
            builder.json(json);
        }
        Request request = builder.build();
        try (Response response = client.generic().execute(request)) {
            int status = response.getStatus();
            String body = response.getBody().map(b -> b.bodyAsString()).orElse("");
            if (status >= 200 && status < 300) {
                return body.isBlank() ? Json.MAPPER.createObjectNode() : Json.tree(body);
            }
            if (status == 404 && allow404) {
                return null;
            }
            String problem = cluster + ": cannot " + what + ": HTTP " + status + " " + errorType(body);
            if (DeliveryFailures.isAccessDenied(status)) {
                log.error("{}: HTTP {} while trying to {}: check opensearch.username, the password and the user's "
                        + "privileges (retention needs indices:admin/delete and monitor on {})", cluster, status, what,
                        names.eventsPattern());
            }
            throw DeliveryFailures.isRetriableStatus(status) || DeliveryFailures.isAccessDenied(status)
                    ? new DeliveryException(problem) : new PermanentDeliveryException(problem);
        } catch (IOException e) {
            Integer denied = DeliveryFailures.accessDeniedStatus(e);
            if (denied != null) {
                log.error("{}: HTTP {} while trying to {}: check opensearch.username, the password and the user's "
                        + "privileges (retention needs monitor and indices:admin/delete on {})", cluster, denied, what,
                        names.eventsPattern());
                throw new DeliveryException(cluster + ": cannot " + what + ": access denied (HTTP " + denied + ")", e);
            }
            throw new DeliveryException(cluster + ": cannot " + what + ": " + e.getClass().getSimpleName(), e);
        }
    }

    private static String errorType(String body) {
        try {
            return Json.tree(body).path("error").path("type").asText("");
        } catch (RuntimeException notJson) {
            return "";
        }
    }

    /** Stops the schedule; a run in progress finishes. */
    @Override
    public synchronized void close() {
        if (scheduler != null) {
            scheduler.shutdown();
            try {
                scheduler.awaitTermination(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
