package io.airlock.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.airlock.alerting.AlertDeliveryLoop;
import io.airlock.alerting.AlertLinks;
import io.airlock.alerting.AlertRouter;
import io.airlock.alerting.IndexTemplates;
import io.airlock.alerting.OpenSearchClients;
import io.airlock.alerting.OpenSearchIndexer;
import io.airlock.alerting.OpenSearchSettings;
import io.airlock.alerting.RetryPolicy;
import io.airlock.alerting.RoutingConfig;
import io.airlock.alerting.Secret;
import io.airlock.core.Alert;
import io.airlock.core.Json;
import io.airlock.core.Severity;
import io.airlock.core.Topics;
import io.airlock.embedded.EmbeddedKafka;
import io.airlock.embedded.EmbeddedOpenSearch;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.opensearch.client.opensearch.OpenSearchClient;

/**
 * Alert-to-notification latency: alerts produced to {@code <prefix>.alerts} at a steady rate go through a real
 * {@link AlertDeliveryLoop} (embedded Kafka, embedded OpenSearch, the routing of {@link RoutingConfig#defaults}: every
 * alert to Slack, high and critical also to PagerDuty, Slack pacing off) to a local HTTP receiver that notes
 * {@link System#nanoTime()} when each POST arrives. Latency = first POST for the alert on a channel − the moment just
 * before the alert was handed to the producer; it includes producing, the consumer's fetch, the OpenSearch bulk request of
 * the batch and the webhook call. One warm-up alert (group join, first connections) is not counted. Not a test: it prints
 * figures.
 *
 * <pre>{@code mvn -B -o -q install -pl bench -DskipTests
 * java -cp "bench/target/airlock-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*" io.airlock.bench.NotificationLatencyBenchmark 500 50}</pre>
 */
public final class NotificationLatencyBenchmark {

    private static final Severity[] SEVERITIES = {Severity.LOW, Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL};
    private static final String[] USERS = {"alice", "bob", "carol", "dave", "svc-etl", "svc-backup"};
    private static final Pattern SLACK_ALERT_ID = Pattern.compile("Airlock alert `([^`]+)`");
    private static final String SLACK_PATH = "/slack/bench";
    private static final String PAGERDUTY_PATH = "/pagerduty/v2/enqueue";
    private static final Duration DRAIN_TIMEOUT = Duration.ofMinutes(3);

    private NotificationLatencyBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 500;
        double rate = args.length > 1 ? Double.parseDouble(args[1]) : 50.0;
        quietLogging();
        try (Receiver receiver = Receiver.start();
             EmbeddedKafka kafka = EmbeddedKafka.start();
             EmbeddedOpenSearch openSearch = EmbeddedOpenSearch.start()) {
            run(n, rate, receiver, kafka, openSearch);
        }
    }

    private static void run(int n, double rate, Receiver receiver, EmbeddedKafka kafka, EmbeddedOpenSearch openSearch)
            throws Exception {
        long runId = System.currentTimeMillis();
        Topics topics = new Topics("bench-notify-" + runId);
        kafka.createTopics(1, topics.alerts(), topics.dlq());
        OpenSearchSettings settings = OpenSearchSettings.local(openSearch.httpUri()).withIndexPrefix("bench-notify-" + runId);
        OpenSearchClient client = OpenSearchClients.create(settings);
        AlertDeliveryLoop loop = null;
        Thread thread = null;
        try {
            new IndexTemplates(client, settings).install();
            AlertLinks links = AlertLinks.of(URI.create("http://127.0.0.1:5601"), URI.create("https://docs.example.com/airlock/"),
                    settings.indexNames());
            RoutingConfig routing = RoutingConfig.defaults(Optional.of(Secret.of(receiver.uri(SLACK_PATH).toString())),
                    Optional.of(Secret.of("bench-routing-key")), receiver.uri(PAGERDUTY_PATH)).withSlackInterval(Duration.ZERO);
            AlertRouter router = AlertRouter.from(routing, links, RetryPolicy.defaults());
            loop = new AlertDeliveryLoop(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                    ConsumerConfig.GROUP_ID_CONFIG, "bench-notify-" + runId), topics, settings.indexNames(),
                    new OpenSearchIndexer(client, RetryPolicy.defaults(), settings), router, RetryPolicy.defaults());
            thread = new Thread(loop, "alert-delivery-bench");
            thread.start();

            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                    ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.LINGER_MS_CONFIG, 0), new ByteArraySerializer(), new ByteArraySerializer())) {
                // warm-up: group join, HTTP connections, first bulk request; not measured
                Alert warmUp = alert("warmup-" + runId, Severity.CRITICAL, 0);
                producer.send(record(topics, warmUp)).get();
                awaitCount(() -> receiver.slack.containsKey(warmUp.id()) && receiver.pagerDuty.containsKey(warmUp.id()) ? 1 : 0,
                        1, "the warm-up alert");

                List<Alert> alerts = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    alerts.add(alert(String.format(Locale.ROOT, "bench%08d%020x", i, runId), SEVERITIES[i % SEVERITIES.length], i));
                }
                long expectedPages = alerts.stream().filter(a -> a.severity().pages()).count();
                Map<String, Long> producedAt = new ConcurrentHashMap<>();
                long period = (long) (1e9 / rate);
                long start = System.nanoTime();
                for (int i = 0; i < n; i++) {
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
                double producedSeconds = (System.nanoTime() - start) / 1e9;
                awaitCount(() -> count(receiver.slack, producedAt), n, "Slack messages");
                awaitCount(() -> count(receiver.pagerDuty, producedAt), expectedPages, "PagerDuty events");

                double[] slack = latencies(receiver.slack, producedAt);
                double[] pagerDuty = latencies(receiver.pagerDuty, producedAt);
                double[] all = concat(slack, pagerDuty);
                System.out.printf(Locale.ROOT, "%nProduced %d alerts in %.1f s (%.0f/s target); %d Slack messages, %d PagerDuty "
                        + "events (%d POSTs in all, incl. warm-up)%n", n, producedSeconds, rate, slack.length, pagerDuty.length,
                        receiver.posts.get());
                report("Slack", slack);
                report("PagerDuty", pagerDuty);
                report("all notifications", all);
                System.out.printf(Locale.ROOT, "{\"alert_to_notification_p50_ms\": %.1f, \"alert_to_notification_p99_ms\": %.1f, "
                                + "\"alert_to_notification_max_ms\": %.1f, \"slack_p50_ms\": %.1f, \"slack_p99_ms\": %.1f, "
                                + "\"slack_max_ms\": %.1f, \"pagerduty_p50_ms\": %.1f, \"pagerduty_p99_ms\": %.1f, "
                                + "\"pagerduty_max_ms\": %.1f, \"alerts\": %d, \"rate_per_s\": %.0f}%n",
                        percentile(all, 50), percentile(all, 99), max(all), percentile(slack, 50), percentile(slack, 99), max(slack),
                        percentile(pagerDuty, 50), percentile(pagerDuty, 99), max(pagerDuty), n, rate);
            }
        } finally {
            if (loop != null) {
                loop.close();
            }
            if (thread != null) {
                thread.join(30_000);
            }
            client._transport().close();
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

    private static long count(Map<String, Long> received, Map<String, Long> produced) {
        return received.keySet().stream().filter(produced::containsKey).count();
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

    private static double[] latencies(Map<String, Long> received, Map<String, Long> produced) {
        return produced.entrySet().stream().filter(e -> received.containsKey(e.getKey()))
                .mapToDouble(e -> (received.get(e.getKey()) - e.getValue()) / 1e6).sorted().toArray();
    }

    private static double[] concat(double[] a, double[] b) {
        double[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        Arrays.sort(all);
        return all;
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
        System.out.printf(Locale.ROOT, "%-18s n=%4d  p50 %7.1f ms  p99 %7.1f ms  max %7.1f ms%n", label, sorted.length,
                percentile(sorted, 50), percentile(sorted, 99), max(sorted));
    }

    /** Slack webhook and PagerDuty Events API stand-in that notes when the first POST for each alert arrived. */
    private static final class Receiver implements AutoCloseable {
        private final HttpServer server;
        private final ExecutorService executor;
        final Map<String, Long> slack = new ConcurrentHashMap<>();
        final Map<String, Long> pagerDuty = new ConcurrentHashMap<>();
        final java.util.concurrent.atomic.AtomicLong posts = new java.util.concurrent.atomic.AtomicLong();

        private Receiver(HttpServer server, ExecutorService executor) {
            this.server = server;
            this.executor = executor;
        }

        static Receiver start() throws IOException {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
                Thread t = new Thread(r, "bench-receiver");
                t.setDaemon(true);
                return t;
            });
            Receiver receiver = new Receiver(server, executor);
            server.createContext("/", receiver::handle);
            server.setExecutor(executor);
            server.start();
            return receiver;
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
                byte[] answer;
                int status;
                if (path.equals(PAGERDUTY_PATH)) {
                    String id = Json.tree(body).path("dedup_key").asText();
                    pagerDuty.putIfAbsent(id, at);
                    answer = ("{\"status\":\"success\",\"message\":\"Event processed\",\"dedup_key\":\"" + id + "\"}")
                            .getBytes(StandardCharsets.UTF_8);
                    status = 202;
                } else if (path.equals(SLACK_PATH)) {
                    Matcher m = SLACK_ALERT_ID.matcher(body);
                    if (m.find()) {
                        slack.putIfAbsent(m.group(1), at);
                    }
                    answer = "ok".getBytes(StandardCharsets.UTF_8);
                    status = 200;
                } else {
                    answer = "no such webhook".getBytes(StandardCharsets.UTF_8);
                    status = 404;
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

    private static void quietLogging() {
        var root = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(ch.qos.logback.classic.Level.WARN);
    }
}
