package io.airlock.app.config;

import static io.airlock.core.config.ConfigTypes.bool;
import static io.airlock.core.config.ConfigTypes.duration;
import static io.airlock.core.config.ConfigTypes.httpUrlWithCredentialsIn;
import static io.airlock.core.config.ConfigTypes.integer;
import static io.airlock.core.config.ConfigTypes.listOf;
import static io.airlock.core.config.ConfigTypes.string;

import io.airlock.alerting.OpenSearchSettings;
import io.airlock.alerting.Secret;
import io.airlock.core.IndexNames;
import io.airlock.core.config.ConfigDefinition.Group;
import io.airlock.core.config.ConfigProblems;
import io.airlock.core.config.ConfigValues;
import io.airlock.core.config.SecretValue;
import io.airlock.core.config.Setting;
import io.airlock.core.config.Validators;
import java.net.URI;
import java.time.Duration;
import java.util.List;

/** OpenSearch, where events and alerts are indexed. Belongs to {@code alerting} once modules read their own settings. */
public final class OpenSearchFields {

    public static final Setting<List<URI>> URLS = Setting.of("opensearch.urls", listOf(httpUrlWithCredentialsIn("opensearch.username, opensearch.password-env")))
            .defaultValue(List.of(URI.create("http://localhost:9200")))
            .validate(Validators.notEmpty())
            .doc("OpenSearch node URLs (`https://opensearch-1:9200`); requests are spread over them.");

    public static final Setting<String> USERNAME = Setting.of("opensearch.username", string())
            .whenUnset("no authentication")
            .doc("User for HTTP basic authentication; it needs to write `<index-prefix>-*` indices and manage their "
                    + "index templates.");

    public static final Setting<SecretValue> PASSWORD = Setting.secret("opensearch.password")
            .whenUnset("no password")
            .doc("Password of `opensearch.username`.");

    public static final Setting<String> INDEX_PREFIX = Setting.of("opensearch.index-prefix", string())
            .defaultValue("airlock")
            .validate(Validators.accepts("lower case letters, digits, '_', '-'", IndexNames::new))
            .doc("Prefix of the indices (`<prefix>-events-YYYY.MM.DD`, `<prefix>-alerts`) and index templates.");

    public static final Setting<Integer> REPLICAS = Setting.of("opensearch.replicas", integer())
            .defaultValue(0)
            .validate(Validators.atLeast(0))
            .doc("Replicas of Airlock's indices: 0 for a single node, at least 1 in production.");

    public static final Setting<Boolean> TRUST_ALL_CERTIFICATES = Setting.of("opensearch.trust-all-certificates", bool())
            .defaultValue(false)
            .doc("Accept any TLS certificate and host name. For development clusters with self-signed certificates only.");

    public static final Setting<Duration> CONNECT_TIMEOUT = Setting.of("opensearch.connect-timeout", duration())
            .defaultValue(Duration.ofSeconds(5))
            .validate(Validators.positive())
            .doc("TCP connect timeout.");

    public static final Setting<Duration> RESPONSE_TIMEOUT = Setting.of("opensearch.response-timeout", duration())
            .defaultValue(Duration.ofSeconds(60))
            .validate(Validators.positive())
            .doc("How long to wait for a response, a bulk request included.");

    public static final Group GROUP = Group.of("OpenSearch",
            "Events and alerts are indexed into OpenSearch (DESIGN.md, *OpenSearch*); document ids are event and alert ids, "
                    + "so replays never duplicate.",
            URLS, USERNAME, PASSWORD, INDEX_PREFIX, REPLICAS, TRUST_ALL_CERTIFICATES, CONNECT_TIMEOUT, RESPONSE_TIMEOUT);

    public static final Setting<Integer> RETENTION_EVENTS_DAYS = Setting.of("retention.events-days", integer())
            .validate(Validators.atLeast(1))
            .whenUnset("event indices are kept forever")
            .doc("Delete a daily events index once all its events are older than this many days (UTC, judged by the date in "
                    + "the index name). With the ISM plugin, an ISM policy `<index-prefix>-events-retention` is installed "
                    + "instead. The alerts index is never deleted.");

    public static final Setting<Duration> RETENTION_CHECK_INTERVAL = Setting.of("retention.check-interval", duration())
            .defaultValue(Duration.ofHours(1))
            .validate(Validators.positive())
            .doc("How often expired event indices are looked for (also once at start).");

    public static final Group RETENTION_GROUP = Group.of("Retention",
            "How long events stay searchable in OpenSearch (see [delivery.md](delivery.md)). Alerts are kept.",
            RETENTION_EVENTS_DAYS, RETENTION_CHECK_INTERVAL);

    private OpenSearchFields() {
    }

    static OpenSearchSettings settings(ConfigValues values, ConfigProblems problems) {
        var username = values.find(USERNAME);
        var password = values.find(PASSWORD).map(s -> Secret.of(s.reveal()));
        if (password.isPresent() && username.isEmpty()) {
            problems.add(PASSWORD.key(), "a password needs opensearch.username");
            return null;
        }
        return new OpenSearchSettings(values.get(URLS), username, password, values.get(TRUST_ALL_CERTIFICATES),
                values.get(INDEX_PREFIX), values.get(REPLICAS), values.get(CONNECT_TIMEOUT), values.get(RESPONSE_TIMEOUT));
    }
}
