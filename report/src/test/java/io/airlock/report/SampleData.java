package io.airlock.report;

import io.airlock.core.Alert;
import io.airlock.core.Json;
import io.airlock.core.NormalizedEvent;
import io.airlock.core.Severity;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/** Events and alerts of a small, hostile-looking Airflow + Vault day, and a {@link RecordSource} over lists. */
final class SampleData {

    static final Instant DAY = Instant.parse("2026-11-02T00:00:00Z");

    private SampleData() {
    }

    static List<NormalizedEvent> events() {
        List<NormalizedEvent> events = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            events.add(NormalizedEvent.builder(DAY.plusSeconds(3600 * 2 + i * 10L), "ev-login-" + i, NormalizedEvent.DATASET_AB_USER)
                    .category("authentication").action("login").outcome(i < 5 ? "failure" : "success").userName("alice")
                    .sourcePosition("postgres:airflow", 1000L + i).build());
        }
        events.add(NormalizedEvent.builder(DAY.plusSeconds(3600 * 3), "ev-var", NormalizedEvent.DATASET_LOG)
                .category("configuration").action("variable.edit").userName("=HYPERLINK(\"http://evil\",\"x\")")
                .dagId("<script>alert(1)</script>").sourcePosition("postgres:airflow", 1100L).build());
        events.add(NormalizedEvent.builder(DAY.plusSeconds(3600 * 22), "ev-trigger", NormalizedEvent.DATASET_LOG)
                .category("process").action("trigger").userName("<img src=x onerror=alert(1)>bob").dagId("etl_daily")
                .sourcePosition("postgres:airflow", 1200L).build());
        for (int i = 0; i < 4; i++) {
            events.add(NormalizedEvent.builder(DAY.plusSeconds(3600 * 23 + i), "ev-vault-" + i, NormalizedEvent.DATASET_VAULT)
                    .category("api").action("read").vaultOperation("read").vaultAuditType("response")
                    .outcome(i == 3 ? "failure" : "success") // the last one denied
                    .vaultPath("airflow/connections/db" + i).vaultIdentity("-svc @ops").relatedUsers(List.of("carol", "dave"))
                    .sourcePosition("vault-file:42", 500L * i).build());
        }
        return events;
    }

    /**
     * {@code names} Vault identities (tokens without an entity: the display name is the identity) with one login each, then
     * {@code busiest} with {@code events} logins: an attacker who made up names first to push the real one out of the summary.
     */
    static List<NormalizedEvent> manyNamesThenOne(int names, String busiest, int events) {
        List<NormalizedEvent> logins = new ArrayList<>();
        for (int i = 0; i < names + events; i++) {
            String user = i < names ? "token-" + i : busiest;
            logins.add(NormalizedEvent.builder(DAY.plusMillis(i), "ev-" + i, NormalizedEvent.DATASET_VAULT)
                    .category("authentication").action("login").outcome("success").userName(user).vaultIdentity(user).build());
        }
        return logins;
    }

    /** A successful Vault login for each identity, a millisecond apart, in that order. */
    static List<NormalizedEvent> loginsOf(List<String> identities) {
        List<NormalizedEvent> logins = new ArrayList<>();
        for (int i = 0; i < identities.size(); i++) {
            logins.add(NormalizedEvent.builder(DAY.plusMillis(i), "ev-" + i, NormalizedEvent.DATASET_VAULT).category("authentication")
                    .action("login").outcome("success").userName(identities.get(i)).vaultIdentity(identities.get(i)).build());
        }
        return logins;
    }

    /**
     * A failed Vault login without a token: {@code user.name} is the name its path claims, and Vault vouched for no identity.
     */
    static NormalizedEvent failedVaultLogin(String id, String claimedName) {
        return NormalizedEvent.builder(DAY.plusSeconds(60), id, NormalizedEvent.DATASET_VAULT).category("authentication")
                .action("update").outcome("failure").vaultOperation("update").vaultPath("auth/userpass/login/" + claimedName)
                .vaultAuditType("response").userName(claimedName).build();
    }

    static List<Alert> alerts() {
        return List.of(
                new Alert("al-1", "AL-001", "failed-login burst", Severity.HIGH, DAY.plusSeconds(3600 * 2 + 40),
                        DAY.plusSeconds(7200), DAY.plusSeconds(7240), 5, "alice", "5 failed logins for alice", List.of("ev-login-0"),
                        List.of("T1110"), "docs/runbooks.md#al-001", Alert.Status.OPEN),
                new Alert("al-2", "AL-024", "human read of pipeline secrets", Severity.MEDIUM, DAY.plusSeconds(86_400 + 60),
                        null, null, 4, "+cmd|' /C calc'!A0", "reads under airflow/connections/", List.of(), List.of(), null,
                        Alert.Status.OPEN));
    }

    /** Records as OpenSearch would return them (the indexed JSON). */
    static ReportRecord record(Object document, RecordKind kind) {
        return ReportRecord.fromDocument(kind, Json.MAPPER.valueToTree(document));
    }

    /** A source over fixed lists, in their order. */
    static RecordSource source(List<NormalizedEvent> events, List<Alert> alerts) {
        return new RecordSource() {
            @Override
            public void read(RecordKind kind, ReportQuery query, LongConsumer total, Consumer<ReportRecord> sink) throws IOException {
                List<?> docs = kind == RecordKind.EVENTS ? events : alerts;
                total.accept(docs.size());
                docs.forEach(d -> sink.accept(record(d, kind)));
            }

            @Override
            public String indexOf(RecordKind kind) {
                return kind == RecordKind.EVENTS ? "test-events-*" : "test-alerts";
            }
        };
    }
}
