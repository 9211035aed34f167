package io.airlock.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.airlock.app.config.AirlockConfig;
import io.airlock.core.config.ConfigException;
import io.airlock.core.config.ConfigSource;
import io.airlock.streams.detect.RuleDefinition;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DetectionOverlayTest {

    @TempDir
    Path dir;

    @Test
    void shouldCarryDetectionRulesAndTheVaultPrefixIntoTheEmbeddedRunsFileWithTheirTypes() throws Exception {
        Path file = Files.writeString(dir.resolve("rules.yml"), """
                detection:
                  time-zone: Europe/Berlin
                  holidays: [2026-12-24, 2026-12-25]
                  airflow-identity: 5cb4a0d2-0f4e-4c7b-9d0a-1c2e3f405162
                rules:
                  AL-001: {threshold: 3}
                vault.audit.prefix: "vault-audit: "
                """);

        DetectionOverlay overlay = DetectionOverlay.read(file, Map.of());
        StringBuilder text = new StringBuilder();
        overlay.asYaml().forEach((key, value) -> text.append(key).append(": ").append(value).append('\n'));
        AirlockConfig config = AirlockConfig.from(ConfigSource.fromYaml(text.toString(), "embedded", Map.of()).withoutSecrets());

        assertThat(config.detection().calendar().zone()).isEqualTo(ZoneId.of("Europe/Berlin"));
        assertThat(config.detection().calendar().holidays()).hasSize(2);
        assertThat(config.detection().airflow().isEntityId()).isTrue();
        assertThat(config.detection().rule(RuleDefinition.FAILED_LOGIN_BURST).threshold()).isEqualTo(3);
        assertThat(config.vaultAudit().prefix()).isEqualTo("vault-audit: ");
    }

    @Test
    void shouldTakeTheDetectionSettingsOfAFullAirlockYmlAndNameTheSectionsItIgnoresInOneNote() throws Exception {
        Path file = Files.writeString(dir.resolve("airlock.yml"), """
                kafka:
                  bootstrap-servers: kafka.example.com:9092
                  partitions: 6
                detection:
                  time-zone: Europe/Berlin
                rules:
                  AL-001: {threshold: 3}
                opensearch.urls: https://search.example:9200
                slack.webhook-url-env: AIRLOCK_TEST_UNSET_SLACK
                """);

        DetectionOverlay overlay = DetectionOverlay.read(file, Map.of());

        assertThat(overlay.values()).containsOnlyKeys("detection.time-zone", "rules.AL-001.threshold");
        assertThat(overlay.note(file)).hasValue("airlock run: --detection " + file + ": using its detection.*, rules.* and "
                + "vault.audit.prefix settings; its other settings (kafka, opensearch, slack) are ignored in a run without "
                + "--config, which has its own components");
        assertThat(DetectionOverlay.read(Files.writeString(dir.resolve("rules.yml"), "rules: {AL-001: {threshold: 3}}\n"),
                Map.of()).note(file)).isEmpty();
    }

    /** The note named all of {@code vault} as ignored although its {@code vault.audit.prefix} is taken. */
    @Test
    void shouldNameTheVaultSettingsItIgnoresExceptThePrefixItTakes() throws Exception {
        Path file = Files.writeString(dir.resolve("airlock.yml"), """
                vault:
                  audit:
                    file: /var/log/vault/audit.log
                    prefix: "vault-audit: "
                rules:
                  AL-001: {threshold: 3}
                opensearch.urls: https://search.example:9200
                """);

        DetectionOverlay overlay = DetectionOverlay.read(file, Map.of());

        assertThat(overlay.values()).containsOnlyKeys("vault.audit.prefix", "rules.AL-001.threshold");
        assertThat(overlay.note(file)).hasValueSatisfying(note -> assertThat(note)
                .contains("its other settings (vault except vault.audit.prefix, opensearch) are ignored"));
        Path onlyPath = Files.writeString(dir.resolve("path.yml"), "vault.audit.file: /var/log/vault/audit.log\n");
        assertThat(DetectionOverlay.read(onlyPath, Map.of()).note(onlyPath)).hasValueSatisfying(note -> assertThat(note)
                .contains("its other settings (vault) are ignored"));
    }

    @Test
    void shouldAcceptTheExampleProductionFile() {
        DetectionOverlay overlay = DetectionOverlay.read(Path.of("../airlock.example.yml"), Map.of());
        assertThat(overlay.values()).isNotEmpty().allSatisfy((key, value) -> assertThat(key).matches("(detection|rules)\\..*|vault\\.audit\\.prefix"));
        assertThat(overlay.note(Path.of("airlock.example.yml"))).isPresent();
    }

    @Test
    void shouldRefuseABadDetectionValueInAFullAirlockYml() throws Exception {
        Path file = Files.writeString(dir.resolve("airlock.yml"), "kafka.bootstrap-servers: kafka.example.com:9092\n"
                + "rules:\n  AL-001:\n    threshold: banana\n");

        assertThatThrownBy(() -> DetectionOverlay.read(file, Map.of())).isInstanceOf(ConfigException.class)
                .hasMessageContaining("rules.AL-001.threshold").hasMessageContaining("(line 4)")
                .hasMessageNotContaining("not used by a run without --config");
    }

    @Test
    void shouldReportABadDetectionSettingAsCheckConfigWould() throws Exception {
        Path file = Files.writeString(dir.resolve("rules.yml"), "detection:\n  time-zone: Europe/Berln\n");

        assertThatThrownBy(() -> DetectionOverlay.read(file, Map.of())).isInstanceOf(ConfigException.class)
                .hasMessageContaining("detection.time-zone").hasMessageContaining("(line 2)");
    }
}
