package io.airlock.app.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.airlock.core.config.ConfigException;
import io.airlock.core.config.ConfigSource;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What {@code airlock.yml}'s problems say: the right place for a value, and never a credential written in one. */
class ConfigMessagesTest {

    private static List<String> problems(String yaml) {
        try {
            AirlockConfig.from(ConfigSource.fromYaml(yaml, "airlock.yml", Map.of()));
        } catch (ConfigException e) {
            return e.problems();
        }
        throw new AssertionError("no problem in " + yaml);
    }

    @Test
    void shouldNameOpenSearchsSettingsOnlyForCredentialsInAnOpenSearchUrl() {
        var problems = problems("""
                opensearch.urls: ["https://admin:S3cret@opensearch.internal:9200"]
                pagerduty.events-url: "https://pd:S3cret@proxy.internal/v2/enqueue"
                dashboards.url: "https://u:S3cret@dash.internal"
                runbooks.base-url: "https://u:S3cret@wiki.internal/runbooks/"
                """);

        assertThat(problems).hasSize(4).noneMatch(p -> p.contains("S3cret"));
        assertThat(problems).filteredOn(p -> p.startsWith("opensearch.urls"))
                .singleElement().asString().contains("opensearch.username, opensearch.password-env");
        assertThat(problems).filteredOn(p -> !p.startsWith("opensearch.urls")).hasSize(3)
                .allSatisfy(p -> assertThat(p).contains("must not contain credentials")
                        .contains("credentials do not belong in this URL").doesNotContain("opensearch"));
    }

    @Test
    void shouldNotNameOpenSearchForCredentialsInAReceiversEventsUrl() {
        assertThatThrownBy(() -> AirlockConfig.from(ConfigSource.fromYaml("""
                notifications:
                  receivers:
                    - {name: oncall, type: pagerduty, routing-key-env: PD, events-url: "https://u:S3cret@proxy.internal/v2/enqueue"}
                """, "airlock.yml", Map.of("PD", "key"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("must not contain credentials")
                .hasMessageNotContaining("opensearch").hasMessageNotContaining("S3cret");
    }

    @Test
    void shouldNeverEchoABootstrapServerWithCredentials() {
        for (String servers : List.of("user:S3cret@localhost:9092", "kafka-1:9092,user:S3cret@kafka-2:9092",
                "[user:S3cret@localhost:9092]", "user:S3c@ret@localhost:9092")) {
            var problems = problems("kafka.bootstrap-servers: \"" + servers + "\"\n");

            assertThat(problems).as(servers).singleElement().asString().startsWith("kafka.bootstrap-servers:")
                    .contains("without credentials").doesNotContain("S3c");
        }
    }

    @Test
    void shouldSuggestTheReceiverARouteMisspells() {
        assertThatThrownBy(() -> AirlockConfig.from(ConfigSource.fromYaml("""
                slack.webhook-url-env: SLACK_WEBHOOK_URL
                pagerduty.routing-key-env: PAGERDUTY_ROUTING_KEY
                notifications.routes:
                  - {receivers: [slak]}
                  - {min-severity: high, receivers: [pagerduty]}
                """, "airlock.yml", Map.of("SLACK_WEBHOOK_URL", "https://hooks.slack.com/services/T/B/x",
                "PAGERDUTY_ROUTING_KEY", "key"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("route 1 names receiver 'slak', which is not defined (did you mean 'slack'?) "
                        + "(defined: pagerduty, slack)");
    }
}
