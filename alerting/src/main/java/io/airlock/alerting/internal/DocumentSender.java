package io.airlock.alerting.internal;

import io.airlock.alerting.BulkResult;
import io.airlock.alerting.DeliveryException;
import io.airlock.alerting.DocumentIndexer;
import io.airlock.alerting.IndexItem;
import io.airlock.alerting.PermanentDeliveryException;
import io.airlock.alerting.RetryPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Indexes documents on its own thread, in bulk requests of whatever is queued (at most {@value #MAX_BULK}), in queue
 * order, so a newer version of a document never lands before an older one; a version still waiting when a newer one of
 * the same document ({@code _id}) arrives is replaced by it and its record settles ({@code superseded}). Acknowledged
 * documents settle their record; documents OpenSearch refuses for good are dead-lettered with its reason, then settled.
 * While OpenSearch is unavailable the request is retried with capped exponential backoff (documents queued meanwhile join
 * it, newer versions in place of older ones) and nothing else settles, so the records stay uncommitted; notifications do
 * not wait for it, and an outage holds one version per alert, not every update. An unexpected exception that repeats
 * {@value KafkaDeliveryLoop#ISOLATE_AFTER} times in a row makes it index the request document by document and
 * dead-letter only the one that still fails.
 */
public final class DocumentSender implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DocumentSender.class);
    static final int MAX_BULK = 500;

    /** One document from {@code record}, settling {@code entry} when done. */
    public record Task(IndexItem item, ConsumerRecord<byte[], byte[]> record, InFlightRecords.Entry entry) {
    }

    private final String indexKind;
    private final DocumentIndexer indexer;
    private final DeadLetters deadLetters;
    private final RetryPolicy backoff;
    private final Consumer<Throwable> onFatal;
    private final SupersedingQueue<Task> queue;
    private final CountDownLatch closing = new CountDownLatch(1);
    private final Thread worker;

    /**
     * @param indexKind {@code alerts} or {@code events}: the {@code index_kind} tag of the document counter
     */
    public DocumentSender(String indexKind, DocumentIndexer indexer, DeadLetters deadLetters, RetryPolicy backoff,
                          Consumer<Throwable> onFatal) {
        this.indexKind = Objects.requireNonNull(indexKind, "indexKind");
        this.indexer = Objects.requireNonNull(indexer, "indexer");
        this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
        this.backoff = Objects.requireNonNull(backoff, "backoff");
        this.onFatal = Objects.requireNonNull(onFatal, "onFatal");
        this.queue = new SupersedingQueue<>(task -> task.item().index() + '\u001f' + task.item().id(), task -> {
            DeliveryMetrics.documents(indexKind, "superseded", 1);
            task.entry().settle();
        });
        this.worker = new Thread(this::work, "airlock-index-" + indexKind);
        worker.setDaemon(true);
    }

    public DocumentSender start() {
        worker.start();
        return this;
    }

    public void submit(Task task) {
        task.entry().hold();
        queue.add(task);
    }

    private void work() {
        try {
            while (closing.getCount() > 0) {
                Task first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                List<Task> bulk = new ArrayList<>();
                bulk.add(first);
                queue.drainTo(bulk, MAX_BULK);
                index(bulk);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Error e) {
            onFatal.accept(e);
        } catch (RuntimeException e) {
            onFatal.accept(new IllegalStateException("document sender " + indexKind + " failed: " + KafkaDeliveryLoop.describe(e)));
        }
    }

    private void index(List<Task> bulk) throws InterruptedException {
        int failures = 0;
        int unexpected = 0;
        while (closing.getCount() > 0) {
            bulk.removeIf(t -> t.entry().abandoned());
            if (bulk.isEmpty()) {
                return;
            }
            Duration wait;
            try {
                indexNow(bulk);
                return;
            } catch (DeliveryException e) {
                if (closing.getCount() == 0) {
                    return; // stopping: the documents stay uncommitted in Kafka
                }
                failures++;
                wait = backoff.backoff(failures);
                DeliveryMetrics.documents(indexKind, "retried", bulk.size());
                log.warn("opensearch: {} {} documents not indexed ({}); trying again in {} ms", bulk.size(), indexKind,
                        e.getMessage(), wait.toMillis());
            } catch (RuntimeException e) {
                failures++;
                unexpected++;
                wait = backoff.backoff(failures);
                log.error("opensearch: unexpected {} indexing {} {} documents; trying again in {} ms",
                        KafkaDeliveryLoop.describe(e), bulk.size(), indexKind, wait.toMillis());
                if (unexpected >= KafkaDeliveryLoop.ISOLATE_AFTER) {
                    indexOneByOne(bulk);
                    return;
                }
            }
            if (closing.await(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                return;
            }
            queue.drainTo(bulk, MAX_BULK); // what arrived meanwhile joins the retry, in order, newer versions in place of older
        }
    }

    /** One bulk request; settles every task, or throws and settles none. */
    private void indexNow(List<Task> bulk) throws DeliveryException {
        List<IndexItem> items = new ArrayList<>(bulk.size());
        bulk.forEach(t -> items.add(t.item()));
        int failed;
        int alreadyIndexed = 0;
        try {
            BulkResult result = indexer.index(items, n -> DeliveryMetrics.documents(indexKind, "retried", n));
            stillRunning();
            for (BulkResult.Rejected rejected : result.rejected()) {
                deadLetters.sendNow(bulk.get(rejected.position()).record(), "opensearch-rejected",
                        "opensearch rejected the " + indexKind + " document: HTTP " + rejected.status() + " "
                                + rejected.errorType() + ": " + rejected.reason());
            }
            failed = result.rejected().size();
            alreadyIndexed = result.alreadyIndexed();
        } catch (PermanentDeliveryException e) {
            stillRunning(); // a request cut short by close() is no verdict on the documents
            for (Task task : bulk) {
                deadLetters.sendNow(task.record(), "opensearch-refused", e.getMessage());
            }
            failed = bulk.size();
        }
        DeliveryMetrics.documents(indexKind, "indexed", bulk.size() - failed - alreadyIndexed);
        DeliveryMetrics.documents(indexKind, "already_indexed", alreadyIndexed);
        DeliveryMetrics.documents(indexKind, "failed", failed);
        bulk.forEach(t -> t.entry().settle());
    }

    private void stillRunning() throws DeliveryException {
        if (closing.getCount() == 0) {
            throw new DeliveryException("opensearch: closing; the " + indexKind + " documents stay in Kafka");
        }
    }

    private void indexOneByOne(List<Task> bulk) throws InterruptedException {
        log.warn("opensearch: indexing {} {} documents one by one to isolate a failing one", bulk.size(), indexKind);
        for (Task task : bulk) {
            int failures = 0;
            while (closing.getCount() > 0 && !task.entry().abandoned()) {
                try {
                    try {
                        indexNow(List.of(task));
                    } catch (RuntimeException e) {
                        stillRunning();
                        log.error("opensearch: {}-{}@{} fails with {} every time; dead-lettering it", task.record().topic(),
                                task.record().partition(), task.record().offset(), KafkaDeliveryLoop.describe(e));
                        deadLetters.sendNow(task.record(), "internal-error", "unexpected " + KafkaDeliveryLoop.describe(e)
                                + " indexing the " + indexKind + " document");
                        DeliveryMetrics.documents(indexKind, "failed", 1);
                        task.entry().settle();
                    }
                    break;
                } catch (DeliveryException e) {
                    failures++;
                    if (closing.await(backoff.backoff(failures).toMillis(), TimeUnit.MILLISECONDS)) {
                        return;
                    }
                }
            }
        }
    }

    /**
     * Stops the worker (not by interrupting it: the OpenSearch client would report a cut-short request as refused); a
     * request under way finishes, unindexed documents stay uncommitted in Kafka.
     */
    @Override
    public void close() {
        closing.countDown();
        try {
            worker.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
