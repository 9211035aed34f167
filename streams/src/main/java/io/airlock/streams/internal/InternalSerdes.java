package io.airlock.streams.internal;

import io.airlock.core.Alert;
import io.airlock.core.Json;
import io.airlock.core.MalformedRecordException;
import io.airlock.core.NormalizedEvent;
import io.airlock.core.Severity;
import java.io.IOException;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
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
                out.writeString(field);
            }
            out.writeStrings(e.relatedUsers());
            out.writeBoolean(e.position() != null);
            if (e.position() != null) {
                out.writeLong(e.position());
            }
        });
    }

    static NormalizedEvent read(byte[] bytes) {
        return decode(bytes, EVENT_FORMAT, NormalizedEvent.class, "a normalized event", in -> {
            Instant timestamp = Instant.ofEpochSecond(in.readLong(), in.readInt());
            String[] f = in.readStrings(21);
            List<String> related = in.readStrings();
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
                out.writeString(field);
            }
            for (Instant instant : new Instant[] {a.timestamp(), a.firstSeen(), a.lastSeen()}) {
                out.writeInstant(instant);
            }
            out.writeLong(a.count());
            out.writeStrings(a.evidence());
            out.writeStrings(a.techniqueIds());
        });
    }

    static Alert readAlert(byte[] bytes) {
        return decode(bytes, ALERT_FORMAT, Alert.class, "an alert", in -> {
            String[] f = in.readStrings(8);
            Instant timestamp = in.readInstant();
            Instant firstSeen = in.readInstant();
            Instant lastSeen = in.readInstant();
            long count = in.readLong();
            List<String> evidence = in.readStrings();
            List<String> techniques = in.readStrings();
            return new Alert(f[0], f[1], f[2], Severity.valueOf(f[3]), timestamp, firstSeen, lastSeen, count, f[4], f[5], evidence,
                    techniques, f[6], f[7] == null ? null : Alert.Status.valueOf(f[7]));
        });
    }

    /** Reads the fields a value's writer wrote after its format byte. */
    @FunctionalInterface
    public interface FieldReader<T> {
        T read(BinaryIn in) throws IOException;
    }

    /** The value's format byte, then its fields ({@code fields} writes them). */
    public static byte[] encode(byte format, int sizeHint, Consumer<BinaryOut> fields) {
        BinaryOut out = new BinaryOut(sizeHint).writeByte(format);
        fields.accept(out);
        return out.toByteArray();
    }

    /**
     * A value in {@code format}, or as JSON when an earlier version wrote it so; anything else, or a truncated or invalid
     * value, is a {@link MalformedRecordException} naming {@code what}.
     */
    public static <T> T decode(byte[] bytes, byte format, Class<T> jsonType, String what, FieldReader<T> fields) {
        if (bytes.length > 0 && bytes[0] == '{') {
            return Json.read(bytes, jsonType);
        }
        if (bytes.length == 0 || bytes[0] != format) {
            throw new MalformedRecordException("not " + what + " in Airlock's internal format");
        }
        try {
            return fields.read(new BinaryIn(bytes, 1));
        } catch (IOException | IllegalArgumentException | DateTimeException | ArithmeticException ex) {
            throw new MalformedRecordException("truncated or invalid: expected " + what + " in Airlock's internal format", ex);
        }
    }
}
