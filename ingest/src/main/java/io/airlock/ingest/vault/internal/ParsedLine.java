package io.airlock.ingest.vault.internal;

/** What one audit line became: a record for the audit topic or a dead letter. */
public sealed interface ParsedLine {

    /**
     * A line for {@code airlock.vault.audit}.
     *
     * @param key       {@code request.id}, or a hash of the line when it has none (UTF-8)
     * @param value     the JSON text exactly as Vault wrote it, prefix stripped; for a compacted line its compacted form
     * @param timestamp epoch millis of the line's {@code time}, or null when absent or unparseable (the producer then uses now)
     * @param compacted the line was longer than the limit and is passed on without the values of {@code request.data} and
     *                  {@code response.data}, with long strings cut ({@link VaultAuditLineCompactor})
     */
    record Accepted(byte[] key, byte[] value, Long timestamp, boolean compacted) implements ParsedLine {

        public Accepted(byte[] key, byte[] value, Long timestamp) {
            this(key, value, timestamp, false);
        }
    }

    /**
     * A line for the dead-letter topic.
     *
     * @param category what is wrong, safe to log
     * @param reason   the category in words with positions and limits; never contains line content
     */
    record Rejected(RejectCategory category, String reason) implements ParsedLine {
    }

    /** Why a line was dead-lettered; the names are safe to log (no line content). */
    enum RejectCategory {
        TOO_LONG, INVALID_UTF8, NUL_BYTE, EMPTY, NOT_JSON, NOT_AN_OBJECT, TOO_DEEP, LIMIT_EXCEEDED, WRONG_TYPE, TRAILING_DATA,
        REJECTED_BY_KAFKA
    }
}
