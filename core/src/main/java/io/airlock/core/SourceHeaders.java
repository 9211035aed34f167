package io.airlock.core;

/**
 * Kafka record headers the capture puts on every Vault audit record, saying where the line was read (the streams stage copies
 * them into {@code airlock.source} and {@code airlock.position} of the normalized event). Values are UTF-8 strings.
 *
 * <ul>
 *   <li>{@value #SOURCE}: {@code vault-file:<file id>} (device and inode of the audit file, stable across renames) or
 *       {@code vault-socket:<peer address>:<port>};</li>
 *   <li>{@value #POSITION}: the byte offset of the line's first byte in that file, in decimal; file lines only.</li>
 * </ul>
 */
public final class SourceHeaders {

    /** Header naming the source of the record. */
    public static final String SOURCE = "airlock.source";
    /** Header with the record's position in its source (decimal). */
    public static final String POSITION = "airlock.position";

    /** {@value #SOURCE} value prefix of lines read from an audit file. */
    public static final String VAULT_FILE = "vault-file:";
    /** {@value #SOURCE} value prefix of lines received on a socket. */
    public static final String VAULT_SOCKET = "vault-socket:";

    private SourceHeaders() {
    }
}
