package io.airlock.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import javax.security.auth.login.AppConfigurationEntry;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.security.JaasContext;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.security.plain.PlainLoginModule;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KafkaSecurityTest {

    @ParameterizedTest
    @ValueSource(strings = {"s3cret", "s3cret\n", "ab\nTAIL", "q\"u\\o'te // not /* a comment */", "cr\r\nlf"})
    void shouldGiveKafkaThePasswordExactlyAsWritten(String password) {
        KafkaSecurity security = KafkaSecurity.of(SecurityProtocol.SASL_SSL.name, "PLAIN", "airlock", password, null);

        JaasContext context = JaasContext.loadClientContext(Map.of(SaslConfigs.SASL_JAAS_CONFIG,
                new Password(security.properties().get(SaslConfigs.SASL_JAAS_CONFIG))));

        AppConfigurationEntry entry = context.configurationEntries().get(0);
        assertThat(entry.getLoginModuleName()).isEqualTo(PlainLoginModule.class.getName());
        assertThat(entry.getOptions().get("username")).isEqualTo("airlock");
        assertThat(entry.getOptions().get("password")).isEqualTo(password);
        assertThat(security.toString()).doesNotContain("s3cret").doesNotContain("TAIL").contains("[hidden]");
    }
}
