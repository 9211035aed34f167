package io.airlock.streams.detect;

import static io.airlock.streams.internal.InternalSerdes.readString;
import static io.airlock.streams.internal.InternalSerdes.writeString;

import io.airlock.core.Json;
import io.airlock.core.MalformedRecordException;
import io.airlock.streams.internal.JsonSerdes;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Compact binary serdes for the rule states that are read and rewritten on every counted event ({@link BurstTracker.State},
 * {@link VaultPathBurstTracker.State}, {@link SprayState}): instants as seconds and nanos, strings as length-prefixed UTF-8,
 * no field names. JSON spent most of a rule's time formatting and parsing ISO-8601 instants.
 *
 * <p>Every value starts with a format byte ({@value #FORMAT}); a value starting with {@code '{'} is read as the JSON earlier
 * versions wrote, so state restored from an older changelog still loads.
 */
final class RuleStateSerdes {

    static final byte FORMAT = 1;

    private RuleStateSerdes() {
    }

    /** The serde a rule store of {@code valueType} uses: compact for the hot states above, JSON for the rest. */
    @SuppressWarnings("unchecked")
    static <T> Serde<T> forType(Class<T> valueType) {
        if (valueType == BurstTracker.State.class) {
            return (Serde<T>) serde(BurstTracker.State.class, RuleStateSerdes::writeBurstState, RuleStateSerdes::readBurstState);
        }
        if (valueType == VaultPathBurstTracker.State.class) {
            return (Serde<T>) serde(VaultPathBurstTracker.State.class, RuleStateSerdes::writePathState, RuleStateSerdes::readPathState);
        }
        if (valueType == SprayState.class) {
            return (Serde<T>) serde(SprayState.class, RuleStateSerdes::writeSprayState, RuleStateSerdes::readSprayState);
        }
        return JsonSerdes.of(valueType);
    }

    private interface Writer<T> {
        void write(DataOutputStream out, T value) throws IOException;
    }

    private interface Reader<T> {
        T read(DataInputStream in) throws IOException;
    }

    private static <T> Serde<T> serde(Class<T> type, Writer<T> writer, Reader<T> reader) {
        Serializer<T> serializer = (topic, value) -> {
            if (value == null) {
                return null;
            }
            var bytes = new ByteArrayOutputStream(256);
            try (var out = new DataOutputStream(bytes)) {
                out.writeByte(FORMAT);
                writer.write(out, value);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return bytes.toByteArray();
        };
        Deserializer<T> deserializer = (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            if (bytes.length > 0 && bytes[0] == '{') {
                return Json.read(bytes, type);
            }
            if (bytes.length == 0 || bytes[0] != FORMAT) {
                throw new MalformedRecordException("unknown " + type.getSimpleName() + " state format");
            }
            try (var in = new DataInputStream(new java.io.ByteArrayInputStream(bytes, 1, bytes.length - 1))) {
                return reader.read(in);
            } catch (IOException e) {
                throw new MalformedRecordException("truncated " + type.getSimpleName() + " state", e);
            }
        };
        return Serdes.serdeFrom(serializer, deserializer);
    }

    // ---------------------------------------------------------------- BurstTracker.State

    private static void writeBurstState(DataOutputStream out, BurstTracker.State state) throws IOException {
        out.writeInt(state.hits().size());
        for (BurstTracker.Hit hit : state.hits()) {
            writeInstant(out, hit.at());
            writeString(out, hit.eventId());
            writeString(out, hit.value());
        }
        BurstTracker.OpenBurst open = state.open();
        out.writeBoolean(open != null);
        if (open != null) {
            writeBurst(out, open);
        }
    }

    private static BurstTracker.State readBurstState(DataInputStream in) throws IOException {
        int n = in.readInt();
        List<BurstTracker.Hit> hits = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            hits.add(new BurstTracker.Hit(readInstant(in), readString(in), readString(in)));
        }
        return new BurstTracker.State(hits, in.readBoolean() ? readBurst(in) : null);
    }

    static void writeBurst(DataOutputStream out, BurstTracker.OpenBurst open) throws IOException {
        writeString(out, open.alertId());
        writeInstant(out, open.firstSeen());
        writeInstant(out, open.lastSeen());
        out.writeLong(open.count());
        writeStrings(out, open.evidence());
        writeStrings(out, open.values());
    }

    static BurstTracker.OpenBurst readBurst(DataInputStream in) throws IOException {
        return new BurstTracker.OpenBurst(readString(in), readInstant(in), readInstant(in), in.readLong(), readStrings(in),
                readStrings(in));
    }

    // ---------------------------------------------------------------- VaultPathBurstTracker.State

    private static void writePathState(DataOutputStream out, VaultPathBurstTracker.State state) throws IOException {
        out.writeInt(state.hits().size());
        for (VaultPathBurstTracker.Hit hit : state.hits()) {
            writeInstant(out, hit.at());
            writeString(out, hit.eventId());
            writeString(out, hit.path());
            out.writeBoolean(hit.flagged());
        }
        VaultPathBurstTracker.OpenBurst open = state.open();
        out.writeBoolean(open != null);
        if (open != null) {
            writeString(out, open.alertId());
            writeInstant(out, open.firstSeen());
            writeInstant(out, open.lastSeen());
            out.writeLong(open.count());
            writeStrings(out, open.paths());
            writeStrings(out, open.evidence());
            out.writeBoolean(open.flagged());
        }
    }

    private static VaultPathBurstTracker.State readPathState(DataInputStream in) throws IOException {
        int n = in.readInt();
        List<VaultPathBurstTracker.Hit> hits = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            hits.add(new VaultPathBurstTracker.Hit(readInstant(in), readString(in), readString(in), in.readBoolean()));
        }
        VaultPathBurstTracker.OpenBurst open = null;
        if (in.readBoolean()) {
            open = new VaultPathBurstTracker.OpenBurst(readString(in), readInstant(in), readInstant(in), in.readLong(),
                    readStrings(in), readStrings(in), in.readBoolean());
        }
        return new VaultPathBurstTracker.State(hits, open);
    }

    // ---------------------------------------------------------------- SprayState

    private static void writeSprayState(DataOutputStream out, SprayState state) throws IOException {
        writeInstant(out, state.latest());
        out.writeBoolean(state.open() != null);
        if (state.open() != null) {
            writeBurst(out, state.open());
        }
    }

    private static SprayState readSprayState(DataInputStream in) throws IOException {
        Instant latest = readInstant(in);
        return new SprayState(latest, in.readBoolean() ? readBurst(in) : null);
    }

    // ---------------------------------------------------------------- primitives

    static void writeInstant(DataOutputStream out, Instant at) throws IOException {
        out.writeBoolean(at != null);
        if (at != null) {
            out.writeLong(at.getEpochSecond());
            out.writeInt(at.getNano());
        }
    }

    static Instant readInstant(DataInputStream in) throws IOException {
        return in.readBoolean() ? Instant.ofEpochSecond(in.readLong(), in.readInt()) : null;
    }

    private static void writeStrings(DataOutputStream out, List<String> values) throws IOException {
        out.writeInt(values.size());
        for (String value : values) {
            writeString(out, value);
        }
    }

    private static List<String> readStrings(DataInputStream in) throws IOException {
        int n = in.readInt();
        List<String> values = new ArrayList<>(Math.min(n, 1024));
        for (int i = 0; i < n; i++) {
            values.add(readString(in));
        }
        return values;
    }
}
