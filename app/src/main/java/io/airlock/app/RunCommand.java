package io.airlock.app;

import io.airlock.app.config.AirlockConfig;
import io.airlock.app.metrics.MetricsEndpoint;
import io.airlock.app.metrics.MetricsSettings;
import io.airlock.app.metrics.ReadinessCheck;
import io.airlock.core.config.ConfigException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code airlock run}: the pipeline against the configured Airflow database, Vault audit source, Kafka, OpenSearch, Slack
 * and PagerDuty, until SIGTERM or Ctrl-C; then the stages stop in reverse order, committing in-flight work or leaving it in
 * Kafka for the next start. Serves {@code /metrics}, {@code /health/live} and {@code /health/ready} on {@code metrics.port}
 * (9404; {@code metrics.enabled: false} turns it off) from before the first stage starts until the last one stopped.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the pipeline (all stages, or some with --only) against the systems configured in airlock.yml.")
final class RunCommand implements Callable<Integer> {

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The airlock.yml to run with.")
    Path config;

    @Option(names = "--only", split = ",", paramLabel = "STAGE",
            description = "Run only these stages (${COMPLETION-CANDIDATES}), e.g. --only streams to scale detection out.")
    List<Stage> only;

    PrintStream err = System.err;
    Map<String, String> env = System.getenv();
    /** Where {@code /metrics} is served once running (tests ask for port 0 and read the real one here). */
    volatile InetSocketAddress metricsAddress;

    @Override
    public Integer call() throws Exception {
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop.countDown();
            awaitQuietly(stopped);
        }, "airlock-shutdown"));
        try {
            return execute(stop);
        } finally {
            stopped.countDown();
        }
    }

    /** Loads the configuration, creates missing topics and runs the stages until {@code stop} opens; the exit code. */
    @SuppressWarnings("try") // the pipeline only has to run, and be closed, while waiting
    int execute(CountDownLatch stop) throws Exception {
        AirlockConfig loaded;
        try {
            loaded = AirlockConfig.load(config, env);
        } catch (ConfigException e) {
            err.println(e.getMessage());
            return 1;
        }
        Set<Stage> stages = only == null || only.isEmpty() ? EnumSet.allOf(Stage.class) : EnumSet.copyOf(only);
        PipelineSettings settings = PipelineSettings.from(loaded);
        err.println("airlock run: stages " + stages + ", configuration " + loaded.origin());
        MetricsSettings metrics = loaded.metrics();
        var current = new AtomicReference<Pipeline>();
        var phase = new AtomicReference<>("starting");
        ReadinessCheck readiness = () -> {
            Pipeline pipeline = current.get();
            return pipeline == null ? List.of(phase.get()) : pipeline.readinessProblems();
        };
        try (MetricsEndpoint endpoint = metrics.enabled()
                ? MetricsEndpoint.start(metrics, settings.bootstrapServers(), settings.topics(), readiness) : null) {
            if (endpoint != null) {
                metricsAddress = endpoint.address();
                err.println("airlock run: metrics on http://" + hostPort(endpoint.address()) + "/metrics, health on /health/live and "
                        + "/health/ready");
            }
            TopicInitializer.ensureTopics(settings.bootstrapServers(), settings.topics(), loaded.partitions(), loaded.replicationFactor());
            try (Pipeline pipeline = new Pipeline(settings).embeddedAirflowCapture(loaded.embeddedAirflowCapture()).start(stages)) {
                current.set(pipeline);
                err.println("airlock run: running; SIGTERM or Ctrl-C stops it");
                stop.await();
                phase.set("stopping");
                current.set(null);
                err.println("airlock run: stopping");
            }
            return 0;
        } catch (RuntimeException e) {
            err.println("airlock run: " + loaded.redact(String.valueOf(e.getMessage())));
            return 1;
        }
    }

    private static String hostPort(InetSocketAddress address) {
        return address.getHostString() + ":" + address.getPort();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(60, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
