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
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #7: {@code airlock run} as a child process against the embedded components; attacks in, alerts out; SIGTERM;
 * attacks while it is down; restart; nothing lost, nothing duplicated.
 */
@ExtendWith(RealComponents.class)
class RunRestartSystemTest {

    static final Duration DELIVERED = Duration.ofSeconds(180);

    @Test
    void shouldDetectAttacksBeforeAndWhileStoppedExactlyOnceAcrossSigtermAndRestart(EmbeddedPostgres postgres,
            EmbeddedKafka kafka, EmbeddedOpenSearch openSearch, WebhookReceiver webhooks, @TempDir Path dir) {
        try (var airlock = new AirlockUnderTest("run-restart", postgres, kafka, openSearch, webhooks, dir, yml -> { })) {
            for (String user : List.of("mallory", "trudy", "alice")) {
                airlock.airflow.createUser(user, user + "@example.com");
            }
            AirlockProcess first = airlock.start();

            // attacks while it runs: a failed-login burst (AL-001) and secret harvesting (AL-021)
            failedLogins(airlock, "mallory", 6);
            airlock.audit.append(harvest("userpass-eve", "ent-eve", 25, Instant.now()));
            airlock.awaitWhileRunning(DELIVERED).untilAsserted(() -> {
                assertThat(ruleAndEntity(airlock)).containsExactlyInAnyOrder("AL-001 mallory", "AL-021 ent-eve");
                assertThat(airlock.deliveries.acceptedTriggersByDedupKey()).hasSize(2);
                assertThat(airlock.deliveries.acceptedSlackByAlertId()).hasSize(2);
            });

            int exit = first.terminate(AirlockUnderTest.STOP);
            assertThat(exit).as("exit code after SIGTERM (143 = 128 + SIGTERM once shutdown hooks ran)").isIn(0, 143);
            assertThat(first.output()).contains("airlock run: stopping");

            // attacks while it is down, and an ordinary successful login
            failedLogins(airlock, "trudy", 5);
            airlock.airflow.successfulLogin("alice", java.time.LocalDateTime.now());
            airlock.audit.append(harvest("userpass-frank", "ent-frank", 22, Instant.now()));

            long restartStarted = System.nanoTime();
            AirlockProcess second = airlock.start();
            long upMillis = Duration.ofNanos(System.nanoTime() - restartStarted).toMillis();
            airlock.awaitWhileRunning(DELIVERED).untilAsserted(() -> {
                assertThat(ruleAndEntity(airlock)).containsExactlyInAnyOrder("AL-001 mallory", "AL-021 ent-eve",
                        "AL-001 trudy", "AL-021 ent-frank");
                assertThat(airlock.deliveries.acceptedTriggersByDedupKey()).hasSize(4);
                assertThat(airlock.deliveries.acceptedSlackByAlertId()).hasSize(4);
                assertThat(airlock.events()).hasSize(airlock.audit.expectedEventIds().size() + 11 + 1);
            });

            long caughtUpMillis = Duration.ofNanos(System.nanoTime() - restartStarted).toMillis();

            // exactly once: every Vault event by its id, the Airflow events by count, every alert notified once
            List<OpenSearchProbe.Document> events = airlock.events();
            List<String> vaultIds = events.stream().filter(e -> "vault.audit".equals(e.field("event.dataset")))
                    .map(OpenSearchProbe.Document::id).toList();
            assertThat(vaultIds).doesNotHaveDuplicates();
            assertThat(Set.copyOf(vaultIds)).isEqualTo(airlock.audit.expectedEventIds());
            Map<String, Long> airflowEvents = events.stream().filter(e -> "airflow.ab_user".equals(e.field("event.dataset")))
                    .collect(Collectors.groupingBy(e -> e.field("event.action") + " " + e.field("user.name"), Collectors.counting()));
            assertThat(airflowEvents).as("failed and successful logins by user").hasSize(3)
                    .containsValues(6L, 5L, 1L);

            Set<String> alertIds = airlock.alerts().stream().map(OpenSearchProbe.Document::id).collect(Collectors.toSet());
            assertThat(airlock.deliveries.acceptedTriggersByDedupKey()).as("PagerDuty triggers per dedup key")
                    .containsOnlyKeys(alertIds).allSatisfy((key, n) -> assertThat(n).isOne());
            assertThat(airlock.deliveries.acceptedSlackByAlertId()).as("Slack messages per alert id")
                    .containsOnlyKeys(alertIds).allSatisfy((key, n) -> assertThat(n).isOne());
            assertThat(airlock.deadLetters()).isEmpty();
            // the second run's own counters: only the two new alerts, once to Slack and once to PagerDuty
            Map<String, Double> metrics = airlock.metrics().scrape();
            assertThat(MetricsProbe.sum(metrics, "airlock_notifications_total", "outcome=\"sent\"")).isEqualTo(4.0);
            assertThat(MetricsProbe.sum(metrics, "airlock_dlq_records")).isZero();
            System.out.printf("FIGURES restart: SIGTERM exit %d; events %d (distinct %d), alerts %d, PagerDuty triggers %d for %d"
                    + " dedup keys, Slack %d for %d alerts, DLQ 0; restart to 'running' %d ms, to all caught up %d ms%n", exit,
                    events.size(), events.stream().map(OpenSearchProbe.Document::id).distinct().count(), alertIds.size(),
                    airlock.deliveries.acceptedTriggersByDedupKey().values().stream().mapToLong(Long::longValue).sum(),
                    airlock.deliveries.acceptedTriggersByDedupKey().size(),
                    airlock.deliveries.acceptedSlackByAlertId().values().stream().mapToLong(Long::longValue).sum(),
                    airlock.deliveries.acceptedSlackByAlertId().size(), upMillis, caughtUpMillis);

            assertThat(second.terminate(AirlockUnderTest.STOP)).isIn(0, 143);
            assertThat(airlock.output()).doesNotContain(airlock.yml.slackWebhookUrl())
                    .doesNotContain(airlock.yml.pagerDutyRoutingKey());
        }
    }

    private static List<String> ruleAndEntity(AirlockUnderTest airlock) {
        return airlock.alerts().stream().map(a -> a.field("rule.id") + " " + a.field("entity")).toList();
    }

    static void failedLogins(AirlockUnderTest airlock, String user, int times) {
        for (int i = 0; i < times; i++) {
            assertThat(airlock.airflow.failedLogin(user)).isTrue();
        }
    }

    /** One identity reading {@code paths} distinct secrets a few milliseconds apart. */
    static List<VaultOperation> harvest(String displayName, String entityId, int paths, Instant start) {
        List<VaultOperation> ops = new ArrayList<>();
        IntStream.range(0, paths).forEach(i -> ops.add(VaultOperation.read("secret/data/" + entityId + "/app-" + i)
                .by(displayName, entityId).at(start.plusMillis(10L * i))));
        return ops;
    }
}
