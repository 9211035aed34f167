package io.airlock.ingest;

import static java.time.Duration.ofMillis;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.core.Json;
import io.airlock.core.Topics;
import io.airlock.embedded.AirflowDatabase;
import io.airlock.embedded.AirflowSchema;
import io.airlock.embedded.EmbeddedKafka;
import io.airlock.embedded.EmbeddedPostgres;
import io.airlock.embedded.RealComponents;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

@ExtendWith(RealComponents.class)
class AirflowCdcCaptureTest {

    private final EmbeddedPostgres postgres;
    private final EmbeddedKafka kafka;

    AirflowCdcCaptureTest(EmbeddedPostgres postgres, EmbeddedKafka kafka) {
        this.postgres = postgres;
        this.kafka = kafka;
    }

    private record Setup(AirflowDatabase airflow, AirflowDatabaseSettings db, CaptureSettings capture, Topics topics) {
    }

    private Setup setup(AirflowSchema schema) {
        String name = RealComponents.uniqueName("airflow");
        postgres.createDatabase(name);
        postgres.createAirflowSchema(name, schema);
        var topics = new Topics(RealComponents.uniqueName("cdc"));
        kafka.createTopics(1, topics.all().toArray(String[]::new));
        var db = new AirflowDatabaseSettings(postgres.host(), postgres.port(), name, postgres.superuser(), postgres.password(), "disable",
                name.replace('-', '_'), null);
        return new Setup(new AirflowDatabase(postgres, name, schema), db, CaptureSettings.of(kafka.bootstrapServers(), topics), topics);
    }

    private static JsonNode value(ConsumerRecord<String, String> r) {
        return Json.tree(r.value());
    }

    @ParameterizedTest
    @EnumSource(AirflowSchema.class)
    void shouldCaptureSnapshotAndStreamingChangesOfAllThreeTablesWithoutThePasswordHash(AirflowSchema schema) {
        Setup s = setup(schema);
        s.airflow().createUser("alice", "alice@example.com");
        try (var capture = new AirflowCdcCapture(s.db(), s.capture()).start()) {
            await().atMost(ofSeconds(60)).until(() -> kafka.readAll(s.topics().cdc("ab_user")).size() == 1);
            s.airflow().failedLogin("alice");
            s.airflow().failedLogin("alice");
            s.airflow().successfulLogin("alice", LocalDateTime.parse("2026-03-02T10:00:00"));
            s.airflow().auditLog(Instant.parse("2026-03-02T10:01:00Z"), "trigger", "alice", "etl_daily", "{}");
            s.airflow().dagRun("etl_daily", "manual__2026-03-02", "manual", "queued", Instant.parse("2026-03-02T10:01:00Z"), null);

            await().atMost(ofSeconds(60)).untilAsserted(() -> {
                assertThat(kafka.readAll(s.topics().cdc("ab_user"))).hasSize(4);
                assertThat(kafka.readAll(s.topics().cdc("log"))).hasSize(1);
                assertThat(kafka.readAll(s.topics().cdc("dag_run"))).hasSize(1);
            });

            List<ConsumerRecord<String, String>> users = kafka.readAll(s.topics().cdc("ab_user"));
            assertThat(users).extracting(r -> value(r).get("op").asText()).containsExactly("r", "u", "u", "u");
            assertThat(users).extracting(r -> value(r).at("/after/fail_login_count").asInt()).containsExactly(0, 1, 2, 0);
            assertThat(value(users.get(0)).at("/source/table").asText()).isEqualTo("ab_user");
            assertThat(users.get(1).timestamp()).isEqualTo(value(users.get(1)).at("/source/ts_ms").asLong());
            assertThat(kafka.readAll(s.topics().cdcTopics())).allSatisfy(r -> {
                assertThat(r.value()).doesNotContain("pbkdf2").doesNotContain("\"password\"");
            });
            JsonNode logRow = value(kafka.readAll(s.topics().cdc("log")).get(0)).get("after");
            assertThat(logRow.get("event").asText()).isEqualTo("trigger");
            assertThat(logRow.get("owner").asText()).isEqualTo("alice");
            assertThat(capture.failure()).isNull();
        }
    }

    @Test
    void shouldResumeAfterRestartWithoutLosingOrRepeatingChanges() {
        Setup s = setup(AirflowSchema.V2_10);
        s.airflow().createUser("bob", "bob@example.com");
        try (var capture = new AirflowCdcCapture(s.db(), s.capture()).start()) {
            await().atMost(ofSeconds(60)).until(() -> kafka.readAll(s.topics().cdc("ab_user")).size() == 1);
            s.airflow().failedLogin("bob");
            await().atMost(ofSeconds(60)).until(() -> kafka.readAll(s.topics().cdc("ab_user")).size() == 2);
            assertThat(capture.capturedCount()).isEqualTo(2);
        }
        // Airlock is down: these must arrive after the restart, exactly once.
        for (int i = 0; i < 3; i++) {
            s.airflow().failedLogin("bob");
        }
        try (var capture = new AirflowCdcCapture(s.db(), s.capture()).start()) {
            await().atMost(ofSeconds(60)).until(() -> kafka.readAll(s.topics().cdc("ab_user")).size() >= 5);
            s.airflow().failedLogin("bob");
            await().atMost(ofSeconds(60)).until(() -> kafka.readAll(s.topics().cdc("ab_user")).size() >= 6);
            assertThat(capture.capturedCount()).isEqualTo(4);
        }
        List<ConsumerRecord<String, String>> all = kafka.readAll(s.topics().cdc("ab_user"));
        assertThat(all).extracting(r -> value(r).at("/after/fail_login_count").asInt()).containsExactly(0, 1, 2, 3, 4, 5);
        assertThat(all).extracting(r -> value(r).at("/source/lsn").asLong()).doesNotHaveDuplicates();
    }

    @Test
    void shouldNotCaptureAChangeTwiceWhenStoppedWhileABatchIsBeingAcknowledged() throws Exception {
        Setup s = setup(AirflowSchema.V2_10);
        int rows = 40_000;
        String topic = s.topics().cdc("log");
        try (var arrivals = kafka.consumer(topic)) {
            var arrived = new AtomicInteger();
            // The initial snapshot done (Debezium repeats an interrupted one): one streamed row, stopping right after it.
            try (var capture = new AirflowCdcCapture(s.db(), s.capture()).start()) {
                assertThat(capture.awaitStarted(ofSeconds(60))).isTrue();
                s.airflow().auditLog(Instant.parse("2026-03-02T10:00:00Z"), "trigger", "alice", "etl_daily", null);
                await().atMost(ofSeconds(60)).pollInterval(ofMillis(1))
                        .until(() -> arrived.addAndGet(arrivals.poll(ofMillis(10)).count()) >= 1);
            }
            s.airflow().bulkAuditLog(rows);
            // Three stops in the middle of streaming them: most of the time a batch is being sent to Kafka and acknowledged.
            for (int stop = 1; stop <= 3; stop++) {
                int stopAt = 1 + stop * rows / 5;
                try (var capture = new AirflowCdcCapture(s.db(), s.capture()).start()) {
                    await().atMost(ofSeconds(60)).pollInterval(ofMillis(1))
                            .until(() -> arrived.addAndGet(arrivals.poll(ofMillis(10)).count()) >= stopAt);
                    assertThat(capture.failure()).isNull();
                }
            }
        }
        try (var capture = new AirflowCdcCapture(s.db(), s.capture()).start()) {
            await().atMost(ofSeconds(60)).until(() -> kafka.readAll(topic).size() >= 1 + rows);
            assertThat(capture.failure()).isNull();
        }
        List<ConsumerRecord<String, String>> all = kafka.readAll(topic);
        assertThat(all).extracting(ConsumerRecord::key).doesNotHaveDuplicates();
        assertThat(all).hasSize(1 + rows);
    }

    @Test
    void shouldKeepCapturingWhenAirflowAddsAColumnDuringStreaming() throws Exception {
        Setup s = setup(AirflowSchema.V3);
        s.airflow().createUser("carol", "carol@example.com");
        try (var capture = new AirflowCdcCapture(s.db(), s.capture()).start()) {
            await().atMost(ofSeconds(60)).until(() -> kafka.readAll(s.topics().cdc("ab_user")).size() == 1);
            try (var c = postgres.connect(s.airflow().database()); var st = c.createStatement()) {
                st.execute("ALTER TABLE ab_user ADD COLUMN mfa_enabled boolean DEFAULT false");
            }
            s.airflow().failedLogin("carol");
            await().atMost(ofSeconds(60)).until(() -> kafka.readAll(s.topics().cdc("ab_user")).size() == 2);
            JsonNode after = value(kafka.readAll(s.topics().cdc("ab_user")).get(1)).get("after");
            assertThat(after.get("fail_login_count").asInt()).isEqualTo(1);
            assertThat(after.has("mfa_enabled")).isTrue();
            assertThat(after.has("password")).isFalse();
            assertThat(capture.failure()).isNull();
        }
    }

    @Test
    void shouldExplainInPlainWordsWhenTheUserLacksTheReplicationPrivilege() throws Exception {
        String name = RealComponents.uniqueName("noreplication");
        postgres.createDatabase(name);
        postgres.createAirflowSchema(name, AirflowSchema.V2_10);
        String role = name.replace('-', '_') + "_reader";
        try (var c = postgres.connect(name); var st = c.createStatement()) {
            st.execute("CREATE ROLE " + role + " LOGIN NOREPLICATION");
        }
        var db = new AirflowDatabaseSettings(postgres.host(), postgres.port(), name, role, "", "disable", "unused_slot", null);

        var failure = org.assertj.core.api.Assertions.catchThrowableOfType(CaptureConfigurationException.class,
                () -> new AirflowDatabasePreflight(db).check());

        assertThat(failure.getMessage()).contains("lacks the REPLICATION privilege").contains("ALTER ROLE " + role + " WITH REPLICATION")
                .doesNotContain("at org.");
    }

    /**
     * The deployment docs/airflow-capture.md describes: a user of its own with REPLICATION and SELECT, the publication made by
     * the DBA. The preflight lets it pass, and Debezium indeed uses that publication without altering it.
     */
    @Test
    void shouldCaptureAsAUserThatOwnsNothingThroughThePublicationTheDbaCreated() throws Exception {
        Setup s = setup(AirflowSchema.V3);
        String role = s.db().slotName() + "_reader";
        try (var c = postgres.connect(s.airflow().database()); var st = c.createStatement()) {
            st.execute("CREATE ROLE " + role + " LOGIN REPLICATION");
            st.execute("GRANT SELECT ON log, dag_run, ab_user TO " + role);
            st.execute("CREATE PUBLICATION " + s.db().publicationName() + " FOR TABLE log, dag_run, ab_user");
        }
        s.airflow().createUser("dora", "dora@example.com");
        var db = new AirflowDatabaseSettings(postgres.host(), postgres.port(), s.db().database(), role, "", "disable",
                s.db().slotName(), s.db().publicationName());

        assertThat(new AirflowDatabasePreflight(db).inspect().problems()).isEmpty();
        try (var capture = new AirflowCdcCapture(db, s.capture()).start()) {
            assertThat(capture.awaitSnapshotInKafka(ofSeconds(60))).isTrue();
            s.airflow().failedLogin("dora");
            await().atMost(ofSeconds(60)).until(() -> kafka.readAll(s.topics().cdc("ab_user")).size() == 2);
            assertThat(capture.failure()).isNull();
        }
    }

    /**
     * A start that fails after the preflight (here Kafka Connect refuses an offsets topic that is not compacted): the summary
     * says it failed and why, down to the root cause, and stopping the engine that already stopped is no failure.
     */
    @Test
    void shouldSummarizeAFailedStartWithItsRootCauseAndCloseWithoutComplaint() throws Exception {
        Setup s = setup(AirflowSchema.V3);
        kafka.createTopics(1, java.util.Map.of("cleanup.policy", "delete"), s.capture().offsetsTopic());
        var logged = new ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent>();
        var logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(AirflowCdcCapture.class);
        logged.start();
        logger.addAppender(logged);
        try {
            var capture = new AirflowCdcCapture(s.db(), s.capture()).start();
            assertThat(capture.awaitStarted(ofSeconds(60))).isFalse();
            assertThat(capture.hasStopped()).isTrue();
            assertThat(capture.failureSummary()).hasValueSatisfying(summary -> assertThat(summary)
                    .contains(s.capture().offsetsTopic()).contains("cleanup.policy=compact"));
            capture.close();
            assertThat(logged.list).noneMatch(e -> e.getLevel() == ch.qos.logback.classic.Level.WARN);
        } finally {
            logger.detachAppender(logged);
        }
    }

    /**
     * A start stopped before its snapshot reached Kafka keeps the slot it created — dropping it loses changes when the offsets
     * still hold a finished snapshot (a slot lost to a failover), which Airlock cannot tell — and says once how to drop it
     * and when that is safe. The next start resumes with it and says nothing.
     */
    @Test
    void shouldKeepTheSlotItCreatedWhenStoppedBeforeTheSnapshotReachedKafkaAndSayHowToDropIt() throws Exception {
        Setup s = setup(AirflowSchema.V3);
        // empty tables: the snapshot ends only with the first heartbeat, a minute away
        var slowHeartbeat = new CaptureSettings(kafka.bootstrapServers(), s.topics(), "airflow", java.time.Duration.ofMinutes(1),
                (short) 1);
        var logged = new ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent>();
        var logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(AirflowCdcCapture.class);
        logged.start();
        logger.addAppender(logged);
        try {
            try (var capture = new AirflowCdcCapture(s.db(), slowHeartbeat).start()) {
                assertThat(capture.awaitStarted(ofSeconds(60))).isTrue();
                assertThat(slotExists(s)).isTrue();
            }
            assertThat(slotExists(s)).isTrue();
            var warnings = logged.list.stream().filter(e -> e.getLevel() == ch.qos.logback.classic.Level.WARN).toList();
            assertThat(warnings).singleElement().satisfies(e -> assertThat(e.getFormattedMessage())
                    .contains("SELECT pg_drop_replication_slot('" + s.db().slotName() + "')")
                    .contains(s.capture().offsetsTopic()).contains("only while no Airlock instance runs"));
            logged.list.clear();

            s.airflow().createUser("erin", "erin@example.com");
            try (var capture = new AirflowCdcCapture(s.db(), s.capture()).start()) {
                assertThat(capture.awaitSnapshotInKafka(ofSeconds(60))).isTrue();
            }
            assertThat(slotExists(s)).isTrue();
            assertThat(logged.list).noneMatch(e -> e.getLevel() == ch.qos.logback.classic.Level.WARN);
            assertThat(kafka.readAll(s.topics().cdc("ab_user")))
                    .anySatisfy(r -> assertThat(value(r).at("/after/username").asText()).isEqualTo("erin"));
        } finally {
            logger.detachAppender(logged);
        }
    }

    @Test
    void shouldNotWarnOfTheSlotLeftBehindInADatabaseDeletedAfterTheStop() throws Exception {
        Setup s = setup(AirflowSchema.V3);
        // empty tables: the snapshot ends only with the first heartbeat, a minute away
        var slowHeartbeat = new CaptureSettings(kafka.bootstrapServers(), s.topics(), "airflow", java.time.Duration.ofMinutes(1),
                (short) 1);
        var logged = new ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent>();
        var logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(AirflowCdcCapture.class);
        logged.start();
        logger.addAppender(logged);
        try {
            try (var capture = new AirflowCdcCapture(s.db(), slowHeartbeat).databaseDeletedAfterStop().start()) {
                assertThat(capture.awaitStarted(ofSeconds(60))).isTrue();
            }
            assertThat(slotExists(s)).isTrue();
            assertThat(logged.list).noneMatch(e -> e.getFormattedMessage().startsWith("Replication slot"));
        } finally {
            logger.detachAppender(logged);
        }
    }

    private boolean slotExists(Setup s) throws Exception {
        try (var c = postgres.connect(s.airflow().database());
                var st = c.prepareStatement("SELECT 1 FROM pg_replication_slots WHERE slot_name = ?")) {
            st.setString(1, s.db().slotName());
            try (var rs = st.executeQuery()) {
                return rs.next();
            }
        }
    }

    /**
     * Debezium retries a missing SELECT every 10 s for ever, with two stack traces each time: the capture logs one line per
     * distinct failure, with what to do, and names the failure for the readiness check until a batch arrives.
     */
    @Test
    void shouldLogOneLinePerDistinctRetriedFailureAndNameTheLast() {
        Setup s = setup(AirflowSchema.V3);
        var denied = new org.apache.kafka.connect.errors.ConnectException("Snapshotting of table public.log failed",
                new java.sql.SQLException("ERROR: permission denied for table log", "42501"));
        var refused = new org.apache.kafka.connect.errors.ConnectException("Connection refused",
                new java.net.ConnectException("Connection refused"));
        var logged = new ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent>();
        var logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(AirflowCdcCapture.class);
        logged.start();
        logger.addAppender(logged);
        try (var capture = new AirflowCdcCapture(s.db(), s.capture())) {
            assertThat(capture.retryingAfter()).isEmpty();
            capture.retried(denied);
            capture.retried(denied);
            capture.retried(denied);
            assertThat(capture.retryingAfter()).hasValue("Snapshotting of table public.log failed; caused by: ERROR: permission "
                    + "denied for table log");
            capture.retried(refused);
            assertThat(capture.retryingAfter()).hasValue("Connection refused");
        } finally {
            logger.detachAppender(logged);
        }
        var errors = logged.list.stream().filter(e -> e.getLevel() == ch.qos.logback.classic.Level.ERROR).toList();
        assertThat(errors).hasSize(2).allSatisfy(e -> assertThat(e.getThrowableProxy()).isNull());
        assertThat(errors.get(0).getFormattedMessage()).contains("permission denied for table log")
                .contains("airlock check-config --connect")
                .as("the same line reports a failure Debezium does not retry").doesNotContain("Debezium retries it (");
        assertThat(errors.get(1).getFormattedMessage()).endsWith(": Connection refused");
    }

    @Test
    void shouldExplainInPlainWordsWhenTheDatabaseLacksLogicalReplication() {
        try (var replica = EmbeddedPostgres.start(java.util.Map.of("wal_level", "replica"))) {
            replica.createDatabase("airflow");
            replica.createAirflowSchema("airflow", AirflowSchema.V2_10);
            var db = new AirflowDatabaseSettings(replica.host(), replica.port(), "airflow", replica.superuser(), replica.password(),
                    "disable", "unused_slot", null);

            var failure = org.assertj.core.api.Assertions.catchThrowableOfType(CaptureConfigurationException.class,
                    () -> new AirflowDatabasePreflight(db).check());

            assertThat(failure.getMessage()).contains("wal_level is 'replica'").contains("wal_level=logical")
                    .doesNotContain("REPLICATION privilege").doesNotContain("does not exist");
        }
    }

    @Test
    void shouldConfirmProgressOnAnIdleAirflowDatabaseThroughHeartbeats() throws Exception {
        Setup s = setup(AirflowSchema.V2_10);
        var capture = new CaptureSettings(kafka.bootstrapServers(), s.topics(), "airflow", java.time.Duration.ofMillis(500), (short) 1);
        try (var running = new AirflowCdcCapture(s.db(), capture).start()) {
            assertThat(running.awaitStarted(java.time.Duration.ofSeconds(60))).isTrue();
            String before = confirmedLsn(s);
            // WAL moves, but not in a captured table: only heartbeats let the slot confirm the new position.
            try (var c = postgres.connect(s.airflow().database()); var st = c.createStatement()) {
                st.execute("CREATE TABLE unrelated (id int)");
                st.execute("INSERT INTO unrelated SELECT generate_series(1, 1000)");
            }
            await().atMost(ofSeconds(60)).untilAsserted(() -> assertThat(lsn(confirmedLsn(s))).isGreaterThan(lsn(before)));
            assertThat(kafka.readAll(s.topics().cdcTopics())).isEmpty();
        }
    }

    /** Readiness counts on it: a capture that hands over nothing for three heartbeats is taken for one that cannot stream. */
    @Test
    void shouldHandOverHeartbeatsWhileTheDatabaseIsIdle() throws Exception {
        Setup s = setup(AirflowSchema.V3);
        var capture = new CaptureSettings(kafka.bootstrapServers(), s.topics(), "airflow", java.time.Duration.ofMillis(500), (short) 1);
        try (var running = new AirflowCdcCapture(s.db(), capture).start()) {
            assertThat(running.awaitStarted(java.time.Duration.ofSeconds(60))).isTrue();
            await().atMost(ofSeconds(60)).until(() -> running.millisSinceLastBatch() < 1_500); // streaming
            await().during(ofSeconds(5)).atMost(ofSeconds(10)).until(() -> running.millisSinceLastBatch() < 1_500);
            assertThat(running.isSilent()).isFalse();
        }
    }

    private String confirmedLsn(Setup s) throws Exception {
        try (var c = postgres.connect(s.airflow().database());
                var st = c.prepareStatement("SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = ?")) {
            st.setString(1, s.db().slotName());
            try (var rs = st.executeQuery()) {
                return rs.next() && rs.getString(1) != null ? rs.getString(1) : "0/0";
            }
        }
    }

    private static long lsn(String text) {
        String[] parts = text.split("/");
        return (Long.parseLong(parts[0], 16) << 32) + Long.parseLong(parts[1], 16);
    }

    @Test
    void shouldExplainInPlainWordsWhenTheAirflowTablesAreMissing() {
        String name = RealComponents.uniqueName("empty");
        postgres.createDatabase(name);
        var db = new AirflowDatabaseSettings(postgres.host(), postgres.port(), name, postgres.superuser(), postgres.password(), "disable",
                "unused_slot", null);
        var problems = new AirflowDatabasePreflight(db).inspect().problems();
        assertThat(problems).hasSize(2).allSatisfy(p -> assertThat(p).contains("does not exist"));
        assertThat(problems.get(0)).contains("public.log");
        assertThat(problems.get(1)).contains("public.dag_run");
    }

    /** Airflow 3's default SimpleAuthManager (or Keycloak) instead of the FAB auth manager: no ab_user table. */
    @Test
    void shouldCaptureLogAndDagRunOfAnAirflowWithoutTheAbUserTable() throws Exception {
        Setup s = setup(AirflowSchema.V3);
        try (var c = postgres.connect(s.airflow().database()); var st = c.createStatement()) {
            st.execute("DROP TABLE ab_user_role, ab_user, ab_role");
        }
        s.airflow().auditLog(Instant.parse("2026-03-02T09:00:00Z"), "patch_dag", "alice", "etl_daily", "{}");

        var findings = new AirflowDatabasePreflight(s.db()).inspect();
        assertThat(findings.problems()).isEmpty();
        assertThat(findings.tables()).containsExactly("log", "dag_run");
        assertThat(findings.abUserAbsent()).isTrue();

        try (var capture = new AirflowCdcCapture(s.db(), s.capture()).start()) {
            assertThat(capture.awaitSnapshotInKafka(ofSeconds(60))).isTrue();
            assertThat(kafka.readAll(s.topics().cdc("log"))).hasSize(1);
            s.airflow().auditLog(Instant.parse("2026-03-02T10:01:00Z"), "trigger_dag_run", "alice", "etl_daily", "{}");
            s.airflow().dagRun("etl_daily", "manual__2026-03-02", "manual", "queued", Instant.parse("2026-03-02T10:01:00Z"), null, "alice");

            await().atMost(ofSeconds(60)).untilAsserted(() -> {
                assertThat(kafka.readAll(s.topics().cdc("log"))).hasSize(2);
                assertThat(kafka.readAll(s.topics().cdc("dag_run"))).hasSize(1);
            });
            assertThat(value(kafka.readAll(s.topics().cdc("log")).get(1)).at("/after/event").asText()).isEqualTo("trigger_dag_run");
            assertThat(value(kafka.readAll(s.topics().cdc("dag_run")).get(0)).at("/after/triggering_user_name").asText())
                    .isEqualTo("alice");
            assertThat(kafka.readAll(s.topics().cdc("ab_user"))).isEmpty();
            assertThat(capture.isCapturing()).isTrue();
            assertThat(capture.failure()).isNull();
            assertThat(publishedTables(s)).containsExactlyInAnyOrder("log", "dag_run");
        }
    }

    private List<String> publishedTables(Setup s) throws Exception {
        try (var c = postgres.connect(s.airflow().database());
                var st = c.prepareStatement("SELECT tablename FROM pg_publication_tables WHERE pubname = ?")) {
            st.setString(1, s.db().publicationName());
            try (var rs = st.executeQuery()) {
                var tables = new java.util.ArrayList<String>();
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
                return tables;
            }
        }
    }

    /**
     * A {@code dag_run.conf} or a {@code log.extra} over Kafka's 1 MB request limit stopped the engine on every start at the
     * same LSN (and the slot kept WAL): such changes go out with those values left out, and the capture goes on.
     */
    @Test
    void shouldSendChangesTooLargeForKafkaWithTheirLargeValuesLeftOutAndKeepCapturing() throws Exception {
        Setup s = setup(AirflowSchema.V3);
        s.airflow().dagRun("etl_daily", "manual__1", "manual", "queued", Instant.parse("2026-03-02T10:00:00Z"), null, "mallory");
        var meters = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        io.micrometer.core.instrument.Metrics.addRegistry(meters);
        try (var capture = new AirflowCdcCapture(s.db(), s.capture()).start()) {
            assertThat(capture.awaitSnapshotInKafka(ofSeconds(60))).isTrue();
            try (var c = postgres.connect(s.airflow().database()); var st = c.createStatement()) {
                // 1.28 MB of hexadecimal text: compression would not make it fit either
                st.execute("UPDATE dag_run SET state = 'running', conf = jsonb_build_object('payload', "
                        + "(SELECT string_agg(md5(random()::text), '') FROM generate_series(1, 40000)))");
            }
            s.airflow().auditLog(Instant.parse("2026-03-02T10:02:00Z"), "trigger_dag_run", "mallory", "etl_daily",
                    "{\"conf\": \"" + "A".repeat(1_200_000) + "\"}");
            s.airflow().auditLog(Instant.parse("2026-03-02T10:03:00Z"), "patch_dag", "mallory", "etl_daily", "{}");

            await().atMost(ofSeconds(60)).untilAsserted(() -> {
                assertThat(kafka.readAll(s.topics().cdc("dag_run"))).hasSize(2);
                assertThat(kafka.readAll(s.topics().cdc("log"))).hasSize(2);
            });
            JsonNode run = value(kafka.readAll(s.topics().cdc("dag_run")).get(1));
            assertThat(run.at("/op").asText()).isEqualTo("u");
            assertThat(run.at("/after/state").asText()).isEqualTo("running");
            assertThat(run.at("/after/run_id").asText()).isEqualTo("manual__1");
            assertThat(run.at("/after/conf").asText()).matches("<airlock: value of 128\\d{4} bytes left out>");
            assertThat(run.at("/source/lsn").isNumber()).isTrue();
            assertThat(run.at("/source/ts_ms").isNumber()).isTrue();
            List<ConsumerRecord<String, String>> logs = kafka.readAll(s.topics().cdc("log"));
            JsonNode trigger = value(logs.get(0)).get("after");
            assertThat(trigger.get("event").asText()).isEqualTo("trigger_dag_run");
            assertThat(trigger.get("owner").asText()).isEqualTo("mallory");
            assertThat(trigger.get("dttm").isNull()).isFalse();
            assertThat(trigger.get("extra").asText()).isEqualTo("<airlock: value of 1200012 bytes left out>");
            assertThat(value(logs.get(1)).at("/after/event").asText()).isEqualTo("patch_dag");
            assertThat(kafka.readAll(s.topics().dlq())).isEmpty();
            assertThat(meters.get(io.airlock.ingest.internal.IngestMeters.CDC_SHORTENED).counter().count()).isEqualTo(2);
            assertThat(capture.isCapturing()).isTrue();
            assertThat(capture.failure()).isNull();
        } finally {
            io.micrometer.core.instrument.Metrics.removeRegistry(meters);
        }
    }

    /**
     * A topic whose {@code max.message.bytes} is below the capture's own limit refuses a change the capture thought fitted:
     * it is sent again with its large values left out, and when even that is refused it goes to the dead-letter topic.
     */
    @Test
    void shouldShortenAChangeKafkaRefusedAndDeadLetterOneKafkaRefusesEvenSo() throws Exception {
        String name = RealComponents.uniqueName("airflow");
        postgres.createDatabase(name);
        postgres.createAirflowSchema(name, AirflowSchema.V3);
        var topics = new Topics(RealComponents.uniqueName("cdc"));
        kafka.createTopics(1, java.util.Map.of("max.message.bytes", "4096"), topics.cdc("log"));
        kafka.createTopics(1, java.util.Map.of("max.message.bytes", "64"), topics.cdc("dag_run"));
        kafka.createTopics(1, topics.all().toArray(String[]::new));
        var db = new AirflowDatabaseSettings(postgres.host(), postgres.port(), name, postgres.superuser(), postgres.password(), "disable",
                name.replace('-', '_'), null);
        var airflow = new AirflowDatabase(postgres, name, AirflowSchema.V3);
        try (var capture = new AirflowCdcCapture(db, CaptureSettings.of(kafka.bootstrapServers(), topics)).start()) {
            assertThat(capture.awaitStarted(ofSeconds(60))).isTrue();
            String extra = randomHex(100_000);
            airflow.auditLog(Instant.parse("2026-03-02T10:02:00Z"), "trigger_dag_run", "mallory", "etl_daily", extra);
            long runId = airflow.dagRun("etl_daily", "manual__1", "manual", "queued", Instant.parse("2026-03-02T10:00:00Z"), null,
                    "mallory");
            airflow.auditLog(Instant.parse("2026-03-02T10:03:00Z"), "patch_dag", "mallory", "etl_daily", "{}");

            await().atMost(ofSeconds(60)).untilAsserted(() -> {
                assertThat(kafka.readAll(topics.cdc("log"))).hasSize(2);
                assertThat(kafka.readAll(topics.dlq())).hasSize(1);
            });
            // sent again after the batch's later changes: found by its event, not its place
            JsonNode trigger = kafka.readAll(topics.cdc("log")).stream().map(r -> value(r).get("after"))
                    .filter(row -> row.get("event").asText().equals("trigger_dag_run")).findFirst().orElseThrow();
            assertThat(trigger.get("owner").asText()).isEqualTo("mallory");
            assertThat(trigger.get("extra").asText()).isEqualTo("<airlock: value of 100000 bytes left out>");
            assertThat(kafka.readAll(topics.cdc("dag_run"))).isEmpty();
            ConsumerRecord<String, String> dead = kafka.readAll(topics.dlq()).get(0);
            JsonNode letter = value(dead);
            assertThat(letter.get("source_topic").asText()).isEqualTo(topics.cdc("dag_run"));
            assertThat(letter.get("stage").asText()).isEqualTo("ingest:airflow-cdc");
            assertThat(letter.get("reason").asText()).startsWith("rejected by Kafka: record too large");
            assertThat(letter.get("offset").asLong()).isPositive();
            assertThat(Json.tree(letter.get("value").asText()).at("/after/id").asLong()).isEqualTo(runId);
            assertThat(Json.tree(dead.key()).get("id").asLong()).isEqualTo(runId);
            assertThat(capture.isCapturing()).isTrue();
            assertThat(capture.failure()).isNull();
        }
    }

    private static String randomHex(int chars) {
        var random = new java.util.Random(42);
        var hex = new StringBuilder(chars);
        while (hex.length() < chars) {
            hex.append(Long.toHexString(random.nextLong() | Long.MIN_VALUE));
        }
        return hex.substring(0, chars);
    }
}
