package io.airlock.report.internal;

import io.airlock.report.ReportRecord;

/**
 * A record as stored in a data file, with its place in the hash chain.
 *
 * @param line     where it starts in the file (1-based)
 * @param seq      its stored sequence number (1-based), or -1 when unreadable
 * @param prevHash the stored hash of the previous record
 * @param hash     the stored hash of this record
 * @param record   the record
 */
public record ChainedRecord(long line, long seq, String prevHash, String hash, ReportRecord record) {
}
