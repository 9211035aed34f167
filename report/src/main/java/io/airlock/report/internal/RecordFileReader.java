package io.airlock.report.internal;

import java.io.Closeable;
import java.io.IOException;

/** Reads a data file back, record by record, for verification. */
public interface RecordFileReader extends Closeable {

    /**
     * The next record, or null at the end.
     *
     * @throws MalformedRecordFileException if a line cannot be read as a record
     */
    ChainedRecord next() throws IOException;

    /** A line that is not a record in the expected shape. */
    final class MalformedRecordFileException extends IOException {
        private final long line;

        public MalformedRecordFileException(long line, String message) {
            super(message);
            this.line = line;
        }

        public long line() {
            return line;
        }
    }
}
