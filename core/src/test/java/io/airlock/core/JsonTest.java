package io.airlock.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

    record Doc(String present, String absent, Map<String, String> labels) {
    }

    @Test
    void shouldLeaveOutNullPropertiesAndNullMapValues() {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("team", "data");
        labels.put("owner", null);
        assertThat(Json.writeString(new Doc("x", null, labels))).isEqualTo("{\"present\":\"x\",\"labels\":{\"team\":\"data\"}}");
    }

    @Test
    void shouldTolerateUnknownFields() {
        assertThat(Json.read("{\"present\":\"x\",\"later\":1}".getBytes(java.nio.charset.StandardCharsets.UTF_8), Doc.class).present())
                .isEqualTo("x");
    }
}
