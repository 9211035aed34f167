package io.airlock.alerting;

import io.airlock.core.IndexNames;
import io.airlock.core.config.ConfigTypes;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Where and how to reach OpenSearch.
 *
 * @param urls                 node URLs ({@code http://127.0.0.1:9200}); at least one
 * @param username             basic-auth user, empty for a cluster without security
 * @param password             basic-auth password (from the environment); never printed, see {@link #toString()}
 * @param trustAllCertificates accept any TLS certificate and host name; for development clusters only
 * @param indexPrefix          prefix of every index and template name, see {@link IndexNames}
 * @param numberOfReplicas     replicas of Airlock's indices; 0 for a single node
 * @param connectTimeout       TCP connect timeout
 * @param responseTimeout      time to wait for a response (a bulk request included)
 */
public record OpenSearchSettings(
        List<URI> urls,
        Optional<String> username,
        Optional<Secret> password,
        boolean trustAllCertificates,
        String indexPrefix,
        int numberOfReplicas,
        Duration connectTimeout,
        Duration responseTimeout) {

    public OpenSearchSettings {
        urls = List.copyOf(Objects.requireNonNull(urls, "urls"));
        if (urls.isEmpty()) {
            throw new IllegalArgumentException("at least one OpenSearch URL is required");
        }
        for (URI url : urls) {
            if (!ConfigTypes.isHttpUrl(url)) {
                throw new IllegalArgumentException("OpenSearch URL must be http(s)://host[:port], was " + redactUserInfo(url));
            }
            if (url.getUserInfo() != null) {
                throw new IllegalArgumentException("put OpenSearch credentials in username/password, not in the URL "
                        + redactUserInfo(url));
            }
        }
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        if (password.isPresent() && username.isEmpty()) {
            throw new IllegalArgumentException("an OpenSearch password needs a username");
        }
        new IndexNames(indexPrefix); // validates the prefix
        if (numberOfReplicas < 0) {
            throw new IllegalArgumentException("numberOfReplicas must be >= 0, was " + numberOfReplicas);
        }
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(responseTimeout, "responseTimeout");
    }

    /** A single unsecured node with defaults: prefix {@code airlock}, 0 replicas, 5 s connect, 60 s response timeout. */
    public static OpenSearchSettings local(URI url) {
        return new OpenSearchSettings(List.of(url), Optional.empty(), Optional.empty(), false, "airlock", 0,
                Duration.ofSeconds(5), Duration.ofSeconds(60));
    }

    public OpenSearchSettings withIndexPrefix(String prefix) {
        return new OpenSearchSettings(urls, username, password, trustAllCertificates, prefix, numberOfReplicas,
                connectTimeout, responseTimeout);
    }

    public OpenSearchSettings withCredentials(String user, Secret secret) {
        return new OpenSearchSettings(urls, Optional.of(user), Optional.of(secret), trustAllCertificates, indexPrefix,
                numberOfReplicas, connectTimeout, responseTimeout);
    }

    public OpenSearchSettings withTrustAllCertificates(boolean trustAll) {
        return new OpenSearchSettings(urls, username, password, trustAll, indexPrefix, numberOfReplicas,
                connectTimeout, responseTimeout);
    }

    public OpenSearchSettings withNumberOfReplicas(int replicas) {
        return new OpenSearchSettings(urls, username, password, trustAllCertificates, indexPrefix, replicas,
                connectTimeout, responseTimeout);
    }

    /** The index names under {@link #indexPrefix()}. */
    public IndexNames indexNames() {
        return new IndexNames(indexPrefix);
    }

    /**
     * The URLs as they may be printed: without user info, query string or fragment ({@link ConfigTypes#redacted}).
     */
    public String shownUrls() {
        return urls.stream().map(ConfigTypes::redacted).toList().toString();
    }

    /** Never shows the password, only whether one is set. */
    @Override
    public String toString() {
        return "OpenSearchSettings[urls=" + shownUrls() + ", username=" + username.orElse("<none>")
                + ", password=" + (password.isPresent() ? "****" : "<none>")
                + ", trustAllCertificates=" + trustAllCertificates + ", indexPrefix=" + indexPrefix
                + ", numberOfReplicas=" + numberOfReplicas + ", connectTimeout=" + connectTimeout
                + ", responseTimeout=" + responseTimeout + "]";
    }

    private static String redactUserInfo(URI url) {
        return url.getUserInfo() == null ? String.valueOf(url) : url.getScheme() + "://****@" + url.getHost();
    }
}
