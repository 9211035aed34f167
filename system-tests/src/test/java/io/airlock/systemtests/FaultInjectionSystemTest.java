package io.airlock.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.embedded.AirlockProcess;
import io.airlock.embedded.EmbeddedKafka;
import io.airlock.embedded.EmbeddedOpenSearch;
import io.airlock.embedded.EmbeddedPostgres;
import io.airlock.embedded.RealComponents;
import io.airlock.embedded.WebhookReceiver;
import io.airlock.streams.VaultOperation;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #8, faults under load, all in one run of {@code airlock run}: OpenSearch down for {@link #OUTAGE} (its own instance,
 * stopped and started on the same data and port), Slack answering 500 and PagerDuty 429 (Retry-After 5) for the same
 * {@link #OUTAGE}, the Vault audit file rotated twice; then the Kafka broker (its own instance) down for {@link #BROKER_DOWN}.
 * Each phase ends with every event indexed once, every alert notified, nothing in the DLQ, and the metrics counting the
 * retries.
 */
@ExtendWith(RealComponents.class)
class FaultInjectionSystemTest {

    static final Duration OUTAGE = Duration.ofSeconds(60);
    static final Duration FAULTS_START = Duration.ofSeconds(5);
    static final int BATCHES = 300;
    static final int BATCH = 10;
    static final Duration BATCH_INTERVAL = Duration.ofMillis(250);
    static final Duration BROKER_DOWN = Duration.ofSeconds(20);
    static final int BROKER_PHASE_BATCHES = 120;
    static final int HARVESTERS = 8;
    static final int HARVESTED_PATHS = 21;
    static final List<String> USERS = List.of("grace", "heidi");

    @Test
    void shouldLoseAndDuplicateNothingThroughOutagesOfOpenSearchWebhooksAndKafkaAndAuditFileRotation(EmbeddedPostgres postgres,
            WebhookReceiver webhooks, @TempDir Path dir) {
        try (EmbeddedKafka kafka = EmbeddedKafka.start();
                EmbeddedOpenSearch openSearch = EmbeddedOpenSearch.start();
                var airlock = new AirlockUnderTest("faults", postgres, kafka, openSearch, webhooks, dir, yml -> { })) {
            USERS.forEach(u -> airlock.airflow.createUser(u, u + "@example.com"));
            AirlockProcess process = airlock.start();

            List<List<VaultOperation>> batches = workload(Instant.now(), "", BATCHES);
            var timeline = Executors.newScheduledThreadPool(2);
            AtomicInteger written = new AtomicInteger();
            AtomicLong openSearchBackAt = new AtomicLong();
            List<Path> rotated = new ArrayList<>();
            try {
                timeline.scheduleAtFixedRate(() -> {
                    int i = written.get();
                    if (i < batches.size()) {
                        airlock.audit.append(batches.get(i));
                        if (i % 10 == 0) {
                            USERS.forEach(airlock.airflow::failedLogin);
                        }
                        written.incrementAndGet();
                    }
                }, 0, BATCH_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
                timeline.schedule(() -> {
                    openSearch.stop();
                    webhooks.failFor("/slack/" + airlock.name, OUTAGE, 500, Map.of());
                    webhooks.failFor("/pagerduty/", OUTAGE, 429, Map.of("Retry-After", "5"));
                }, FAULTS_START.toMillis(), TimeUnit.MILLISECONDS);
                timeline.schedule(() -> rotated.add(airlock.audit.rotate()), 15, TimeUnit.SECONDS);
                timeline.schedule(() -> rotated.add(airlock.audit.rotate()), 45, TimeUnit.SECONDS);
                timeline.schedule(() -> {
                    openSearch.restart();
                    openSearchBackAt.set(System.nanoTime());
                }, FAULTS_START.plus(OUTAGE).toMillis(), TimeUnit.MILLISECONDS);

                airlock.awaitWhileRunning(FAULTS_START.plus(OUTAGE).plusSeconds(120))
                        .until(() -> openSearchBackAt.get() != 0 && written.get() == batches.size());
                int expectedEvents = BATCHES * BATCH * 2 + USERS.size() * BATCHES / 10;
                airlock.awaitWhileRunning(Duration.ofSeconds(240)).untilAsserted(() -> {
                    assertThat(airlock.events()).hasSize(expectedEvents);
                    assertThat(airlock.alerts()).hasSize(HARVESTERS + USERS.size());
                    assertThat(airlock.deliveries.acceptedSlackByAlertId()).hasSize(HARVESTERS + USERS.size());
                    assertThat(airlock.deliveries.acceptedTriggersByDedupKey()).hasSize(HARVESTERS + USERS.size());
                });
                long recoveredMillis = Duration.ofNanos(System.nanoTime() - openSearchBackAt.get()).toMillis();
                assertThat(rotated).hasSize(2);
                assertThat(process.isAlive()).as("airlock run survived every fault").isTrue();

                List<OpenSearchProbe.Document> events = airlock.events();
                List<String> vaultIds = events.stream().filter(e -> "vault.audit".equals(e.field("event.dataset")))
                        .map(OpenSearchProbe.Document::id).toList();
                assertThat(vaultIds).doesNotHaveDuplicates();
                assertThat(Set.copyOf(vaultIds)).isEqualTo(airlock.audit.expectedEventIds());
                List<OpenSearchProbe.Document> alerts = airlock.alerts();
                Set<String> alertIds = alerts.stream().map(OpenSearchProbe.Document::id).collect(Collectors.toSet());
                Map<String, Long> triggers = airlock.deliveries.acceptedTriggersByDedupKey();
                Map<String, Long> slack = airlock.deliveries.acceptedSlackByAlertId();
                assertThat(triggers.keySet()).isEqualTo(alertIds);
                assertThat(slack.keySet()).isEqualTo(alertIds);
                assertThat(slack.values()).as("each alert posted to Slack once").allMatch(n -> n == 1);
                long refused = airlock.deliveries.refused();
                assertThat(refused).as("the outage was hit").isPositive();
                assertThat(airlock.deadLetters()).isEmpty();

                // the metrics tell the same story: retries counted, every notification and document accounted for
                Map<String, Double> metrics = airlock.metrics().scrape();
                assertThat(MetricsProbe.sum(metrics, "airlock_notifications_total", "outcome=\"retried\""))
                        .as("retries counted").isPositive();
                assertThat(MetricsProbe.sum(metrics, "airlock_notifications_total", "outcome=\"sent\""))
                        .isGreaterThanOrEqualTo(2.0 * alertIds.size());
                assertThat(MetricsProbe.sum(metrics, "airlock_opensearch_documents_total", "index_kind=\"events\"",
                        "outcome=\"indexed\"")).isGreaterThanOrEqualTo(expectedEvents);
                System.out.printf("FIGURES faults: lines %d, events %d (distinct %d), alerts %d, PagerDuty triggers %d for %d"
                        + " dedup keys, Slack %d for %d alerts, refused requests %d, DLQ 0, OpenSearch back to all indexed"
                        + " and notified %d ms%nMETRICS%n%s%n", airlock.audit.expectedEventIds().size(), events.size(),
                        events.stream().map(OpenSearchProbe.Document::id).distinct().count(), alerts.size(), sum(triggers),
                        triggers.size(), sum(slack), slack.size(), refused, recoveredMillis,
                        metrics.entrySet().stream().filter(e -> !e.getKey().contains("_bucket"))
                                .map(e -> "  " + e.getKey() + " " + e.getValue()).collect(Collectors.joining("\n")));

                // phase 2: the Kafka broker stops for BROKER_DOWN under load and comes back on the same port and logs
                List<List<VaultOperation>> more = workload(Instant.now(), "phase2-", BROKER_PHASE_BATCHES);
                AtomicInteger writtenMore = new AtomicInteger();
                AtomicLong brokerBackAt = new AtomicLong();
                timeline.scheduleAtFixedRate(() -> {
                    int i = writtenMore.get();
                    if (i < more.size()) {
                        airlock.audit.append(more.get(i));
                        writtenMore.incrementAndGet();
                    }
                }, 0, BATCH_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
                timeline.schedule(() -> {
                    kafka.stopBroker();
                    timeline.schedule(() -> {
                        kafka.startBroker();
                        brokerBackAt.set(System.nanoTime());
                    }, BROKER_DOWN.toMillis(), TimeUnit.MILLISECONDS);
                }, FAULTS_START.toMillis(), TimeUnit.MILLISECONDS);
                airlock.awaitWhileRunning(FAULTS_START.plus(BROKER_DOWN).plusSeconds(120))
                        .until(() -> brokerBackAt.get() != 0 && writtenMore.get() == more.size());
                int allEvents = expectedEvents + BROKER_PHASE_BATCHES * BATCH * 2;
                airlock.awaitWhileRunning(Duration.ofSeconds(240)).untilAsserted(() -> {
                    assertThat(airlock.events()).hasSize(allEvents);
                    assertThat(airlock.alerts()).hasSize(2 * HARVESTERS + USERS.size());
                    assertThat(airlock.deliveries.acceptedSlackByAlertId()).hasSize(2 * HARVESTERS + USERS.size());
                });
                long brokerRecoveredMillis = Duration.ofNanos(System.nanoTime() - brokerBackAt.get()).toMillis();
                assertThat(process.isAlive()).as("airlock run survived the broker restart").isTrue();
                List<String> allVaultIds = airlock.events().stream().filter(e -> "vault.audit".equals(e.field("event.dataset")))
                        .map(OpenSearchProbe.Document::id).toList();
                assertThat(allVaultIds).doesNotHaveDuplicates();
                assertThat(Set.copyOf(allVaultIds)).isEqualTo(airlock.audit.expectedEventIds());
                Set<String> allAlertIds = airlock.alerts().stream().map(OpenSearchProbe.Document::id).collect(Collectors.toSet());
                assertThat(airlock.deliveries.acceptedTriggersByDedupKey().keySet()).isEqualTo(allAlertIds);
                assertThat(airlock.deliveries.acceptedSlackByAlertId().keySet()).isEqualTo(allAlertIds);
                assertThat(airlock.deadLetters()).isEmpty();
                Map<String, Double> after = airlock.metrics().scrape();
                assertThat(MetricsProbe.sum(after, "airlock_events_in_total", "source=\"vault\""))
                        .as("Vault lines read by the tailer: none skipped").isGreaterThanOrEqualTo(allVaultIds.size());
                assertThat(MetricsProbe.sum(after, "airlock_dlq_records")).isZero();
                System.out.printf("FIGURES broker: events %d, alerts %d, PagerDuty triggers %d for %d dedup keys, Slack %d for %d"
                        + " alerts, DLQ 0, broker back to all indexed and notified %d ms%nMETRICS%n%s%n", allVaultIds.size(),
                        allAlertIds.size(), sum(airlock.deliveries.acceptedTriggersByDedupKey()),
                        airlock.deliveries.acceptedTriggersByDedupKey().size(), sum(airlock.deliveries.acceptedSlackByAlertId()),
                        airlock.deliveries.acceptedSlackByAlertId().size(), brokerRecoveredMillis,
                        after.entrySet().stream().filter(e -> !e.getKey().contains("_bucket"))
                                .map(e -> "  " + e.getKey() + " " + e.getValue()).collect(Collectors.joining("\n")));
            } finally {
                timeline.shutdownNow();
            }
        }
    }

    /** Routine reads, with {@link #HARVESTERS} identities harvesting {@link #HARVESTED_PATHS} paths spread over the first half. */
    private static List<List<VaultOperation>> workload(Instant start, String prefix, int batchCount) {
        List<VaultOperation> all = new ArrayList<>();
        int harvestOps = HARVESTERS * HARVESTED_PATHS;
        int routine = 0;
        int every = Math.max(1, batchCount * BATCH / (harvestOps * 2));
        for (int i = 0; i < batchCount * BATCH; i++) {
            Instant at = start.plusMillis(25L * i);
            if (i % every == 0 && i / every < harvestOps) {
                int n = i / every;
                int who = n % HARVESTERS;
                all.add(VaultOperation.read("secret/data/" + prefix + "loot-" + who + "/s-" + n / HARVESTERS)
                        .by("userpass-" + prefix + "mole" + who, "ent-" + prefix + "mole-" + who).at(at));
            } else {
                all.add(VaultOperation.read("secret/data/billing/db-" + (routine++ % 4))
                        .by("userpass-billing", "ent-billing").at(at));
            }
        }
        List<List<VaultOperation>> batches = new ArrayList<>();
        for (int i = 0; i < all.size(); i += BATCH) {
            batches.add(all.subList(i, i + BATCH));
        }
        return batches;
    }

    private static long sum(Map<String, Long> counts) {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }
}
