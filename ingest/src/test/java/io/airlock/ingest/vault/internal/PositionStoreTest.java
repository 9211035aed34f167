package io.airlock.ingest.vault.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.airlock.ingest.CaptureConfigurationException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PositionStoreTest {

    @TempDir
    Path dir;

    @Test
    void shouldReplaceThePositionAtomicallyAndLeaveNoTemporaryFile() throws IOException {
        var store = new PositionStore(dir.resolve("sub/position.json"));
        assertThat(store.read()).isNull();
        store.write(new FilePosition("(dev=803,ino=12)", 10));
        store.write(new FilePosition("(dev=803,ino=12)", 20));
        assertThat(store.read()).isEqualTo(new FilePosition("(dev=803,ino=12)", 20));
        try (var files = Files.list(dir.resolve("sub"))) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("position.json");
        }
    }

    @Test
    void shouldRefuseADamagedPositionFileInsteadOfStartingOver() throws IOException {
        Files.writeString(dir.resolve("position.json"), "{\"file_id\":");
        assertThatThrownBy(() -> new PositionStore(dir.resolve("position.json")).read())
                .isInstanceOf(CaptureConfigurationException.class).hasMessageContaining("damaged");
    }
}
