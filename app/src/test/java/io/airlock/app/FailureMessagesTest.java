package io.airlock.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.alerting.OpenSearchSettings;
import io.airlock.alerting.Secret;
import java.io.IOException;
import java.net.URI;
import java.nio.file.AccessDeniedException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class FailureMessagesTest {

    private static final OpenSearchSettings OPENSEARCH = OpenSearchSettings.local(URI.create("https://search.example:9200"))
            .withCredentials("reporter", Secret.of("CANARY-pw"));

    @Test
    void shouldNameTheCauseTheTopMessageLeavesOut() {
        var e = new IllegalStateException("Failed to create new KafkaAdminClient",
                new IllegalArgumentException("No resolvable bootstrap urls given in bootstrap.servers"));

        assertThat(FailureMessages.withCauses(e))
                .isEqualTo("Failed to create new KafkaAdminClient: No resolvable bootstrap urls given in bootstrap.servers");
        assertThat(FailureMessages.withCauses(new RuntimeException("same", new RuntimeException("same")))).isEqualTo("same");
    }

    @Test
    void shouldSayWhatToCheckWhenOpenSearchRefusesStaysSilentOrAFileCannotBeWritten() {
        assertThat(FailureMessages.ofOpenSearchWork(new RuntimeException("Unauthorized access"), OPENSEARCH))
                .contains("OpenSearch at [https://search.example:9200] refused user reporter")
                .contains("opensearch.password-env").doesNotContain("CANARY");
        assertThat(FailureMessages.ofOpenSearchWork(new RuntimeException(new TimeoutException("60000 MILLISECONDS")), OPENSEARCH))
                .startsWith("OpenSearch at [https://search.example:9200] did not answer within");
        assertThat(FailureMessages.ofOpenSearchWork(new IOException(new AccessDeniedException("/proc/nope/events.jsonl")), OPENSEARCH))
                .isEqualTo("cannot write /proc/nope/events.jsonl (AccessDeniedException)");
    }

    @Test
    void shouldNameTheHostsAndTheSettingWhenNoKafkaHostResolves() {
        var failure = new org.apache.kafka.common.KafkaException("Failed to create new KafkaAdminClient",
                new org.apache.kafka.common.config.ConfigException("No resolvable bootstrap urls given in bootstrap.servers"));

        assertThat(FailureMessages.ofRun(failure, "kafka-1.internal:9093, kafka-2.internal:9093"))
                .isEqualTo("no host of kafka.bootstrap-servers (kafka-1.internal:9093, kafka-2.internal:9093) resolves to an "
                        + "address: is kafka.bootstrap-servers right, and is each name known to this machine's DNS?");
        assertThat(FailureMessages.ofRun(new IllegalStateException("other", new RuntimeException("cause")), "k:9092"))
                .isEqualTo("other: cause");
    }
}
