package io.airlock.app.backtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.core.Json;
import io.airlock.core.Topics;
import io.airlock.streams.VaultOperation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplayInputTest {

    /** Vault writes microseconds: every line below is in this millisecond, the record timestamp they share. */
    private static final Instant T = Instant.parse("2026-03-07T03:00:00.000200Z");
    private static final int MAX_LINE_BYTES = 4096;

    @TempDir
    Path dir;

    @Test
    void shouldOrderVaultLinesOfOneMillisecondByTimeRequestIdAndTypeWhateverTheirOrderInTheFile() throws Exception {
        List<String> lines = new ArrayList<>();
        for (String id : List.of("b", "c", "a")) {
            VaultOperation read = VaultOperation.read("secret/data/" + id).by("eve", "ent-eve").at(T).requestId(id);
            lines.add(read.responseLine().at(T).json()); // the response in the same microsecond as the request
            lines.add(read.requestLine().json());
        }
        VaultOperation earlier = VaultOperation.read("secret/data/z").by("eve", "ent-eve").at(T.minusNanos(100_000)).requestId("z");
        lines.add(earlier.requestLine().json());
        // over the limit: compacted as the live capture compacts it, ordered by what it becomes
        lines.add(earlier.responseLine().at(T).json().replaceFirst("\"request\":\\{",
                "\"request\":{\"data\":{\"padding\":\"" + "x".repeat(MAX_LINE_BYTES) + "\"},"));
        // the same request id and type as "a"'s request, another path: ordered by its bytes
        lines.add(VaultOperation.read("secret/data/a2").by("eve", "ent-eve").at(T).requestId("a").requestLine().json());

        List<String> order = replayOrder(lines);

        assertThat(order).containsExactly("z request", "a request", "a request", "a response", "b request", "b response",
                "c request", "c response", "z response");
        List<String> reversed = new ArrayList<>(lines);
        Collections.reverse(reversed);
        assertThat(replayValues(reversed)).as("the same lines reversed").isEqualTo(replayValues(lines));
        Collections.rotate(reversed, 3);
        assertThat(replayValues(reversed)).as("rotated").isEqualTo(replayValues(lines));
    }

    @Test
    void shouldPlaceAVaultLineWithoutATimeAfterTheLinesOfTheTimeItInherits() throws Exception {
        VaultOperation first = VaultOperation.read("secret/data/b").by("eve", "ent-eve").at(T).requestId("b");
        VaultOperation second = VaultOperation.read("secret/data/a").by("eve", "ent-eve").at(T).requestId("a");
        String untimed = VaultOperation.read("secret/data/u").by("eve", "ent-eve").at(T).requestId("u").requestLine().json()
                .replaceFirst("\"time\":\"[^\"]+\",", "");

        List<String> order = replayOrder(List.of(first.requestLine().json(), untimed, second.requestLine().json()));

        assertThat(order).containsExactly("a request", "b request", "u request");
    }

    /** "request.id type" of each Vault line in the order the backtest replays them. */
    private List<String> replayOrder(List<String> lines) throws Exception {
        return replayValues(lines).stream().map(Json::tree)
                .map((JsonNode line) -> line.at("/request/id").asText() + " " + line.path("type").asText()).toList();
    }

    private List<String> replayValues(List<String> lines) throws Exception {
        Path vault = Files.write(dir.resolve("audit-" + lines.hashCode() + ".log"), lines);
        try (var input = new ReplayInput(Topics.defaults(), null, MAX_LINE_BYTES)) {
            List<String> values = new ArrayList<>();
            for (ReplayRecord record : input.read(null, vault)) {
                values.add(input.content(record).value());
            }
            return values;
        }
    }
}
