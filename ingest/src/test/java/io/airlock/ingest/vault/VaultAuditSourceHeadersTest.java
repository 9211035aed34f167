package io.airlock.ingest.vault;

import static java.time.Duration.ofMillis;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.airlock.core.SourceHeaders;
import io.airlock.embedded.EmbeddedKafka;
import io.airlock.embedded.RealComponents;
import io.airlock.ingest.internal.IngestMeters;
import io.airlock.ingest.vault.internal.FileIdentity;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Every Vault audit record says where it was read ({@link SourceHeaders}), and the capture counts what Kafka acknowledged. */
@ExtendWith(RealComponents.class)
class VaultAuditSourceHeadersTest {

    private final EmbeddedKafka kafka;
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    @TempDir
    Path dir;

    VaultAuditSourceHeadersTest(EmbeddedKafka kafka) {
        this.kafka = kafka;
    }

    @BeforeEach
    void countMeters() {
        Metrics.addRegistry(meters);
    }

    @AfterEach
    void dropMeters() {
        Metrics.removeRegistry(meters);
    }

    @Test
    void shouldTagFileLinesWithTheFileIdentityAndTheLineStartOffsetAcrossARotation() throws Exception {
        var t = new VaultTopics(kafka);
        Path log = dir.resolve("audit.log");
        Instant time = Instant.parse("2026-03-02T10:15:30Z");
        String first = AuditLines.request("hdr-1", time);
        String second = AuditLines.response("hdr-1", time.plusMillis(2));
        String third = AuditLines.request("hdr-2", time.plusMillis(4));
        Files.writeString(log, first + "\n" + second + "\n");
        String firstFile = FileIdentity.of(log).id();
        double before = vaultEventsIn();
        var settings = VaultAuditSettings.forFile(kafka.bootstrapServers(), t.topics, log, dir.resolve("state/position.json"))
                .withPollInterval(ofMillis(20));
        try (var tailer = new VaultAuditFileTailer(settings).start()) {
            await().atMost(ofSeconds(30)).until(() -> tailer.linesCaptured() == 2);
            Files.move(log, dir.resolve("audit.log.1"));
            Files.writeString(log, third + "\n", StandardOpenOption.CREATE_NEW);
            await().atMost(ofSeconds(30)).until(() -> tailer.linesCaptured() == 3);
        }
        String secondFile = FileIdentity.of(log).id();
        assertThat(secondFile).isNotEqualTo(firstFile);

        List<ConsumerRecord<String, String>> audit = t.audit();
        assertThat(audit).extracting(r -> header(r, SourceHeaders.SOURCE))
                .containsExactly("vault-file:" + firstFile, "vault-file:" + firstFile, "vault-file:" + secondFile);
        long secondStart = first.getBytes(StandardCharsets.UTF_8).length + 1;
        assertThat(audit).extracting(r -> header(r, SourceHeaders.POSITION)).containsExactly("0", Long.toString(secondStart), "0");
        assertThat(vaultEventsIn() - before).isEqualTo(3.0);
    }

    @Test
    void shouldTagSocketLinesWithThePeerAndNoPosition() throws Exception {
        var t = new VaultTopics(kafka);
        var settings = VaultAuditSettings.forSocket(kafka.bootstrapServers(), t.topics, "127.0.0.1", 0).withPollInterval(ofMillis(50));
        String peer;
        try (var listener = new VaultAuditSocketListener(settings).start()) {
            try (Socket socket = new Socket("127.0.0.1", listener.localAddress().getPort()); OutputStream out = socket.getOutputStream()) {
                peer = "127.0.0.1:" + socket.getLocalPort();
                out.write((AuditLines.request("sock-hdr", Instant.parse("2026-03-02T10:15:30Z")) + "\n").getBytes(StandardCharsets.UTF_8));
            }
            await().atMost(ofSeconds(30)).until(() -> listener.linesCaptured() == 1);
        }
        ConsumerRecord<String, String> record = t.audit().get(0);
        assertThat(header(record, SourceHeaders.SOURCE)).isEqualTo("vault-socket:" + peer);
        assertThat(record.headers().lastHeader(SourceHeaders.POSITION)).isNull();
    }

    private double vaultEventsIn() {
        var counter = meters.find(IngestMeters.EVENTS_IN).tag("source", IngestMeters.SOURCE_VAULT).counter();
        return counter == null ? 0 : counter.count();
    }

    private static String header(ConsumerRecord<?, ?> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
