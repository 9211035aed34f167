package io.airlock.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.core.NormalizedEvent;
import io.airlock.core.StableIds;
import io.airlock.embedded.AirlockProcess;
import io.airlock.embedded.EmbeddedKafka;
import io.airlock.embedded.EmbeddedOpenSearch;
import io.airlock.embedded.EmbeddedPostgres;
import io.airlock.embedded.RealComponents;
import io.airlock.embedded.WebhookReceiver;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
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
 * Issue #8, PostgreSQL restart: while Airflow writes audit-log rows and failed logins, the database (its own instance, not
 * the shared one) stops for {@link #DOWN} and starts again on the same data directory and port; the writer retries what
 * failed meanwhile. Debezium must resume from its replication slot: every committed row indexed exactly once, one AL-001 per
 * user, notified once, nothing in the DLQ, and {@code airlock_cdc_idle_ms} showing the gap. {@code airlock run} must ride
 * through it (docs/reliability.md: "no crash"): Debezium restarts its task by itself, so any exit of the process fails the
 * test at once; nothing here restarts it as a supervisor would.
 */
@ExtendWith(RealComponents.class)
class PostgresRestartSystemTest {

    static final Duration DOWN = Duration.ofSeconds(20);
    static final Duration STOP_AT = Duration.ofSeconds(20);
    static final Duration TICK = Duration.ofMillis(250);
    static final int LOG_ROWS = 240;
    static final int FAILED_LOGIN_EVERY = 6;
    static final List<String> USERS = List.of("ivan", "judy", "mallet");

    @Test
    void shouldIndexEveryCommittedRowOnceWhenPostgresRestartsUnderLoad(EmbeddedKafka kafka, EmbeddedOpenSearch openSearch,
            WebhookReceiver webhooks, @TempDir Path dir) throws Exception {
        try (EmbeddedPostgres postgres = EmbeddedPostgres.start();
                var airlock = new AirlockUnderTest("pgrestart", postgres, kafka, openSearch, webhooks, dir, yml -> { })) {
            USERS.forEach(u -> airlock.airflow.createUser(u, u + "@example.com"));
            AirlockProcess process = airlock.start();

            List<Runnable> writes = workload(airlock, Instant.now());
            AtomicInteger written = new AtomicInteger();
            AtomicInteger failedWrites = new AtomicInteger();
            AtomicLong stoppedAt = new AtomicLong();
            AtomicLong backAt = new AtomicLong();
            AtomicLong maxIdleMillis = new AtomicLong();
            AtomicLong capturedWhileDown = new AtomicLong(-1);
            AtomicLong resumedAt = new AtomicLong();
            var timeline = Executors.newScheduledThreadPool(2);
            var watcher = Executors.newSingleThreadScheduledExecutor();
            try {
                // one write a tick; a write that fails (database down) is tried again at the next tick
                timeline.scheduleAtFixedRate(() -> {
                    int i = written.get();
                    if (i < writes.size()) {
                        try {
                            writes.get(i).run();
                            written.incrementAndGet();
                        } catch (RuntimeException e) {
                            failedWrites.incrementAndGet();
                        }
                    }
                }, 0, TICK.toMillis(), TimeUnit.MILLISECONDS);
                timeline.schedule(() -> {
                    postgres.stop();
                    stoppedAt.set(System.nanoTime());
                    timeline.schedule(() -> {
                        postgres.restart();
                        backAt.set(System.nanoTime());
                    }, DOWN.toMillis(), TimeUnit.MILLISECONDS);
                }, STOP_AT.toMillis(), TimeUnit.MILLISECONDS);
                // the metrics as an operator sees them (an exit is caught by awaitWhileRunning below)
                watcher.scheduleWithFixedDelay(() -> {
                    if (!process.isAlive()) {
                        return;
                    }
                    try {
                        Map<String, Double> sample = airlock.metrics().scrape();
                        maxIdleMillis.accumulateAndGet((long) MetricsProbe.sum(sample, "airlock_cdc_idle_ms"), Math::max);
                        long in = (long) MetricsProbe.sum(sample, "airlock_events_in_total", "source=\"airflow\"");
                        if (stoppedAt.get() != 0 && backAt.get() == 0) {
                            capturedWhileDown.accumulateAndGet(in, Math::max);
                        } else if (backAt.get() != 0 && resumedAt.get() == 0 && in > capturedWhileDown.get()) {
                            resumedAt.set(System.nanoTime()); // the first Airflow change captured after the restart
                        }
                    } catch (RuntimeException e) {
                        // the process is going away; the next round sees it
                    }
                }, 1, 1, TimeUnit.SECONDS);

                airlock.awaitWhileRunning(STOP_AT.plus(DOWN).plusSeconds(180)).until(() -> backAt.get() != 0 && written.get() == writes.size());
                Expected expected = expected(postgres, airlock.airflow.database());
                assertThat(expected.logIds()).as("one log row per write, none lost or doubled by the writer's retries")
                        .hasSize(LOG_ROWS);
                airlock.awaitWhileRunning(Duration.ofSeconds(240)).untilAsserted(() -> {
                            assertThat(logEventIds(airlock)).hasSize(expected.logIds().size());
                            assertThat(failedLoginsByUser(airlock)).isEqualTo(expected.failedLogins());
                            assertThat(airlock.alerts()).hasSize(USERS.size());
                            assertThat(airlock.deliveries.acceptedSlackByAlertId()).hasSize(USERS.size());
                            assertThat(airlock.deliveries.acceptedTriggersByDedupKey()).hasSize(USERS.size());
                        });
                long recoveredMillis = Duration.ofNanos(System.nanoTime() - backAt.get()).toMillis();
                assertThat(resumedAt.get()).as("capture resumed after the restart").isNotZero();
                long resumedMillis = Duration.ofNanos(resumedAt.get() - backAt.get()).toMillis();
                watcher.shutdownNow();
                watcher.awaitTermination(30, TimeUnit.SECONDS);

                List<OpenSearchProbe.Document> events = airlock.events();
                assertThat(events.stream().map(OpenSearchProbe.Document::id).toList()).as("no event indexed twice")
                        .doesNotHaveDuplicates();
                assertThat(Set.copyOf(logEventIds(airlock))).as("audit-log events = the committed rows")
                        .isEqualTo(expected.logIds());
                assertThat(failedLoginsByUser(airlock)).as("failed logins = ab_user.fail_login_count")
                        .isEqualTo(expected.failedLogins());
                List<OpenSearchProbe.Document> alerts = airlock.alerts();
                assertThat(alerts.stream().map(a -> a.field("rule.id") + " " + a.field("entity")).toList())
                        .containsExactlyInAnyOrderElementsOf(USERS.stream().map(u -> "AL-001 " + u).toList());
                Set<String> alertIds = alerts.stream().map(OpenSearchProbe.Document::id).collect(Collectors.toSet());
                Map<String, Long> triggers = airlock.deliveries.acceptedTriggersByDedupKey();
                Map<String, Long> slack = airlock.deliveries.acceptedSlackByAlertId();
                assertThat(triggers.keySet()).isEqualTo(alertIds);
                assertThat(slack.keySet()).isEqualTo(alertIds);
                assertThat(process.isAlive()).as("airlock run rode through the restart").isTrue();
                // one process, no crash: the notification state makes every receiver hear of an alert id once
                assertThat(slack.values()).as("each alert posted to Slack once").allMatch(n -> n == 1);
                assertThat(triggers.values()).as("each alert paged once").allMatch(n -> n == 1);
                assertThat(airlock.deadLetters()).isEmpty();
                assertThat(failedWrites.get()).as("the writer hit the outage").isPositive();
                assertThat(maxIdleMillis.get()).as("airlock_cdc_idle_ms showed the gap")
                        .isGreaterThanOrEqualTo(DOWN.toMillis() / 2);

                // Event ids derive from the LSN, so OpenSearch would fold a change captured twice into one document; the raw
                // topics show it. Debezium restarts its task after the lost connection from the offsets it stored for marked
                // (acknowledged) changes, and the process never crashes here, so docs/airflow-capture.md promises each change
                // exactly once: no bound, every row and LSN once, and exactly the rows committed.
                CapturedChanges logChanges = CapturedChanges.of(kafka, airlock.name, "log");
                CapturedChanges userChanges = CapturedChanges.of(kafka, airlock.name, "ab_user");
                assertThat(logChanges.countsByRowAndLsn()).as("log changes on the raw topic, per row and LSN")
                        .allSatisfy((change, n) -> assertThat(n).as(change).isEqualTo(1L));
                assertThat(userChanges.countsByRowAndLsn()).as("ab_user changes on the raw topic, per row and LSN")
                        .allSatisfy((change, n) -> assertThat(n).as(change).isEqualTo(1L));
                assertThat(logChanges.size()).as("one log change per committed row").isEqualTo(expected.logIds().size());
                assertThat(userChanges.streamedWhere("username", USERS).countsBy("username")).as("one ab_user change per failed login")
                        .isEqualTo(expected.failedLogins().entrySet().stream()
                                .collect(Collectors.toMap(Map.Entry::getKey, e -> (long) e.getValue())));
                Map<String, Double> metrics = airlock.metrics().scrape();
                double airflowIn = MetricsProbe.sum(metrics, "airlock_events_in_total", "source=\"airflow\"");
                int airflowEvents = expected.logIds().size() + expected.failedLogins().values().stream().mapToInt(n -> n).sum();
                assertThat(airflowIn).as("every committed change captured once by this one process, plus the users' snapshot rows")
                        .isEqualTo(airflowEvents + USERS.size());
                System.out.printf("FIGURES postgres-restart: down %d ms; writes %d (%d attempts failed while down); log rows %d,"
                        + " failed logins %s; events %d (distinct %d); alerts %d; PagerDuty triggers %d for %d dedup keys, Slack %d"
                        + " for %d alerts; DLQ 0; airlock run exits none; raw CDC records log %d, ab_user %d (each row and LSN once); max airlock_cdc_idle_ms %d; events_in{airflow} %.0f for %d changes + %d"
                        + " snapshot rows; capture resumed %d ms (1 s sampling) and all indexed and notified %d ms after PostgreSQL"
                        + " was back (the writer still writing)%nMETRICS%n%s%n",
                        Duration.ofNanos(backAt.get() - stoppedAt.get()).toMillis(), writes.size(), failedWrites.get(),
                        expected.logIds().size(), expected.failedLogins(), events.size(),
                        events.stream().map(OpenSearchProbe.Document::id).distinct().count(), alerts.size(), sum(triggers),
                        triggers.size(), sum(slack), slack.size(), logChanges.size(), userChanges.size(), maxIdleMillis.get(), airflowIn, airflowEvents,
                        USERS.size(), resumedMillis, recoveredMillis, metrics.entrySet().stream().filter(e -> !e.getKey().contains("_bucket"))
                                .map(e -> "  " + e.getKey() + " " + e.getValue()).collect(Collectors.joining("\n")));
            } finally {
                timeline.shutdownNow();
                watcher.shutdownNow();
            }
        }
    }

    /** {@link #LOG_ROWS} audit-log views by the users in turn, and every {@link #FAILED_LOGIN_EVERY}th a failed login. */
    private static List<Runnable> workload(AirlockUnderTest airlock, Instant start) {
        List<Runnable> writes = new ArrayList<>();
        for (int i = 0; i < LOG_ROWS; i++) {
            String owner = USERS.get(i % USERS.size());
            Instant at = start.plusMillis(TICK.toMillis() * i);
            String extra = "{\"seq\": " + i + "}";
            writes.add(() -> airlock.airflow.auditLog(at, "grid", owner, null, extra));
            if (i % FAILED_LOGIN_EVERY == 0) {
                String user = USERS.get(i / FAILED_LOGIN_EVERY % USERS.size());
                writes.add(() -> airlock.airflow.failedLogin(user));
            }
        }
        return writes;
    }

    /** What the database holds: the event ids of its audit-log rows and each user's {@code fail_login_count}. */
    private static Expected expected(EmbeddedPostgres postgres, String database) throws SQLException {
        Set<String> logIds = new HashSet<>();
        Map<String, Integer> failed = new HashMap<>();
        try (Connection c = postgres.connect(database); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT id FROM log")) {
                while (rs.next()) {
                    logIds.add(StableIds.of(NormalizedEvent.DATASET_LOG, Long.toString(rs.getLong(1))));
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT username, fail_login_count FROM ab_user")) {
                while (rs.next()) {
                    failed.put(rs.getString(1), rs.getInt(2));
                }
            }
        }
        return new Expected(logIds, failed);
    }

    private static List<String> logEventIds(AirlockUnderTest airlock) {
        return airlock.events().stream().filter(e -> NormalizedEvent.DATASET_LOG.equals(e.field("event.dataset")))
                .map(OpenSearchProbe.Document::id).toList();
    }

    private static Map<String, Integer> failedLoginsByUser(AirlockUnderTest airlock) {
        Map<String, Integer> counts = new HashMap<>();
        USERS.forEach(u -> counts.put(u, 0));
        airlock.events().stream().filter(e -> NormalizedEvent.DATASET_AB_USER.equals(e.field("event.dataset")))
                .filter(e -> "failure".equals(e.field("event.outcome")))
                .forEach(e -> counts.merge(e.field("user.name"), 1, Integer::sum));
        return counts;
    }

    private static long sum(Map<String, Long> counts) {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }

    private record Expected(Set<String> logIds, Map<String, Integer> failedLogins) {
    }
}
