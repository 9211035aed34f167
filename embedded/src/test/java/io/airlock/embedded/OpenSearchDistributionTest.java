package io.airlock.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OpenSearchDistributionTest {

    @Test
    void shouldFindTheDistributionTheBuildUnpacked() {
        assertThat(OpenSearchDistribution.home().resolve("bin/opensearch")).isRegularFile();
        assertThat(OpenSearchDistribution.version()).isEqualTo("2.19.1");
    }

    @Test
    void shouldTellToRunTheBuildWhenTheDistributionIsMissing(@TempDir Path empty) {
        assumeTrue(System.getenv(OpenSearchDistribution.HOME_ENV) == null, "the environment variable would take precedence");
        String previous = System.getProperty(OpenSearchDistribution.HOME_PROPERTY);
        System.setProperty(OpenSearchDistribution.HOME_PROPERTY, empty.toString());
        try {
            assertThatThrownBy(EmbeddedOpenSearch::start)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("no OpenSearch distribution at " + empty)
                    .hasMessageContaining("system property airlock.opensearch.home")
                    .hasMessageContaining("mvn -B install -pl embedded");
        } finally {
            if (previous == null) {
                System.clearProperty(OpenSearchDistribution.HOME_PROPERTY);
            } else {
                System.setProperty(OpenSearchDistribution.HOME_PROPERTY, previous);
            }
        }
    }
}
