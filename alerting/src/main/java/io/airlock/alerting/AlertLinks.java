package io.airlock.alerting;

import io.airlock.core.Alert;
import io.airlock.core.IndexNames;
import io.airlock.core.config.ConfigTypes;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The links a notification carries: the alert's runbook and OpenSearch Dashboards Discover views of the alert and its
 * evidence events.
 *
 * @param dashboardsUrl          base URL of OpenSearch Dashboards ({@code http://localhost:5601}); empty: no Discover links
 * @param runbookBaseUrl         base URL relative runbook paths ({@code docs/runbooks/AL-001.md}) resolve against;
 *                               empty: relative runbooks are left out
 * @param eventsIndexPatternId   saved-object id of the events index pattern in Dashboards
 * @param alertsIndexPatternId   saved-object id of the alerts index pattern in Dashboards
 */
public record AlertLinks(Optional<URI> dashboardsUrl, Optional<URI> runbookBaseUrl, String eventsIndexPatternId,
                         String alertsIndexPatternId) {

    /** Saved-object id of the events index pattern that {@code airlock dashboards import} writes. */
    public static final String EVENTS_INDEX_PATTERN_ID = "airlock-events";
    /** Saved-object id of the alerts index pattern that {@code airlock dashboards import} writes. */
    public static final String ALERTS_INDEX_PATTERN_ID = "airlock-alerts";

    /** Slack rejects button URLs longer than this. */
    static final int MAX_URL_LENGTH = 3000;
    private static final Duration MARGIN = Duration.ofMinutes(5);

    public AlertLinks {
        dashboardsUrl.ifPresent(AlertLinks::requireHttp);
        runbookBaseUrl.ifPresent(AlertLinks::requireHttp);
        if (eventsIndexPatternId == null || eventsIndexPatternId.isBlank()
                || alertsIndexPatternId == null || alertsIndexPatternId.isBlank()) {
            throw new IllegalArgumentException("index pattern ids must not be blank");
        }
    }

    /** No Dashboards, no runbook base: only absolute runbook links. */
    public static AlertLinks none() {
        return new AlertLinks(Optional.empty(), Optional.empty(), EVENTS_INDEX_PATTERN_ID, ALERTS_INDEX_PATTERN_ID);
    }

    /**
     * Dashboards at {@code dashboardsUrl}, with the index-pattern ids that {@code airlock dashboards import} gives whatever
     * the index prefix (only the patterns' titles follow it).
     *
     * @param names the indices (their prefix does not change the ids)
     */
    public static AlertLinks of(URI dashboardsUrl, URI runbookBaseUrl, IndexNames names) {
        return new AlertLinks(Optional.ofNullable(dashboardsUrl), Optional.ofNullable(runbookBaseUrl), EVENTS_INDEX_PATTERN_ID,
                ALERTS_INDEX_PATTERN_ID);
    }

    /** The runbook as an absolute http(s) URL; anything else (javascript:, file:, unparsable) is dropped. */
    public Optional<URI> runbook(Alert alert) {
        if (alert.runbook() == null || alert.runbook().isBlank()) {
            return Optional.empty();
        }
        try {
            URI uri = new URI(alert.runbook().strip());
            if (!uri.isAbsolute()) {
                if (runbookBaseUrl.isEmpty() || uri.getScheme() != null) {
                    return Optional.empty();
                }
                uri = withTrailingSlash(runbookBaseUrl.get()).resolve(uri);
            }
            return ConfigTypes.isHttpUrl(uri) && uri.toString().length() <= MAX_URL_LENGTH ? Optional.of(uri) : Optional.empty();
        } catch (java.net.URISyntaxException e) {
            return Optional.empty();
        }
    }

    /**
     * Discover over the events index pattern showing the alert's evidence events ({@code event.id:("a" or "b")}) around
     * first/last seen; if the URL would be too long for Slack, the first evidence ids that fit are kept.
     */
    public Optional<URI> discoverEvidence(Alert alert) {
        if (dashboardsUrl.isEmpty() || alert.evidence().isEmpty()) {
            return Optional.empty();
        }
        List<String> ids = alert.evidence();
        for (int n = ids.size(); n > 0; n = n / 2) {
            String query = "event.id:(" + ids.subList(0, n).stream().map(AlertLinks::kqlQuote)
                    .collect(Collectors.joining(" or ")) + ")";
            URI uri = discover(eventsIndexPatternId, query, alert);
            if (uri.toString().length() <= MAX_URL_LENGTH) {
                return Optional.of(uri);
            }
        }
        return Optional.empty();
    }

    /** Discover over the alerts index pattern showing this alert's document. */
    public Optional<URI> discoverAlert(Alert alert) {
        if (dashboardsUrl.isEmpty()) {
            return Optional.empty();
        }
        URI uri = discover(alertsIndexPatternId, "alert.id:" + kqlQuote(alert.id()), alert);
        return uri.toString().length() <= MAX_URL_LENGTH ? Optional.of(uri) : Optional.empty();
    }

    private URI discover(String indexPatternId, String kql, Alert alert) {
        Instant first = alert.firstSeen() != null ? alert.firstSeen() : alert.timestamp();
        Instant last = alert.lastSeen() != null ? alert.lastSeen() : alert.timestamp();
        String g = "(filters:!(),time:(from:" + rison(first.minus(MARGIN).toString()) + ",to:"
                + rison(last.plus(MARGIN).toString()) + "))";
        String a = "(discover:(columns:!(_source),isDirty:!f,sort:!()),metadata:(indexPattern:" + rison(indexPatternId)
                + ",view:discover))";
        String q = "(filters:!(),query:(language:kuery,query:" + rison(kql) + "))";
        String base = withTrailingSlash(dashboardsUrl.orElseThrow()).toString();
        return URI.create(base + "app/data-explorer/discover#?_a=" + encode(a) + "&_g=" + encode(g) + "&_q=" + encode(q));
    }

    /** A KQL quoted string: backslash and double quote escaped. */
    static String kqlQuote(String value) {
        return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    /** A rison string literal: single-quoted, with {@code !} and {@code '} escaped by {@code !}. */
    static String rison(String value) {
        return "'" + value.replace("!", "!!").replace("'", "!'") + "'";
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static URI withTrailingSlash(URI uri) {
        String s = uri.toString();
        return s.endsWith("/") ? uri : URI.create(s + "/");
    }

    private static void requireHttp(URI uri) {
        if (!ConfigTypes.isHttpUrl(uri)) {
            throw new IllegalArgumentException("link base must be an http(s) URL, was " + uri);
        }
    }
}
