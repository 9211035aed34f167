package io.airlock.alerting;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.core.IndexNames;
import io.airlock.embedded.EmbeddedOpenSearch;
import io.airlock.embedded.RealComponents;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.opensearch.client.opensearch.OpenSearchClient;

/** Retention against a real OpenSearch 2.19 node (core distribution: no ISM, so Airlock deletes). */
@ExtendWith(RealComponents.class)
class IndexRetentionIntegrationTest {

    private static final Instant NOW = Instant.parse("2026-03-15T10:00:00Z");

    private OpenSearchClient client;
    private IndexNames names;

    @BeforeEach
    void connect(EmbeddedOpenSearch openSearch) {
        OpenSearchSettings settings = OpenSearchSettings.local(openSearch.httpUri())
                .withIndexPrefix(RealComponents.uniqueName("retention"));
        client = OpenSearchClients.create(settings);
        names = settings.indexNames();
    }

    @AfterEach
    void disconnect() throws IOException {
        client.indices().delete(d -> d.index(names.prefix() + "*").ignoreUnavailable(true));
        client._transport().close();
    }

    private void create(String... indices) throws IOException {
        for (String index : indices) {
            client.indices().create(c -> c.index(index));
        }
    }

    private List<String> indices() throws IOException {
        List<String> out = new ArrayList<>(client.indices().get(g -> g.index(names.prefix() + "*")).result().keySet());
        out.sort(null);
        return out;
    }

    @Test
    void shouldDeleteExactlyTheDailyEventIndicesOlderThanTheRetention() throws Exception {
        String p = names.prefix();
        create(p + "-events-2025.12.31", p + "-events-2026.02.12", // every event older than 30 days
                p + "-events-2026.02.13", p + "-events-2026.03.15", // some events younger
                p + "-events-2026.03.16", // clock skew: tomorrow
                p + "-events-2020.01.01-restored", p + "-events-archive", p + "-alerts"); // not daily event indices
        client.indices().close(c -> c.index(p + "-events-2025.12.31")); // closed indices count too

        IndexRetention retention = new IndexRetention(client, names, "opensearch-it", 30, Clock.fixed(NOW, ZoneOffset.UTC));
        IndexRetention.Outcome outcome = retention.runOnce();

        assertThat(outcome.ism()).isFalse();
        assertThat(outcome.deleted()).containsExactly(p + "-events-2025.12.31", p + "-events-2026.02.12");
        assertThat(indices()).containsExactly(p + "-alerts", p + "-events-2020.01.01-restored", p + "-events-2026.02.13",
                p + "-events-2026.03.15", p + "-events-2026.03.16", p + "-events-archive");
        assertThat(retention.runOnce().deleted()).isEmpty(); // idempotent
    }

    @Test
    void shouldRunAtStartOnItsOwnSchedule() throws Exception {
        create(names.prefix() + "-events-2001.01.01", names.prefix() + "-events-2026.03.15");

        IndexRetention retention = new IndexRetention(client, names, "opensearch-it", 30,
                Clock.fixed(NOW, ZoneOffset.UTC)).start(java.time.Duration.ofHours(1));
        try {
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(indices()).containsExactly(names.prefix() + "-events-2026.03.15"));
        } finally {
            retention.close();
        }
    }
}
