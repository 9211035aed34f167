package io.airlock.app.config;

import static io.airlock.core.config.ConfigTypes.hostPort;
import static io.airlock.core.config.ConfigTypes.integer;
import static io.airlock.core.config.ConfigTypes.listOf;
import static io.airlock.core.config.ConfigTypes.oneOf;
import static io.airlock.core.config.ConfigTypes.path;
import static io.airlock.core.config.ConfigTypes.string;

import io.airlock.core.KafkaSecurity;
import io.airlock.core.Topics;
import io.airlock.core.config.ConfigDefinition.Group;
import io.airlock.core.config.ConfigProblems;
import io.airlock.core.config.ConfigValues;
import io.airlock.core.config.HostPort;
import io.airlock.core.config.SecretValue;
import io.airlock.core.config.Setting;
import io.airlock.core.config.Validators;
import io.airlock.streams.StreamsSettings;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/** Kafka and the topic names (DESIGN.md, Topics). Belongs to {@code core} once modules read their own settings. */
public final class KafkaFields {

    public static final Setting<String> TOPICS_PREFIX = Setting.of("topics.prefix", string())
            .defaultValue(Topics.DEFAULT_PREFIX)
            .validate(Validators.accepts("letters, digits, '.', '_', '-'", Topics::new))
            .doc("Prefix of every Kafka topic (`<prefix>.events`, `<prefix>.alerts`, `<prefix>.cdc.airflow.log`, ...), of the "
                    + "Kafka Streams application id and of the consumer groups. Two Airlock deployments on one Kafka need "
                    + "different prefixes.");

    public static final Setting<List<HostPort>> BOOTSTRAP_SERVERS = Setting.of("kafka.bootstrap-servers", listOf(hostPort()))
            .defaultValue(List.of(new HostPort("localhost", 9092)))
            .validate(Validators.notEmpty())
            .doc("Kafka brokers to connect to first (`bootstrap.servers`): a YAML list or one comma-separated string.");

    public static final Setting<Integer> REPLICATION_FACTOR = Setting.of("kafka.replication-factor", integer())
            .defaultValue(1)
            .validate(Validators.between(1, Short.MAX_VALUE))
            .doc("Replication of the topics Airlock creates (Kafka Streams internal topics, the capture's offsets topic): "
                    + "1 for a single broker, 3 in production.");

    public static final Setting<Integer> PARTITIONS = Setting.of("kafka.partitions", integer())
            .defaultValue(3)
            .validate(Validators.between(1, 10_000))
            .doc("Partitions of the topics `airlock run` creates when they do not exist yet; more partitions let more "
                    + "`--only streams` instances share the work.");

    public static final Setting<Integer> STREAM_THREADS = Setting.of("kafka.stream-threads", integer())
            .defaultValue(StreamsSettings.DEFAULT_STREAM_THREADS)
            .validate(Validators.between(1, 64))
            .doc("Kafka Streams threads of the detection stage (`num.stream.threads`) in one process. 2 lets normalization "
                    + "and the rules use two cores at once (on 2 cores: 27 000-30 000 instead of 24 000-25 000 events/s, "
                    + "notifications ~250 ms sooner), but with more than one input partition a catch-up of a backlog can then "
                    + "split a Vault alert group in two or drop a read later than `detection.grace` (see docs/reliability.md): "
                    + "use it with one input partition, or where Airlock never has a backlog to catch up.");

    public static final Setting<String> SECURITY_PROTOCOL = Setting.of("kafka.security-protocol",
                    oneOf("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"))
            .defaultValue("PLAINTEXT")
            .doc("How every Kafka client of Airlock connects (`security.protocol`): `SASL_SSL` for SASL over TLS, `SSL` for "
                    + "TLS alone, `PLAINTEXT` for neither.");

    public static final Setting<String> SASL_MECHANISM = Setting.of("kafka.sasl-mechanism",
                    oneOf("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"))
            .defaultValue("SCRAM-SHA-512")
            .doc("SASL mechanism (`sasl.mechanism`) with `SASL_SSL` or `SASL_PLAINTEXT`.");

    public static final Setting<String> SASL_USERNAME = Setting.of("kafka.sasl-username", string())
            .whenUnset("no SASL user; required with `SASL_SSL` and `SASL_PLAINTEXT`")
            .validate(Validators.matches(".+", "not empty"))
            .doc("SASL user of every Kafka client of Airlock. It needs to read and write the `<prefix>.*` topics, create "
                    + "them, and use the `<prefix>-*` consumer groups and transactional ids.");

    public static final Setting<SecretValue> SASL_PASSWORD = Setting.secret("kafka.sasl-password")
            .whenUnset("no SASL password; required with `SASL_SSL` and `SASL_PLAINTEXT`")
            .doc("Password of `kafka.sasl-username`.");

    public static final Setting<Path> SSL_CA_CERTIFICATE = Setting.of("kafka.ssl-ca-certificate", path())
            .validate(Validators.pemCertificateFile())
            .whenUnset("the JVM's trusted certificates")
            .doc("CA certificates (PEM) the brokers' certificates are checked against, with `SSL` and `SASL_SSL`.");

    public static final Group GROUP = Group.of("Kafka",
            "Airlock's data flows through Kafka topics (DESIGN.md, *Topics*).",
            TOPICS_PREFIX, BOOTSTRAP_SERVERS, REPLICATION_FACTOR, PARTITIONS, STREAM_THREADS, SECURITY_PROTOCOL, SASL_MECHANISM,
            SASL_USERNAME, SASL_PASSWORD, SSL_CA_CERTIFICATE);

    private KafkaFields() {
    }

    static Topics topics(ConfigValues values) {
        return new Topics(values.get(TOPICS_PREFIX));
    }

    /** The client properties of {@code kafka.security-protocol} and what it needs; a missing or stray setting is a problem. */
    static KafkaSecurity security(ConfigValues values, ConfigProblems problems) {
        String protocol = values.get(SECURITY_PROTOCOL);
        boolean sasl = protocol.startsWith("SASL_");
        boolean tls = protocol.endsWith("SSL");
        Optional<String> user = values.find(SASL_USERNAME);
        Optional<SecretValue> password = values.find(SASL_PASSWORD);
        boolean ok = true;
        if (sasl && (user.isEmpty() || password.isEmpty())) {
            problems.add(SECURITY_PROTOCOL.key(), protocol + " needs kafka.sasl-username and kafka.sasl-password (-env or -file)");
            ok = false;
        }
        if (!sasl && values.isGiven(SASL_MECHANISM)) {
            problems.add(SECURITY_PROTOCOL.key(), "is " + protocol + ", so kafka.sasl-mechanism would not be used: set it to "
                    + "SASL_SSL (or SASL_PLAINTEXT)");
            ok = false;
        }
        if (!sasl && (user.isPresent() || password.isPresent())) {
            problems.add(SECURITY_PROTOCOL.key(), "is " + protocol + ", so kafka.sasl-username and kafka.sasl-password would not be "
                    + "used: set it to SASL_SSL (or SASL_PLAINTEXT)");
            ok = false;
        }
        if (!tls && values.find(SSL_CA_CERTIFICATE).isPresent()) {
            problems.add(SECURITY_PROTOCOL.key(), "is " + protocol + ", so kafka.ssl-ca-certificate would not be used: set it to "
                    + "SASL_SSL or SSL");
            ok = false;
        }
        if (!ok) {
            return null;
        }
        return KafkaSecurity.of(protocol, values.get(SASL_MECHANISM), user.orElse(null),
                password.map(SecretValue::reveal).orElse(null), values.find(SSL_CA_CERTIFICATE).orElse(null));
    }

    /** {@code host1:9092,host2:9092}. */
    static String bootstrapServers(ConfigValues values) {
        return values.get(BOOTSTRAP_SERVERS).stream().map(HostPort::toString).collect(Collectors.joining(","));
    }
}
