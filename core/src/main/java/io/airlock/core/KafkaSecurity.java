package io.airlock.core;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * How Airlock's Kafka clients reach a secured cluster: the client properties added to every producer, consumer, admin
 * client and Kafka Streams application ({@code security.protocol}, {@code sasl.*}, {@code ssl.*}). SASL with
 * {@code PLAIN}, {@code SCRAM-SHA-256} or {@code SCRAM-SHA-512}, TLS with a CA certificate in PEM. Its {@link #toString()}
 * never shows the password.
 */
public record KafkaSecurity(Map<String, String> properties) {

    /** No authentication, no encryption: Kafka's default. */
    public static final KafkaSecurity PLAINTEXT = new KafkaSecurity(Map.of());

    private static final String JAAS_CONFIG = "sasl.jaas.config";

    public KafkaSecurity {
        properties = Map.copyOf(properties);
    }

    /**
     * @param protocol      {@code PLAINTEXT}, {@code SSL}, {@code SASL_PLAINTEXT} or {@code SASL_SSL}
     * @param mechanism     the SASL mechanism (used with {@code SASL_*} only)
     * @param username      the SASL user (with {@code SASL_*} only)
     * @param password      the SASL password (with {@code SASL_*} only)
     * @param caCertificate the CA certificates (PEM) the broker's certificate is checked against; null for the JVM's
     */
    public static KafkaSecurity of(String protocol, String mechanism, String username, String password, Path caCertificate) {
        Map<String, String> p = new TreeMap<>();
        String upper = protocol.toUpperCase(Locale.ROOT);
        if (!upper.equals("PLAINTEXT")) {
            p.put("security.protocol", upper);
        }
        if (upper.startsWith("SASL_")) {
            String module = mechanism.startsWith("SCRAM-") ? "org.apache.kafka.common.security.scram.ScramLoginModule"
                    : "org.apache.kafka.common.security.plain.PlainLoginModule";
            p.put("sasl.mechanism", mechanism);
            p.put(JAAS_CONFIG, module + " required username=\"" + quoted(username) + "\" password=\"" + quoted(password) + "\";");
        }
        if (caCertificate != null) {
            p.put("ssl.truststore.type", "PEM");
            p.put("ssl.truststore.location", caCertificate.toString());
        }
        return new KafkaSecurity(p);
    }

    /**
     * A new, mutable client configuration: {@code bootstrap.servers}, the client's own {@code settings}, and these
     * properties.
     */
    public Map<String, Object> clientConfig(String bootstrapServers, Map<String, ?> settings) {
        Map<String, Object> config = new HashMap<>(settings);
        config.put("bootstrap.servers", bootstrapServers);
        return applyTo(config);
    }

    /** Adds the properties to a client's configuration. */
    public <M extends Map<? super String, ? super String>> M applyTo(M config) {
        config.putAll(properties);
        return config;
    }

    /** Adds the properties to a client's configuration. */
    public Properties applyTo(Properties config) {
        config.putAll(properties);
        return config;
    }

    /** The properties, the JAAS configuration (which holds the password) as {@code [hidden]}. */
    @Override
    public String toString() {
        Map<String, String> shown = new TreeMap<>(properties);
        shown.computeIfPresent(JAAS_CONFIG, (k, v) -> "[hidden]");
        return "KafkaSecurity" + shown;
    }

    /**
     * A value inside a JAAS option's double quotes: Kafka's parser takes backslash escapes there, and ends a quoted value
     * at a line break (a password read from a file or a secret mount often ends with one).
     */
    private static String quoted(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n").replace("\r", "\\r");
    }
}
