package io.airlock.report.internal;

import io.airlock.report.ReportRecord;

/**
 * A record as stored in a data file, with its place in the hash chain.
 *
 * @param line     its position in the file, 1-based: the line of a JSON-lines file, the row of a CSV file (the header is row 1)
 * @param fileLine the line of the file it starts on: for CSV, a value holding line breaks makes its row span several
 * @param seq      its stored sequence number (1-based), or -1 when unreadable
 * @param prevHash the stored hash of the previous record
 * @param hash     the stored hash of this record
 * @param record   the record
 */
public record ChainedRecord(long line, long fileLine, long seq, String prevHash, String hash, ReportRecord record) {
}
