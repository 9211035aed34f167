package io.airlock.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.core.Json;
import io.airlock.core.config.ConfigTypes;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import javax.net.ssl.SSLException;

/**
 * Posts saved objects to the OpenSearch Dashboards saved-objects import API: {@code POST <url>/api/saved_objects/_import
 * ?overwrite=true}, a {@code multipart/form-data} body whose part {@code file} is the ndjson, the header
 * {@code osd-xsrf: true}, with the multi-tenancy header {@code securitytenant} and HTTP basic authentication when given.
 * Import is idempotent: the objects have fixed ids and existing ones are overwritten.
 */
public final class SavedObjectsImporter {

    public static final String IMPORT_PATH = "/api/saved_objects/_import";
    public static final String FILE_NAME = "airlock-saved-objects.ndjson";

    private static final int MAX_LISTED_ERRORS = 20;

    private final URI baseUrl;
    private final Optional<String> tenant;
    private final Optional<Credentials> credentials;
    private final HttpClient http;
    private final Duration timeout;

    /** User name and password for HTTP basic authentication; {@link #toString()} never shows the password. */
    public record Credentials(String username, String password) {
        public Credentials {
            Objects.requireNonNull(username, "username");
            Objects.requireNonNull(password, "password");
        }

        @Override
        public String toString() {
            return "Credentials[username=" + username + ", password=***]";
        }
    }

    /** What Dashboards answered to a successful import. */
    public record Result(int successCount) {
    }

    /**
     * @param baseUrl     Dashboards' URL including any base path, e.g. {@code http://localhost:5601} or
     *                    {@code https://host/_dashboards}
     * @param tenant      the security plugin tenant ({@code global}, {@code private} or a custom tenant), empty for the default
     * @param credentials basic authentication, empty for none
     */
    public SavedObjectsImporter(URI baseUrl, Optional<String> tenant, Optional<Credentials> credentials, Duration timeout) {
        this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl");
        if (baseUrl.getRawUserInfo() != null) { // and not printed: it would be in every message below
            throw new IllegalArgumentException("Dashboards URL must not contain credentials (user:password@); use --username and "
                    + "--password-env");
        }
        if (!ConfigTypes.isHttpUrl(baseUrl)) {
            throw new IllegalArgumentException("Dashboards URL must be http(s)://host[:port][/base-path], got '" + baseUrl + "'");
        }
        this.tenant = tenant.filter(t -> !t.isBlank());
        this.credentials = credentials;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** The import endpoint for this Dashboards URL. */
    public URI importUri() {
        String base = baseUrl.toString().replaceAll("/+$", "");
        return URI.create(base + IMPORT_PATH + "?overwrite=true");
    }

    /** Imports {@code ndjson}; returns when Dashboards accepted every object, else throws with what went wrong. */
    public Result importObjects(String ndjson) throws DashboardsImportException {
        String boundary = "airlock-" + UUID.randomUUID();
        HttpRequest.Builder request = HttpRequest.newBuilder(importUri())
                .timeout(timeout)
                .header("osd-xsrf", "true")
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(multipart(boundary, ndjson)));
        tenant.ifPresent(t -> request.header("securitytenant", t));
        credentials.ifPresent(c -> request.header("Authorization", "Basic " + Base64.getEncoder()
                .encodeToString((c.username() + ":" + c.password()).getBytes(StandardCharsets.UTF_8))));
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new DashboardsImportException(unreachable(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DashboardsImportException("interrupted while importing into OpenSearch Dashboards at " + baseUrl, e);
        }
        return interpret(response.statusCode(), response.body(), response.headers().firstValue("Location"));
    }

    static byte[] multipart(String boundary, String ndjson) {
        String body = "--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"file\"; filename=\"" + FILE_NAME + "\"\r\n"
                + "Content-Type: application/ndjson\r\n"
                + "\r\n"
                + ndjson
                + "\r\n--" + boundary + "--\r\n";
        return body.getBytes(StandardCharsets.UTF_8);
    }

    private static boolean resolves(String host) {
        try {
            java.net.InetAddress.getByName(host);
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private String unreachable(IOException e) {
        String why;
        if (e instanceof HttpConnectTimeoutException) {
            why = "no connection within " + timeout.toSeconds() + " s";
        } else if (e instanceof HttpTimeoutException) {
            why = "no answer within " + timeout.toSeconds() + " s";
        } else if (causedBy(e, UnknownHostException.class) || causedBy(e, ConnectException.class) && !resolves(baseUrl.getHost())) {
            why = "unknown host " + baseUrl.getHost(); // the JDK's client reports a name it cannot resolve as a ConnectException
        } else if (causedBy(e, ConnectException.class)) {
            why = "connection refused";
        } else if (causedBy(e, SSLException.class)) {
            why = "TLS handshake failed (" + e.getMessage() + "); is the URL's http/https right, and is the certificate trusted?";
        } else {
            why = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        }
        return "OpenSearch Dashboards is not reachable at " + baseUrl + ": " + why
                + ". Check --url (Dashboards listens on port 5601 by default; include its base path if it has one).";
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private Result interpret(int status, String body, Optional<String> location) throws DashboardsImportException {
        JsonNode json = parse(body);
        String where = "OpenSearch Dashboards at " + baseUrl;
        if (status >= 300 && status < 400) {
            throw new DashboardsImportException(where + " redirected the import (HTTP " + status + location.map(l -> " to " + l).orElse("")
                    + "); use the URL it redirects to, including any base path, as --url.");
        }
        if (status == 401) {
            throw new DashboardsImportException(where + " requires authentication (HTTP 401)"
                    + (credentials.isPresent() ? ": it rejected the user name or password." : "; pass --username and --password-env."));
        }
        if (status == 403) {
            throw new DashboardsImportException(where + " refused the import (HTTP 403)" + message(json).map(m -> ": " + m).orElse("")
                    + ". The user needs write access to saved objects" + tenant.map(t -> " in tenant '" + t + "'").orElse("") + ".");
        }
        if (status == 404 || isOpenSearchWithoutThisApi(status, json)) {
            throw new DashboardsImportException(where + " has no saved-objects import API (HTTP " + status + " for " + IMPORT_PATH
                    + "). Is --url OpenSearch Dashboards (port 5601) rather than OpenSearch (port 9200), with its base path?");
        }
        if (status == 503) {
            throw new DashboardsImportException(where + " is not ready (HTTP 503)" + message(json).map(m -> ": " + m).orElse("")
                    + ". Try again when it has started.");
        }
        if (status < 200 || status >= 300) {
            throw new DashboardsImportException(where + " rejected the import (HTTP " + status + ")"
                    + message(json).map(m -> ": " + m).orElse(body.isBlank() ? "" : ": " + abbreviate(body)));
        }
        if (json == null || !json.has("success")) {
            throw new DashboardsImportException(where + " answered HTTP " + status + " without an import result; is --url "
                    + "OpenSearch Dashboards? Answer: " + abbreviate(body));
        }
        if (!json.path("success").asBoolean(false)) {
            throw new DashboardsImportException(where + " imported " + json.path("successCount").asInt(0)
                    + " saved objects but not these:\n" + String.join("\n", objectErrors(json.path("errors"))));
        }
        return new Result(json.path("successCount").asInt(0));
    }

    /** One line per failed object: {@code visualization airlock-vis-x ("Title"): missing_references index-pattern/y}. */
    static List<String> objectErrors(JsonNode errors) {
        List<String> lines = new ArrayList<>();
        for (JsonNode e : errors) {
            if (lines.size() == MAX_LISTED_ERRORS) {
                lines.add("  … and " + (errors.size() - MAX_LISTED_ERRORS) + " more");
                break;
            }
            StringBuilder line = new StringBuilder("  ").append(e.path("type").asText("?")).append(' ').append(e.path("id").asText("?"));
            if (e.hasNonNull("title")) {
                line.append(" (\"").append(e.path("title").asText()).append("\")");
            }
            JsonNode error = e.path("error");
            line.append(": ").append(error.path("type").asText("error"));
            List<String> refs = new ArrayList<>();
            error.path("references").forEach(r -> refs.add(r.path("type").asText() + "/" + r.path("id").asText()));
            if (!refs.isEmpty()) {
                line.append(' ').append(String.join(", ", refs));
            }
            if (error.hasNonNull("message")) {
                line.append(": ").append(error.path("message").asText());
            }
            lines.add(line.toString());
        }
        return lines;
    }

    private static JsonNode parse(String body) {
        try {
            return body == null || body.isBlank() ? null : Json.MAPPER.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * OpenSearch itself (port 9200) answers a path it has no handler for with HTTP 400 and
     * {@code {"error":"no handler found for uri [...] and method [POST]"}}, not with a 404: that answer means the same as one.
     */
    static boolean isOpenSearchWithoutThisApi(int status, JsonNode json) {
        return status == 400 && json != null && json.path("error").isTextual()
                && json.path("error").asText().startsWith("no handler found for uri");
    }

    private static Optional<String> message(JsonNode json) {
        return json == null ? Optional.empty() : Optional.ofNullable(json.get("message")).map(JsonNode::asText).filter(m -> !m.isBlank());
    }

    private static String abbreviate(String body) {
        String oneLine = body.strip().replaceAll("\\s+", " ");
        return oneLine.length() <= 300 ? oneLine : oneLine.substring(0, 300) + "…";
    }
}
