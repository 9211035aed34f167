package io.airlock.app;

import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.airlock.embedded.AirflowDatabase;
import io.airlock.embedded.EmbeddedOpenSearch;
import io.airlock.embedded.WebhookReceiver;
import io.airlock.streams.VaultAuditLine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * The smallest scenario that goes through every stage of {@code airlock run}: five failed logins of {@code mallory} in the
 * Airflow database (AL-001) and one Vault read (request and response) in the audit file; then one AL-001 alert indexed,
 * both Vault lines indexed as events, and one Slack message.
 */
final class BurstAndReadScenario {

    private BurstAndReadScenario() {
    }

    /** Writes the attack; {@code mallory} must exist in {@code airflow}. */
    static void play(AirflowDatabase airflow, Path auditFile) throws IOException {
        for (int i = 0; i < 5; i++) {
            airflow.failedLogin("mallory");
        }
        Files.writeString(auditFile, String.join("\n",
                VaultAuditLine.request("req-1").at(Instant.now()).read("secret/data/team/db").json(),
                VaultAuditLine.response("req-1").at(Instant.now()).read("secret/data/team/db").json()) + "\n",
                StandardOpenOption.APPEND);
    }

    /** Waits until the run with prefix {@code name} indexed and notified what {@link #play} wrote. */
    static void awaitIndexedAndNotified(EmbeddedOpenSearch openSearch, WebhookReceiver webhooks, String name) {
        await().atMost(ofSeconds(120)).untilAsserted(() -> {
            assertThat(openSearch.count(name + "-alerts", "rule.id:AL-001")).isEqualTo(1);
            assertThat(openSearch.count(name + "-events-*", "event.dataset:\"vault.audit\"")).isEqualTo(2);
            assertThat(webhooks.slackPosts(name)).hasSize(1);
        });
    }
}
