package io.airlock.alerting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.airlock.core.IndexNames;
import io.airlock.core.Json;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.opensearch.client.opensearch.OpenSearchClient;

/** The ISM path and the cut-off arithmetic, against a stub cluster. */
class IndexRetentionTest {

    private static final Instant NOW = Instant.parse("2026-03-15T00:00:00Z");
    private static final String ISM = "[{\"component\":\"opensearch-index-management\"},{\"component\":\"opensearch-security\"}]";

    private StubHttpServer server;
    private OpenSearchClient client;
    private IndexRetention retention;

    @BeforeEach
    void start() throws Exception {
        server = new StubHttpServer();
        client = OpenSearchClients.create(OpenSearchSettings.local(server.uri("")));
        retention = new IndexRetention(client, new IndexNames("airlock"), "opensearch-stub", 30, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @AfterEach
    void stop() throws Exception {
        client._transport().close();
        server.close();
    }

    @Test
    void shouldInstallAnIsmPolicyInsteadOfDeletingWhenTheClusterHasIsm() throws Exception {
        server.then(200, Map.of(), ISM)
                .then(404, Map.of(), "{\"error\":{\"type\":\"status_exception\",\"reason\":\"Policy not found\"},\"status\":404}")
                .then(201, Map.of(), "{\"_id\":\"airlock-events-retention\",\"_seq_no\":0,\"_primary_term\":1}")
                .then(200, Map.of(), "{\"updated_indices\":3,\"failures\":false,\"failed_indices\":[]}");

        IndexRetention.Outcome outcome = retention.runOnce();

        assertThat(outcome.ism()).isTrue();
        assertThat(outcome.deleted()).isEmpty();
        assertThat(server.requests()).extracting(r -> r.method() + " " + r.path().replaceFirst("\\?.*", "")).containsExactly(
                "GET /_cat/plugins", "GET /_plugins/_ism/policies/airlock-events-retention",
                "PUT /_plugins/_ism/policies/airlock-events-retention", "POST /_plugins/_ism/add/airlock-events-*");
        var policy = Json.tree(server.requests().get(2).body());
        assertThat(policy.at("/policy/states/0/transitions/0/conditions/min_index_age").asText()).isEqualTo("30d");
        assertThat(policy.at("/policy/states/1/actions/0").has("delete")).isTrue();
        assertThat(policy.at("/policy/ism_template/0/index_patterns/0").asText()).isEqualTo("airlock-events-*");
        assertThat(server.requests()).noneMatch(r -> r.method().equals("DELETE"));
    }

    @Test
    void shouldLeaveAnUpToDatePolicyAloneAndUpdateAChangedOne() throws Exception {
        String current = Json.writeString(retention.policy()).replace("{\"policy\":{", "{\"_id\":\"airlock-events-retention\","
                + "\"_seq_no\":7,\"_primary_term\":2,\"policy\":{");
        server.then(200, Map.of(), ISM).then(200, Map.of(), current)
                .then(200, Map.of(), ISM).then(200, Map.of(), current.replace("\"30d\"", "\"90d\""))
                .then(200, Map.of(), "{}").then(200, Map.of(), "{}");

        retention.runOnce();
        assertThat(server.requests()).hasSize(2);
        retention.runOnce();

        assertThat(server.requests()).hasSize(6);
        assertThat(server.requests().get(4).method()).isEqualTo("PUT");
        assertThat(server.requests().get(4).path()).contains("if_seq_no=7").contains("if_primary_term=2");
        assertThat(server.requests().get(5).path()).startsWith("/_plugins/_ism/change_policy/airlock-events-*");
    }

    @Test
    void shouldKeepAnIndexUntilItsNewestPossibleEventIsOlderThanTheRetention() {
        List<String> expired = retention.expired(List.of("airlock-events-2026.02.12", "airlock-events-2026.02.13",
                "airlock-events-2026.02.14", "airlock-events-2026.13.01", "airlockx-events-2001.01.01",
                "airlock-events-2001.01.01.bak"), NOW);

        // 2026-02-12 holds events up to 2026-02-13T00:00Z, exactly 30 days before now: all older than 30 days
        assertThat(expired).containsExactly("airlock-events-2026.02.12");
    }

    @Test
    void shouldFailRetriablyWhenAccessIsDenied() {
        server.then(200, Map.of(), "[]")
                .otherwise(403, "{\"error\":{\"type\":\"security_exception\",\"reason\":\"no permissions\"},\"status\":403}");

        assertThatThrownBy(retention::runOnce)
                .isInstanceOf(DeliveryException.class)
                .isNotInstanceOf(PermanentDeliveryException.class)
                .hasMessageContaining("opensearch-stub").hasMessageContaining("HTTP 403");
    }
}
