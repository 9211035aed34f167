package io.airlock.alerting;

import io.airlock.alerting.internal.DeliveryFailures;
import io.airlock.alerting.internal.Sleeper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.IntConsumer;
import org.opensearch.client.opensearch.OpenSearchClient;
import org.opensearch.client.opensearch.core.BulkResponse;
import org.opensearch.client.opensearch.core.bulk.BulkOperation;
import org.opensearch.client.opensearch.core.bulk.BulkResponseItem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Indexes batches with synchronous {@code _bulk} requests and checks every item: acknowledged items are done, items
 * failing with 429/5xx are sent again with capped exponential backoff, any other failure (a mapping error) is
 * returned as {@link BulkResult.Rejected} for the dead-letter topic.
 *
 * <p>HTTP 401/403 (bad credentials, missing privileges, a read-only index block) is never the document's fault: it is
 * logged as an ERROR naming the cluster (URLs and user, never the password) and ends the call retriably, so the
 * delivery loops keep the backlog in Kafka instead of dead-lettering every record.
 *
 * <p>Why not opensearch-java's {@code BulkIngester}: the pinned opensearch-java 3.2.0 has none, and the delivery loops
 * need a synchronous "this whole Kafka batch is acknowledged" answer before committing offsets, which a plain bulk
 * request gives directly.
 *
 * <p>Write-once items (events, see {@link IndexItem}) go as bulk {@code create}: the index keeps the first version of
 * an {@code _id}, and a 409 {@code version_conflict_engine_exception} means it already holds one — a replay, a resent
 * request OpenSearch had applied, or an id that came again with other content — so the item counts as indexed, not
 * rejected, and {@link BulkResult#alreadyIndexed()} tells how many of those there were. Other items (alerts) go as bulk {@code index} and overwrite.
 *
 * <p>Several versions of one document in a batch are collapsed to one: the first of a write-once document (a row id
 * deleted and re-inserted within one batch keeps its original), the last of any other (an alert updated twice), so a
 * retry can never put an older alert over a newer one.
 */
public final class OpenSearchIndexer implements DocumentIndexer {

    private static final Logger log = LoggerFactory.getLogger(OpenSearchIndexer.class);
    private static final String VERSION_CONFLICT = "version_conflict_engine_exception";

    private final OpenSearchClient client;
    private final RetryPolicy policy;
    private final Sleeper sleeper;
    private final String cluster;

    public OpenSearchIndexer(OpenSearchClient client, RetryPolicy policy) {
        this(client, policy, "opensearch", Sleeper.REAL);
    }

    /**
     * An indexer whose alarms name the cluster (its URLs and user, never the password).
     */
    public OpenSearchIndexer(OpenSearchClient client, RetryPolicy policy, OpenSearchSettings settings) {
        this(client, policy, describe(settings), Sleeper.REAL);
    }

    OpenSearchIndexer(OpenSearchClient client, RetryPolicy policy, Sleeper sleeper) {
        this(client, policy, "opensearch", sleeper);
    }

    OpenSearchIndexer(OpenSearchClient client, RetryPolicy policy, String cluster, Sleeper sleeper) {
        this.client = Objects.requireNonNull(client, "client");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.cluster = Objects.requireNonNull(cluster, "cluster");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    }

    /** {@code opensearch [https://os-1:9200, https://os-2:9200] as user airlock}: no password. */
    static String describe(OpenSearchSettings settings) {
        return "opensearch " + settings.shownUrls() + settings.username().map(u -> " as user " + u).orElse(" without credentials");
    }

    @Override
    public BulkResult index(List<IndexItem> items) throws DeliveryException {
        return index(items, n -> { });
    }

    @Override
    public BulkResult index(List<IndexItem> items, IntConsumer retried) throws DeliveryException {
        if (items.isEmpty()) {
            return new BulkResult(0, List.of());
        }
        // one version of each (index, _id) is sent, the first of a write-once document, the last of any other;
        // remember every position it stands for
        Map<String, Integer> sent = new LinkedHashMap<>();
        Map<String, List<Integer>> positions = new LinkedHashMap<>();
        for (int i = 0; i < items.size(); i++) {
            String key = key(items.get(i));
            if (items.get(i).writeOnce()) {
                sent.putIfAbsent(key, i);
            } else {
                sent.remove(key);
                sent.put(key, i);
            }
            positions.computeIfAbsent(key, k -> new ArrayList<>()).add(i);
        }
        List<Integer> pending = new ArrayList<>(sent.values());
        List<BulkResult.Rejected> rejected = new ArrayList<>();
        Set<Integer> existing = new HashSet<>(); // write-once documents the index already held
        String lastProblem = "";
        for (int attempt = 1; attempt <= policy.maxAttempts() && !pending.isEmpty(); attempt++) {
            if (attempt > 1) {
                Duration wait = policy.backoff(attempt - 1);
                log.warn("opensearch: {} of {} documents not yet indexed ({}), attempt {} in {} ms", pending.size(),
                        items.size(), lastProblem, attempt, wait.toMillis());
                sleep(wait);
                retried.accept(pending.size());
            }
            List<BulkOperation> operations = new ArrayList<>(pending.size());
            for (int position : pending) {
                operations.add(operation(items.get(position)));
            }
            BulkResponse response;
            try {
                response = client.bulk(b -> b.operations(operations));
            } catch (Exception e) {
                Integer denied = DeliveryFailures.accessDeniedStatus(e);
                if (denied != null) {
                    // credentials or privileges: no document is at fault, so nothing is dead-lettered; the records stay
                    // in Kafka until someone fixes the cluster's access, and every retry says so again
                    log.error("{}: HTTP {} {}: Airlock cannot write its indices; check opensearch.username, the password "
                            + "and the user's index privileges. {} documents stay in Kafka and are retried", cluster, denied,
                            denied == 401 ? "(credentials rejected)" : "(missing privileges)", items.size());
                    throw new DeliveryException(cluster + ": access denied (HTTP " + denied + "), documents kept in Kafka", e);
                }
                if (!DeliveryFailures.isRetriable(e)) {
                    throw new PermanentDeliveryException("opensearch: bulk request refused: " + describe(e), e);
                }
                lastProblem = describe(e);
                continue;
            }
            List<Integer> retry = new ArrayList<>();
            int throttled = 0;
            int denied = 0;
            for (int i = 0; i < response.items().size() && i < pending.size(); i++) {
                BulkResponseItem result = response.items().get(i);
                int position = pending.get(i);
                if (result.error() == null && result.status() < 300) {
                    continue;
                }
                if (items.get(position).writeOnce() && isAlreadyIndexed(result)) {
                    existing.add(position); // the index keeps the version it has
                    continue;
                }
                if (DeliveryFailures.isRetriableStatus(result.status())) {
                    retry.add(position);
                    throttled++;
                } else if (DeliveryFailures.isAccessDenied(result.status())) {
                    retry.add(position); // missing index privileges, a read-only block: the cluster's fault, not the document's
                    denied++;
                } else {
                    String type = result.error() == null ? "unknown" : result.error().type();
                    String reason = result.error() == null ? "status " + result.status() : result.error().reason();
                    log.error("opensearch: rejected document {} in {}: status {} {}", result.id(), result.index(),
                            result.status(), type);
                    for (int p : positions.get(key(items.get(position)))) {
                        rejected.add(new BulkResult.Rejected(p, items.get(p).id(), result.status(), type, reason));
                    }
                }
            }
            if (response.items().size() < pending.size()) {
                throw new DeliveryException("opensearch: bulk response had " + response.items().size() + " items for "
                        + pending.size() + " operations");
            }
            if (denied > 0) {
                BulkResponseItem first = response.items().stream().filter(r -> DeliveryFailures.isAccessDenied(r.status()))
                        .findFirst().orElseThrow();
                log.error("{}: {} documents refused with HTTP {} {} in {}: missing index privileges or a read-only index "
                        + "block; they stay in Kafka and are retried", cluster, denied, first.status(),
                        first.error() == null ? "" : first.error().type(), first.index());
            }
            lastProblem = throttled + " items answered 429/5xx" + (denied > 0 ? ", " + denied + " items 401/403" : "");
            pending = retry;
        }
        if (!pending.isEmpty()) {
            throw new DeliveryException("opensearch: " + pending.size() + " of " + items.size()
                    + " documents not indexed after " + policy.maxAttempts() + " attempts, last: " + lastProblem);
        }
        rejected.sort((a, b) -> Integer.compare(a.position(), b.position()));
        return new BulkResult(items.size() - rejected.size(), alreadyIndexed(items, sent.values(), positions, existing, rejected),
                rejected);
    }

    /**
     * Acknowledged write-once items that wrote nothing: every position of a document the index already held, and the
     * later versions of one sent in this batch.
     */
    private static int alreadyIndexed(List<IndexItem> items, Collection<Integer> sent, Map<String, List<Integer>> positions,
                                      Set<Integer> existing, List<BulkResult.Rejected> rejected) {
        Set<Integer> refused = new HashSet<>();
        rejected.forEach(r -> refused.add(r.position()));
        int count = 0;
        for (int position : sent) {
            IndexItem item = items.get(position);
            if (item.writeOnce() && !refused.contains(position)) {
                int versions = positions.get(key(item)).size();
                count += existing.contains(position) ? versions : versions - 1;
            }
        }
        return count;
    }

    private static String key(IndexItem item) {
        return item.index() + '/' + item.id();
    }

    /** {@code create} for a write-once document: it fails rather than replace one the index holds; {@code index} else. */
    private static BulkOperation operation(IndexItem item) {
        if (item.writeOnce()) {
            return BulkOperation.of(op -> op.create(c -> c.index(item.index()).id(item.id()).document(item.document())));
        }
        return BulkOperation.of(op -> op.index(ix -> ix.index(item.index()).id(item.id()).document(item.document())));
    }

    /** A {@code create} answered 409: the index already holds a document with this {@code _id}. */
    private static boolean isAlreadyIndexed(BulkResponseItem result) {
        return result.status() == 409 && result.error() != null
                && VERSION_CONFLICT.equals(result.error().type());
    }

    private void sleep(Duration wait) throws DeliveryException {
        try {
            sleeper.sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeliveryException("opensearch: interrupted while retrying");
        }
    }

    private static String describe(Throwable e) {
        StringBuilder s = new StringBuilder(e.getClass().getSimpleName());
        if (e instanceof org.opensearch.client.opensearch._types.OpenSearchException ose) {
            s.append(" status ").append(ose.status()).append(' ').append(ose.error() == null ? "" : ose.error().type());
        } else if (e.getCause() != null) {
            s.append(" caused by ").append(e.getCause().getClass().getSimpleName());
        }
        return s.toString();
    }
}
