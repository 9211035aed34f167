package io.airlock.app;

import io.airlock.alerting.OpenSearchClients;
import io.airlock.alerting.OpenSearchSettings;
import java.io.IOException;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch._types.OpenSearchException;

/** Counts what reached OpenSearch, for the demo's progress check and summary. */
final class DemoProbe {

    private final OpenSearchClient client;
    private final OpenSearchSettings settings;

    DemoProbe(OpenSearchSettings settings) {
        this.settings = settings;
        this.client = OpenSearchClients.create(settings);
    }

    long alertDocuments() {
        return count(settings.indexNames().alertsIndex());
    }

    long eventDocuments() {
        return count(settings.indexNames().eventsPattern());
    }

    private long count(String index) {
        try {
            client.indices().refresh(r -> r.index(index).ignoreUnavailable(true).allowNoIndices(true));
            return client.count(c -> c.index(index).ignoreUnavailable(true).allowNoIndices(true)).count();
        } catch (IOException | OpenSearchException e) {
            return 0;
        }
    }
}
