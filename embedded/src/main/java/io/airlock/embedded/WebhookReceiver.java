package io.airlock.embedded;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.airlock.core.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.ListIterator;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stands in for Slack incoming webhooks and the PagerDuty Events API v2 on 127.0.0.1, recording every
 * request it receives.
 *
 * <ul>
 *   <li>{@code POST /slack/{name}} answers {@code 200 ok}, as a Slack incoming webhook does;</li>
 *   <li>{@code POST /pagerduty/v2/enqueue} answers {@code 202} with
 *       {@code {"status":"success","message":"Event processed","dedup_key":...}};</li>
 *   <li>{@code GET /received} answers {@code 200} with what it received, for a user to look at:
 *       {@code {"slack":[...],"pagerduty":[...],"dropped":{"slack":0,"pagerduty":0}}}, each element one request's body
 *       as JSON (or as a string when it is not JSON), in arrival order, the most recent {@value #RECEIVED_LIMIT} per
 *       kind; {@code dropped} counts the older ones left out. A PagerDuty event's {@code routing_key} is shown as
 *       {@value #REDACTED}, and no request's path (a Slack webhook's secret) is shown.</li>
 * </ul>
 * Failures can be scripted with {@link #failNext(String, int, int, Map)}; failed requests are recorded too.
 */
public final class WebhookReceiver implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WebhookReceiver.class);
    private static final String SLACK = "/slack/";
    private static final String PAGERDUTY = "/pagerduty/v2/enqueue";
    /** Path of the page that shows what the receiver got: {@code GET /received}. */
    public static final String RECEIVED_PATH = "/received";
    /** At most this many bodies per kind (Slack, PagerDuty) on {@link #RECEIVED_PATH}: the most recent ones. */
    static final int RECEIVED_LIMIT = 1000;
    static final String REDACTED = "<redacted>";
    private static final String ROUTING_KEY = "routing_key";
    /** A routing key in a PagerDuty body that does not parse as JSON, e.g. a truncated one. */
    private static final Pattern ROUTING_KEY_IN_TEXT = Pattern.compile("(\"routing_key\"\\s*:\\s*\")(?:[^\"\\\\]|\\\\.)*\"?");

    private final HttpServer server;
    private final ExecutorService executor;
    private final List<ReceivedRequest> requests = new ArrayList<>();
    private final List<ScriptedFailure> failures = new ArrayList<>();
    private final List<TimedFailure> timedFailures = new ArrayList<>();
    private final java.util.Set<ReceivedRequest> failed = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());

    private WebhookReceiver(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** Starts the receiver on a free loopback port. */
    public static WebhookReceiver start() {
        try {
            var http = LoopbackHttpServer.create("airlock-webhook-receiver", 4);
            WebhookReceiver receiver = new WebhookReceiver(http.server(), http.executor());
            http.server().createContext("/", receiver::handle);
            http.server().start();
            LOG.info("webhook receiver listening on {}", receiver.baseUri());
            return receiver;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the webhook receiver", e);
        }
    }

    /** URL of the Slack incoming webhook called {@code name}, e.g. {@code http://127.0.0.1:port/slack/soc}. */
    public URI slackWebhook(String name) {
        if (name.isEmpty() || name.contains("/")) {
            throw new IllegalArgumentException("webhook name must be one non-empty path segment: " + name);
        }
        return baseUri().resolve(SLACK + name);
    }

    /** URL to use instead of {@code https://events.pagerduty.com/v2/enqueue}. */
    public URI pagerDutyEventsUrl() {
        return baseUri().resolve(PAGERDUTY);
    }

    /** URL of the page that shows what the receiver got, e.g. {@code http://127.0.0.1:port/received}. */
    public URI receivedUrl() {
        return baseUri().resolve(RECEIVED_PATH);
    }

    /** All requests to any Slack webhook, in arrival order (a snapshot). */
    public List<ReceivedRequest> slackPosts() {
        return recorded(SLACK);
    }

    /** Requests to the Slack webhook called {@code name}, in arrival order (a snapshot). */
    public List<ReceivedRequest> slackPosts(String name) {
        String path = SLACK + name;
        return recorded(SLACK).stream().filter(r -> r.path().equals(path)).toList();
    }

    /** All requests to the PagerDuty Events API, in arrival order (a snapshot). */
    public List<ReceivedRequest> pagerDutyEvents() {
        return recorded(PAGERDUTY);
    }

    /** Forgets recorded requests and scripted failures. */
    public synchronized void clear() {
        requests.clear();
        failures.clear();
        timedFailures.clear();
        failed.clear();
    }

    /**
     * Requests whose path starts with {@code pathPrefix} that got the normal answer rather than a scripted failure, in
     * arrival order (a snapshot): what Slack or PagerDuty would have accepted.
     */
    public synchronized List<ReceivedRequest> accepted(String pathPrefix) {
        return requests.stream().filter(r -> r.path().startsWith(pathPrefix) && !failed.contains(r)).toList();
    }

    /** Requests whose path starts with {@code pathPrefix} that got a scripted failure, in arrival order (a snapshot). */
    public synchronized List<ReceivedRequest> refused(String pathPrefix) {
        return requests.stream().filter(r -> r.path().startsWith(pathPrefix) && failed.contains(r)).toList();
    }

    /**
     * Every request whose path starts with {@code pathPrefix} gets {@code status} with the given response headers for
     * {@code duration} from now (an outage: e.g. 60 s of 500, or of 429 with {@code Retry-After: 5}). Count-based scripts
     * of {@link #failNext} are used up first. Failed requests are recorded too.
     */
    public synchronized void failFor(String pathPrefix, java.time.Duration duration, int status, Map<String, String> headers) {
        if (duration.isNegative() || duration.isZero() || status < 100 || status > 599) {
            throw new IllegalArgumentException("duration must be positive and status an HTTP status: " + duration + ", " + status);
        }
        timedFailures.add(new TimedFailure(pathPrefix, System.nanoTime() + duration.toNanos(), status, Map.copyOf(headers)));
    }

    /**
     * The next {@code times} requests whose path starts with {@code pathPrefix} get {@code status} with the
     * given response headers (e.g. 3 times 429 with {@code Retry-After: 1}) instead of the normal answer.
     * Scripts queue up in the order they were added.
     */
    public synchronized void failNext(String pathPrefix, int times, int status, Map<String, String> headers) {
        if (times < 1 || status < 100 || status > 599) {
            throw new IllegalArgumentException("times must be >= 1 and status an HTTP status: " + times + ", " + status);
        }
        failures.add(new ScriptedFailure(pathPrefix, times, status, Map.copyOf(headers)));
    }

    /** Stops the server. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        LOG.info("webhook receiver on {} stopped", baseUri());
    }

    @Override
    public String toString() {
        return "WebhookReceiver[" + baseUri() + "]";
    }

    private URI baseUri() {
        InetSocketAddress address = server.getAddress();
        return URI.create("http://" + address.getAddress().getHostAddress() + ":" + address.getPort());
    }

    private synchronized List<ReceivedRequest> recorded(String prefix) {
        return requests.stream().filter(r -> r.path().startsWith(prefix)).toList();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange; InputStream in = exchange.getRequestBody()) {
            String path = exchange.getRequestURI().getPath();
            if (path.equals(RECEIVED_PATH)) {
                in.readAllBytes();
                if ("GET".equals(exchange.getRequestMethod())) {
                    respond(exchange, 200, "application/json", received());
                } else {
                    exchange.getResponseHeaders().set("Allow", "GET");
                    respond(exchange, 405, "text/plain", "method not allowed");
                }
                return;
            }
            String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            ReceivedRequest request = new ReceivedRequest(path, copy(exchange.getRequestHeaders()), body);
            ScriptedFailure failure;
            synchronized (this) {
                requests.add(request);
                failure = takeFailure(path);
                if (failure != null) {
                    failed.add(request);
                }
            }
            // the path of a Slack webhook is its secret: log only which kind of webhook it was
            LOG.debug("{} {} ({} bytes)", exchange.getRequestMethod(), kind(path), body.length());
            if (failure != null) {
                failure.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
                respond(exchange, failure.status(), "text/plain", "scripted failure");
            } else if (!"POST".equals(exchange.getRequestMethod())) {
                respond(exchange, 405, "text/plain", "method not allowed");
            } else if (path.startsWith(SLACK) && path.length() > SLACK.length()) {
                respond(exchange, 200, "text/html", "ok");
            } else if (path.equals(PAGERDUTY)) {
                respond(exchange, 202, "application/json", pagerDutyAnswer(request));
            } else {
                respond(exchange, 404, "text/plain", "no such webhook");
            }
        }
    }

    private static String kind(String path) {
        if (path.startsWith(SLACK)) {
            return "slack webhook";
        }
        return path.equals(PAGERDUTY) ? PAGERDUTY : "other path";
    }

    /** The body of {@code GET /received}. */
    private String received() {
        List<ReceivedRequest> slack = slackPosts();
        List<ReceivedRequest> pagerDuty = pagerDutyEvents();
        ObjectNode answer = Json.MAPPER.createObjectNode();
        ArrayNode slackBodies = answer.putArray("slack");
        lastOf(slack).forEach(r -> slackBodies.add(bodyOf(r)));
        ArrayNode pagerDutyBodies = answer.putArray("pagerduty");
        lastOf(pagerDuty).forEach(r -> pagerDutyBodies.add(redactRoutingKey(bodyOf(r))));
        answer.putObject("dropped")
                .put("slack", Math.max(0, slack.size() - RECEIVED_LIMIT))
                .put("pagerduty", Math.max(0, pagerDuty.size() - RECEIVED_LIMIT));
        try {
            return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(answer) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write what the webhook receiver got", e);
        }
    }

    private static List<ReceivedRequest> lastOf(List<ReceivedRequest> requests) {
        return requests.subList(Math.max(0, requests.size() - RECEIVED_LIMIT), requests.size());
    }

    private static JsonNode bodyOf(ReceivedRequest request) {
        try {
            JsonNode json = Json.MAPPER.readTree(request.body());
            return json == null || json.isMissingNode() ? Json.MAPPER.getNodeFactory().textNode(request.body()) : json;
        } catch (JsonProcessingException notJson) {
            return Json.MAPPER.getNodeFactory().textNode(request.body());
        }
    }

    private static JsonNode redactRoutingKey(JsonNode body) {
        if (body instanceof ObjectNode event && event.has(ROUTING_KEY)) {
            event.put(ROUTING_KEY, REDACTED);
        } else if (body.isTextual()) {
            return Json.MAPPER.getNodeFactory().textNode(
                    ROUTING_KEY_IN_TEXT.matcher(body.asText()).replaceAll("$1" + REDACTED + "\""));
        }
        return body;
    }

    private ScriptedFailure takeFailure(String path) {
        for (ListIterator<ScriptedFailure> it = failures.listIterator(); it.hasNext(); ) {
            ScriptedFailure f = it.next();
            if (path.startsWith(f.pathPrefix())) {
                if (f.times() > 1) {
                    it.set(new ScriptedFailure(f.pathPrefix(), f.times() - 1, f.status(), f.headers()));
                } else {
                    it.remove();
                }
                return f;
            }
        }
        long now = System.nanoTime();
        timedFailures.removeIf(f -> now - f.untilNanos() >= 0);
        for (TimedFailure f : timedFailures) {
            if (path.startsWith(f.pathPrefix())) {
                return new ScriptedFailure(f.pathPrefix(), 1, f.status(), f.headers());
            }
        }
        return null;
    }

    private static String pagerDutyAnswer(ReceivedRequest request) {
        ObjectNode answer = Json.MAPPER.createObjectNode()
                .put("status", "success")
                .put("message", "Event processed");
        try {
            JsonNode dedupKey = request.json().path("dedup_key");
            answer.put("dedup_key", dedupKey.isTextual() ? dedupKey.asText() : null);
        } catch (IllegalStateException notJson) {
            answer.putNull("dedup_key");
        }
        return answer.toString();
    }

    private static void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private static Map<String, List<String>> copy(Map<String, List<String>> headers) {
        Map<String, List<String>> copy = new LinkedHashMap<>();
        headers.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        return copy;
    }

    private record TimedFailure(String pathPrefix, long untilNanos, int status, Map<String, String> headers) {
    }

    private record ScriptedFailure(String pathPrefix, int times, int status, Map<String, String> headers) {
    }
}
