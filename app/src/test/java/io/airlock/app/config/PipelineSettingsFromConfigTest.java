package io.airlock.app.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.airlock.app.PipelineSettings;
import io.airlock.core.config.ConfigSource;
import io.airlock.streams.StreamsSettings;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How {@code airlock run} builds its {@link PipelineSettings} from a loaded configuration (the mapping the report proposes). */
class PipelineSettingsFromConfigTest {

    static PipelineSettings pipelineSettings(AirlockConfig c) {
        return new PipelineSettings(c.database(), c.bootstrapServers(), c.topics(), c.openSearch(), c.slackWebhook().orElse(null),
                c.pagerDutyEventsUrl(), c.pagerDutyRoutingKey().orElse(null), c.links(), c.detection(), c.stateDir(),
                c.replicationFactor());
    }

    @Test
    void shouldBuildPipelineSettingsFromTheExample() {
        AirlockConfig config = AirlockConfig.load(AirlockConfigTest.EXAMPLE, AirlockConfigTest.EXAMPLE_ENV);
        PipelineSettings settings = pipelineSettings(config);
        assertThat(settings.database().host()).isEqualTo("airflow-db.internal");
        assertThat(settings.replicationFactor()).isEqualTo(3);
        assertThat(settings.slackWebhook()).isNotNull();
        assertThat(settings.pagerDutyRoutingKey().reveal()).isEqualTo(AirlockConfigTest.EXAMPLE_ENV.get("PAGERDUTY_ROUTING_KEY"));
        assertThat(settings.links().dashboardsUrl()).isPresent();
    }

    @Test
    void shouldBuildPipelineSettingsWithoutNotificationsFromTheDefaults() {
        PipelineSettings settings = pipelineSettings(AirlockConfig.defaults());
        assertThat(settings.slackWebhook()).isNull();
        assertThat(settings.pagerDutyRoutingKey()).isNull();
        assertThat(settings.streamThreads()).isEqualTo(StreamsSettings.DEFAULT_STREAM_THREADS);
    }

    @Test
    void shouldCarryTheStreamThreadsIntoThePipeline() {
        AirlockConfig config = AirlockConfig.from(ConfigSource.fromYaml("kafka.stream-threads: 3\n", "airlock.yml", Map.of()));
        assertThat(PipelineSettings.from(config).streamThreads()).isEqualTo(3);
    }
}
