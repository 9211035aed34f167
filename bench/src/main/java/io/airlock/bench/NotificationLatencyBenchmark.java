package io.airlock.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.airlock.alerting.AlertDeliveryLoop;
import io.airlock.alerting.AlertLinks;
import io.airlock.alerting.AlertRouter;
import io.airlock.alerting.BulkResult;
import io.airlock.alerting.DocumentIndexer;
import io.airlock.alerting.IndexTemplates;
import io.airlock.alerting.OpenSearchClients;
import io.airlock.alerting.OpenSearchIndexer;
import io.airlock.alerting.OpenSearchSettings;
import io.airlock.alerting.RetryPolicy;
import io.airlock.alerting.RoutingConfig;
import io.airlock.alerting.Secret;
import io.airlock.core.Alert;
import io.airlock.core.IndexNames;
import io.airlock.core.Json;
import io.airlock.core.Severity;
import io.airlock.core.Topics;
import io.airlock.embedded.EmbeddedKafka;
import io.airlock.embedded.EmbeddedOpenSearch;
import io.airlock.embedded.LoopbackHttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.DoubleStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.opensearch.client.opensearch.OpenSearchClient;

/**
 * Alert-to-notification latency at load: alerts produced to {@code <prefix>.alerts} at a steady rate go through a real
 * {@link AlertDeliveryLoop} (embedded Kafka) to four receivers on a local HTTP sink that notes {@link System#nanoTime()}
 * when each POST arrives: Slack {@code soc} and {@code vault-team} (every alert), PagerDuty {@code oncall} (high and
 * critical) and {@code platform} (critical); Slack pacing off (real Slack takes about one message per second per
 * webhook, which no load test of this kind could sustain). Latency = first POST of the alert at a receiver − the moment
 * just before the alert was handed to the producer; it includes producing, the consumer's fetch, routing, the
 * receiver's queue and the webhook call. Each run starts with two seconds of the same load (at least 20 alerts) that are
 * not counted: group join, every lane's first connection, JIT. The sink's
 * JDK HTTP server runs with {@code sun.net.httpserver.nodelay=true}: without it, Nagle's algorithm on the sink and the
 * client's delayed ACK add ~40 ms to every answer on loopback (measured: p50 44 ms per POST, 0.8 ms with it).
 * Not a test: it prints figures.
 *
 * <p>{@link #measure(EmbeddedKafka, int, double)} acknowledges the alert documents in memory (indexing runs on its own
 * thread and holds no notification back); {@code main} uses embedded OpenSearch, as in production.
 *
 * <pre>{@code mvn -B -o -q install -pl alerting,bench -DskipTests
 * java -cp "bench/target/airlock-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*" io.airlock.bench.NotificationLatencyBenchmark [alerts-per-rate] [rate ...]}</pre>
 */
public final class NotificationLatencyBenchmark {

    private static final Severity[] SEVERITIES = {Severity.LOW, Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL};
    private static final String[] USERS = {"alice", "bob", "carol", "dave", "svc-etl", "svc-backup"};
    private static final Pattern SLACK_ALERT_ID = Pattern.compile("Airlock alert `([^`]+)`");
    private static final Duration DRAIN_TIMEOUT = Duration.ofMinutes(3);
    private static final AtomicLong RUNS = new AtomicLong();

    /** Alert-to-POST latency over every notification of a run, in milliseconds. */
    public record Latency(double p50Ms, double p99Ms, double maxMs) {
    }

    /** The receivers: name → sink path, and which alerts each gets. */
    private enum Receiver {
        SOC("/slack/soc", Severity.LOW), VAULT_TEAM("/slack/vault-team", Severity.LOW),
        ONCALL("/pagerduty/oncall/v2/enqueue", Severity.HIGH), PLATFORM("/pagerduty/platform/v2/enqueue", Severity.CRITICAL);

        final String path;
        final Severity minimum;

        Receiver(String path, Severity minimum) {
            this.path = path;
            this.minimum = minimum;
        }

        String configName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        boolean slack() {
            return path.startsWith("/slack/");
        }
    }

    private NotificationLatencyBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 600;
        List<Double> rates = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            rates.add(Double.parseDouble(args[i]));
        }
        if (rates.isEmpty()) {
            rates = List.of(15.0, 50.0, 200.0);
        }
        quietLogging();
        try (EmbeddedKafka kafka = EmbeddedKafka.start();
             EmbeddedOpenSearch openSearch = EmbeddedOpenSearch.start()) {
            OpenSearchSettings settings = OpenSearchSettings.local(openSearch.httpUri())
                    .withIndexPrefix("bench-notify-" + System.currentTimeMillis());
            OpenSearchClient client = OpenSearchClients.create(settings);
            try {
                new IndexTemplates(client, settings).install();
                OpenSearchIndexer indexer = new OpenSearchIndexer(client, RetryPolicy.defaults(), settings);
                List<String> json = new ArrayList<>();
                for (double rate : rates) {
                    Run run = run(kafka, indexer, settings.indexNames(), n, rate);
                    run.print();
                    json.add(run.json());
                }
                System.out.println();
                json.forEach(System.out::println);
            } finally {
                client._transport().close();
            }
        }
    }

    /**
     * Produces {@code alerts} alerts at {@code alertsPerSecond} through a fresh delivery loop with four receivers on a
     * local sink and returns the alert-to-POST latency over all their notifications. Documents are acknowledged in
     * memory (no OpenSearch needed).
     */
    public static Latency measure(EmbeddedKafka kafka, int alerts, double alertsPerSecond) throws Exception {
        DocumentIndexer inMemory = items -> new BulkResult(items.size(), List.of());
        return run(kafka, inMemory, IndexNames.defaults(), alerts, alertsPerSecond).all();
    }

    private static Run run(EmbeddedKafka kafka, DocumentIndexer indexer, IndexNames names, int n, double rate) throws Exception {
        String runId = "bench-notify-" + System.currentTimeMillis() + "-" + RUNS.incrementAndGet();
        Topics topics = new Topics(runId);
        kafka.createTopics(1, topics.alerts(), topics.dlq());
        try (Sink sink = Sink.start()) {
            AlertLinks links = AlertLinks.of(URI.create("http://127.0.0.1:5601"), URI.create("https://docs.example.com/airlock/"),
                    names);
            List<RoutingConfig.Receiver> receivers = new ArrayList<>();
            List<RoutingConfig.RouteSpec> routes = new ArrayList<>();
            for (Receiver r : Receiver.values()) {
                URI uri = sink.uri(r.path);
                receivers.add(r.slack() ? RoutingConfig.Receiver.slack(r.configName(), Secret.of(uri.toString()))
                        : RoutingConfig.Receiver.pagerDuty(r.configName(), Secret.of("bench-key-" + r.configName()), uri));
                routes.add(new RoutingConfig.RouteSpec(r.minimum, Set.of(), List.of(r.configName())));
            }
            RoutingConfig routing = RoutingConfig.none().withReceivers(receivers).withRoutes(routes).withSlackInterval(Duration.ZERO);
            AlertRouter router = AlertRouter.from(routing, links, RetryPolicy.defaults());
            AlertDeliveryLoop loop = new AlertDeliveryLoop(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                    ConsumerConfig.GROUP_ID_CONFIG, runId), topics, names, indexer, router, RetryPolicy.defaults());
            Thread thread = new Thread(loop, "alert-delivery-bench");
            thread.start();
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                    ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.LINGER_MS_CONFIG, 0), new ByteArraySerializer(), new ByteArraySerializer())) {
                // warm-up, not measured: group join, every lane's HTTP connection, JIT; two seconds of the same load
                List<Alert> warmUp = alerts("warmup", runId, Math.max(20, (int) (2 * rate)));
                awaitAll(sink, warmUp, produceAtRate(producer, topics, warmUp, rate));

                List<Alert> alerts = alerts("bench", runId, n);
                long start = System.nanoTime();
                Map<String, Long> producedAt = produceAtRate(producer, topics, alerts, rate);
                double producedSeconds = (System.nanoTime() - start) / 1e9;
                awaitAll(sink, alerts, producedAt);
                double drainedSeconds = (System.nanoTime() - start) / 1e9;
                Map<Receiver, double[]> latencies = new LinkedHashMap<>();
                for (Receiver r : Receiver.values()) {
                    Map<String, Long> received = sink.received.get(r.path);
                    latencies.put(r, producedAt.entrySet().stream().filter(e -> received.containsKey(e.getKey()))
                            .mapToDouble(e -> (received.get(e.getKey()) - e.getValue()) / 1e6).sorted().toArray());
                }
                return new Run(n, rate, producedSeconds, drainedSeconds, sink.posts.get(), latencies);
            } finally {
                loop.close();
                thread.join(30_000);
            }
        }
    }

    /** One run's figures. */
    private record Run(int alerts, double rate, double producedSeconds, double drainedSeconds, long posts,
                       Map<Receiver, double[]> latencies) {

        double[] allSorted() {
            return latencies.values().stream().flatMapToDouble(DoubleStream::of).sorted().toArray();
        }

        Latency all() {
            double[] all = allSorted();
            return new Latency(percentile(all, 50), percentile(all, 99), max(all));
        }

        void print() {
            System.out.printf(Locale.ROOT, "%n%d alerts at %.0f/s: produced in %.1f s, every notification in by %.1f s; "
                    + "%d POSTs in all (incl. warm-up)%n", alerts, rate, producedSeconds, drainedSeconds, posts);
            latencies.forEach((r, sorted) -> report(r.configName(), sorted));
            report("all notifications", allSorted());
        }

        String json() {
            Latency all = all();
            StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
                    "{\"rate_per_s\": %.0f, \"alerts\": %d, \"alert_to_notification_p50_ms\": %.1f, "
                            + "\"alert_to_notification_p99_ms\": %.1f, \"alert_to_notification_max_ms\": %.1f",
                    rate, alerts, all.p50Ms(), all.p99Ms(), all.maxMs()));
            latencies.forEach((r, sorted) -> s.append(String.format(Locale.ROOT, ", \"%s_p50_ms\": %.1f, \"%s_p99_ms\": %.1f",
                    r.configName().replace('-', '_'), percentile(sorted, 50), r.configName().replace('-', '_'),
                    percentile(sorted, 99))));
            return s.append('}').toString();
        }
    }

    private static List<Alert> alerts(String kind, String runId, int n) {
        List<Alert> alerts = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            alerts.add(alert(String.format(Locale.ROOT, "%s%08d%s", kind, i, runId), SEVERITIES[i % SEVERITIES.length], i));
        }
        return alerts;
    }

    /** Produces the alerts evenly spaced at {@code rate}; returns when each was handed to the producer (nanoTime). */
    private static Map<String, Long> produceAtRate(KafkaProducer<byte[], byte[]> producer, Topics topics, List<Alert> alerts,
                                                   double rate) {
        Map<String, Long> producedAt = new ConcurrentHashMap<>();
        long period = (long) (1e9 / rate);
        long start = System.nanoTime();
        for (int i = 0; i < alerts.size(); i++) {
            long due = start + i * period;
            long now;
            while ((now = System.nanoTime()) < due) {
                LockSupport.parkNanos(due - now);
            }
            Alert alert = alerts.get(i);
            producedAt.put(alert.id(), System.nanoTime());
            producer.send(record(topics, alert));
        }
        producer.flush();
        return producedAt;
    }

    /** Waits until every receiver had every alert routed to it. */
    private static void awaitAll(Sink sink, List<Alert> alerts, Map<String, Long> producedAt) {
        for (Receiver r : Receiver.values()) {
            long expected = alerts.stream().filter(a -> a.severity().compareTo(r.minimum) >= 0).count();
            Map<String, Long> received = sink.received.get(r.path);
            awaitCount(() -> received.keySet().stream().filter(producedAt::containsKey).count(), expected,
                    r.configName() + " notifications");
        }
    }

    private static Alert alert(String id, Severity severity, int i) {
        Instant now = Instant.now();
        String user = USERS[i % USERS.length];
        return new Alert(id, "AL-001", "failed-login burst", severity, now, now.minusSeconds(60), now, 5, user,
                "5 failed logins for " + user + " within 5 min", List.of("e1", "e2", "e3", "e4", "e5"), List.of("T1110"),
                "https://docs.example.com/runbooks/AL-001", Alert.Status.OPEN);
    }

    private static ProducerRecord<byte[], byte[]> record(Topics topics, Alert alert) {
        return new ProducerRecord<>(topics.alerts(), alert.id().getBytes(StandardCharsets.UTF_8), Json.write(alert));
    }

    private static void awaitCount(java.util.function.LongSupplier count, long expected, String what) {
        long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
        while (count.getAsLong() < expected) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + count.getAsLong() + " of " + expected + " " + what + " arrived within "
                        + DRAIN_TIMEOUT);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    /** Nearest-rank percentile of sorted values. */
    private static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    private static double max(double[] sorted) {
        return sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1];
    }

    private static void report(String label, double[] sorted) {
        System.out.printf(Locale.ROOT, "%-18s n=%5d  p50 %7.1f ms  p99 %7.1f ms  max %7.1f ms%n", label, sorted.length,
                percentile(sorted, 50), percentile(sorted, 99), max(sorted));
    }

    /** Slack webhook and PagerDuty Events API stand-in that notes when the first POST for each alert arrived, per path. */
    private static final class Sink implements AutoCloseable {
        private final HttpServer server;
        private final ExecutorService executor;
        final Map<String, Map<String, Long>> received = new ConcurrentHashMap<>();
        final AtomicLong posts = new AtomicLong();

        private Sink(HttpServer server, ExecutorService executor) {
            this.server = server;
            this.executor = executor;
            for (Receiver r : Receiver.values()) {
                received.put(r.path, new ConcurrentHashMap<>());
            }
        }

        static Sink start() throws IOException {
            var http = LoopbackHttpServer.create("bench-sink", 8);
            Sink sink = new Sink(http.server(), http.executor());
            http.server().createContext("/", sink::handle);
            http.server().start();
            return sink;
        }

        URI uri(String path) {
            return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
        }

        private void handle(HttpExchange exchange) throws IOException {
            long at = System.nanoTime();
            try (exchange; InputStream in = exchange.getRequestBody()) {
                String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                String path = exchange.getRequestURI().getPath();
                posts.incrementAndGet();
                Map<String, Long> byAlert = received.get(path);
                byte[] answer;
                int status;
                if (byAlert == null) {
                    answer = "no such webhook".getBytes(StandardCharsets.UTF_8);
                    status = 404;
                } else if (path.startsWith("/pagerduty/")) {
                    String id = Json.tree(body).path("dedup_key").asText();
                    byAlert.putIfAbsent(id, at);
                    answer = ("{\"status\":\"success\",\"message\":\"Event processed\",\"dedup_key\":\"" + id + "\"}")
                            .getBytes(StandardCharsets.UTF_8);
                    status = 202;
                } else {
                    Matcher m = SLACK_ALERT_ID.matcher(body);
                    if (m.find()) {
                        byAlert.putIfAbsent(m.group(1), at);
                    }
                    answer = "ok".getBytes(StandardCharsets.UTF_8);
                    status = 200;
                }
                exchange.sendResponseHeaders(status, answer.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(answer);
                }
            }
        }

        @Override
        public void close() {
            server.stop(0);
            executor.shutdownNow();
        }
    }

    /** Warnings only: a line per notification on the console would cost more than the notification. */
    private static void quietLogging() {
        for (String name : List.of(org.slf4j.Logger.ROOT_LOGGER_NAME, "io.airlock")) {
            ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(name)).setLevel(ch.qos.logback.classic.Level.WARN);
        }
    }
}
