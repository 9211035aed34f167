package io.airlock.streams.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class BinaryOutTest {

    private static final Instant AT = Instant.parse("2026-03-29T01:59:59.123456789Z");
    private static final String NON_ASCII = "Zoë — 東京 🔑";

    private static byte[] written() {
        return new BinaryOut(4).writeByte(7).writeBoolean(true).writeInt(-123_456).writeLong(Long.MIN_VALUE + 42)
                .writeString("alice").writeString(null).writeString("").writeString(NON_ASCII)
                .writeStrings(List.of("a", NON_ASCII)).writeStrings(null).writeInstant(AT).writeInstant(null)
                .toByteArray();
    }

    @Test
    void shouldWriteByteForByteWhatDataOutputStreamWrote() throws IOException {
        // the formats were written with DataOutputStream before: stores and repartition topics hold such bytes
        var bytes = new ByteArrayOutputStream();
        try (var out = new DataOutputStream(bytes)) {
            out.writeByte(7);
            out.writeBoolean(true);
            out.writeInt(-123_456);
            out.writeLong(Long.MIN_VALUE + 42);
            for (String s : Arrays.asList("alice", null, "", NON_ASCII)) {
                writeOldString(out, s);
            }
            out.writeInt(2);
            writeOldString(out, "a");
            writeOldString(out, NON_ASCII);
            out.writeInt(-1);
            out.writeBoolean(true);
            out.writeLong(AT.getEpochSecond());
            out.writeInt(AT.getNano());
            out.writeBoolean(false);
        }
        assertThat(written()).isEqualTo(bytes.toByteArray());
    }

    private static void writeOldString(DataOutputStream out, String value) throws IOException {
        if (value == null) {
            out.writeInt(-1);
            return;
        }
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
    }

    @Test
    void shouldReadBackWhatItWrote() throws IOException {
        var in = new BinaryIn(written(), 0);
        assertThat(in.readByte()).isEqualTo((byte) 7);
        assertThat(in.readBoolean()).isTrue();
        assertThat(in.readInt()).isEqualTo(-123_456);
        assertThat(in.readLong()).isEqualTo(Long.MIN_VALUE + 42);
        assertThat(in.readStrings(4)).containsExactly("alice", null, "", NON_ASCII);
        assertThat(in.readStrings()).containsExactly("a", NON_ASCII);
        assertThat(in.readStrings()).isNull();
        assertThat(in.readInstant()).isEqualTo(AT);
        assertThat(in.readInstant()).isNull();
        assertThatThrownBy(in::readByte).isInstanceOf(IOException.class).hasMessageContaining("truncated");
    }

    @Test
    void shouldRefuseTruncatedAndInvalidLengthsWithoutReadingPastTheEnd() {
        byte[] string = new BinaryOut(8).writeString("a longer value").toByteArray();
        assertThatThrownBy(() -> new BinaryIn(Arrays.copyOf(string, 8), 0).readString()).isInstanceOf(IOException.class);
        byte[] negative = new BinaryOut(8).writeInt(-5).toByteArray();
        assertThatThrownBy(() -> new BinaryIn(negative, 0).readString()).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> new BinaryIn(negative, 0).readStrings()).isInstanceOf(IOException.class);
        byte[] hugeList = new BinaryOut(8).writeInt(Integer.MAX_VALUE).toByteArray();
        assertThatThrownBy(() -> new BinaryIn(hugeList, 0).readStrings()).isInstanceOf(IOException.class);
    }
}
