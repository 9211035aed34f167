package io.airlock.app.config;

import io.airlock.alerting.OpenSearchClients;
import io.airlock.alerting.OpenSearchSettings;
import io.airlock.core.config.ConfigTypes;
import io.airlock.ingest.AirflowDatabasePreflight;
import io.airlock.ingest.AirflowDatabaseSettings;
import java.net.URI;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.common.Node;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch._types.OpenSearchException;
import org.slf4j.LoggerFactory;

/**
 * {@code airlock check-config --connect}: tries to reach the Airflow database (and checks what capture needs), Kafka and
 * OpenSearch. Each outcome is one plain line; no stack trace, no secret (every line passes {@link AirlockConfig#redact}).
 */
public final class ConnectivityCheck {

    /** One outcome: {@code ok} or not, and one line saying what was reached or what failed. */
    public record Outcome(boolean ok, String line) {
    }

    static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final List<String> NOISY_LOGGERS = List.of("org.apache.kafka", "org.postgresql", "org.opensearch",
            "org.apache.hc");

    private final AirlockConfig config;

    public ConnectivityCheck(AirlockConfig config) {
        this.config = config;
    }

    /** Runs every check; client libraries' own logging is silenced meanwhile, so failures stay one line each. */
    public List<Outcome> run() {
        var restore = silenceClientLogging();
        try {
            List<Outcome> outcomes = new ArrayList<>(airflowDatabase());
            outcomes.add(kafka());
            for (URI url : config.openSearch().urls()) {
                outcomes.add(openSearch(url));
            }
            return outcomes.stream().map(o -> new Outcome(o.ok(), config.redact(o.line()))).toList();
        } finally {
            restore.run();
        }
    }

    List<Outcome> airflowDatabase() {
        AirflowDatabaseSettings db = config.database();
        String what = "Airflow database " + db.user() + "@" + db.host() + ":" + db.port() + "/" + db.database() + ": ";
        DriverManager.setLoginTimeout((int) TIMEOUT.toSeconds());
        AirflowDatabasePreflight.Findings findings;
        try {
            findings = new AirflowDatabasePreflight(db).inspect();
        } catch (RuntimeException e) {
            findings = new AirflowDatabasePreflight.Findings(List.of(oneLine(e)), List.of());
        }
        if (findings.problems().isEmpty()) {
            String ok = what + "reachable, " + String.join(", ", findings.passed());
            return List.of(new Outcome(true, findings.abUserAbsent() ? ok + "; " + AirflowDatabasePreflight.AB_USER_ABSENT : ok));
        }
        return findings.problems().stream().map(p -> new Outcome(false, what + p)).toList();
    }

    Outcome kafka() {
        String what = "Kafka " + config.bootstrapServers() + ": ";
        var props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        config.kafkaSecurity().applyTo(props);
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "airlock-check-config");
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
        props.put(AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MS_CONFIG, TIMEOUT.toMillis());
        props.put(AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS_CONFIG, TIMEOUT.toMillis());
        Admin admin = null;
        try {
            admin = Admin.create(props);
            DescribeClusterResult cluster = admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) TIMEOUT.toMillis()));
            long wait = TIMEOUT.toMillis() + 1000;
            Collection<Node> nodes = cluster.nodes().get(wait, TimeUnit.MILLISECONDS);
            String id = cluster.clusterId().get(wait, TimeUnit.MILLISECONDS);
            if (nodes.size() < config.replicationFactor()) {
                return new Outcome(false, what + "kafka.replication-factor is " + config.replicationFactor()
                        + " but the cluster has only " + nodes.size() + " broker(s)");
            }
            return new Outcome(true, what + "reachable, cluster " + id + ", " + nodes.size() + " broker(s)");
        } catch (TimeoutException e) {
            return new Outcome(false, what + "no broker answered within " + TIMEOUT.toSeconds() + " s");
        } catch (ExecutionException e) {
            return new Outcome(false, what + (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException
                    ? "no broker answered within " + TIMEOUT.toSeconds() + " s" : oneLine(e.getCause())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome(false, what + "interrupted");
        } catch (RuntimeException e) {
            return new Outcome(false, what + oneLine(e));
        } finally {
            if (admin != null) {
                admin.close(Duration.ofSeconds(1));
            }
        }
    }

    Outcome openSearch(URI url) {
        String what = "OpenSearch " + ConfigTypes.redacted(url) + ": ";
        OpenSearchSettings all = config.openSearch();
        var one = new OpenSearchSettings(List.of(url), all.username(), all.password(), all.trustAllCertificates(), all.indexPrefix(),
                all.numberOfReplicas(), TIMEOUT, TIMEOUT);
        OpenSearchClient client = null;
        try {
            client = OpenSearchClients.create(one);
            var info = client.info();
            return new Outcome(true, what + "reachable, cluster " + info.clusterName() + ", version " + info.version().number());
        } catch (OpenSearchException e) {
            return new Outcome(false, what + "HTTP " + e.status() + (e.status() == 401 ? " (check opensearch.username and "
                    + "opensearch.password)" : e.status() == 403 ? " (the user lacks permissions)" : "")
                    + ": " + e.error().type());
        } catch (Exception e) {
            return new Outcome(false, what + oneLine(e));
        } finally {
            if (client != null) {
                try {
                    client._transport().close();
                } catch (Exception ignored) {
                    // closing a client that could not connect
                }
            }
        }
    }

    /** The innermost message, first line only, with the exception's simple name when there is no message. */
    static String oneLine(Throwable e) {
        Throwable t = e;
        String message = null;
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c.getMessage() != null && !c.getMessage().isBlank()) {
                t = c;
                message = c.getMessage();
            }
        }
        if (message == null) {
            return e.getClass().getSimpleName();
        }
        int newline = message.indexOf('\n');
        String line = (newline < 0 ? message : message.substring(0, newline)).strip();
        return t instanceof java.net.ConnectException || t instanceof java.net.UnknownHostException
                ? t.getClass().getSimpleName() + ": " + line : line;
    }

    /** Turns client libraries' logging off and returns how to turn it back on. */
    private static Runnable silenceClientLogging() {
        List<Runnable> restore = new ArrayList<>();
        for (String name : NOISY_LOGGERS) {
            if (LoggerFactory.getLogger(name) instanceof ch.qos.logback.classic.Logger logger) {
                ch.qos.logback.classic.Level level = logger.getLevel();
                logger.setLevel(ch.qos.logback.classic.Level.OFF);
                restore.add(() -> logger.setLevel(level));
            }
        }
        return () -> restore.forEach(Runnable::run);
    }
}
