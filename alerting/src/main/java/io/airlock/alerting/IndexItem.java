package io.airlock.alerting;

import io.airlock.core.Alert;
import io.airlock.core.IndexNames;
import io.airlock.core.NormalizedEvent;
import java.util.Objects;

/**
 * One document to index: its index, its {@code _id} (the event or alert id, so a replay never duplicates it) and its
 * source, serialized with Airlock's JSON mapper.
 *
 * <p>{@code writeOnce} says what a second version of the same {@code _id} does. An event is a fact the source recorded
 * once: it is written once (bulk {@code create}) and its first version is kept, because an id can come again with other
 * content — an Airflow {@code log} row deleted and re-inserted with the same id, a database restored from a backup, a
 * reset sequence — and must not rewrite the evidence alerts point to. An alert is state that grows: an update overwrites
 * (bulk {@code index}).
 *
 * @param writeOnce {@code true}: created once, the first version of its {@code _id} stays; {@code false}: the last
 *                  version overwrites
 */
public record IndexItem(String index, String id, Object document, boolean writeOnce) {

    public IndexItem {
        Objects.requireNonNull(index, "index");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(document, "document");
    }

    /** An event into its daily index, {@code _id} = {@code event.id}, written once. */
    public static IndexItem event(IndexNames names, NormalizedEvent event) {
        return new IndexItem(names.eventsIndex(event.timestamp()), event.id(), event, true);
    }

    /**
     * An alert into the alerts index as {@link #alert(IndexNames, Alert)}, its relative runbook path resolved against the
     * configured {@code runbooks.base-url} ({@link AlertLinks#runbook}), so that an analyst in Dashboards gets a link that
     * opens; kept as it is when there is no base. The alert on Kafka keeps its relative path.
     */
    public static IndexItem alert(IndexNames names, Alert alert, AlertLinks links) {
        return alert(names, links.runbook(alert).map(uri -> alert.withRunbook(uri.toString())).orElse(alert));
    }

    /** An alert into the alerts index, {@code _id} = {@code alert.id}: an update overwrites the previous version. */
    public static IndexItem alert(IndexNames names, Alert alert) {
        return new IndexItem(names.alertsIndex(), alert.id(), alert, false);
    }

    @Override
    public String toString() {
        return "IndexItem[index=" + index + ", id=" + id + ", writeOnce=" + writeOnce + "]"; // never the document: it is audit data
    }
}
