package io.airlock.report.internal;

import io.airlock.report.ReportRecord;
import java.io.Closeable;
import java.io.IOException;

/** Writes one data file, record by record, with the chain columns {@code seq}, {@code prev_hash}, {@code hash}. */
public interface RecordFileWriter extends Closeable {

    void write(long seq, String prevHash, String hash, ReportRecord record) throws IOException;
}
