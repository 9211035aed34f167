package io.airlock.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.core.Alert;
import io.airlock.core.NormalizedEvent;
import io.airlock.core.Severity;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReportSummaryTest {

    private static final ReportQuery QUERY = new ReportQuery(SampleData.DAY, SampleData.DAY.plusSeconds(86_400), List.of(), List.of());

    @Test
    void shouldPutTheBusiestIdentityFirstHoweverManyNamesCameBeforeIt() {
        ReportSummary summary = new ReportSummary(QUERY);
        SampleData.manyNamesThenOne(10_000, "mallory", 3_000).forEach(e -> summary.add(SampleData.record(e, RecordKind.EVENTS)));
        for (int i = 0; i < 10_000; i++) {
            summary.add(SampleData.record(alert("al-" + i, "entity-" + i), RecordKind.ALERTS));
        }
        for (int i = 0; i < 30; i++) {
            summary.add(SampleData.record(alert("al-m" + i, "mallory"), RecordKind.ALERTS));
        }

        assertThat(summary.topIdentities(2)).containsExactly(Map.entry("mallory", 3_000L), Map.entry("token-0", 1L));
        assertThat(summary.alertsPerEntity(1)).containsExactly(Map.entry("mallory", 30L));
        var json = summary.toJson();
        assertThat(json.path("events_per_identity").fieldNames().next()).isEqualTo("mallory");
        assertThat(json.path("events_per_identity").size()).isEqualTo(ReportSummary.TOP_IN_MANIFEST);
        assertThat(json.path("events_per_identity").has("(others)")).isFalse();
        assertThat(json.path("alerts_per_entity").path("mallory").asLong()).isEqualTo(30);
    }

    @Test
    void shouldStillPutAHeavyNewcomerOnTopBeyondTheBoundAndSayTheCountsAreApproximate() {
        ReportSummary summary = new ReportSummary(QUERY, new KeyCounts.Bound(100, 1_000_000, 10));
        SampleData.manyNamesThenOne(10_000, "mallory", 3_000).forEach(e -> summary.add(SampleData.record(e, RecordKind.EVENTS)));

        assertThat(summary.topIdentities(2)).first().isEqualTo(Map.entry("mallory", 3_000L));
        assertThat(summary.approximated()).containsExactly(Map.entry("events_per_identity", 12_900L)); // all after token-99
        assertThat(summary.toJson().path("approximate_counts").toString()).isEqualTo("{\"events_per_identity\":12900}");
        assertThat(summary.toJson().path("events_per_identity").fieldNames().next()).isEqualTo("mallory");
        assertThat(summary.approximationNote()).first().asString().contains("events_per_identity (12900 records)");
    }

    @Test
    void shouldKeepAHeavyHitterHiddenAmongNewNamesInTheSketchWithACountItCertainlyReached() {
        ReportSummary summary = new ReportSummary(QUERY, new KeyCounts.Bound(100, 1_000_000, 10));
        long mallory = 0;
        for (int i = 0; i < 20_000; i++) { // a made-up name, then mallory, three made-up names, mallory, …
            boolean hers = i % 4 == 1;
            mallory += hers ? 1 : 0;
            summary.add(SampleData.record(vaultLogin("ev-" + i, hers ? "mallory" : "token-" + i), RecordKind.EVENTS));
        }

        var top = summary.topIdentities(1).get(0);
        assertThat(top.getKey()).isEqualTo("mallory");
        assertThat(top.getValue()).as("a lower bound, off by at most the sketched records over the counters")
                .isBetween(mallory - summary.approximated().get("events_per_identity") / 10, mallory);
        assertThat(new ReportSummary(QUERY).toJson().has("approximate_counts")).as("exact counts say nothing").isFalse();
    }

    private static NormalizedEvent vaultLogin(String id, String identity) {
        return NormalizedEvent.builder(SampleData.DAY, id, NormalizedEvent.DATASET_VAULT).category("authentication")
                .action("update").outcome("success").userName(identity).vaultIdentity(identity).build();
    }

    @Test
    void shouldKeepUsersNamedLikeAPlaceholderApartFromRecordsWithoutIdentity() {
        ReportSummary summary = new ReportSummary(QUERY);
        for (String user : new String[] {"(none)", "(others)", null, null}) {
            summary.add(SampleData.record(NormalizedEvent.builder(SampleData.DAY, "ev-" + user + summary.events(),
                    NormalizedEvent.DATASET_LOG).category("web").action("index").userName(user).build(), RecordKind.EVENTS));
        }

        assertThat(summary.toJson().path("events_per_identity").toString())
                .isEqualTo("{\"\":2,\"(none)\":1,\"(others)\":1}");
        assertThat(ReportSummary.rows(summary.topIdentities(3)))
                .containsExactly(List.of("(not set)", "2"), List.of("(none)", "1"), List.of("(others)", "1"));
    }

    @Test
    void shouldCountVaultEventsByTheIdentityVaultVouchedForNotTheNameALoginClaimed() {
        ReportSummary summary = new ReportSummary(QUERY);
        for (int i = 0; i < 1_000; i++) {
            summary.add(SampleData.record(SampleData.failedVaultLogin("ev-fail-" + i, "made-up-" + i), RecordKind.EVENTS));
        }
        summary.add(SampleData.record(vaultRead("ev-read", "token-reporting", "0f6a3c2e-entity"), RecordKind.EVENTS));
        summary.add(SampleData.record(NormalizedEvent.builder(SampleData.DAY, "ev-airflow", NormalizedEvent.DATASET_LOG)
                .category("configuration").action("variable.edit").userName("alice").build(), RecordKind.EVENTS));

        assertThat(summary.topIdentities(10)).containsExactly(Map.entry(KeyCounts.NONE, 1_000L),
                Map.entry("0f6a3c2e-entity", 1L), Map.entry("alice", 1L));
        assertThat(summary.loginsFailed()).isEqualTo(1_000);
    }

    @Test
    void shouldRecountFormatTwoIdentitiesByUserNameFirstAsItCountedThem() {
        ReportSummary format2 = ReportSummary.recount(2);
        format2.add(SampleData.record(vaultRead("ev-read", "token-reporting", "0f6a3c2e-entity"), RecordKind.EVENTS));
        format2.add(SampleData.record(SampleData.failedVaultLogin("ev-fail", "bob"), RecordKind.EVENTS));

        assertThat(format2.topIdentities(10)).containsExactly(Map.entry("bob", 1L), Map.entry("token-reporting", 1L));
    }

    private static Alert alert(String id, String entity) {
        return new Alert(id, "AL-001", "failed-login burst", Severity.HIGH, SampleData.DAY.plusSeconds(60), null, null, 1, entity,
                "burst", List.of(), List.of(), null, Alert.Status.OPEN);
    }

    @Test
    void shouldNameTheVaultEntityIdsOfSelectedEventsThatAlertsAreKeyedBy() {
        ReportSummary summary = new ReportSummary(new ReportQuery(SampleData.DAY, SampleData.DAY.plusSeconds(86_400), List.of(),
                List.of("token-reporting", "alice")));
        summary.add(SampleData.record(vaultRead("ev-1", "token-reporting", "0f6a3c2e-entity"), RecordKind.EVENTS));
        summary.add(SampleData.record(vaultRead("ev-2", "alice", "alice"), RecordKind.EVENTS)); // a token without entity

        assertThat(summary.vaultEntitiesNotSelected()).containsExactly("0f6a3c2e-entity");
        assertThat(new ReportSummary(QUERY).vaultEntitiesNotSelected()).as("without --users").isEmpty();
    }

    @Test
    void shouldNameTheVaultEntityIdsSorted() {
        ReportSummary summary = new ReportSummary(new ReportQuery(SampleData.DAY, SampleData.DAY.plusSeconds(86_400), List.of(),
                List.of("token-reporting")));
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < ReportSummary.MAX_ENTITY_HINTS; i++) {
            ids.add(String.format("%02d-entity", i));
        }
        List<String> reversed = new java.util.ArrayList<>(ids);
        java.util.Collections.reverse(reversed);
        for (String id : reversed) {
            summary.add(SampleData.record(vaultRead("ev-" + id, "token-reporting", id), RecordKind.EVENTS));
        }

        assertThat(summary.vaultEntitiesNotSelected()).containsExactlyElementsOf(ids);
    }

    private static NormalizedEvent vaultRead(String id, String displayName, String identity) {
        return NormalizedEvent.builder(SampleData.DAY, id, NormalizedEvent.DATASET_VAULT).category("api").action("read")
                .vaultOperation("read").userName(displayName).vaultIdentity(identity).build();
    }
}
