package io.airlock.app.backtest;

import java.time.Instant;

/**
 * One input line of a backtest, placed in event time: where it is, not what it holds, so a replay of a month of production
 * input holds some 80 bytes per line instead of the lines ({@link ReplayInput#content} reads it again when it is replayed).
 *
 * @param at     event time (CDC commit time, Vault {@code time}); lines without one inherit the previous line's
 * @param source {@link ReplayInput#CDC} for the CDC file, {@link ReplayInput#VAULT} for the Vault file: ties at the same
 *               instant keep a stable order
 * @param lsn    a CDC change's {@code source.lsn} (0 without one, and for Vault lines): the database's order within an instant;
 *               {@link Long#MAX_VALUE} for a line without a time of its own, placed after the lines of the time it inherits
 *               (Vault lines of one instant are ordered by {@link SameInstantVaultLines})
 * @param line   1-based line number in its file
 * @param offset position of the line's first byte in its file (after a byte order mark)
 * @param length the line's length in bytes (a Vault line over the limit is read again in chunks, never whole)
 */
record ReplayRecord(Instant at, int source, long lsn, long line, long offset, long length) {

    /**
     * What the line becomes on its topic.
     *
     * @param topic the topic the record would have been written to by the capture
     */
    record Content(String topic, String key, String value) {
    }
}
