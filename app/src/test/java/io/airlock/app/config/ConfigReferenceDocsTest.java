package io.airlock.app.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/configuration.md is generated from the setting definitions; this keeps the committed file in step with the code. */
class ConfigReferenceDocsTest {

    @Test
    void shouldMatchTheGeneratedReference() throws Exception {
        Path docs = Path.of("..", AirlockConfigReference.DOCS_PATH);
        assertThat(Files.readString(docs, StandardCharsets.UTF_8))
                .as("docs/configuration.md is out of date; regenerate it from the repository root with "
                        + "`./airlock check-config --print-reference > docs/configuration.md`")
                .isEqualTo(AirlockConfigReference.markdown());
    }

    @Test
    void shouldDocumentEverySettingWithAnExplanation() {
        assertThat(AirlockConfig.DEFINITION.settings()).allSatisfy(s -> {
            assertThat(s.documentation()).as(s.key()).isNotBlank().endsWith(".");
            assertThat(AirlockConfigReference.markdown()).contains("`" + (s.isSecret() ? s.envKey() : s.key()) + "`");
        });
    }
}
