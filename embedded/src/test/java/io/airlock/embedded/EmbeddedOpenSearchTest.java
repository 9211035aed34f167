package io.airlock.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Uses its own instance (not the shared one) because it stops, restarts and finally closes it. */
class EmbeddedOpenSearchTest {

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void shouldKeepDocumentsAcrossRestartAndLeaveNothingBehindAfterClose() throws Exception {
        Path runDirectory;
        long pid;
        try (EmbeddedOpenSearch openSearch = EmbeddedOpenSearch.start()) {
            runDirectory = openSearch.runDirectory();
            pid = openSearch.process().orElseThrow().pid();
            URI uri = openSearch.httpUri();
            String index = RealComponents.uniqueName("airlock-alerts");

            HttpResponse<String> put = send(HttpRequest.newBuilder(uri.resolve("/" + index + "/_doc/alert-1?refresh=true"))
                    .header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"rule.id\":\"AL-001\",\"count\":5}")));
            assertThat(put.statusCode()).isEqualTo(201);
            assertThat(get(uri, index).body()).contains("\"_id\":\"alert-1\"", "\"found\":true", "\"rule.id\":\"AL-001\"");

            openSearch.stop();
            assertThat(openSearch.process()).isEmpty();
            assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();

            openSearch.restart();
            assertThat(openSearch.httpUri()).isEqualTo(uri);
            HttpResponse<String> afterRestart = get(uri, index);
            assertThat(afterRestart.statusCode()).isEqualTo(200);
            assertThat(afterRestart.body()).contains("\"found\":true", "\"count\":5");
            pid = openSearch.process().orElseThrow().pid();
        }

        long stillRunning = pid;
        assertThat(ProcessHandle.current().descendants()
                .filter(p -> p.pid() == stillRunning
                        || p.info().commandLine().map(c -> c.contains(runDirectory.toString())).orElse(false)))
                .isEmpty();
        assertThat(Files.exists(runDirectory)).isFalse();
    }

    private HttpResponse<String> get(URI uri, String index) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri.resolve("/" + index + "/_doc/alert-1")).GET());
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
