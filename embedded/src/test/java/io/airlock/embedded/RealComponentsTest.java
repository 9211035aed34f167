package io.airlock.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(RealComponents.class)
class RealComponentsTest {

    private final WebhookReceiver injectedIntoConstructor;

    RealComponentsTest(WebhookReceiver receiver) {
        this.injectedIntoConstructor = receiver;
    }

    @Test
    void shouldInjectOneSharedInstancePerType(WebhookReceiver receiver) {
        assertThat(receiver).isSameAs(injectedIntoConstructor);
    }

    @Test
    void uniqueNamesShouldBeDistinctAndValidForTopicsIndicesAndDatabases() {
        Set<String> names = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            names.add(RealComponents.uniqueName("Failed.Logins Burst/AL-001"));
        }
        assertThat(names).hasSize(1000).allSatisfy(name -> assertThat(name)
                .matches("[a-z][a-z0-9_-]*")
                .startsWith("failed-logins-burst-al-001-")
                .hasSizeLessThan(63));
        assertThat(RealComponents.uniqueName("_x")).matches("t_x-\\d+-[a-z0-9]+");
    }
}
