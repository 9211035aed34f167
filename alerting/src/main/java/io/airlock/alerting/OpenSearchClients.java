package io.airlock.alerting;

import io.airlock.core.Json;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.apache.hc.client5.http.auth.AuthScope;
import org.apache.hc.client5.http.auth.UsernamePasswordCredentials;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.impl.auth.BasicCredentialsProvider;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder;
import org.apache.hc.client5.http.ssl.NoopHostnameVerifier;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.util.Timeout;
import org.opensearch.client.json.jackson.JacksonJsonpMapper;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.transport.httpclient5.ApacheHttpClient5TransportBuilder;

/**
 * Builds opensearch-java clients over Apache HttpClient 5, serializing documents with Airlock's one
 * {@link Json#MAPPER}, so events and alerts are indexed with the flat dotted keys ({@code "event.id"},
 * {@code "@timestamp"}) they have on Kafka.
 */
public final class OpenSearchClients {

    private OpenSearchClients() {
    }

    /**
     * A client for the given cluster. Close it with {@code client._transport().close()}.
     */
    public static OpenSearchClient create(OpenSearchSettings settings) {
        HttpHost[] hosts = settings.urls().stream().map(OpenSearchClients::host).toArray(HttpHost[]::new);
        var builder = ApacheHttpClient5TransportBuilder.builder(hosts)
                .setMapper(new JacksonJsonpMapper(Json.MAPPER))
                .setRequestConfigCallback(request -> request
                        .setResponseTimeout(Timeout.ofMilliseconds(settings.responseTimeout().toMillis())))
                .setHttpClientConfigCallback(http -> {
                    var connections = PoolingAsyncClientConnectionManagerBuilder.create()
                            .setDefaultConnectionConfig(ConnectionConfig.custom()
                                    .setConnectTimeout(settings.connectTimeout().toMillis(), TimeUnit.MILLISECONDS)
                                    .setSocketTimeout(Timeout.ofMilliseconds(settings.responseTimeout().toMillis()))
                                    .build());
                    if (settings.trustAllCertificates()) {
                        connections.setTlsStrategy(ClientTlsStrategyBuilder.create()
                                .setSslContext(trustAll())
                                .setHostnameVerifier(NoopHostnameVerifier.INSTANCE)
                                .buildAsync());
                    }
                    http.setConnectionManager(connections.build());
                    if (settings.username().isPresent()) {
                        var credentials = new BasicCredentialsProvider();
                        char[] password = settings.password().map(s -> s.reveal().toCharArray()).orElse(new char[0]);
                        for (HttpHost host : hosts) {
                            credentials.setCredentials(new AuthScope(host),
                                    new UsernamePasswordCredentials(settings.username().get(), password));
                        }
                        http.setDefaultCredentialsProvider(credentials);
                    }
                    return http;
                });
        return new OpenSearchClient(builder.build());
    }

    private static HttpHost host(URI url) {
        String scheme = url.getScheme().toLowerCase(Locale.ROOT);
        int port = url.getPort() != -1 ? url.getPort() : "https".equals(scheme) ? 443 : 9200;
        return new HttpHost(scheme, url.getHost(), port);
    }

    /** Development only: accepts every certificate (the flag is {@link OpenSearchSettings#trustAllCertificates()}). */
    private static SSLContext trustAll() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, new SecureRandom());
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot create a TLS context", e);
        }
    }
}
