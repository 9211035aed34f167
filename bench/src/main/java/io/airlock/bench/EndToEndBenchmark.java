package io.airlock.bench;

import io.airlock.core.Json;
import io.airlock.core.Topics;
import io.airlock.embedded.AirflowSchema;
import io.airlock.embedded.AirlockProcess;
import io.airlock.embedded.AirlockYml;
import io.airlock.embedded.EmbeddedKafka;
import io.airlock.embedded.EmbeddedOpenSearch;
import io.airlock.embedded.EmbeddedPostgres;
import io.airlock.embedded.WebhookReceiver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/**
 * Commit-to-notification latency, peak RSS and start-up time of {@code airlock run} at a steady load, the way it is
 * deployed: the pipeline runs as a child process ({@link AirlockProcess}, configured by an {@link AirlockYml}) against the
 * embedded PostgreSQL, Kafka, OpenSearch and webhook receiver of this JVM, while {@link SteadyLoad} writes to the Airflow
 * database and the Vault audit file at the given events/s with an attack every 250 ms (120 measured in 30 s, so that p99 is
 * not simply the slowest).
 *
 * <ul>
 *   <li>start-up: from launching the JVM to its {@code airlock run: running;} line;</li>
 *   <li>latency: from the moment the event completing an attack was durable (commit returned, audit line flushed) to the
 *       first Slack or PagerDuty request about that attack at the receiver ({@link NotificationClock}); attacks during the
 *       warm-up are left out;</li>
 *   <li>peak RSS: {@code VmHWM} of the child just before SIGTERM; CPU: the child's CPU time during the measured load.</li>
 * </ul>
 * At the end every event written must be indexed in OpenSearch ({@code events_indexed} ≥ {@code events_written}: the
 * snapshot rows of the pre-created users come on top). Not a test: it reports figures.
 */
public final class EndToEndBenchmark {

    private static final Duration ATTACK_EVERY = Duration.ofMillis(250);
    private static int runNumber;

    private EndToEndBenchmark() {
    }

    /**
     * The figures of one run.
     *
     * @param rate events/s asked for
     * @param achievedRate events/s the load wrote
     * @param samples attacks measured (after the warm-up)
     * @param missing measured attacks without a notification 30 s after the load ended
     * @param startupMs from launching the JVM to its "running;" line
     * @param readyMs from launching the JVM to the first 200 of {@code /health/ready}, -1 without that endpoint
     * @param cpuCores the child's CPU seconds per second of measured load
     */
    public record Result(int rate, double achievedRate, double p50Ms, double p99Ms, double maxMs, int samples, int missing,
            long peakRssMb, long startupMs, long readyMs, long written, long indexed, double cpuCores) {
    }

    /**
     * Options of a run.
     *
     * @param pipelineConfig extra airlock.yml settings (dotted key to YAML value), applied last
     */
    public record Options(Duration warmUp, Duration measured, List<String> jvmOptions, Map<String, String> pipelineConfig, Path workDir) {
    }

    /** {@code java -cp … io.airlock.bench.EndToEndBenchmark [events/s …]} (default 2000), 20 s warm-up, 60 s measured. */
    public static void main(String[] args) throws Exception {
        BenchSuite.useBenchLogging();
        int[] rates = args.length == 0 ? new int[] {2000} : Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
        Options options = new Options(Duration.ofSeconds(20), Duration.ofSeconds(60), List.of("-Xmx512m"), Map.of(),
                Files.createTempDirectory("airlock-e2e"));
        try (var postgres = EmbeddedPostgres.start(); var kafka = BenchSuite.quietKafka(); var openSearch = EmbeddedOpenSearch.start();
                var webhooks = WebhookReceiver.start()) {
            List<Result> results = new ArrayList<>();
            for (int rate : rates) {
                results.add(run(postgres, kafka, openSearch, webhooks, rate, options));
            }
            System.out.println(new BenchReport("e2e").endToEnd(results, 2000).table());
        }
    }

    /** One run at {@code rate} events/s against a fresh database, topics, indices and child process. */
    public static Result run(EmbeddedPostgres postgres, EmbeddedKafka kafka, EmbeddedOpenSearch openSearch, WebhookReceiver webhooks,
            int rate, Options options) throws Exception {
        String name = "e2e" + (++runNumber) + "-" + rate + "-" + Long.toString(System.nanoTime() % 1_000_000, 36);
        Path dir = Files.createDirectories(options.workDir().resolve(name));
        postgres.createDatabase(name);
        postgres.createAirflowSchema(name, AirflowSchema.V2_10);
        Path audit = Files.createFile(dir.resolve("vault-audit.log"));
        AirlockYml yml = AirlockYml.forEmbedded(name, postgres, kafka, openSearch, webhooks).vaultAuditFile(audit)
                .stateDir(dir.resolve("state"));
        int metricsPort = freePort();
        yml.set("metrics.port", Integer.toString(metricsPort));
        options.pipelineConfig().forEach(yml::set);
        Path config = yml.writeTo(dir.resolve("airlock.yml"));

        try (Connection db = postgres.connect(name); VaultAuditLines vault = new VaultAuditLines(audit, name)) {
            db.setAutoCommit(false);
            SteadyLoad.createUsers(db, name, SteadyLoad.usersNeeded(options.warmUp().plus(options.measured()), ATTACK_EVERY));
            System.out.printf(Locale.ROOT, "e2e %,d events/s: starting airlock run (%s), log %s%n", rate,
                    String.join(" ", options.jvmOptions()), dir.resolve("airlock-run.log"));
            long launched = System.nanoTime();
            try (AirlockProcess airlock = AirlockProcess.builder(config).env(yml.env()).jvmOptions(options.jvmOptions().toArray(String[]::new))
                    .logFile(dir.resolve("airlock-run.log")).start();
                    NotificationClock clock = new NotificationClock(webhooks, name)) {
                airlock.awaitOutput(AirlockProcess.RUNNING, Duration.ofMinutes(3));
                long startupMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - launched);
                long readyMs = awaitReady(airlock, metricsPort, launched, Duration.ofSeconds(60));
                System.out.printf(Locale.ROOT, "e2e %,d events/s: running after %.1f s, ready after %s; %s warm-up, %s measured%n", rate,
                        startupMs / 1e3, readyMs < 0 ? "- (no /health/ready)" : String.format(Locale.ROOT, "%.1f s", readyMs / 1e3),
                        options.warmUp(), options.measured());

                SteadyLoad load = new SteadyLoad(db, vault, name, rate, ATTACK_EVERY);
                CpuMeter cpu = new CpuMeter(airlock.pid());
                Thread sampler = startRssSampler(airlock);
                SteadyLoad.Totals totals;
                try {
                    totals = load.run(options.warmUp(), options.measured(), cpu);
                } finally {
                    sampler.interrupt();
                }
                double cores = cpu.coresSinceMark();

                // Indexing first (it shows whether the pipeline kept up), then the notifications still missing get 30 s more.
                long indexed = awaitIndexed(openSearch.httpUri(), name, totals.events(), Duration.ofSeconds(60));
                List<SteadyLoad.Attack> measured = totals.attacks().stream().filter(a -> !a.warmUp()).toList();
                NotificationClock.Latencies latencies = clock.latencies(measured, Duration.ofSeconds(30));
                latencies.sortedMsByRule().forEach((rule, ms) -> System.out.printf(Locale.ROOT,
                        "  %s: %d alerts, p50 %.0f ms, max %.0f ms%n", rule, ms.size(), percentile(ms, 50), percentile(ms, 100)));
                printTopics(kafka, new Topics(name));
                System.out.printf(Locale.ROOT, "  notifications received about this run's entities: %d%n", clock.count());
                long rssMb = airlock.peakRssBytes() / (1024 * 1024);
                int exit = airlock.terminate(Duration.ofSeconds(60));
                List<Double> sorted = latencies.sortedMs();
                Result result = new Result(rate, totals.eventsPerSecond(), percentile(sorted, 50), percentile(sorted, 99),
                        percentile(sorted, 100), sorted.size(), latencies.missing(), rssMb, startupMs, readyMs, totals.events(), indexed,
                        cores);
                System.out.printf(Locale.ROOT, "e2e %,d events/s: load %,.0f events/s, %d alerts measured (%d missing), p50 %.0f ms, "
                        + "p99 %.0f ms, max %.0f ms; peak RSS %d MB, CPU %.2f cores; %,d events written, %,d indexed; exit %d%n", rate,
                        result.achievedRate(), result.samples(), result.missing(), result.p50Ms(), result.p99Ms(), result.maxMs(), rssMb, cores,
                        totals.events(), indexed, exit);
                return result;
            }
        } finally {
            // hundreds of MB at 5k events/s; the run's airlock.yml and airlock-run.log stay for a look afterwards
            Files.deleteIfExists(audit);
        }
    }

    /**
     * Polls {@code /health/ready} of the child's metrics endpoint until it answers 200; the time since {@code launched} in ms,
     * or -1 if the endpoint does not exist (nothing listens, or 404) or {@code max} passes.
     */
    private static long awaitReady(AirlockProcess airlock, int port, long launched, Duration max) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        URI ready = URI.create("http://127.0.0.1:" + port + "/health/ready");
        long deadline = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < deadline && airlock.isAlive()) {
            try {
                int status = http.send(HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(2)).GET().build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status == 200) {
                    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - launched);
                }
                if (status == 404) {
                    return -1;
                }
            } catch (java.io.IOException notListening) {
                return -1;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
        return -1;
    }

    private static int freePort() throws java.io.IOException {
        try (var socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Samples the child's RSS twice a second, so its peak is known even if it dies before {@link AirlockProcess#terminate}. */
    private static Thread startRssSampler(AirlockProcess airlock) {
        Thread sampler = new Thread(() -> {
            while (airlock.isAlive() && !Thread.currentThread().isInterrupted()) {
                airlock.currentRssBytes();
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500));
            }
        }, "bench-rss-sampler");
        sampler.setDaemon(true);
        sampler.start();
        return sampler;
    }

    /** What went through the run's topics: end offsets (transaction markers included), alerts by rule, the DLQ's reasons. */
    private static void printTopics(EmbeddedKafka kafka, Topics topics) throws Exception {
        try (Admin admin = kafka.admin()) {
            List<String> names = List.of(topics.cdc("log"), topics.cdc("ab_user"), topics.vaultAudit(), topics.events(), topics.alerts(),
                    topics.dlq());
            Map<TopicPartition, OffsetSpec> request = new LinkedHashMap<>();
            admin.describeTopics(names).allTopicNames().get().forEach((topic, description) -> description.partitions()
                    .forEach(p -> request.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest())));
            Map<String, Long> ends = new TreeMap<>();
            admin.listOffsets(request).all().get().forEach((tp, info) -> ends.merge(tp.topic(), info.offset(), Long::sum));
            Map<String, Long> alerts = new TreeMap<>();
            kafka.readAll(topics.alerts()).forEach(r -> alerts.merge(Json.tree(r.value()).path("rule.id").asText(
                    Json.tree(r.value()).path("rule").path("id").asText("?")), 1L, Long::sum));
            System.out.printf(Locale.ROOT, "  topic end offsets %s; alert records by rule %s%n", ends, alerts);
            if (ends.getOrDefault(topics.dlq(), 0L) > 0) {
                kafka.readAll(topics.dlq()).stream().map(r -> Json.tree(r.value()).path("reason").asText("?")).distinct().limit(3)
                        .forEach(reason -> System.out.println("  dlq reason: " + reason));
            }
        }
    }

    /** Nearest-rank percentile of sorted values; NaN when there are none. */
    static double percentile(List<Double> sorted, double p) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size(), rank) - 1));
    }

    /** Waits until the run's event indices hold at least {@code expected} documents, or {@code max} passes; the count. */
    private static long awaitIndexed(URI openSearch, String prefix, long expected, Duration max) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String index = prefix + "-events-*";
        long deadline = System.nanoTime() + max.toNanos();
        long count = 0;
        while (true) {
            http.send(HttpRequest.newBuilder(openSearch.resolve("/" + index + "/_refresh?allow_no_indices=true")).POST(
                    HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
            var response = http.send(HttpRequest.newBuilder(openSearch.resolve("/" + index + "/_count?allow_no_indices=true")).GET()
                    .build(), HttpResponse.BodyHandlers.ofString());
            count = Json.tree(response.body()).path("count").asLong(0);
            if (count >= expected || System.nanoTime() > deadline) {
                return count;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500));
        }
    }

    /** CPU time of a process from {@link ProcessHandle.Info#totalCpuDuration()}, between a mark and now. */
    static final class CpuMeter {
        private final long pid;
        private long markCpuNanos;
        private long markWallNanos;

        CpuMeter(long pid) {
            this.pid = pid;
        }

        /** Starts the interval now (the load calls it when the warm-up ends). */
        void mark() {
            markCpuNanos = cpuNanos();
            markWallNanos = System.nanoTime();
        }

        /** CPU seconds per wall-clock second since the mark. */
        double coresSinceMark() {
            double wall = System.nanoTime() - markWallNanos;
            return wall > 0 ? (cpuNanos() - markCpuNanos) / wall : 0;
        }

        private long cpuNanos() {
            return ProcessHandle.of(pid).flatMap(p -> p.info().totalCpuDuration()).map(Duration::toNanos).orElse(0L);
        }
    }
}
