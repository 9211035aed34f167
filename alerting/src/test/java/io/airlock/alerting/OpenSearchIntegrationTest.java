package io.airlock.alerting;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.core.Alert;
import io.airlock.core.IndexNames;
import io.airlock.core.Json;
import io.airlock.core.NormalizedEvent;
import io.airlock.embedded.EmbeddedOpenSearch;
import io.airlock.embedded.RealComponents;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch.generic.Requests;

/** Templates and indexing against a real OpenSearch 2.19 node. */
@ExtendWith(RealComponents.class)
class OpenSearchIntegrationTest {

    private OpenSearchClient client;
    private IndexNames names;
    private OpenSearchIndexer indexer;

    @BeforeEach
    void connect(EmbeddedOpenSearch openSearch) throws Exception {
        OpenSearchSettings settings = OpenSearchSettings.local(openSearch.httpUri())
                .withIndexPrefix(RealComponents.uniqueName("it"));
        client = OpenSearchClients.create(settings);
        names = settings.indexNames();
        new IndexTemplates(client, settings).install();
        indexer = new OpenSearchIndexer(client, RetryPolicy.defaults());
    }

    @AfterEach
    void disconnect() throws IOException {
        client._transport().close();
    }

    @Test
    void shouldInstallBothTemplatesIdempotently() throws Exception {
        new IndexTemplates(client, names, 0).install(); // a second time changes nothing

        JsonNode events = get("/_index_template/" + names.eventsTemplate()).path("index_templates").get(0);
        JsonNode alerts = get("/_index_template/" + names.alertsIndex()).path("index_templates").get(0);
        assertThat(events.at("/index_template/index_patterns/0").asText()).isEqualTo(names.eventsPattern());
        assertThat(alerts.at("/index_template/index_patterns/0").asText()).isEqualTo(names.alertsIndex());
        assertThat(events.at("/index_template/template/settings/index/number_of_replicas").asText()).isEqualTo("0");
    }

    @Test
    void shouldIndexTheSameThreeEventsTwiceAsThreeDocuments() throws Exception {
        List<IndexItem> events = List.of(
                IndexItem.event(names, TestAlerts.failedLogin("ev-1", "alice", TestAlerts.T0)),
                IndexItem.event(names, TestAlerts.failedLogin("ev-2", "alice", TestAlerts.T0.plusSeconds(5))),
                IndexItem.event(names, TestAlerts.failedLogin("ev-3", "bob", TestAlerts.T0.plusSeconds(9))));

        assertThat(indexer.index(events).rejected()).isEmpty();
        assertThat(indexer.index(events).rejected()).isEmpty();

        refresh(names.eventsPattern());
        assertThat(client.count(c -> c.index(names.eventsPattern())).count()).isEqualTo(3);
        String daily = names.eventsIndex(TestAlerts.T0);
        var doc = client.get(g -> g.index(daily).id("ev-2"), NormalizedEvent.class);
        assertThat(doc.found()).isTrue();
        assertThat(doc.source()).isEqualTo(TestAlerts.failedLogin("ev-2", "alice", TestAlerts.T0.plusSeconds(5)));
        JsonNode mapping = get("/" + daily + "/_mapping").path(daily).path("mappings");
        assertThat(mapping.at("/properties/event/properties/id/type").asText()).isEqualTo("keyword");
        assertThat(mapping.at("/properties/source/properties/ip/type").asText()).isEqualTo("ip");
        // dotted keys are queryable as object paths
        assertThat(client.count(c -> c.index(names.eventsPattern())
                .query(q -> q.term(t -> t.field("user.name").value(v -> v.stringValue("alice"))))).count()).isEqualTo(2);
    }

    @Test
    void shouldOverwriteAnAlertWithItsUpdate() throws Exception {
        indexer.index(List.of(IndexItem.alert(names, TestAlerts.failedLoginBurst().count(5).build())));
        indexer.index(List.of(IndexItem.alert(names, TestAlerts.failedLoginBurst().count(9).build())));

        refresh(names.alertsIndex());
        assertThat(client.count(c -> c.index(names.alertsIndex())).count()).isEqualTo(1);
        Alert stored = client.get(g -> g.index(names.alertsIndex()).id(TestAlerts.failedLoginBurst().build().id()),
                Alert.class).source();
        assertThat(stored.count()).isEqualTo(9);
        assertThat(stored.lastSeen()).isEqualTo(TestAlerts.T0.plusSeconds(9 * 60));
    }

    @Test
    void shouldKeepTheFirstVersionOfAnEventWhenItsIdComesAgainWithOtherContent() throws Exception {
        // bob's trigger is row 1 of log; someone deletes the row and inserts a row 1 that blames alice
        NormalizedEvent original = TestAlerts.dagTriggered("log-1", "bob", "payments_export", TestAlerts.T0);
        NormalizedEvent forged = TestAlerts.dagTriggered("log-1", "alice", "payments_export", TestAlerts.T0.plusSeconds(30));
        BulkResult first = indexer.index(List.of(IndexItem.event(names, original)));
        assertThat(first.rejected()).isEmpty();
        assertThat(first.alreadyIndexed()).isZero();

        BulkResult again = indexer.index(List.of(IndexItem.event(names, forged)));

        assertThat(again.rejected()).as("the 409 of the create is no rejection").isEmpty();
        assertThat(again.indexed()).isEqualTo(1);
        assertThat(again.alreadyIndexed()).isEqualTo(1);
        assertThat(storedEvents("log-1")).containsExactly(original);
    }

    @Test
    void shouldKeepTheFirstVersionOfAnEventWhoseIdComesTwiceInOneBatch() throws Exception {
        NormalizedEvent original = TestAlerts.dagTriggered("log-1", "bob", "payments_export", TestAlerts.T0);
        NormalizedEvent forged = TestAlerts.dagTriggered("log-1", "alice", "payments_export", TestAlerts.T0.plusSeconds(30));

        BulkResult result = indexer.index(List.of(IndexItem.event(names, original), IndexItem.event(names, forged)));

        assertThat(result.rejected()).isEmpty();
        assertThat(result.indexed()).isEqualTo(2);
        assertThat(result.alreadyIndexed()).isEqualTo(1);
        assertThat(storedEvents("log-1")).containsExactly(original);
    }

    @Test
    void shouldOverwriteAnAlertWithItsLaterUpdateInOneBatch() throws Exception {
        BulkResult result = indexer.index(List.of(IndexItem.alert(names, TestAlerts.failedLoginBurst().count(5).build()),
                IndexItem.alert(names, TestAlerts.failedLoginBurst().count(9).build())));

        assertThat(result.rejected()).isEmpty();
        assertThat(result.alreadyIndexed()).isZero();
        Alert stored = client.get(g -> g.index(names.alertsIndex()).id(TestAlerts.failedLoginBurst().build().id()),
                Alert.class).source();
        assertThat(stored.count()).isEqualTo(9);
    }

    @Test
    void shouldReportAMappingErrorAsAPermanentRejectionAndIndexTheRest() throws Exception {
        Map<String, Object> broken = new LinkedHashMap<>();
        broken.put("@timestamp", "yesterday-ish");
        broken.put("event.id", "bad-1");
        String daily = names.eventsIndex(TestAlerts.T0);

        BulkResult result = indexer.index(List.of(
                IndexItem.event(names, TestAlerts.failedLogin("ok-1", "alice", TestAlerts.T0)),
                new IndexItem(daily, "bad-1", broken, true)));

        assertThat(result.indexed()).isEqualTo(1);
        assertThat(result.rejected()).singleElement().satisfies(r -> {
            assertThat(r.position()).isEqualTo(1);
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.errorType()).isEqualTo("mapper_parsing_exception");
        });
    }

    @Test
    void shouldNotLetHostileFieldsGrowTheMapping() throws Exception {
        Map<String, Object> hostile = new LinkedHashMap<>();
        hostile.put("@timestamp", TestAlerts.T0.toString());
        hostile.put("event.id", "hostile-1");
        for (int i = 0; i < 500; i++) {
            hostile.put("x" + i + ".y", "z");
        }
        String daily = names.eventsIndex(TestAlerts.T0);

        assertThat(indexer.index(List.of(new IndexItem(daily, "hostile-1", hostile, true))).rejected()).isEmpty();

        JsonNode properties = get("/" + daily + "/_mapping").path(daily).path("mappings").path("properties");
        assertThat(properties.has("x1")).isFalse();
    }

    /** Every event document with this {@code event.id}, in any daily index. */
    private List<NormalizedEvent> storedEvents(String eventId) throws IOException {
        refresh(names.eventsPattern());
        return client.search(s -> s.index(names.eventsPattern())
                        .query(q -> q.term(t -> t.field("event.id").value(v -> v.stringValue(eventId)))), NormalizedEvent.class)
                .hits().hits().stream().map(h -> h.source()).toList();
    }

    private void refresh(String index) throws IOException {
        client.indices().refresh(r -> r.index(index));
    }

    private JsonNode get(String path) throws IOException {
        try (var response = client.generic().execute(Requests.builder().method("GET").endpoint(path).build())) {
            assertThat(response.getStatus()).as("GET %s", path).isEqualTo(200);
            return Json.tree(response.getBody().orElseThrow().bodyAsString());
        }
    }
}
