package io.airlock.streams;

import io.airlock.core.Alert;
import io.airlock.core.NormalizedEvent;
import io.airlock.core.Topics;
import io.airlock.streams.internal.JsonSerdes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/**
 * The real topology in a {@link TopologyTestDriver}, fed normalized events directly on {@code events} (keyed by principal,
 * record time = event time): for what the capture and normalizers never produce on their own, such as the same event
 * delivered twice or events out of order.
 */
public final class EventsFixture implements AutoCloseable {

    private final Topics topics = Topics.defaults();
    private final Path stateDir;
    private final TopologyTestDriver driver;
    private final TestInputTopic<String, NormalizedEvent> events;
    private final TestOutputTopic<String, Alert> alerts;

    public EventsFixture(DetectionConfig config) {
        try {
            stateDir = Files.createTempDirectory("airlock-ttd-events");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        driver = new TopologyTestDriver(AirlockTopology.build(config, topics), StreamsSettings.of("ttd:9092", topics, stateDir, 1));
        events = driver.createInputTopic(topics.events(), Serdes.String().serializer(), JsonSerdes.events().serializer());
        alerts = driver.createOutputTopic(topics.alerts(), Serdes.String().deserializer(), JsonSerdes.alerts().deserializer());
    }

    public EventsFixture() {
        this(DetectionConfig.defaults());
    }

    public EventsFixture pipe(NormalizedEvent event) {
        events.pipeInput(event.principal(), event, event.timestamp());
        return this;
    }

    /** Every alert record in order (updates included). */
    public List<Alert> alertUpdates() {
        return alerts.readValuesToList();
    }

    /** A failed Airflow login as {@code AbUserChangeNormalizer} writes it. */
    public static NormalizedEvent failedLogin(String user, Instant at, String id) {
        return login(NormalizedEvent.DATASET_AB_USER, user, at, id, NormalizedEvent.OUTCOME_FAILURE);
    }

    /** A successful Airflow login as {@code AbUserChangeNormalizer} writes it. */
    public static NormalizedEvent successfulLogin(String user, Instant at, String id) {
        return login(NormalizedEvent.DATASET_AB_USER, user, at, id, NormalizedEvent.OUTCOME_SUCCESS);
    }

    /** A Vault login ({@code auth/<mount>/login}) of a user, failed or succeeded. */
    public static NormalizedEvent vaultLogin(String user, Instant at, String id, String outcome) {
        return login(NormalizedEvent.DATASET_VAULT, user, at, id, outcome);
    }

    private static NormalizedEvent login(String dataset, String user, Instant at, String id, String outcome) {
        return NormalizedEvent.builder(at, id, dataset).category("authentication").action("login").outcome(outcome)
                .userName(user).relatedUsers(List.of(user)).build();
    }

    @Override
    public void close() {
        driver.close();
        io.airlock.core.Directories.deleteRecursively(stateDir);
    }
}
