package io.airlock.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.airlock.core.Json;
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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #8, crash: {@code kill -9} of {@code airlock run} while Vault audit lines stream in and alerts are being notified;
 * restart; every event indexed exactly once, every alert notified (PagerDuty may get a trigger again for an alert whose
 * confirmation was not committed: same dedup key, same incident), nothing in the DLQ.
 *
 * <p>OpenSearch (by {@code _id}) and PagerDuty (by dedup key) fold repeats away, so they cannot show whether Kafka Streams
 * processed a record twice. The test also reads {@code events} as committed and checks that each record on the raw Vault
 * topic became exactly one event there: under {@code at_least_once} the records processed since the last commit before the
 * kill are processed again after it, and show up twice.
 */
@ExtendWith(RealComponents.class)
class CrashRecoverySystemTest {

    /** 200 batches, one every 200 ms: 40 s of writing, the last {@link #HELD_UNTIL_KILL} after the kill. */
    static final int OPERATIONS = 4000;
    static final int BATCH = 20;
    /**
     * The last batches wait for the kill, routine reads written in their place meanwhile: on a loaded machine the first
     * alerts can take longer to reach Slack than the other batches take to write, and the kill must still come before the
     * workload ends, with lines still streaming in.
     */
    static final int HELD_UNTIL_KILL = 40;
    /** At most this many batches of routine reads meanwhile (then the writer only waits): the events stay under 10 000. */
    static final int MAX_FILLERS = 40;
    static final Duration BATCH_INTERVAL = Duration.ofMillis(200);
    static final int HARVESTERS = 10;
    static final int HARVESTED_PATHS = 22;
    static final List<String> USERS = List.of("carol", "dave", "erin");

    @Test
    void shouldIndexEveryEventOnceAndNotifyEveryAlertAfterKillDashNineMidStream(EmbeddedPostgres postgres,
            EmbeddedKafka kafka, EmbeddedOpenSearch openSearch, WebhookReceiver webhooks, @TempDir Path dir) throws Exception {
        try (var airlock = new AirlockUnderTest("crash", postgres, kafka, openSearch, webhooks, dir, yml -> { })) {
            USERS.forEach(u -> airlock.airflow.createUser(u, u + "@example.com"));
            AirlockProcess first = airlock.start();

            List<List<VaultOperation>> batches = workload(Instant.now());
            var writer = Executors.newSingleThreadScheduledExecutor();
            AtomicInteger written = new AtomicInteger();
            AtomicBoolean killed = new AtomicBoolean();
            AtomicInteger fillers = new AtomicInteger();
            writer.scheduleAtFixedRate(() -> {
                int i = written.get();
                if (i >= batches.size() - HELD_UNTIL_KILL && i < batches.size() && !killed.get()) {
                    if (fillers.get() < MAX_FILLERS) {
                        airlock.audit.append(routineReads(fillers.getAndIncrement(), Instant.now()));
                    }
                } else if (i < batches.size()) {
                    airlock.audit.append(batches.get(i));
                    if (i % 10 == 0) {
                        USERS.forEach(u -> airlock.airflow.failedLogin(u));
                    }
                    written.incrementAndGet();
                }
            }, 0, BATCH_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
            try {
                // kill while alerts are being notified (Slack takes one a second), so some are sent and some are not
                airlock.awaitWhileRunning(Duration.ofSeconds(120)).until(() -> airlock.deliveries.acceptedSlackByAlertId().size() >= 2);
                int indexedAtKill = airlock.events().size();
                int writtenAtKill = written.get() * BATCH * 2;
                long slackAtKill = airlock.deliveries.acceptedSlackByAlertId().values().stream().mapToLong(Long::longValue).sum();
                assertThat(first.kill()).isEqualTo(137);
                killed.set(true);
                assertThat(written.get()).as("batches written when the process died (of %d): mid-stream", batches.size())
                        .isLessThan(batches.size());
                long restartStarted = System.nanoTime();
                airlock.start();
                await().atMost(Duration.ofSeconds(120)).until(() -> written.get() == batches.size());
                int expectedEvents = (OPERATIONS + fillers.get() * BATCH) * 2 + USERS.size() * batches.size() / 10;
                airlock.awaitWhileRunning(Duration.ofSeconds(240)).untilAsserted(() -> {
                    assertThat(airlock.events()).hasSize(expectedEvents);
                    assertThat(airlock.alerts()).hasSize(HARVESTERS + USERS.size());
                    assertThat(airlock.deliveries.acceptedSlackByAlertId()).hasSize(HARVESTERS + USERS.size());
                });
                long recoveredMillis = Duration.ofNanos(System.nanoTime() - restartStarted).toMillis();

                // Exactly once, not just once per _id: every record on the raw Vault topic (the tailer may have sent lines
                // again after the kill) became exactly one committed event, so the kill repeated no processing.
                String rawTopic = airlock.topics.vaultAudit();
                airlock.awaitWhileRunning(Duration.ofSeconds(60)).until(() -> airlock.streamsConsumedAllOf(rawTopic));
                Map<String, Long> rawVault = airlock.records(rawTopic).stream()
                        .collect(Collectors.groupingBy(r -> VaultAuditFile.eventIdOf(r.value()), Collectors.counting()));
                Map<String, Long> vaultOnEvents = airlock.records(airlock.topics.events()).stream().map(r -> Json.tree(r.value()))
                        .filter(e -> "vault.audit".equals(e.path("event.dataset").asText()))
                        .collect(Collectors.groupingBy(e -> e.path("event.id").asText(), Collectors.counting()));
                Map<String, String> differing = countsDiffering(rawVault, vaultOnEvents);
                System.out.printf("FIGURES crash, Kafka read_committed: %s %d records (%d event ids, %d lines sent again);"
                        + " %s %d Vault events (%d event ids); event ids whose counts differ %d%n", rawTopic, sum(rawVault),
                        rawVault.size(), sum(rawVault) - rawVault.size(), airlock.topics.events(), sum(vaultOnEvents),
                        vaultOnEvents.size(), differing.size());
                assertThat(sum(vaultOnEvents)).as("committed Vault events on %s = records on %s", airlock.topics.events(),
                        rawTopic).isEqualTo(sum(rawVault));
                assertThat(differing).as("event id → records on %s, events on %s", rawTopic, airlock.topics.events()).isEmpty();

                List<OpenSearchProbe.Document> events = airlock.events();
                List<String> vaultIds = events.stream().filter(e -> "vault.audit".equals(e.field("event.dataset")))
                        .map(OpenSearchProbe.Document::id).toList();
                assertThat(vaultIds).doesNotHaveDuplicates();
                assertThat(Set.copyOf(vaultIds)).isEqualTo(airlock.audit.expectedEventIds());
                assertThat(events.stream().filter(e -> "airflow.ab_user".equals(e.field("event.dataset")))
                        .collect(Collectors.groupingBy(e -> e.field("user.name"), Collectors.counting())))
                        .isEqualTo(USERS.stream().collect(Collectors.toMap(u -> u, u -> (long) batches.size() / 10)));

                List<OpenSearchProbe.Document> alerts = airlock.alerts();
                assertThat(alerts.stream().map(a -> a.field("rule.id") + " " + a.field("entity")).toList())
                        .containsExactlyInAnyOrderElementsOf(expectedAlerts());
                Set<String> alertIds = alerts.stream().map(OpenSearchProbe.Document::id).collect(Collectors.toSet());
                Map<String, Long> triggers = airlock.deliveries.acceptedTriggersByDedupKey();
                Map<String, Long> slack = airlock.deliveries.acceptedSlackByAlertId();
                assertThat(triggers.keySet()).as("distinct PagerDuty dedup keys = alert ids").isEqualTo(alertIds);
                assertThat(slack.keySet()).as("alert ids in Slack messages").isEqualTo(alertIds);
                // The notification state survives the kill: an alert confirmed before it is not posted again. Only a kill
                // between Slack's 2xx and the state write's acknowledgement may repeat one message (Slack takes one a second).
                assertThat(sum(slack)).as("Slack messages for %d alerts", alertIds.size()).isBetween((long) alertIds.size(),
                        alertIds.size() + 1L);
                assertThat(airlock.deadLetters()).isEmpty();

                Map<String, Double> metrics = airlock.metrics().scrape();
                System.out.printf("METRICS crash, second run: notifications sent %s, retried %s; events in %s%n",
                        MetricsProbe.sum(metrics, "airlock_notifications_total", "outcome=\"sent\""),
                        MetricsProbe.sum(metrics, "airlock_notifications_total", "outcome=\"retried\""),
                        MetricsProbe.sum(metrics, "airlock_events_in_total"));
                System.out.printf("FIGURES crash: routine batches written while the last batches waited %d%n", fillers.get());
                System.out.printf("FIGURES crash: lines written at kill %d, events indexed at kill %d, Slack messages at kill %d;"
                        + " after restart: events %d (distinct %d), alerts %d, PagerDuty triggers %d for %d dedup keys,"
                        + " Slack messages %d for %d alerts, DLQ 0, restart-to-complete %d ms%n",
                        writtenAtKill, indexedAtKill, slackAtKill, events.size(), events.stream().map(OpenSearchProbe.Document::id)
                                .distinct().count(), alerts.size(), sum(triggers), triggers.size(), sum(slack), slack.size(),
                        recoveredMillis);
            } finally {
                writer.shutdownNow();
            }
        }
    }

    /** {@link #OPERATIONS} in batches: first 10 identities harvesting 22 paths each, spread out, between routine reads. */
    private static List<List<VaultOperation>> workload(Instant start) {
        List<VaultOperation> all = new ArrayList<>();
        int harvestOps = HARVESTERS * HARVESTED_PATHS;
        int routine = 0;
        for (int i = 0; i < OPERATIONS; i++) {
            Instant at = start.plusMillis(5L * i);
            if (i % 9 == 0 && i / 9 < harvestOps) {
                int n = i / 9;
                int who = n % HARVESTERS;
                all.add(VaultOperation.read("secret/data/harvest-" + who + "/s-" + n / HARVESTERS)
                        .by("userpass-thief" + who, "ent-thief-" + who).at(at));
            } else {
                all.add(VaultOperation.read("secret/data/reports/db-" + (routine++ % 3))
                        .by("userpass-reporting", "ent-reporting").at(at));
            }
        }
        List<List<VaultOperation>> batches = new ArrayList<>();
        for (int i = 0; i < all.size(); i += BATCH) {
            batches.add(all.subList(i, Math.min(all.size(), i + BATCH)));
        }
        return batches;
    }

    /** A batch of routine reads, written while the last batches wait for the kill. */
    private static List<VaultOperation> routineReads(int n, Instant at) {
        List<VaultOperation> batch = new ArrayList<>();
        for (int i = 0; i < BATCH; i++) {
            batch.add(VaultOperation.read("secret/data/reports/db-" + i % 3).by("userpass-reporting", "ent-reporting")
                    .at(at.plusMillis(i)));
        }
        return batch;
    }

    private static List<String> expectedAlerts() {
        List<String> expected = new ArrayList<>();
        for (int who = 0; who < HARVESTERS; who++) {
            expected.add("AL-021 ent-thief-" + who);
        }
        USERS.forEach(u -> expected.add("AL-001 " + u));
        return expected;
    }

    /** The event ids whose number of records differs between the raw topic and {@code events}: id → "raw n, events m". */
    private static Map<String, String> countsDiffering(Map<String, Long> raw, Map<String, Long> events) {
        Map<String, String> differing = new TreeMap<>();
        Set<String> ids = new HashSet<>(raw.keySet());
        ids.addAll(events.keySet());
        for (String id : ids) {
            long r = raw.getOrDefault(id, 0L);
            long e = events.getOrDefault(id, 0L);
            if (r != e) {
                differing.put(id, "raw " + r + ", events " + e);
            }
        }
        return differing;
    }

    private static long sum(Map<String, Long> counts) {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }
}
