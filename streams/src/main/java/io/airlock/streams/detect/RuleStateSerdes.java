package io.airlock.streams.detect;

import io.airlock.streams.internal.BinaryIn;
import io.airlock.streams.internal.BinaryOut;
import io.airlock.streams.internal.InternalSerdes;
import io.airlock.streams.internal.JsonSerdes;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
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
 * versions wrote, so state restored from an older changelog still loads. The frame and the string encoding are
 * {@link InternalSerdes}' ({@link InternalSerdes#encode}, {@link InternalSerdes#decode}).
 */
final class RuleStateSerdes {

    static final byte FORMAT = 1;

    private RuleStateSerdes() {
    }

    /** The serde a rule store of {@code valueType} uses: compact for the hot states above, JSON for the rest. */
    @SuppressWarnings("unchecked")
    static <T> Serde<T> forType(Class<T> valueType) {
        if (valueType == BurstTracker.State.class) {
            return (Serde<T>) serde(BurstTracker.State.class, "a burst state", RuleStateSerdes::writeBurstState,
                    RuleStateSerdes::readBurstState);
        }
        if (valueType == VaultPathBurstTracker.State.class) {
            return (Serde<T>) serde(VaultPathBurstTracker.State.class, "a Vault path burst state", RuleStateSerdes::writePathState,
                    RuleStateSerdes::readPathState);
        }
        if (valueType == SprayState.class) {
            return (Serde<T>) serde(SprayState.class, "a password spray state", RuleStateSerdes::writeSprayState,
                    RuleStateSerdes::readSprayState);
        }
        return JsonSerdes.of(valueType);
    }

    /** {@code what} names the state in the error for a value that cannot be read. */
    private static <T> Serde<T> serde(Class<T> type, String what, BiConsumer<BinaryOut, T> writer, InternalSerdes.FieldReader<T> reader) {
        Serializer<T> serializer = (topic, value) -> value == null ? null
                : InternalSerdes.encode(FORMAT, 256, out -> writer.accept(out, value));
        Deserializer<T> deserializer = (topic, bytes) -> bytes == null ? null : InternalSerdes.decode(bytes, FORMAT, type, what, reader);
        return Serdes.serdeFrom(serializer, deserializer);
    }

    // ---------------------------------------------------------------- BurstTracker.State

    private static void writeBurstState(BinaryOut out, BurstTracker.State state) {
        out.writeInt(state.hits().size());
        for (BurstTracker.Hit hit : state.hits()) {
            out.writeInstant(hit.at());
            out.writeString(hit.eventId());
            out.writeString(hit.value());
        }
        BurstTracker.OpenBurst open = state.open();
        out.writeBoolean(open != null);
        if (open != null) {
            writeBurst(out, open);
        }
    }

    private static BurstTracker.State readBurstState(BinaryIn in) throws IOException {
        int n = in.readInt();
        List<BurstTracker.Hit> hits = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            hits.add(new BurstTracker.Hit(in.readInstant(), in.readString(), in.readString()));
        }
        return new BurstTracker.State(hits, in.readBoolean() ? readBurst(in) : null);
    }

    private static void writeBurst(BinaryOut out, BurstTracker.OpenBurst open) {
        out.writeString(open.alertId());
        out.writeInstant(open.firstSeen());
        out.writeInstant(open.lastSeen());
        out.writeLong(open.count());
        out.writeStrings(open.evidence());
        out.writeStrings(open.values());
    }

    private static BurstTracker.OpenBurst readBurst(BinaryIn in) throws IOException {
        return new BurstTracker.OpenBurst(in.readString(), in.readInstant(), in.readInstant(), in.readLong(), in.readStrings(),
                in.readStrings());
    }

    // ---------------------------------------------------------------- VaultPathBurstTracker.State

    private static void writePathState(BinaryOut out, VaultPathBurstTracker.State state) {
        out.writeInt(state.hits().size());
        for (VaultPathBurstTracker.Hit hit : state.hits()) {
            out.writeInstant(hit.at());
            out.writeString(hit.eventId());
            out.writeString(hit.path());
            out.writeBoolean(hit.flagged());
        }
        VaultPathBurstTracker.OpenBurst open = state.open();
        out.writeBoolean(open != null);
        if (open != null) {
            out.writeString(open.alertId());
            out.writeInstant(open.firstSeen());
            out.writeInstant(open.lastSeen());
            out.writeLong(open.count());
            out.writeStrings(open.paths());
            out.writeStrings(open.evidence());
            out.writeBoolean(open.flagged());
        }
    }

    private static VaultPathBurstTracker.State readPathState(BinaryIn in) throws IOException {
        int n = in.readInt();
        List<VaultPathBurstTracker.Hit> hits = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            hits.add(new VaultPathBurstTracker.Hit(in.readInstant(), in.readString(), in.readString(), in.readBoolean()));
        }
        VaultPathBurstTracker.OpenBurst open = null;
        if (in.readBoolean()) {
            open = new VaultPathBurstTracker.OpenBurst(in.readString(), in.readInstant(), in.readInstant(), in.readLong(),
                    in.readStrings(), in.readStrings(), in.readBoolean());
        }
        return new VaultPathBurstTracker.State(hits, open);
    }

    // ---------------------------------------------------------------- SprayState

    private static void writeSprayState(BinaryOut out, SprayState state) {
        out.writeInstant(state.latest());
        out.writeBoolean(state.open() != null);
        if (state.open() != null) {
            writeBurst(out, state.open());
        }
    }

    private static SprayState readSprayState(BinaryIn in) throws IOException {
        Instant latest = in.readInstant();
        return new SprayState(latest, in.readBoolean() ? readBurst(in) : null);
    }
}
