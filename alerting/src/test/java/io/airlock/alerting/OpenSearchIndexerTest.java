package io.airlock.alerting;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.airlock.alerting.internal.Sleeper;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.opensearch.client.opensearch.OpenSearchClient;

/** Per-item handling of bulk responses, against a stub {@code _bulk} endpoint. */
class OpenSearchIndexerTest {

    private StubHttpServer server;
    private OpenSearchClient client;
    private final List<Duration> waits = new CopyOnWriteArrayList<>();
    private OpenSearchIndexer indexer;

    @BeforeEach
    void start() throws Exception {
        server = new StubHttpServer();
        URI base = server.uri("");
        client = OpenSearchClients.create(OpenSearchSettings.local(base));
        indexer = new OpenSearchIndexer(client, RetryPolicy.defaults().withMaxAttempts(3)
                .withBackoff(Duration.ofMillis(100), Duration.ofSeconds(1)), (Sleeper) waits::add);
    }

    @AfterEach
    void stop() throws Exception {
        client._transport().close();
        server.close();
    }

    private static String item(String id, int status, String errorType) {
        String error = errorType == null ? "\"result\":\"created\""
                : "\"error\":{\"type\":\"" + errorType + "\",\"reason\":\"because\"}";
        return "{\"index\":{\"_index\":\"i\",\"_id\":\"" + id + "\",\"status\":" + status + "," + error + "}}";
    }

    private static String bulk(String... items) {
        return "{\"took\":1,\"errors\":true,\"items\":[" + String.join(",", items) + "]}";
    }

    private static List<IndexItem> docs(String... ids) {
        return java.util.Arrays.stream(ids).map(id -> new IndexItem("i", id, Map.of("event.id", id), false)).toList();
    }

    @Test
    void shouldRetryThrottledItemsOnlyAndReportPermanentRejections() throws Exception {
        server.then(200, Map.of(), bulk(item("a", 201, null), item("b", 429, "es_rejected_execution_exception"),
                        item("c", 400, "mapper_parsing_exception")))
                .then(200, Map.of(), bulk(item("b", 201, null)));

        BulkResult result = indexer.index(docs("a", "b", "c"));

        assertThat(result.indexed()).isEqualTo(2);
        assertThat(result.rejected()).singleElement().satisfies(r -> {
            assertThat(r.position()).isEqualTo(2);
            assertThat(r.id()).isEqualTo("c");
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.errorType()).isEqualTo("mapper_parsing_exception");
        });
        assertThat(server.requests()).hasSize(2);
        assertThat(server.requests().get(0).path()).startsWith("/_bulk");
        assertThat(server.requests().get(1).body()).contains("\"_id\":\"b\"").doesNotContain("\"_id\":\"a\"", "\"_id\":\"c\"");
        assertThat(waits).containsExactly(Duration.ofMillis(100));
    }

    @Test
    void shouldRetryAnUnavailableClusterThenGiveUpRetriably() {
        server.otherwise(503, "{\"error\":{\"type\":\"cluster_block_exception\",\"reason\":\"blocked\"},\"status\":503}");

        assertThatThrownBy(() -> indexer.index(docs("a")))
                .isInstanceOf(DeliveryException.class)
                .isNotInstanceOf(PermanentDeliveryException.class)
                .hasMessageContaining("after 3 attempts");
        assertThat(server.requests()).hasSize(3);
        assertThat(waits).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
    }

    @Test
    void shouldReportEveryRetriedDocument() throws Exception {
        server.then(200, Map.of(), bulk(item("a", 201, null), item("b", 429, "es_rejected_execution_exception"),
                        item("c", 503, "unavailable_shards_exception")))
                .then(503, Map.of(), "{\"error\":{\"type\":\"cluster_block_exception\",\"reason\":\"blocked\"},\"status\":503}")
                .then(200, Map.of(), bulk(item("b", 201, null), item("c", 201, null)));
        List<Integer> retried = new CopyOnWriteArrayList<>();

        BulkResult result = indexer.index(docs("a", "b", "c"), retried::add);

        assertThat(result.indexed()).isEqualTo(3);
        assertThat(retried).as("b and c after the 429/503 items, again after the 503 answer").containsExactly(2, 2);
        assertThat(server.requests()).hasSize(3);
    }

    @Test
    void shouldFailPermanentlyWhenTheWholeRequestIsRefused() {
        server.otherwise(400, "{\"error\":{\"type\":\"illegal_argument_exception\",\"reason\":\"bad\"},\"status\":400}");

        assertThatThrownBy(() -> indexer.index(docs("a"))).isInstanceOf(PermanentDeliveryException.class);
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void shouldSendOnlyTheLastVersionOfADocument() throws Exception {
        server.then(200, Map.of(), bulk(item("a", 200, null)));
        List<IndexItem> items = List.of(new IndexItem("i", "a", Map.of("count", 1), false), new IndexItem("i", "a", Map.of("count", 2), false));

        BulkResult result = indexer.index(items);

        assertThat(result.indexed()).isEqualTo(2);
        assertThat(result.alreadyIndexed()).as("an alert's earlier version is overwritten, not kept").isZero();
        assertThat(server.requests().get(0).body()).contains("\"count\":2").doesNotContain("\"count\":1");
    }

    @Test
    void shouldCreateWriteOnceDocumentsAndCountAVersionConflictAsIndexed() throws Exception {
        server.then(200, Map.of(), bulk(
                "{\"create\":{\"_index\":\"i\",\"_id\":\"a\",\"status\":201,\"result\":\"created\"}}",
                "{\"create\":{\"_index\":\"i\",\"_id\":\"b\",\"status\":409,\"error\":{\"type\":"
                        + "\"version_conflict_engine_exception\",\"reason\":\"[b]: version conflict, document already exists\"}}}"));
        List<IndexItem> items = List.of(new IndexItem("i", "a", Map.of("n", 1), true), new IndexItem("i", "b", Map.of("n", 1), true));

        BulkResult result = indexer.index(items);

        assertThat(result.indexed()).isEqualTo(2);
        assertThat(result.alreadyIndexed()).isEqualTo(1);
        assertThat(result.rejected()).isEmpty();
        assertThat(server.requests()).as("an existing document is not retried").hasSize(1);
        assertThat(server.requests().get(0).body()).contains("{\"create\":").doesNotContain("{\"index\":");
    }

    @Test
    void shouldSendOnlyTheFirstVersionOfAWriteOnceDocument() throws Exception {
        server.then(200, Map.of(), bulk("{\"create\":{\"_index\":\"i\",\"_id\":\"a\",\"status\":201,\"result\":\"created\"}}"));
        List<IndexItem> items = List.of(new IndexItem("i", "a", Map.of("owner", "bob"), true),
                new IndexItem("i", "a", Map.of("owner", "alice"), true));

        BulkResult result = indexer.index(items);

        assertThat(result.indexed()).isEqualTo(2);
        assertThat(result.alreadyIndexed()).as("the later version wrote nothing").isEqualTo(1);
        assertThat(server.requests().get(0).body()).contains("\"owner\":\"bob\"").doesNotContain("alice");
    }

    @Test
    void shouldTreatRejectedCredentialsAsRetriableAndNameTheClusterButNotThePassword() throws Exception {
        server.otherwise(401, "Unauthorized");
        OpenSearchSettings settings = OpenSearchSettings.local(server.uri("")).withCredentials("airlock", Secret.of("hunter2"));
        var authClient = OpenSearchClients.create(settings);
        try {
            OpenSearchIndexer withCluster = new OpenSearchIndexer(authClient, RetryPolicy.defaults(), settings);

            assertThatThrownBy(() -> withCluster.index(docs("a")))
                    .isInstanceOf(DeliveryException.class)
                    .isNotInstanceOf(PermanentDeliveryException.class)
                    .hasMessageContaining("access denied (HTTP 401)")
                    .hasMessageContaining(server.uri("").toString())
                    .hasMessageContaining("as user airlock")
                    .hasMessageNotContaining("hunter2");
            assertThat(server.requests()).hasSize(1); // no quick retries: credentials do not fix themselves
        } finally {
            authClient._transport().close();
        }
    }

    @Test
    void shouldTreatMissingPrivilegesAsRetriable() {
        server.otherwise(403, "{\"error\":{\"type\":\"security_exception\",\"reason\":\"no permissions for "
                + "[indices:data/write/bulk]\"},\"status\":403}");

        assertThatThrownBy(() -> indexer.index(docs("a")))
                .isInstanceOf(DeliveryException.class)
                .isNotInstanceOf(PermanentDeliveryException.class)
                .hasMessageContaining("HTTP 403");
    }

    @Test
    void shouldRetryItemsRefusedWithForbiddenInsteadOfRejectingThem() throws Exception {
        server.then(200, Map.of(), bulk(item("a", 403, "cluster_block_exception"), item("b", 201, null)))
                .then(200, Map.of(), bulk(item("a", 201, null)));

        BulkResult result = indexer.index(docs("a", "b"));

        assertThat(result.rejected()).isEmpty();
        assertThat(result.indexed()).isEqualTo(2);
        assertThat(server.requests()).hasSize(2);
    }

    @Test
    void shouldGiveUpRetriablyWhenItemsStayForbidden() {
        server.otherwise(200, bulk(item("a", 403, "cluster_block_exception")));

        assertThatThrownBy(() -> indexer.index(docs("a")))
                .isInstanceOf(DeliveryException.class)
                .isNotInstanceOf(PermanentDeliveryException.class)
                .hasMessageContaining("401/403");
    }
}
