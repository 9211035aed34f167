package io.airlock.streams.normalize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import io.airlock.core.BoundedText;
import io.airlock.core.Json;
import io.airlock.core.MalformedRecordException;
import io.airlock.core.NormalizedEvent;
import io.airlock.core.StableIds;
import io.airlock.streams.TopologyFixture;
import io.airlock.streams.VaultAuditLine;
import io.airlock.streams.internal.JsonSerdes;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class VaultAuditNormalizerTest {

    private static final Instant T0 = Instant.parse("2026-03-02T10:00:00.123456789Z");
    private final TopologyFixture fixture = new TopologyFixture();

    @AfterEach
    void close() {
        fixture.close();
    }

    private void pipe(VaultAuditLine line) {
        fixture.vaultAudit(line.key(), line.json(), T0);
    }

    @Test
    void shouldPrefixThePathsOfAVaultEnterpriseNamespace() {
        pipe(VaultAuditLine.response("req-ns").at(T0).read("secret/data/app/db").namespace("team-a/"));
        pipe(VaultAuditLine.response("req-root").at(T0).read("secret/data/app/db"));

        assertThat(fixture.eventRecords()).extracting(r -> r.value().vaultPath() + " " + r.value().vaultKvPath())
                .containsExactly("team-a/secret/data/app/db team-a/secret/app/db", "secret/data/app/db secret/app/db");
        assertThat(VaultAuditNormalizer.namespacePrefix(Json.tree("{\"namespace\":{\"id\":\"x\",\"path\":\"/team-a/etl\"}}")))
                .isEqualTo("team-a/etl/");
    }

    @Test
    void shouldGiveALongPathTheSameEventPathsWhetherItsLineWasCompactedOrNot() {
        String path = "airflow/data/connections/" + "p".repeat(40_000);
        String compacted = BoundedText.of(path, BoundedText.EVENT_FIELD_CHARS); // what the capture makes of it in a long line
        pipe(VaultAuditLine.response("req-whole").at(T0).read(path));
        pipe(VaultAuditLine.response("req-compacted").at(T0).read(compacted));
        pipe(VaultAuditLine.response("req-ns-whole").at(T0).read(path).namespace("team-a/"));
        pipe(VaultAuditLine.response("req-ns-compacted").at(T0).read(compacted).namespace("team-a/"));

        List<NormalizedEvent> events = fixture.eventRecords().stream().map(TestRecord::value).toList();
        assertThat(events.get(1).vaultPath()).isEqualTo(events.get(0).vaultPath()).isEqualTo(compacted);
        assertThat(events.get(1).vaultKvPath()).as("derived from the path: the same too").isEqualTo(events.get(0).vaultKvPath())
                .startsWith("airflow/connections/ppp");
        assertThat(events.get(3).vaultPath()).as("prefixed with a namespace").isEqualTo(events.get(2).vaultPath())
                .startsWith("team-a/airflow/data/connections/ppp");
        assertThat(events.get(3).vaultKvPath()).isEqualTo(events.get(2).vaultKvPath());
    }

    @Test
    void shouldFindTheKvPathOfANestedMountInANamespaceWhoseMountPointNamesTheNamespace() {
        pipe(VaultAuditLine.response("req-nested").at(T0).operation("read").path("team/airflow/data/connections/db")
                .mount("kv", "ns1/team/airflow/").namespace("ns1/"));
        pipe(VaultAuditLine.response("req-meta").at(T0).operation("read").path("team/airflow/metadata/connections/db")
                .mount("kv", "ns1/team/airflow/").namespace("ns1/"));

        assertThat(fixture.eventRecords()).extracting(r -> r.value().vaultKvPath())
                .containsExactly("ns1/team/airflow/connections/db", "ns1/team/airflow/connections/db");
    }

    @Test
    void shouldMapAKvV2SecretReadOfAnAirflowTaskToAnAttributedSuccessfulReadEvent() {
        pipe(VaultAuditLine.response("req-1").at(T0).read("airflow/data/connections/db").displayName("approle-airflow")
                .entityId("ent-airflow").remoteAddress("10.0.4.17").header("x-airflow-dag-id", "etl")
                .header("x-airflow-run-id", "scheduled__2026-03-02T00:00:00+00:00").header("x-airflow-task-id", "extract"));

        List<TestRecord<String, NormalizedEvent>> records = fixture.eventRecords();
        assertThat(records).hasSize(1);
        assertThat(records.get(0).key()).as("keyed by identity").isEqualTo("ent-airflow");
        assertThat(records.get(0).getRecordTime()).isEqualTo(Instant.parse("2026-03-02T10:00:00.123Z"));
        NormalizedEvent event = records.get(0).value();
        assertThat(event.id()).isEqualTo(StableIds.of("vault.audit", "req-1", "response"));
        assertThat(event).extracting(NormalizedEvent::timestamp, NormalizedEvent::dataset, NormalizedEvent::category,
                NormalizedEvent::action, NormalizedEvent::outcome, NormalizedEvent::vaultAuditType, NormalizedEvent::vaultPath,
                NormalizedEvent::vaultKvPath, NormalizedEvent::vaultOperation, NormalizedEvent::vaultMountType,
                NormalizedEvent::vaultIdentity, NormalizedEvent::userName, NormalizedEvent::sourceIp)
                .containsExactly(T0, "vault.audit", "api", "read", "success", "response", "airflow/data/connections/db",
                        "airflow/connections/db", "read", "kv", "ent-airflow", "approle-airflow", "10.0.4.17");
        assertThat(event).extracting(NormalizedEvent::dagId, NormalizedEvent::runId, NormalizedEvent::taskId)
                .containsExactly("etl", "scheduled__2026-03-02T00:00:00+00:00", "extract");
        assertThat(event.relatedUsers()).containsExactly("approle-airflow");
        assertThat(event.vaultError()).isNull();
    }

    @Test
    void shouldLeaveTheOutcomeOfARequestLineOpenAndGiveRequestAndResponseDifferentIds() {
        pipe(VaultAuditLine.request("req-2").read("airflow/data/variables/api_key"));
        pipe(VaultAuditLine.response("req-2").read("airflow/data/variables/api_key"));

        assertThat(fixture.events()).extracting(NormalizedEvent::vaultAuditType, NormalizedEvent::outcome)
                .containsExactly(tuple("request", null), tuple("response", "success"))
                .hasSize(2);
    }

    @Test
    void shouldReportPermissionDeniedAsAFailure() {
        pipe(VaultAuditLine.response("req-3").read("airflow/data/connections/prod_db").displayName("userpass-mallory")
                .entityId("ent-mallory").error("1 error occurred:\n\t* permission denied\n\n"));

        NormalizedEvent event = fixture.events().get(0);
        assertThat(event.outcome()).isEqualTo("failure");
        assertThat(event.vaultError()).contains("permission denied");
        assertThat(event.vaultIdentity()).isEqualTo("ent-mallory");
    }

    @Test
    void shouldCategorizeLoginsPoliciesMountsAndSecretsEngines() {
        pipe(VaultAuditLine.response("a").operation("update").path("auth/userpass/login/alice").mount("userpass", "auth/userpass/"));
        pipe(VaultAuditLine.response("b").operation("update").path("auth/approle/role/airflow/secret-id").mount("approle", "auth/approle/"));
        pipe(VaultAuditLine.response("c").operation("update").path("sys/policies/acl/airflow").mount("system", "sys/"));
        pipe(VaultAuditLine.response("d").operation("update").path("sys/mounts/airflow").mount("system", "sys/"));
        pipe(VaultAuditLine.response("e").operation("read").path("database/creds/readonly").mount("database", "database/"));

        assertThat(fixture.events()).extracting(NormalizedEvent::vaultPath, NormalizedEvent::category, NormalizedEvent::vaultKvPath)
                .containsExactly(tuple("auth/userpass/login/alice", "authentication", null),
                        tuple("auth/approle/role/airflow/secret-id", "iam", null), tuple("sys/policies/acl/airflow", "iam", null),
                        tuple("sys/mounts/airflow", "configuration", null), tuple("database/creds/readonly", "api", null));
    }

    @Test
    void shouldIgnoreRunHeadersThatVaultHmaced() {
        pipe(VaultAuditLine.response("req-4").read("airflow/data/connections/db").hmacHeader("x-airflow-dag-id")
                .header("x-airflow-run-id", "manual__1"));

        NormalizedEvent event = fixture.events().get(0);
        assertThat(event.dagId()).isNull();
        assertThat(event.runId()).isEqualTo("manual__1");
        assertThat(Json.writeString(event)).doesNotContain("hmac-sha256");
    }

    @Test
    void shouldUseTheDisplayNameAsIdentityOfTokensWithoutEntity() {
        pipe(VaultAuditLine.response("req-5").read("secret/data/x").displayName("root").entityId(""));

        TestRecord<String, NormalizedEvent> record = fixture.eventRecords().get(0);
        assertThat(record.value().vaultIdentity()).isEqualTo("root");
        assertThat(record.key()).isEqualTo("root");
    }

    @Test
    void shouldTakeTheRoleNameOfAnAuthMethodButNotTheMetadataATokensCreatorWrote() {
        pipe(VaultAuditLine.response("req-9").read("airflow/data/connections/db").displayName("approle").entityId("ent-af")
                .roleName("airflow-worker"));
        pipe(VaultAuditLine.response("req-10").read("airflow/data/connections/db").displayName("token-bob").entityId("ent-bob")
                .roleName("airflow"));

        assertThat(fixture.events()).extracting(NormalizedEvent::relatedUsers)
                .containsExactly(List.of("approle", "airflow-worker"), List.of("token-bob"));
    }

    @Test
    void shouldKeyTheOperationsOfOneEntityAlikeWhateverAuthMethodItLoggedInWith() {
        pipe(VaultAuditLine.response("req-6").read("secret/data/a").displayName("userpass-alice").entityId("ent-alice"));
        pipe(VaultAuditLine.response("req-7").read("secret/data/b").displayName("oidc-alice@example.com").entityId("ent-alice"));
        pipe(VaultAuditLine.request("req-8").read("secret/data/c").displayName("userpass-alice").entityId("ent-alice"));

        assertThat(fixture.eventRecords()).extracting(TestRecord::key).containsExactly("ent-alice", "ent-alice", "ent-alice");
    }

    @Test
    void shouldGiveTheSameIdToTheSameLineFromTwoAuditDevices() {
        String line = VaultAuditLine.response("req-6").read("airflow/data/connections/db").json();
        fixture.vaultAudit("req-6", line, T0);
        fixture.vaultAudit("req-6", line, T0);

        List<NormalizedEvent> events = fixture.events();
        assertThat(events.get(1).id()).isEqualTo(events.get(0).id());
    }

    @Test
    void shouldNormalizePublishedVaultAuditLines() throws IOException {
        List<String> lines = fixtureLines("/vault/elastic-integrations-audit.log");
        lines.forEach(line -> fixture.vaultAudit(null, line, T0));

        List<NormalizedEvent> events = fixture.events();
        assertThat(fixture.deadLetters()).isEmpty();
        assertThat(events).extracting(NormalizedEvent::vaultAuditType, NormalizedEvent::action, NormalizedEvent::category,
                NormalizedEvent::outcome, NormalizedEvent::vaultIdentity, NormalizedEvent::vaultKvPath).containsExactly(
                tuple("request", "update", "configuration", null, "e4f5c67a-6f7e-789d-ae56-a1fe3ae23046", null),
                tuple("request", "update", "api", "failure", null, null),
                tuple("response", "update", "api", "failure", null, null),
                tuple("request", "read", "api", null, "token-375f9cb3-4355-42c7-eab5-029f8a310ca7-runner",
                        "secret/apps/continuous-delivery/aws-bucket-sse-c"),
                tuple("response", "read", "api", "success", "token-375f9cb3-4355-42c7-eab5-029f8a310ca7-runner",
                        "secret/apps/continuous-delivery/aws-bucket-sse-c"),
                tuple("request", "help", "api", null, "e4f5c67a-6f7e-789d-ae56-a1fe3ae23046", null));
        assertThat(events.get(0).timestamp()).isEqualTo(Instant.parse("2020-12-01T20:29:04.356625452Z"));
        assertThat(events.get(0).userName()).isEqualTo("oidc-12349999999999999999");
        assertThat(events.get(0).sourceIp()).isEqualTo("67.43.156.13");
        assertThat(events.get(2).vaultError()).isEqualTo("1 error occurred:\n\t* permission denied\n\n");
        assertThat(events.get(1).id()).isEqualTo(StableIds.of("vault.audit", "24ac580b-805a-d9ee-4d0d-7046932f4e05", "request"));
        assertThat(events.get(5).id()).isEqualTo(StableIds.of("vault.audit", "line", Json.writeString(Json.tree(lines.get(5)))));
        assertThat(events).extracting(NormalizedEvent::id).doesNotHaveDuplicates();
        assertThat(events).allSatisfy(e -> assertThat(Json.writeString(e)).doesNotContain("hmac-sha256"));
    }

    @Test
    void shouldDeadLetterMalformedAuditLinesAndKeepGoing() {
        String request = "\"request\":{\"id\":\"x\",\"operation\":\"read\",\"path\":\"secret/data/a\"}";
        fixture.vaultAudit("x", "{\"type\":\"response\"," + request + "}", T0);
        fixture.vaultAudit("x", "{\"time\":1772445600000,\"type\":\"response\"," + request + "}", T0);
        fixture.vaultAudit("x", "{\"time\":\"yesterday\",\"type\":\"response\"," + request + "}", T0);
        fixture.vaultAudit("x", "{\"time\":\"2026-03-02T10:00:00Z\",\"type\":\"audit\"," + request + "}", T0);
        fixture.vaultAudit("x", "{\"time\":\"2026-03-02T10:00:00Z\"," + request + "}", T0);
        fixture.vaultAudit("x", "{\"time\":\"2026-03-02T10:00:00Z\",\"type\":\"response\",\"request\":\"secret/data/a\"}", T0);
        fixture.vaultAudit("x", "{\"time\":\"2026-03-02T10:00:00Z\",\"type\":\"response\"," + request + ",\"error\":403}", T0);
        pipe(VaultAuditLine.response("ok").read("airflow/data/connections/db"));

        List<String> reasons = fixture.deadLetters().stream().map(Json::tree).peek(node ->
                assertThat(node.get("source_topic").asText()).isEqualTo("airlock.vault.audit"))
                .map(node -> node.get("reason").asText()).toList();
        assertThat(reasons).hasSize(7);
        assertThat(reasons.subList(0, 2)).allSatisfy(r -> assertThat(r).contains("'time'"));
        assertThat(reasons.get(2)).contains("audit.time");
        assertThat(reasons.get(3)).contains("'type'").contains("'audit'");
        assertThat(reasons.get(4)).contains("'type'");
        assertThat(reasons.get(5)).contains("audit.request is not an object");
        assertThat(reasons.get(6)).contains("audit.error is not a string");
        assertThat(fixture.events()).extracting(NormalizedEvent::id).containsExactly(StableIds.of("vault.audit", "ok", "response"));
    }

    /**
     * A line stamped before 1970 (a Vault node whose clock was reset, or a forged line) reaches the normalizer stamped 0
     * (RecordTimes): its event is dead-lettered with the reason, and the lines after it are normalized.
     */
    @Test
    void shouldDeadLetterALineStampedBefore1970AndKeepGoing() {
        String request = "\"request\":{\"id\":\"old\",\"operation\":\"read\",\"path\":\"secret/data/a\"}";
        fixture.vaultAudit("old", "{\"time\":\"1969-12-31T23:59:59Z\",\"type\":\"response\"," + request + "}", Instant.EPOCH);
        pipe(VaultAuditLine.response("ok").read("airflow/data/connections/db"));

        assertThat(fixture.deadLetters()).singleElement().satisfies(letter ->
                assertThat(Json.tree(letter).get("reason").asText()).contains("audit.time", "before 1970-01-01", "1969-12-31T23:59:59Z"));
        assertThat(fixture.events()).extracting(NormalizedEvent::id).containsExactly(StableIds.of("vault.audit", "ok", "response"));
    }

    /**
     * A line stamped after what a Kafka timestamp holds (the capture stamps it as a line without a time) was taken by the
     * normalizer, which then failed stamping its event and dead-lettered it as "ArithmeticException: long overflow".
     */
    @Test
    void shouldDeadLetterALineStampedBeyondKafkaTimestampsWithTheReason() {
        String request = "\"request\":{\"id\":\"far\",\"operation\":\"read\",\"path\":\"secret/data/a\"}";
        fixture.vaultAudit("far", "{\"time\":\"+300000000-01-01T00:00:00Z\",\"type\":\"response\"," + request + "}", T0);
        pipe(VaultAuditLine.response("ok").read("airflow/data/connections/db"));

        assertThat(fixture.deadLetters()).singleElement().satisfies(letter -> assertThat(Json.tree(letter).get("reason").asText())
                .contains("audit.time", "beyond what a Kafka timestamp holds", "+300000000-01-01T00:00:00Z")
                .doesNotContain("overflow"));
        assertThat(fixture.events()).extracting(NormalizedEvent::id).containsExactly(StableIds.of("vault.audit", "ok", "response"));
    }

    @Test
    void shouldRejectLinesThatAreNotJsonObjectsBeforeNormalization() {
        var deserializer = JsonSerdes.tree().deserializer();
        assertThatThrownBy(() -> deserializer.deserialize("airlock.vault.audit", "\"type\"".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(MalformedRecordException.class).hasMessageContaining("expected a JSON object");
        assertThatThrownBy(() -> VaultAuditNormalizer.normalize(Json.tree("[]")))
                .isInstanceOf(MalformedRecordException.class).hasMessageContaining("JSON object");
    }

    private static List<String> fixtureLines(String resource) throws IOException {
        try (InputStream in = VaultAuditNormalizerTest.class.getResourceAsStream(resource)) {
            assertThat(in).as(resource).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
        }
    }

    private static VaultAuditLine failedLogin(String id, String path) {
        return VaultAuditLine.response(id).at(T0).noToken().operation("update").path(path).mount("userpass", "auth/userpass/")
                .error("invalid username or password");
    }

    @Test
    void shouldNameTheUserOfAFailedLoginByItsPathButGiveItNoIdentity() {
        pipe(failedLogin("req-bob", "auth/userpass/login/bob"));
        pipe(failedLogin("req-ldap", "auth/corp/ldap-eu/login/alice@example.com"));
        pipe(failedLogin("req-approle", "auth/approle/login"));
        pipe(failedLogin("req-no-name", "auth/userpass/login/"));
        pipe(failedLogin("req-not-login", "auth/userpass/users/carol"));
        pipe(VaultAuditLine.response("req-ok").at(T0).operation("update").path("auth/userpass/login/bob")
                .displayName("userpass-bob").entityId("ent-bob"));
        pipe(failedLogin("req-long", "auth/userpass/login/" + "m".repeat(10_000)));

        var events = fixture.eventRecords();
        assertThat(events).extracting(r -> r.value().userName(), r -> r.value().vaultIdentity(), TestRecord::key)
                .containsExactly(tuple("bob", null, ""), tuple("alice@example.com", null, ""), tuple(null, null, ""),
                        tuple(null, null, ""), tuple(null, null, ""), tuple("userpass-bob", "ent-bob", "ent-bob"),
                        tuple(BoundedText.of("auth/userpass/login/" + "m".repeat(10_000), BoundedText.EVENT_FIELD_CHARS)
                                .substring("auth/userpass/login/".length()), null, "")); // of the path as the event bounds it
        assertThat(events.get(0).value().outcome()).isEqualTo(NormalizedEvent.OUTCOME_FAILURE);
    }

    @Test
    void shouldRaiseNoAlertForFailedVaultLoginsOfNamedUsers() {
        for (int i = 0; i < 12; i++) { // a spray over twelve users, then six failures of one: AL-001/AL-002 count Airflow's
            pipe(failedLogin("req-spray-" + i, "auth/userpass/login/user" + i).at(T0.plusSeconds(i)));
        }
        for (int i = 0; i < 6; i++) {
            pipe(failedLogin("req-bob-" + i, "auth/userpass/login/bob").at(T0.plusSeconds(20 + i)));
        }

        assertThat(fixture.events()).hasSize(18).allSatisfy(e -> assertThat(e.userName()).isNotNull());
        assertThat(fixture.alertUpdates()).isEmpty();
    }
}
