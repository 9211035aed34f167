package io.airlock.app.backtest;

import java.time.Instant;

/**
 * One input line of a backtest, placed in event time.
 *
 * @param at       event time (CDC commit time, Vault {@code time}); lines without one inherit the previous line's
 * @param source   0 for the CDC file, 1 for the Vault file: ties at the same instant keep a stable order
 * @param line     1-based line number in its file
 * @param topic    the topic the record would have been written to by the capture
 */
record ReplayRecord(Instant at, int source, long line, String topic, String key, String value) {
}
