package io.airlock.streams.internal;

import io.airlock.core.Alert;
import io.airlock.core.Json;
import io.airlock.core.MalformedRecordException;
import io.airlock.core.NormalizedEvent;
import io.airlock.core.Severity;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Serdes for what only this application reads back: repartition topics and state stores. Normalized events and alerts there
 * are written in a compact binary form (a format byte, then every field in declaration order, strings as length-prefixed
 * UTF-8, instants as seconds and nanos) instead of JSON: re-keying events for a rule, or keeping an alert update until it is
 * sent, then costs no JSON writing, parsing or ISO-8601 formatting. The contract topics ({@code events}, {@code alerts})
 * stay JSON ({@link JsonSerdes}).
 *
 * <p>Values starting with {@code '{'} are read as JSON, so records an earlier version left in a repartition topic or store
 * still load.
 */
public final class InternalSerdes {

    static final byte EVENT_FORMAT = 1;
    static final byte ALERT_FORMAT = 2;

    private InternalSerdes() {
    }

    /** Normalized events on repartition topics and in stores. */
    public static Serde<NormalizedEvent> events() {
        Serializer<NormalizedEvent> serializer = (topic, event) -> event == null ? null : write(event);
        Deserializer<NormalizedEvent> deserializer = (topic, bytes) -> bytes == null ? null : read(bytes);
        return Serdes.serdeFrom(serializer, deserializer);
    }

    static byte[] write(NormalizedEvent e) {
        return encode(EVENT_FORMAT, 384, out -> {
            out.writeLong(e.timestamp().getEpochSecond());
            out.writeInt(e.timestamp().getNano());
            for (String field : new String[] {e.id(), e.dataset(), e.category(), e.action(), e.outcome(), e.reason(), e.userName(),
                e.sourceIp(), e.dagId(), e.runId(), e.taskId(), e.runType(), e.state(), e.vaultPath(), e.vaultOperation(),
                e.vaultMountType(), e.vaultIdentity(), e.vaultError(), e.vaultAuditType(), e.vaultKvPath(), e.source()}) {
                writeString(out, field);
            }
            writeStrings(out, e.relatedUsers());
            out.writeBoolean(e.position() != null);
            if (e.position() != null) {
                out.writeLong(e.position());
            }
        });
    }

    static NormalizedEvent read(byte[] bytes) {
        return decode(bytes, EVENT_FORMAT, NormalizedEvent.class, "a normalized event", in -> {
            Instant timestamp = Instant.ofEpochSecond(in.readLong(), in.readInt());
            String[] f = readStrings(in, 21);
            List<String> related = readStrings(in);
            Long position = in.readBoolean() ? in.readLong() : null;
            return new NormalizedEvent(timestamp, f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10], f[11], f[12],
                    f[13], f[14], f[15], f[16], f[17], f[18], f[19], related, f[20], position);
        });
    }

    /** Alerts in a rule's store of collected updates (they go to the alerts topic as JSON). */
    public static Serde<Alert> alerts() {
        Serializer<Alert> serializer = (topic, alert) -> alert == null ? null : writeAlert(alert);
        Deserializer<Alert> deserializer = (topic, bytes) -> bytes == null ? null : readAlert(bytes);
        return Serdes.serdeFrom(serializer, deserializer);
    }

    static byte[] writeAlert(Alert a) {
        return encode(ALERT_FORMAT, 1024 + 40 * a.evidence().size(), out -> {
            for (String field : new String[] {a.id(), a.ruleId(), a.ruleName(), a.severity().name(), a.entity(), a.summary(),
                a.runbook(), a.status() == null ? null : a.status().name()}) {
                writeString(out, field);
            }
            for (Instant instant : new Instant[] {a.timestamp(), a.firstSeen(), a.lastSeen()}) {
                writeInstant(out, instant);
            }
            out.writeLong(a.count());
            writeStrings(out, a.evidence());
            writeStrings(out, a.techniqueIds());
        });
    }

    static Alert readAlert(byte[] bytes) {
        return decode(bytes, ALERT_FORMAT, Alert.class, "an alert", in -> {
            String[] f = readStrings(in, 8);
            Instant timestamp = readInstant(in);
            Instant firstSeen = readInstant(in);
            Instant lastSeen = readInstant(in);
            long count = in.readLong();
            List<String> evidence = readStrings(in);
            List<String> techniques = readStrings(in);
            return new Alert(f[0], f[1], f[2], Severity.valueOf(f[3]), timestamp, firstSeen, lastSeen, count, f[4], f[5], evidence,
                    techniques, f[6], f[7] == null ? null : Alert.Status.valueOf(f[7]));
        });
    }

    /** The fields of one value, written after its format byte. */
    @FunctionalInterface
    private interface FieldWriter {
        void write(DataOutputStream out) throws IOException;
    }

    /** Reads the fields a {@link FieldWriter} wrote. */
    @FunctionalInterface
    private interface FieldReader<T> {
        T read(DataInputStream in) throws IOException;
    }

    private static byte[] encode(byte format, int sizeHint, FieldWriter fields) {
        var bytes = new ByteArrayOutputStream(sizeHint);
        try (var out = new DataOutputStream(bytes)) {
            out.writeByte(format);
            fields.write(out);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return bytes.toByteArray();
    }

    /**
     * A value in {@code format}, or as JSON when an earlier version wrote it so; anything else, or a truncated or invalid
     * value, is a {@link MalformedRecordException} naming {@code what}.
     */
    private static <T> T decode(byte[] bytes, byte format, Class<T> jsonType, String what, FieldReader<T> fields) {
        if (bytes.length > 0 && bytes[0] == '{') {
            return Json.read(bytes, jsonType);
        }
        if (bytes.length == 0 || bytes[0] != format) {
            throw new MalformedRecordException("not " + what + " in Airlock's internal format");
        }
        try (var in = new DataInputStream(new ByteArrayInputStream(bytes, 1, bytes.length - 1))) {
            return fields.read(in);
        } catch (IOException | IllegalArgumentException ex) {
            throw new MalformedRecordException("truncated or invalid: expected " + what + " in Airlock's internal format", ex);
        }
    }

    /** {@code n} strings as {@link #writeString} wrote them. */
    private static String[] readStrings(DataInputStream in, int n) throws IOException {
        String[] values = new String[n];
        for (int i = 0; i < n; i++) {
            values[i] = readString(in);
        }
        return values;
    }

    private static void writeInstant(DataOutputStream out, Instant instant) throws IOException {
        out.writeBoolean(instant != null);
        if (instant != null) {
            out.writeLong(instant.getEpochSecond());
            out.writeInt(instant.getNano());
        }
    }

    private static Instant readInstant(DataInputStream in) throws IOException {
        return in.readBoolean() ? Instant.ofEpochSecond(in.readLong(), in.readInt()) : null;
    }

    /** A nullable list of strings: its size (-1 for null), then each string. */
    private static void writeStrings(DataOutputStream out, List<String> values) throws IOException {
        out.writeInt(values == null ? -1 : values.size());
        if (values != null) {
            for (String value : values) {
                writeString(out, value);
            }
        }
    }

    private static List<String> readStrings(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            return null;
        }
        List<String> values = new ArrayList<>(Math.min(n, 1024));
        for (int i = 0; i < n; i++) {
            values.add(readString(in));
        }
        return values;
    }

    /** A nullable string as its UTF-8 length (-1 for null) and bytes: the one string encoding of Airlock's binary formats. */
    public static void writeString(DataOutputStream out, String value) throws IOException {
        if (value == null) {
            out.writeInt(-1);
            return;
        }
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
    }

    /** Reads what {@link #writeString} wrote; a truncated string is an {@link IOException}. */
    public static String readString(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0) {
            return null;
        }
        byte[] utf8 = in.readNBytes(length);
        if (utf8.length != length) {
            throw new IOException("truncated string");
        }
        return new String(utf8, StandardCharsets.UTF_8);
    }
}
