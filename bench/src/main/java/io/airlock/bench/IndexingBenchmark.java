package io.airlock.bench;

import io.airlock.alerting.IndexItem;
import io.airlock.alerting.IndexTemplates;
import io.airlock.alerting.OpenSearchClients;
import io.airlock.alerting.OpenSearchIndexer;
import io.airlock.alerting.OpenSearchSettings;
import io.airlock.alerting.RetryPolicy;
import io.airlock.core.IndexNames;
import io.airlock.core.NormalizedEvent;
import io.airlock.embedded.EmbeddedOpenSearch;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch.core.BulkResponse;
import org.opensearch.client.opensearch.core.bulk.BulkOperation;

/**
 * Indexing throughput: normalized events per second through Airlock's {@link OpenSearchIndexer} (last-version collapsing,
 * per-item checks, retries) beside a plain bulk loader (opensearch-java {@code _bulk} requests of the same documents and
 * batch size, response ignored) on the same embedded OpenSearch node, as a ratio (goal ≥ 0.8). Both write into fresh
 * indices under the same index templates, in batches of 500 (a Kafka poll of the event loop), one request at a time, the
 * way the event loop indexes. Rounds alternate and the best of each counts, so JIT warm-up favours neither. Not a test:
 * it prints figures.
 *
 * <pre>{@code mvn -B -o -q install -pl bench -DskipTests
 * java -cp "bench/target/airlock-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*" io.airlock.bench.IndexingBenchmark 200000}</pre>
 */
public final class IndexingBenchmark {

    private static final int BATCH = 500;
    private static final String[] USERS = {"alice", "bob", "carol", "dave", "svc-etl", "svc-backup"};
    private static final String[] PATHS = {"airflow/connections/postgres_default", "airflow/variables/s3_bucket",
        "secret/team-a/db", "database/creds/etl-readonly"};

    private IndexingBenchmark() {
    }

    /**
     * The result of alternating rounds, best of each.
     *
     * @param airlockDocsPerSecond docs/s through {@link OpenSearchIndexer}
     * @param plainDocsPerSecond docs/s through plain {@code _bulk} requests of the same documents and batch size
     */
    public record Comparison(double airlockDocsPerSecond, double plainDocsPerSecond) {
        /** Airlock over plain (goal: at least 0.8). */
        public double ratio() {
            return plainDocsPerSecond == 0 ? 0 : airlockDocsPerSecond / plainDocsPerSecond;
        }
    }

    public static void main(String[] args) throws Exception {
        BenchSuite.useBenchLogging();
        int docs = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        quietLogging();
        try (EmbeddedOpenSearch openSearch = EmbeddedOpenSearch.start()) {
            Comparison c = compare(openSearch, docs, rounds);
            System.out.printf(Locale.ROOT, "%nIndexing: Airlock %,.0f docs/s, plain bulk %,.0f docs/s, ratio %.2f (goal >= 0.8)%n",
                    c.airlockDocsPerSecond(), c.plainDocsPerSecond(), c.ratio());
            System.out.printf(Locale.ROOT, "{\"indexing_docs_per_s\": %.0f, \"indexing_plain_docs_per_s\": %.0f, "
                    + "\"indexing_ratio\": %.3f}%n", c.airlockDocsPerSecond(), c.plainDocsPerSecond(), c.ratio());
        }
    }

    /**
     * Alternating rounds of the plain loader and Airlock's indexer over the same {@code docs} events, each into fresh indices
     * (deleted afterwards), best of each.
     *
     * @throws IllegalStateException if a round does not end with exactly {@code docs} documents indexed
     */
    public static Comparison compare(EmbeddedOpenSearch openSearch, int docs, int rounds) throws Exception {
        List<NormalizedEvent> events = events(docs);
        String run = Long.toString(System.nanoTime() % 1_000_000, 36);
        double plain = 0;
        double airlock = 0;
        for (int round = 0; round < rounds; round++) {
            plain = Math.max(plain, measure("plain bulk loader", openSearch, events, run, round, false));
            airlock = Math.max(airlock, measure("Airlock OpenSearchIndexer", openSearch, events, run, round, true));
        }
        return new Comparison(airlock, plain);
    }

    private static double measure(String label, EmbeddedOpenSearch openSearch, List<NormalizedEvent> events, String run, int round,
                                  boolean airlock) throws Exception {
        OpenSearchSettings settings = OpenSearchSettings.local(openSearch.httpUri())
                .withIndexPrefix("bench-" + (airlock ? "airlock" : "plain") + "-" + run + "-" + round);
        OpenSearchClient client = OpenSearchClients.create(settings);
        try {
            IndexNames names = settings.indexNames();
            new IndexTemplates(client, settings).install();
            OpenSearchIndexer indexer = new OpenSearchIndexer(client, RetryPolicy.defaults(), settings);
            long start = System.nanoTime();
            for (int from = 0; from < events.size(); from += BATCH) {
                List<NormalizedEvent> batch = events.subList(from, Math.min(events.size(), from + BATCH));
                List<IndexItem> items = new ArrayList<>(batch.size());
                for (NormalizedEvent event : batch) {
                    items.add(IndexItem.event(names, event));
                }
                if (airlock) {
                    if (!indexer.index(items).rejected().isEmpty()) {
                        throw new IllegalStateException("documents rejected");
                    }
                } else {
                    List<BulkOperation> operations = new ArrayList<>(items.size());
                    for (IndexItem item : items) {
                        operations.add(BulkOperation.of(op -> op.index(ix -> ix.index(item.index()).id(item.id())
                                .document(item.document()))));
                    }
                    BulkResponse ignored = client.bulk(b -> b.operations(operations));
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            client.indices().refresh(r -> r.index(names.eventsPattern()));
            long count = client.count(c -> c.index(names.eventsPattern())).count();
            if (count != events.size()) {
                throw new IllegalStateException(label + " indexed " + count + " of " + events.size() + " documents");
            }
            double rate = events.size() / seconds;
            System.out.printf(Locale.ROOT, "round %d  %-26s %,d docs in %.2f s: %,.0f docs/s%n", round + 1, label, events.size(),
                    seconds, rate);
            client.indices().delete(d -> d.index(names.eventsPattern()));
            return rate;
        } finally {
            client._transport().close();
        }
    }

    /** Failed logins, dag runs and Vault reads over three days, every field an analyst filters on filled. */
    static List<NormalizedEvent> events(int n) {
        Instant t0 = Instant.parse("2026-03-01T00:00:00Z");
        List<NormalizedEvent> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Instant at = t0.plus(Duration.ofSeconds(i * (3L * 86_400) / n));
            String user = USERS[i % USERS.length];
            String id = String.format(Locale.ROOT, "%032x", (long) i * 2_654_435_761L);
            NormalizedEvent event = switch (i % 3) {
                case 0 -> NormalizedEvent.builder(at, id, NormalizedEvent.DATASET_AB_USER).category("authentication")
                        .action("login").outcome(NormalizedEvent.OUTCOME_FAILURE).userName(user)
                        .sourceIp("10.0." + (i % 250) + "." + (i % 200)).relatedUsers(List.of(user)).build();
                case 1 -> NormalizedEvent.builder(at, id, NormalizedEvent.DATASET_DAG_RUN).category("process").action("dag_run")
                        .outcome(NormalizedEvent.OUTCOME_SUCCESS).userName(user).dagId("etl_" + (i % 40))
                        .runId("manual__2026-03-01T00:00:00+00:00_" + i).runType("manual").state("running").build();
                default -> NormalizedEvent.builder(at, id, NormalizedEvent.DATASET_VAULT).category("iam").action("read")
                        .outcome(NormalizedEvent.OUTCOME_SUCCESS).vaultPath(PATHS[i % PATHS.length]).vaultOperation("read")
                        .vaultMountType("kv").vaultIdentity("entity-" + user).sourceIp("10.1.0." + (i % 250)).build();
            };
            out.add(event);
        }
        return out;
    }

    private static void quietLogging() {
        var root = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(ch.qos.logback.classic.Level.WARN);
    }
}
