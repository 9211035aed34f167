package io.airlock.app;

import io.airlock.alerting.DeliveryException;
import io.airlock.app.config.AirlockConfig;
import io.airlock.app.metrics.Liveness;
import io.airlock.app.metrics.MetricsEndpoint;
import io.airlock.app.metrics.MetricsSettings;
import io.airlock.app.metrics.ReadinessCheck;
import io.airlock.core.Topics;
import io.airlock.core.config.ConfigException;
import io.airlock.core.config.ConfigSource;
import io.airlock.embedded.AirflowSchema;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code airlock run}: the pipeline against the configured Airflow database, Vault audit source, Kafka, OpenSearch, Slack
 * and PagerDuty, until SIGTERM or Ctrl-C; then the stages stop in reverse order, committing in-flight work or leaving it in
 * Kafka for the next start. Serves {@code /metrics}, {@code /health/live} and {@code /health/ready} on {@code metrics.port}
 * (9404; {@code metrics.enabled: false} turns it off) from before the first stage starts until the last one stopped.
 *
 * <p>Fails fast: when a started stage stops for good ({@link Pipeline#stoppedForGood()}), it logs one ERROR line naming the
 * stage and the reason, turns {@code /health/live} to 503, stops the other stages in order and exits with
 * {@value #EXIT_STAGE_STOPPED}, so that a supervisor (systemd, Docker's restart policy, Kubernetes) starts it again; the new
 * process resumes from the committed offsets. Exit codes: 0 stopped on request, 1 bad configuration or a failed start,
 * 2 bad command line (picocli), {@value #EXIT_STAGE_STOPPED} a stage stopped for good.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run the pipeline against the systems in airlock.yml, or, without --config, against embedded ones.",
                "With --config: all stages, or some with --only. Without it: embedded PostgreSQL (with Airflow's tables), "
                        + "Kafka, OpenSearch and a local Slack/PagerDuty receiver, fed by your own activity, removed when it "
                        + "stops; --detection FILE sets its rules."})
final class RunCommand implements Callable<Integer> {

    /** Exit code of a bad command line (as picocli's). */
    static final int EXIT_USAGE = 2;
    /** Exit code when a started stage stopped for good: restart the process. */
    static final int EXIT_STAGE_STOPPED = 3;
    private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);
    /** How often the running stages are checked for one that stopped for good. */
    private static final long WATCH_MILLIS = 500;

    @Option(names = "--config", paramLabel = "FILE", description = "The airlock.yml to run with. Without it, everything runs "
            + "embedded on this machine (PostgreSQL with Airflow's tables, Kafka, OpenSearch, a local Slack/PagerDuty receiver), "
            + "fed by your own activity; the addresses are printed.")
    Path config;

    @Option(names = "--airflow-schema", paramLabel = "VERSION",
            description = "Without --config: the Airflow metadata schema of the embedded database (${COMPLETION-CANDIDATES}; "
                    + "default V2_10).")
    AirflowSchema airflowSchema;

    @Option(names = "--detection", paramLabel = "FILE",
            description = "Without --config: an airlock.yml whose detection.*, rules.* and vault.audit.prefix settings the "
                    + "embedded run uses (time zone, business hours, Airflow's Vault identity, thresholds, …); a full "
                    + "production file will do, its other settings are ignored (said in one line).")
    Path detection;

    /** The stages of {@code --only}; null without it. */
    List<Stage> only;

    @Spec
    CommandSpec spec;

    /**
     * {@code --only}: stages separated by commas, in any case. An empty one ({@code --only ingest,}) is a usage error, not
     * ignored: it is more likely a stage left out by mistake than meant.
     */
    @Option(names = "--only", paramLabel = "STAGE[,STAGE…]",
            description = "Run only these stages (ingest, streams, delivery; separated by commas), e.g. --only streams to scale "
                    + "detection out. Only the secrets of these stages are read.")
    void only(List<String> values) {
        List<Stage> stages = new java.util.ArrayList<>();
        for (String value : values) {
            for (String name : value.split(",", -1)) {
                if (name.isBlank()) {
                    throw new ParameterException(spec.commandLine(), "Invalid value for option '--only': '" + value + "' has an "
                            + "empty stage; give stages separated by commas (ingest, streams, delivery), e.g. --only ingest,streams");
                }
                try {
                    stages.add(Stage.valueOf(name.strip().toUpperCase(java.util.Locale.ROOT)));
                } catch (IllegalArgumentException e) {
                    throw new ParameterException(spec.commandLine(), "Invalid value for option '--only': unknown stage '"
                            + name.strip() + "'; the stages are ingest, streams, delivery");
                }
            }
        }
        only = List.copyOf(stages);
    }

    PrintStream err = System.err;
    PrintStream out = System.out;
    Map<String, String> env = System.getenv();
    /** Where {@code /metrics} is served once running (tests ask for port 0 and read the real one here). */
    volatile InetSocketAddress metricsAddress;
    /** Whether every stage has started (a stop requested before is reported as one during start-up). */
    private volatile boolean running;
    /** How long the JVM's shutdown waits for the orderly stop. */
    private static final java.time.Duration STOP_WAIT = java.time.Duration.ofSeconds(60);
    /** {@code /health/live}: fails once a started stage stopped for good. */
    final Liveness liveness = new Liveness();

    @Override
    public Integer call() throws Exception {
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop.countDown();
            if (!running && stopped.getCount() > 0) { // still starting: a step may be waiting for its system to answer
                err.println("airlock run: stop requested while starting; stopping when the current start-up step returns "
                        + "(at most " + STOP_WAIT.toSeconds() + " s)");
            }
            awaitQuietly(stopped);
        }, "airlock-shutdown"));
        try {
            return execute(stop);
        } finally {
            stopped.countDown();
        }
    }

    /**
     * Runs with {@code --config}, or without it against embedded components started for the run (and removed after it);
     * the exit code.
     */
    int execute(CountDownLatch stop) throws Exception {
        if (config != null) {
            if (airflowSchema != null || detection != null) {
                err.println("airlock run: --airflow-schema and --detection are for a run without --config (embedded components); "
                        + "with --config " + config + " the file says everything");
                return EXIT_USAGE;
            }
            Optional<AirlockConfig> loaded = load(config, env);
            return loaded.isPresent() ? run(loaded.get(), stop, false) : 1;
        }
        if (only != null && !only.isEmpty()) {
            err.println("airlock run: --only is for scaling a configured deployment out; a run without --config runs every "
                    + "stage against its own embedded components");
            return EXIT_USAGE;
        }
        err.println("airlock run: no --config, so everything runs embedded on this machine and nothing leaves it; for your "
                + "own systems: airlock run --config airlock.yml (see airlock.example.yml)");
        DetectionOverlay overlay;
        try {
            overlay = detection == null ? DetectionOverlay.NONE : DetectionOverlay.read(detection, env);
        } catch (ConfigException e) {
            err.println(e.getMessage());
            return 1;
        }
        overlay.note(detection).ifPresent(err::println);
        EmbeddedRun embedded;
        try {
            embedded = EmbeddedRun.start(airflowSchema != null ? airflowSchema : AirflowSchema.V2_10, overlay, err);
        } catch (IOException | RuntimeException e) {
            err.println("airlock run: the embedded components did not start: " + FailureMessages.withCauses(e));
            return 1;
        }
        try (AlertConsole console = new AlertConsole(embedded.bootstrapServers(), Topics.defaults(), out)) {
            if (stop.getCount() == 0) { // stopped while the components started: not the pipeline too
                return 0;
            }
            Optional<AirlockConfig> loaded = load(embedded.config(), embedded.env(env));
            if (loaded.isEmpty()) {
                return 1;
            }
            embedded.printWhereToLook(err, loaded.get().detection());
            console.start();
            return run(loaded.get(), stop, true);
        } finally {
            embedded.close(err);
        }
    }

    /**
     * The configuration of {@code config}, or empty when it has problems (printed). The whole file is checked, but only the
     * secrets of the stages that run are read ({@link Stage#secretPrefixes}): the others are checked for form only, so
     * that a process is given no secret it does not use. An unset secret of a stage that runs is a problem.
     */
    Optional<AirlockConfig> load(Path config, Map<String, String> env) {
        try {
            ConfigSource source = ConfigSource.fromFile(config, env).withSecretsOnlyUnder(Stage.secretPrefixes(stages()));
            return Optional.of(AirlockConfig.from(source));
        } catch (ConfigException e) {
            err.println(e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * Creates missing topics and runs the stages until {@code stop} opens; the exit code. {@code embedded}: against the
     * embedded components, deleted after the run.
     */
    @SuppressWarnings("try") // the pipeline only has to run, and be closed, while waiting
    private int run(AirlockConfig loaded, CountDownLatch stop, boolean embedded) throws Exception {
        Set<Stage> stages = stages();
        PipelineSettings settings = PipelineSettings.from(loaded);
        err.println("airlock run: stages " + stages + ", configuration " + loaded.origin());
        loaded.notes().forEach(note -> LOG.warn("Configuration: {}", note));
        MetricsSettings metrics = loaded.metrics();
        var current = new AtomicReference<Pipeline>();
        var phase = new AtomicReference<>("starting");
        ReadinessCheck readiness = () -> {
            Pipeline pipeline = current.get();
            return pipeline == null ? List.of(phase.get()) : pipeline.readinessProblems();
        };
        try (MetricsEndpoint endpoint = metrics.enabled()
                ? MetricsEndpoint.start(metrics, settings.bootstrapServers(), settings.kafkaSecurity(), settings.topics(), readiness,
                        liveness) : null) {
            if (endpoint != null) {
                metricsAddress = endpoint.address();
                err.println("airlock run: metrics on " + metricsUrl(endpoint.address()) + ", health on /health/live and "
                        + "/health/ready");
            }
            TopicInitializer.ensureTopics(settings.bootstrapServers(), settings.kafkaSecurity(), settings.topics(), loaded.partitions(),
                    loaded.replicationFactor());
            if (stop.getCount() == 0) {
                err.println("airlock run: stopped on request before the stages started");
                return 0;
            }
            int exitCode = 0;
            try (Pipeline pipeline = new Pipeline(settings).embeddedAirflowCapture(loaded.embeddedAirflowCapture())
                    .airflowDatabaseDeletedAfterStop(embedded).start(stages)) {
                current.set(pipeline);
                running = true;
                // A stop requested while the stages started (said then by the shutdown hook) is carried out now: saying
                // "running" would contradict it.
                if (stop.getCount() > 0) {
                    err.println("airlock run: running; SIGTERM or Ctrl-C stops it");
                }
                Optional<String> stopped = awaitStopOrStageStopped(stop, pipeline);
                if (stopped.isPresent()) {
                    // The reason names a stage and a state or an exception class: no message, payload or secret.
                    LOG.error("Stage stopped for good: {}; exiting with code {} so that the supervisor restarts Airlock "
                            + "(it resumes from the committed offsets)", stopped.get(), EXIT_STAGE_STOPPED);
                    liveness.fail(stopped.get());
                    exitCode = EXIT_STAGE_STOPPED;
                }
                phase.set("stopping");
                current.set(null);
                err.println("airlock run: stopping" + (stopped.isPresent() ? " (exit code " + EXIT_STAGE_STOPPED + ")" : ""));
            }
            return exitCode;
        } catch (RuntimeException | DeliveryException e) {
            err.println("airlock run: " + loaded.redact(FailureMessages.ofRun(e, settings.bootstrapServers())));
            return 1;
        }
    }

    /** The stages of {@code --only}, or all. */
    private Set<Stage> stages() {
        return only == null || only.isEmpty() ? EnumSet.allOf(Stage.class) : EnumSet.copyOf(only);
    }

    /** Waits for {@code stop}; returns the stage that stopped for good if one did first. */
    private static Optional<String> awaitStopOrStageStopped(CountDownLatch stop, Pipeline pipeline) throws InterruptedException {
        while (!stop.await(WATCH_MILLIS, TimeUnit.MILLISECONDS)) {
            Optional<String> stopped = pipeline.stoppedForGood();
            if (stopped.isPresent()) {
                return stopped;
            }
        }
        return Optional.empty();
    }

    /**
     * The URL of {@code /metrics} served at {@code address}, one that can be opened: on a wildcard address ({@code 0.0.0.0},
     * {@code ::}, the default) it is {@code localhost}, since {@code http://[0:0:0:0:0:0:0:0]:9404} reaches nothing.
     */
    static String metricsUrl(InetSocketAddress address) {
        String host = address.getAddress() != null && address.getAddress().isAnyLocalAddress() ? "localhost"
                : address.getHostString();
        // an IPv6 literal in a URL is bracketed
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort() + "/metrics";
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(STOP_WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
