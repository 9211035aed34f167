package io.airlock.alerting;

import io.airlock.core.Alert;
import io.airlock.core.IndexNames;
import io.airlock.core.NormalizedEvent;
import java.util.Objects;

/**
 * One document to index: its index, its {@code _id} (the event or alert id, so replays overwrite instead of
 * duplicating) and its source, serialized with Airlock's JSON mapper.
 */
public record IndexItem(String index, String id, Object document) {

    public IndexItem {
        Objects.requireNonNull(index, "index");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(document, "document");
    }

    /** An event into its daily index, {@code _id} = {@code event.id}. */
    public static IndexItem event(IndexNames names, NormalizedEvent event) {
        return new IndexItem(names.eventsIndex(event.timestamp()), event.id(), event);
    }

    /** An alert into the alerts index, {@code _id} = {@code alert.id}: an update overwrites the previous version. */
    public static IndexItem alert(IndexNames names, Alert alert) {
        return new IndexItem(names.alertsIndex(), alert.id(), alert);
    }

    @Override
    public String toString() {
        return "IndexItem[index=" + index + ", id=" + id + "]"; // never the document: it is audit data
    }
}
