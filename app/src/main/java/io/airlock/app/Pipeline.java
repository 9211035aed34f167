package io.airlock.app;

import io.airlock.alerting.AlertDeliveryLoop;
import io.airlock.alerting.AlertRouter;
import io.airlock.alerting.DeliveryException;
import io.airlock.alerting.EventIndexingLoop;
import io.airlock.alerting.IndexRetention;
import io.airlock.alerting.IndexTemplates;
import io.airlock.alerting.Notifier;
import io.airlock.alerting.OpenSearchClients;
import io.airlock.alerting.OpenSearchIndexer;
import io.airlock.ingest.AirflowCdcCapture;
import io.airlock.ingest.CaptureSettings;
import io.airlock.ingest.vault.VaultAuditFileTailer;
import io.airlock.ingest.vault.VaultAuditSettings;
import io.airlock.ingest.vault.VaultAuditSocketListener;
import io.airlock.streams.AirlockTopology;
import io.airlock.streams.StreamsSettings;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole Airlock pipeline in one process: capture (Debezium) → Kafka Streams (normalize, detect) → delivery
 * (OpenSearch, Slack, PagerDuty). Stages are stopped in reverse order so in-flight work is committed or left in Kafka.
 */
public final class Pipeline implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Pipeline.class);

    /** How long the start waits for the Airflow capture to hold its replication slot. */
    private static final Duration CAPTURE_START_TIMEOUT = Duration.ofSeconds(60);

    private final PipelineSettings settings;
    private final List<AutoCloseable> running = new ArrayList<>();
    private final List<Thread> deliveryThreads = new CopyOnWriteArrayList<>();
    private volatile KafkaStreams streams;
    private KafkaStreamsMetrics streamsMetrics;
    private volatile AirflowCdcCapture capture;
    private volatile Supplier<Throwable> vaultFailure = () -> null;
    private boolean embeddedAirflowCapture = true;
    private boolean airflowDatabaseDeletedAfterStop;
    private volatile Set<Stage> started = Set.of();

    public Pipeline(PipelineSettings settings) {
        this.settings = settings;
    }

    /**
     * Whether the ingest stage captures the Airflow database itself (default) or leaves it to a Debezium connector on Kafka
     * Connect ({@code capture.airflow-database: external}) and captures only the Vault audit log.
     */
    public Pipeline embeddedAirflowCapture(boolean embedded) {
        this.embeddedAirflowCapture = embedded;
        return this;
    }

    /**
     * The Airflow database is deleted once the pipeline stopped ({@code airlock run} without a file): the capture does not
     * warn of a replication slot it leaves behind ({@link AirflowCdcCapture#databaseDeletedAfterStop()}).
     */
    public Pipeline airflowDatabaseDeletedAfterStop(boolean deleted) {
        this.airflowDatabaseDeletedAfterStop = deleted;
        return this;
    }

    /** Starts every stage; returns once the Airflow capture holds its replication slot, so no later change can be missed. */
    public Pipeline start() throws DeliveryException {
        return start(EnumSet.allOf(Stage.class));
    }

    /**
     * Starts the given stages, downstream first (delivery, streams, then capture) so that nothing produced waits on a
     * consumer that is not there yet. Returns once the capture holds its replication slot.
     */
    public Pipeline start(Set<Stage> stages) throws DeliveryException {
        try {
            if (stages.contains(Stage.DELIVERY)) {
                startDelivery();
            }
            if (stages.contains(Stage.STREAMS)) {
                startStreams();
            }
            if (stages.contains(Stage.INGEST)) {
                startIngest();
            }
        } catch (DeliveryException | RuntimeException e) {
            close();
            throw e;
        }
        started = Set.copyOf(stages);
        LOG.info("Pipeline running stages {}: topics prefix '{}', OpenSearch {}", stages, settings.topics().prefix(), settings.openSearch());
        return this;
    }

    private void startDelivery() throws DeliveryException {
        OpenSearchClient client = OpenSearchClients.create(settings.openSearch());
        new IndexTemplates(client, settings.openSearch()).install();
        var indexer = new OpenSearchIndexer(client, settings.retryPolicy(), settings.openSearch());
        var router = AlertRouter.from(settings.routing(), settings.links(), settings.retryPolicy());
        var eventLoop = new EventIndexingLoop(consumerConfig("-delivery"), settings.topics(), settings.openSearch().indexNames(), indexer,
                settings.retryPolicy());
        var alertLoop = new AlertDeliveryLoop(consumerConfig("-notify"), settings.topics(), settings.openSearch().indexNames(), indexer,
                router, settings.retryPolicy()).linkingRunbooks(settings.links());
        running.add(() -> client._transport().close());
        startThread(eventLoop, "airlock-event-indexing");
        startThread(alertLoop, "airlock-alert-delivery");
        if (settings.eventsRetentionDays().isPresent()) {
            running.add(new IndexRetention(client, settings.openSearch(), settings.eventsRetentionDays().getAsInt())
                    .start(settings.retentionCheckInterval()));
        }
    }

    private Map<String, Object> consumerConfig(String groupSuffix) {
        return Map.copyOf(settings.kafkaSecurity().clientConfig(settings.bootstrapServers(),
                Map.of(ConsumerConfig.GROUP_ID_CONFIG, settings.topics().prefix() + groupSuffix)));
    }

    private void startStreams() {
        Properties props = StreamsSettings.of(settings.bootstrapServers(), settings.topics(), settings.stateDir(),
                settings.replicationFactor());
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, settings.streamThreads());
        settings.kafkaSecurity().applyTo(props);
        TopicInitializer.inputPartitions(settings.bootstrapServers(), settings.kafkaSecurity(), settings.topics())
                .ifPresent(partitions -> props.put(StreamsSettings.INPUT_PARTITIONS, partitions));
        streams = new KafkaStreams(AirlockTopology.build(settings.detection(), settings.topics()), props);
        streams.setUncaughtExceptionHandler(new StreamThreadFailures(Metrics.globalRegistry, System::currentTimeMillis));
        streamsMetrics = new KafkaStreamsMetrics(streams);
        streamsMetrics.bindTo(Metrics.globalRegistry);
        streams.start();
        // Leave the group on close, so a restarted or scaled-out instance gets the work at once, not after the session timeout.
        running.add(() -> {
            streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                    .withTimeout(Duration.ofSeconds(30)));
            streamsMetrics.close();
        });
    }

    /**
     * The Vault socket listener first (Vault fails requests while none of its audit devices takes the lines), then the
     * Airflow capture (it returns once its replication slot exists), then the Vault file tailer — on its first start only once
     * the capture's snapshot is in Kafka ({@link VaultTailerAfterSnapshot} says why).
     */
    private void startIngest() {
        VaultAuditSettings vault = settings.vaultAudit();
        if (vault != null && vault.file() == null) {
            var listener = new VaultAuditSocketListener(vault).start();
            running.add(listener);
            vaultFailure = listener::failure;
        }
        AirflowCdcCapture cdc = embeddedAirflowCapture ? startAirflowCapture() : null;
        if (cdc == null) {
            LOG.info("Airflow database captured by Kafka Connect (capture.airflow-database: external); ingest runs the Vault capture only");
        }
        if (vault == null || vault.file() == null) {
            return;
        }
        if (cdc != null && VaultTailerAfterSnapshot.isFirstStart(vault)) {
            var deferred = VaultTailerAfterSnapshot.start(vault, cdc);
            running.add(deferred);
            vaultFailure = deferred::failure;
        } else {
            var tailer = new VaultAuditFileTailer(vault).start();
            running.add(tailer);
            vaultFailure = tailer::failure;
        }
    }

    private AirflowCdcCapture startAirflowCapture() {
        var capture = new CaptureSettings(settings.bootstrapServers(), settings.topics(), "airflow", Duration.ofSeconds(10),
                (short) settings.replicationFactor(), settings.kafkaSecurity());
        var cdc = new AirflowCdcCapture(settings.database(), capture);
        if (airflowDatabaseDeletedAfterStop) {
            cdc.databaseDeletedAfterStop();
        }
        this.capture = cdc;
        running.add(cdc);
        cdc.start();
        try {
            if (!cdc.awaitStarted(CAPTURE_START_TIMEOUT)) {
                // Messages only, root cause included (its stack trace was logged as the engine stopped): never a timeout
                // when it failed.
                throw new IllegalStateException(cdc.failureSummary().map(why -> "the Airflow capture failed to start: " + why)
                        .orElse(cdc.hasStopped() ? "the Airflow capture stopped before it started"
                                : "the Airflow capture did not start within " + CAPTURE_START_TIMEOUT.toSeconds() + " s"));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the Airflow capture", e);
        }
        return cdc;
    }

    private void startThread(AutoCloseable loop, String name) {
        Thread thread = new Thread((Runnable) loop, name);
        thread.start();
        deliveryThreads.add(thread);
        running.add(() -> {
            loop.close();
            thread.join(30_000);
        });
    }

    /**
     * Why this process is not ready, in plain words; empty when every started stage runs: Kafka Streams is RUNNING (a
     * rebalance makes it briefly not ready), the Airflow capture holds its slot and has not stopped, the delivery loops are
     * consuming. Before {@link #start(Set)} returned and after {@link #close()}: not ready.
     */
    public List<String> readinessProblems() {
        if (started.isEmpty()) {
            return List.of("pipeline not started");
        }
        List<String> problems = new ArrayList<>(stoppedStages());
        KafkaStreams.State state = streamsState();
        if (started.contains(Stage.STREAMS) && streams != null && state != KafkaStreams.State.RUNNING && !stoppedForGood(state)) {
            problems.add("streams: Kafka Streams is " + state);
        }
        if (started.contains(Stage.INGEST) && capture != null && capture.isCapturing() && capture.isSilent()) {
            problems.add("ingest: the Airflow capture has handed over no change and no heartbeat for over a minute "
                    + capture.retryingAfter().map(why -> "; Debezium retries after: " + why)
                            .orElse("(PostgreSQL unreachable, or the replication slot in use by another process? see the log)"));
        }
        return problems;
    }

    /**
     * The first started stage that stopped for good and will not come back by itself, with the reason in plain words (stage,
     * state or exception class; never a message, a payload or a secret): Kafka Streams in {@code PENDING_ERROR}, {@code ERROR},
     * {@code PENDING_SHUTDOWN} or {@code NOT_RUNNING}, the Debezium engine of the Airflow capture ended, the Vault capture
     * failed, a delivery thread ended. Transient states (a Streams rebalance, the capture retrying a connection) are not
     * failures. Empty before {@link #start(Set)} returned and from {@link #close()} on, so an orderly stop never counts.
     */
    public Optional<String> stoppedForGood() {
        return stoppedStages().stream().findFirst();
    }

    private List<String> stoppedStages() {
        Set<Stage> stages = started;
        List<String> stopped = new ArrayList<>();
        if (stages.contains(Stage.STREAMS) && streams != null && stoppedForGood(streams.state())) {
            stopped.add("streams: Kafka Streams is " + streams.state());
        }
        if (stages.contains(Stage.INGEST) && capture != null && !capture.isCapturing()) {
            stopped.add("ingest: the Airflow capture stopped"
                    + (capture.failure() == null ? "" : " (" + capture.failure().getClass().getSimpleName() + ")"));
        }
        Throwable vault = vaultFailure.get();
        if (stages.contains(Stage.INGEST) && vault != null) {
            stopped.add("ingest: the Vault audit capture stopped (" + vault.getClass().getSimpleName() + ")");
        }
        if (stages.contains(Stage.DELIVERY)) {
            for (Thread thread : deliveryThreads) {
                if (!thread.isAlive()) {
                    stopped.add("delivery: " + thread.getName() + " stopped");
                }
            }
        }
        // close() may have begun meanwhile: what it stops is an orderly stop, not a failure.
        return started.isEmpty() ? List.of() : stopped;
    }

    /** States Kafka Streams never leaves by itself (REBALANCING, CREATED and RUNNING are not among them). */
    static boolean stoppedForGood(KafkaStreams.State state) {
        return state == KafkaStreams.State.PENDING_ERROR || state == KafkaStreams.State.ERROR
                || state == KafkaStreams.State.PENDING_SHUTDOWN || state == KafkaStreams.State.NOT_RUNNING;
    }

    public KafkaStreams.State streamsState() {
        return streams == null ? KafkaStreams.State.NOT_RUNNING : streams.state();
    }

    @Override
    public void close() {
        started = Set.of();
        for (int i = running.size() - 1; i >= 0; i--) {
            try {
                running.get(i).close();
            } catch (Exception e) {
                LOG.warn("Stopping a pipeline stage failed", e);
            }
        }
        running.clear();
    }
}
