package io.airlock.ingest.vault.internal;

import io.airlock.core.SourceHeaders;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Where an audit line was read, as the {@link SourceHeaders} of its Kafka record.
 *
 * @param source   {@code vault-file:<file id>} or {@code vault-socket:<peer>}
 * @param position byte offset of the line's first byte in the file; null for a socket (no stable position)
 */
public record LineOrigin(String source, Long position) {

    /** A line starting at byte {@code offset} of the file with identity {@code fileId} (device and inode). */
    public static LineOrigin file(String fileId, long offset) {
        return new LineOrigin(SourceHeaders.VAULT_FILE + fileId, offset);
    }

    /** A line received from {@code peer} ({@code host:port}). */
    public static LineOrigin socket(String peer) {
        return new LineOrigin(SourceHeaders.VAULT_SOCKET + peer, null);
    }

    /** Fresh headers for one record. */
    public Headers headers() {
        var headers = new RecordHeaders();
        headers.add(SourceHeaders.SOURCE, source.getBytes(StandardCharsets.UTF_8));
        if (position != null) {
            headers.add(SourceHeaders.POSITION, Long.toString(position).getBytes(StandardCharsets.UTF_8));
        }
        return headers;
    }
}
