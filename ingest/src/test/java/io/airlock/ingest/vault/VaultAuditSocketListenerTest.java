package io.airlock.ingest.vault;

import static java.time.Duration.ofMillis;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.embedded.EmbeddedKafka;
import io.airlock.embedded.RealComponents;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(RealComponents.class)
class VaultAuditSocketListenerTest {

    private final EmbeddedKafka kafka;

    VaultAuditSocketListenerTest(EmbeddedKafka kafka) {
        this.kafka = kafka;
    }

    private VaultAuditSettings settings(VaultTopics t) {
        return VaultAuditSettings.forSocket(kafka.bootstrapServers(), t.topics, "127.0.0.1", 0).withPollInterval(ofMillis(50));
    }

    private static Socket connect(VaultAuditSocketListener listener) throws IOException {
        return new Socket("127.0.0.1", listener.localAddress().getPort());
    }

    @Test
    void shouldCaptureFourConcurrentConnectionsWithoutLosingOrDuplicatingLines() throws Exception {
        var t = new VaultTopics(kafka);
        ExecutorService vaults = Executors.newFixedThreadPool(4);
        try (var listener = new VaultAuditSocketListener(settings(t)).start()) {
            List<Future<?>> writers = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                String name = "sock" + w;
                writers.add(vaults.submit(() -> {
                    try (Socket s = connect(listener); OutputStream out = new BufferedOutputStream(s.getOutputStream(), 1000)) {
                        for (int i = 0; i < 500; i++) {
                            out.write((AuditLines.numbered(name, i) + "\n").getBytes(StandardCharsets.UTF_8));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : writers) {
                f.get();
            }
            await().atMost(ofSeconds(60)).until(() -> listener.linesCaptured() == 2000);
        } finally {
            vaults.shutdownNow();
        }
        List<String> expected = IntStream.range(0, 4).boxed()
                .flatMap(w -> IntStream.range(0, 500).mapToObj(i -> "sock" + w + "-" + i)).toList();
        assertThat(t.auditKeys()).hasSize(2000).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(expected);
        assertThat(t.dlq()).isEmpty();
    }

    /** A padded read over the 1 MiB limit on a connection: compacted, as from the file; the next line on it is read as usual. */
    @Test
    void shouldSendAPaddedLineOverTheLimitCompacted() throws Exception {
        var t = new VaultTopics(kafka);
        java.time.Instant time = java.time.Instant.parse("2026-03-02T10:00:00Z");
        String padded = AuditLines.padded(AuditLines.response("sock-padded", time), 15_000);
        try (var listener = new VaultAuditSocketListener(settings(t).withPrefix("vault-audit: ")).start();
                Socket s = connect(listener)) {
            OutputStream out = new BufferedOutputStream(s.getOutputStream(), 8192);
            out.write(("vault-audit: " + padded + "\n" + "vault-audit: " + AuditLines.request("sock-next", time) + "\n")
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
            await().atMost(ofSeconds(30)).until(() -> listener.linesCaptured() == 2);
        }
        assertThat(t.auditKeys()).containsExactly("sock-padded", "sock-next");
        String value = t.audit().get(0).value();
        assertThat(value).hasSizeLessThan(2048).startsWith("{\"time\":\"2026-03-02T10:00:00Z\"")
                .contains("\"data\":{\"airlock_omitted_bytes\":");
        assertThat(t.dlq()).isEmpty();
    }

    @Test
    void shouldDeadLetterABadLineWithItsLineNumberAndKeepReadingTheConnection() throws Exception {
        var t = new VaultTopics(kafka);
        try (var listener = new VaultAuditSocketListener(settings(t).withPrefix("vault-audit: ")).start();
                Socket s = connect(listener)) {
            OutputStream out = s.getOutputStream();
            out.write(("vault-audit: " + AuditLines.request("s-1", java.time.Instant.parse("2026-03-02T10:00:00Z")) + "\n"
                    + "vault-audit: {\"request\":5}\n"
                    + "vault-audit: " + AuditLines.response("s-1", java.time.Instant.parse("2026-03-02T10:00:01Z")) + "\n")
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
            await().atMost(ofSeconds(30)).until(() -> listener.linesCaptured() == 2 && listener.linesDeadLettered() == 1);
        }
        assertThat(t.auditKeys()).containsExactly("s-1", "s-1");
        List<JsonNode> letters = t.deadLetters();
        assertThat(letters).hasSize(1);
        JsonNode letter = letters.get(0);
        assertThat(letter.get("offset").asLong()).as("line number on the connection").isEqualTo(2);
        assertThat(letter.get("source_topic").asText()).startsWith("vault-audit-socket:127.0.0.1:");
        assertThat(letter.get("stage").asText()).isEqualTo("ingest:vault-socket");
        assertThat(letter.get("reason").asText()).contains("field 'request' is a number");
        assertThat(letter.get("value").asText()).isEqualTo("vault-audit: {\"request\":5}");
    }

    @Test
    void shouldDeliverWhatWasSentAndCloseOpenConnectionsOnClose() throws Exception {
        var t = new VaultTopics(kafka);
        var listener = new VaultAuditSocketListener(settings(t)).start();
        InetSocketAddress address = listener.localAddress();
        try (Socket s = connect(listener)) {
            OutputStream out = s.getOutputStream();
            for (int i = 0; i < 10; i++) {
                out.write((AuditLines.numbered("open", i) + "\n").getBytes(StandardCharsets.UTF_8));
            }
            out.flush();
            await().atMost(ofSeconds(30)).until(() -> listener.openConnections() == 1);
            listener.close();
            s.setSoTimeout(10_000);
            assertThat(s.getInputStream().read()).as("the listener closed the connection").isEqualTo(-1);
        }
        assertThat(listener.linesCaptured()).isEqualTo(10);
        assertThat(t.auditKeys()).containsExactlyElementsOf(IntStream.range(0, 10).mapToObj(i -> "open-" + i).toList());
        assertThat(canConnect(address)).as("no longer listening").isFalse();
    }

    private static boolean canConnect(InetSocketAddress address) {
        try (Socket s = new Socket(address.getAddress(), address.getPort())) {
            return s.isConnected();
        } catch (IOException e) {
            return false;
        }
    }
}
