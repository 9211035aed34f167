package io.airlock.app;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import com.fasterxml.jackson.databind.JsonNode;
import io.airlock.core.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The shipped {@code logback.xml}: text by default, one JSON object per line with {@code AIRLOCK_LOG_FORMAT=json}. */
class LogbackConfigurationTest {

    @Test
    void shouldWriteOneJsonObjectPerLineWhenAskedFor() throws Exception {
        List<String> lines = logWith("json");
        assertThat(lines).hasSize(2);
        JsonNode first = Json.tree(lines.get(0));
        assertThat(first.path("level").asText()).isEqualTo("INFO");
        assertThat(first.path("loggerName").asText()).isEqualTo("io.airlock.app.Pipeline");
        assertThat(first.path("formattedMessage").asText()).isEqualTo("Pipeline running stages [STREAMS]: topics prefix 'airlock'");
        assertThat(first.has("arguments")).as("arguments are in the formatted message already").isFalse();
        JsonNode second = Json.tree(lines.get(1));
        assertThat(second.path("level").asText()).isEqualTo("WARN");
        assertThat(second.path("throwable").path("className").asText()).isEqualTo("java.lang.IllegalStateException");
    }

    @Test
    void shouldWriteReadableLinesByDefaultAndKeepLibrariesQuiet() throws Exception {
        List<String> lines = logWith(null);
        assertThat(lines.get(0)).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z INFO  \\[main\\] io\\.airlock\\.app\\.Pipeline - "
                + "Pipeline running stages \\[STREAMS\\]: topics prefix 'airlock'");
        assertThat(String.join("\n", lines)).doesNotContain("kafka says hello");
    }

    /** Configures a fresh logback context from the shipped file and logs a few lines; returns what reached stderr. */
    private static List<String> logWith(String format) throws Exception {
        URL shipped = LogbackConfigurationTest.class.getClassLoader().getResources("logback.xml").nextElement();
        var context = new LoggerContext();
        context.setMDCAdapter(new LogbackMDCAdapter());
        if (format != null) {
            context.putProperty("AIRLOCK_LOG_FORMAT", format);
        }
        PrintStream stderr = System.err;
        var captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            var configurator = new JoranConfigurator();
            configurator.setContext(context);
            configurator.doConfigure(shipped);
            context.getLogger("io.airlock.app.Pipeline").info("Pipeline running stages {}: topics prefix '{}'", List.of("STREAMS"), "airlock");
            context.getLogger("io.airlock.app.Pipeline").warn("Stopping a pipeline stage failed", new IllegalStateException("boom"));
            context.getLogger("org.apache.kafka.clients.NetworkClient").info("kafka says hello");
        } finally {
            context.stop();
            System.setErr(stderr);
        }
        return Arrays.stream(captured.toString(StandardCharsets.UTF_8).split("\n"))
                .filter(l -> !l.isBlank() && !l.startsWith("\tat ") && !l.startsWith("java.lang.") && !l.contains("|-"))
                .toList();
    }
}
