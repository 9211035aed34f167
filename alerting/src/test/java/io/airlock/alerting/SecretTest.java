package io.airlock.alerting;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SecretTest {

    @Test
    void shouldRemoveASecretWhereverItStandsButAShortOneOnlyWhereItStandsAlone() {
        assertThat(Secret.of("s3cr3t-pw").redact("auth failed for s3cr3t-pw and xs3cr3t-pwx")).isEqualTo("auth failed for **** and x****x");
        assertThat(Secret.of("on").redact("cannot connect: connection refused, password on")).isEqualTo(
                "cannot connect: connection refused, password ****");
        assertThat(Secret.of("x").redact("UnknownHostException: x")).isEqualTo("UnknownHostException: ****");
    }
}
