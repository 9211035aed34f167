package io.airlock.ingest.vault.internal;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Objects;

/**
 * Where the tailer resumes: the identity of the file (device and inode) and the byte offset of the first line Kafka has not
 * acknowledged yet.
 */
public record FilePosition(@JsonProperty("file_id") String fileId, @JsonProperty("offset") long offset) {

    public FilePosition {
        Objects.requireNonNull(fileId, "file_id");
        if (offset < 0) {
            throw new IllegalArgumentException("negative offset");
        }
    }
}
