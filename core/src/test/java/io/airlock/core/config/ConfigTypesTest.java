package io.airlock.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigTypesTest {

    @ParameterizedTest
    @CsvSource({"500ms, PT0.5S", "30s, PT30S", "5m, PT5M", "24h, PT24H", "7d, PT168H", "PT5M, PT5M", "P7D, PT168H",
            "pt90s, PT1M30S", "0, PT0S", "'10 m', PT10M"})
    void shouldParseShortAndIsoDurations(String text, String iso) {
        assertThat(ConfigTypes.duration().parse(text)).isEqualTo(Duration.parse(iso));
    }

    @Test
    void shouldAcceptZeroAsANumberButRefuseOtherNumbersWithoutUnit() {
        assertThat(ConfigTypes.duration().parse(0)).isZero();
        assertThatThrownBy(() -> ConfigTypes.duration().parse(300)).hasMessage("needs a unit (500ms, 30s, 5m, 24h, 7d), was 300");
    }

    @Test
    void shouldRefuseNonsenseDurationsInPlainWords() {
        assertThatThrownBy(() -> ConfigTypes.duration().parse("5 minutes"))
                .hasMessage("must be a duration like 500ms, 30s, 5m, 24h, 7d or PT5M, was '5 minutes'");
        assertThatThrownBy(() -> ConfigTypes.duration().parse("PT5X")).hasMessageContaining("was 'PT5X'");
        assertThatThrownBy(() -> ConfigTypes.duration().parse(List.of("5m"))).hasMessageEndingWith("was a list");
    }

    @Test
    void shouldRefuseDurationsLongerThanTenYearsSoNoTimeArithmeticCanOverflow() {
        assertThat(ConfigTypes.duration().parse("3650d")).isEqualTo(ConfigTypes.MAX_DURATION);
        for (String tooLong : List.of("3651d", "999999999999d", "P999999999999D", "100000000000000000000s", "PT9999999999999999H")) {
            assertThatThrownBy(() -> ConfigTypes.duration().parse(tooLong)).as(tooLong)
                    .hasMessage("is too long a duration; at most 3650d, was '" + tooLong + "'");
        }
        assertThat(ConfigTypes.formatDuration(Duration.ofSeconds(Long.MAX_VALUE))).as("no overflow").startsWith("PT");
    }

    @Test
    void shouldFormatDurationsTheShortestExactWay() {
        assertThat(ConfigTypes.formatDuration(Duration.ofMinutes(5))).isEqualTo("5m");
        assertThat(ConfigTypes.formatDuration(Duration.ofSeconds(90))).isEqualTo("90s");
        assertThat(ConfigTypes.formatDuration(Duration.ofDays(7))).isEqualTo("7d");
        assertThat(ConfigTypes.formatDuration(Duration.ofMillis(200))).isEqualTo("200ms");
        assertThat(ConfigTypes.formatDuration(Duration.ZERO)).isEqualTo("0");
        for (String s : List.of("5m", "90s", "7d", "200ms", "24h")) {
            ConfigType<Duration> type = ConfigTypes.duration();
            assertThat(type.format(type.parse(s))).isEqualTo(s);
        }
    }

    @Test
    void shouldParseIanaTimeZonesAndRefuseFixedOffsetsAndTypos() {
        assertThat(ConfigTypes.timeZone().parse("Europe/Berlin")).isEqualTo(ZoneId.of("Europe/Berlin"));
        assertThat(ConfigTypes.timeZone().parse("UTC")).isEqualTo(ZoneId.of("UTC"));
        assertThatThrownBy(() -> ConfigTypes.timeZone().parse("+02:00"))
                .hasMessageStartingWith("must be an IANA time zone such as Europe/Berlin or UTC, was '+02:00'");
        assertThatThrownBy(() -> ConfigTypes.timeZone().parse("Europe/Berln"))
                .hasMessageEndingWith("(did you mean 'Europe/Berlin'?)");
        assertThatThrownBy(() -> ConfigTypes.timeZone().parse("europe/berlin"))
                .hasMessageEndingWith("(did you mean 'Europe/Berlin'?)");
        assertThatThrownBy(() -> ConfigTypes.timeZone().parse("EST")).as("not EET, seven hours away")
                .hasMessageEndingWith("an abbreviation without daylight saving time: write the region, e.g. America/New_York");
        assertThatThrownBy(() -> ConfigTypes.timeZone().parse("pst")).hasMessageEndingWith("e.g. America/Los_Angeles");
    }

    @Test
    void shouldRefuseTextThatYamlTurnedIntoABooleanOrANumberAndEmptyListItems() {
        assertThatThrownBy(() -> ConfigTypes.string().parse(false))
                .hasMessage("must be text, but YAML read it as false (yes, no, on, off, y, n are booleans to it): write the text in quotes");
        assertThatThrownBy(() -> ConfigTypes.string().parse(10))
                .hasMessage("must be text, but YAML read it as the number 10 (leading zeros, 0x and exponents change it): write the "
                        + "text in quotes");
        assertThat(ConfigTypes.string().parse("012")).isEqualTo("012");
        ConfigType<List<String>> list = ConfigTypes.listOf(ConfigTypes.string());
        assertThatThrownBy(() -> list.parse("secret/health, ,x")).hasMessage("item 2 is empty");
        assertThatThrownBy(() -> list.parse(List.of(""))).hasMessage("item 1 is empty");
        assertThatThrownBy(() -> list.parse(java.util.Arrays.asList("a", null, " "))).hasMessage("item 2 is empty; item 3 is empty");
    }

    @Test
    void shouldParseHostPortListsFromSequencesAndCommaSeparatedStrings() {
        ConfigType<List<HostPort>> type = ConfigTypes.listOf(ConfigTypes.hostPort());
        assertThat(type.parse(List.of("kafka-1:9092", "[::1]:9093")))
                .containsExactly(new HostPort("kafka-1", 9092), new HostPort("::1", 9093));
        assertThat(type.parse("a:1, b:2")).extracting(HostPort::toString).containsExactly("a:1", "b:2");
        assertThat(type.format(type.parse("a:1,[::1]:2"))).isEqualTo("a:1, [::1]:2");
        assertThatThrownBy(() -> type.parse(List.of("a:1", "b"))).hasMessage("item 2 must be host:port, was 'b'");
        assertThatThrownBy(() -> type.parse(List.of("x", "a:1", "b"))).as("every bad item, not just the first")
                .hasMessage("item 1 must be host:port, was 'x'; item 3 must be host:port, was 'b'");
        assertThatThrownBy(() -> type.parse("a:70000")).hasMessage("port must be 1..65535, was 'a:70000'");
    }

    @Test
    void shouldParseIntegersButNotFractionsOrWords() {
        assertThat(ConfigTypes.integer().parse(5432)).isEqualTo(5432);
        assertThat(ConfigTypes.integer().parse("5432")).isEqualTo(5432);
        assertThatThrownBy(() -> ConfigTypes.integer().parse(5.5)).hasMessage("must be a whole number, was 5.5");
        assertThatThrownBy(() -> ConfigTypes.integer().parse("many")).hasMessage("must be a whole number, was 'many'");
        assertThatThrownBy(() -> ConfigTypes.integer().parse(10_000_000_000L)).hasMessage("is too large (at most 2147483647), was 10000000000");
    }

    @Test
    void shouldParseBooleansUrlsChoicesEnumsAndTimes() {
        assertThat(ConfigTypes.bool().parse(true)).isTrue();
        assertThat(ConfigTypes.bool().parse("FALSE")).isFalse();
        assertThatThrownBy(() -> ConfigTypes.bool().parse("yes")).hasMessage("must be true or false, was 'yes'");
        assertThat(ConfigTypes.httpUrl().parse("https://events.pagerduty.com/v2/enqueue"))
                .isEqualTo(URI.create("https://events.pagerduty.com/v2/enqueue"));
        assertThatThrownBy(() -> ConfigTypes.httpUrl().parse("ftp://x")).hasMessageStartingWith("must be an http:// or https:// URL");
        assertThatThrownBy(() -> ConfigTypes.httpUrl().parse("http://127.0.0.1:99999/v2/enqueue"))
                .hasMessageContaining("a port of 1–65535");
        assertThatThrownBy(() -> ConfigTypes.httpUrl().parse("http://127.0.0.1:0/v2/enqueue")).hasMessageContaining("1–65535");
        assertThatThrownBy(() -> ConfigTypes.httpUrl().parse("localhost:9200")).hasMessageStartingWith("must be an http:// or https://");
        assertThatThrownBy(() -> ConfigTypes.oneOf("disable", "require").parse("requre"))
                .hasMessage("must be one of disable, require, was 'requre' (did you mean 'require'?)");
        assertThat(ConfigTypes.enumOf(DayOfWeek.class, "day").parse("monday")).isEqualTo(DayOfWeek.MONDAY);
        assertThat(ConfigTypes.timeOfDay().parse("08:00")).isEqualTo(LocalTime.of(8, 0));
        assertThat(ConfigTypes.timeOfDay().parse("17:30:15")).isEqualTo(LocalTime.of(17, 30, 15));
        assertThat(ConfigTypes.timeOfDay().parse("23:59:59.999999999")).as("what the reference gives for an end at midnight")
                .isEqualTo(LocalTime.MAX);
        assertThatThrownBy(() -> ConfigTypes.timeOfDay().parse(1020)).hasMessage("must be a time of day, HH:MM[:SS[.fraction]] like 08:00, was 1020");
        assertThatThrownBy(() -> ConfigTypes.timeOfDay().parse("8:00")).hasMessage("must be a time of day, HH:MM[:SS[.fraction]] like 08:00, was '8:00'");
    }

    @Test
    void shouldShowNoCredentialsOfAValueInAProblem() {
        assertThatThrownBy(() -> ConfigTypes.integer().parse("user:S3cret@db.internal"))
                .hasMessage("must be a whole number, was '****@db.internal'");
        assertThatThrownBy(() -> ConfigTypes.duration().parse("https://TOKEN@x.internal/y"))
                .hasMessageContaining("was 'https://****@x.internal/y'");
        assertThatThrownBy(() -> ConfigTypes.hostPort().parse("user:S3cret@localhost:9092"))
                .hasMessageContaining("without credentials").hasMessageNotContaining("S3cret");
        assertThatThrownBy(() -> ConfigTypes.integer().parse("alice@example.com"))
                .as("an e-mail address holds no credential").hasMessageContaining("'alice@example.com'");
    }

    @Test
    void shouldPrintAUrlWithoutUserInfoQueryStringOrFragment() {
        assertThat(ConfigTypes.redacted(URI.create("https://gitlab.internal/raw/main/?private_token=SECRET")))
                .isEqualTo("https://gitlab.internal/raw/main/?****");
        assertThat(ConfigTypes.redacted(URI.create("https://u:p@dash.internal:5601/app#access_token=SECRET")))
                .isEqualTo("https://****@dash.internal:5601/app#****");
        assertThat(ConfigTypes.redacted("https://events.pagerduty.com/v2/enqueue")).isEqualTo("https://events.pagerduty.com/v2/enqueue");
        assertThat(ConfigTypes.httpUrl().format(ConfigTypes.httpUrl().parse("https://proxy.internal/v2/enqueue?token=SECRET")))
                .as("as the effective configuration shows it").isEqualTo("https://proxy.internal/v2/enqueue?****");
    }

    @Test
    void shouldPrintAUrlWithoutAPasswordHoldingAHashAQuestionMarkOrAnAt() {
        assertThat(ConfigTypes.redacted("https://admin:pa#ss@host")).isEqualTo("https://****@host");
        assertThat(ConfigTypes.redacted("https://admin:pa?ss@host:9200/x?token=SECRET")).isEqualTo("https://****@host:9200/x?****");
        assertThat(ConfigTypes.redacted("https://admin:p@ss#w?rd@host/x#frag")).isEqualTo("https://****@host/x#****");
        assertThat(ConfigTypes.redacted("https://admin:pass@host/search?q=a@b")).isEqualTo("https://****@host/search?****");
        assertThat(ConfigTypes.redacted("https://admin:pa/ss@host/x?t=1")).as("a / in the password, as before")
                .isEqualTo("https://****@host/x?****");
    }
}
