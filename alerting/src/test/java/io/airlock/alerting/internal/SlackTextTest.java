package io.airlock.alerting.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SlackTextTest {

    @Test
    void shouldEscapeChannelPingsSoTheyCannotNotify() {
        assertThat(SlackText.escape("<!channel> wake up")).isEqualTo("&lt;!channel&gt; wake up");
        assertThat(SlackText.escape("<!here|here> <!everyone>")).doesNotContain("<", ">");
    }

    @Test
    void shouldEscapeUserMentions() {
        assertThat(SlackText.escape("<@U123>")).isEqualTo("&lt;@U123&gt;");
    }

    @Test
    void shouldEscapeForgedLinks() {
        assertThat(SlackText.escape("<http://evil|click>")).isEqualTo("&lt;http://evil|click&gt;");
    }

    @Test
    void shouldEscapeAmpersandFirstSoEntitiesCannotBeSmuggled() {
        assertThat(SlackText.escape("a & b")).isEqualTo("a &amp; b");
        assertThat(SlackText.escape("&lt;!channel&gt;")).isEqualTo("&amp;lt;!channel&amp;gt;");
    }

    @Test
    void shouldFlattenNewlinesAndControlCharactersInSingleLineFields() {
        assertThat(SlackText.field("alice\n*Severity*\r\nlow\tx\u0000y\u2028z\u202Eevil", 100))
                .isEqualTo("alice *Severity* low x y z?evil");
    }

    @Test
    void shouldShowInvisibleFormatCharactersSoANameCannotPassForAnother() {
        assertThat(SlackText.field("ad\u200Dmin", 100)).isEqualTo("ad?min");
        assertThat(SlackText.field("\u200Eroot\u00AD\u2060\uFEFF", 100)).isEqualTo("?root???");
        assertThat(SlackText.field("svc\uDB40\uDC41", 100)).as("a tag character, outside the BMP").isEqualTo("svc?");
        assertThat(SlackText.field("Ωμέγα 用户 😀", 100)).isEqualTo("Ωμέγα 用户 😀");
    }

    @Test
    void shouldKeepNewlinesInBlocksButFlattenOtherControls() {
        assertThat(SlackText.block("line1\nline2\u0007!", 100)).isEqualTo("line1\nline2 !");
    }

    @Test
    void shouldTruncateWithAnEllipsisWithinTheLimit() {
        String cut = SlackText.field("x".repeat(5000), 3000);
        assertThat(cut).hasSize(3000).endsWith("…");
    }

    @Test
    void shouldNeverCutAnEscapeInHalf() {
        String escaped = SlackText.field("abcdefgh<", 12); // "abcdefgh&lt;" is exactly 12
        assertThat(escaped).isEqualTo("abcdefgh&lt;");
        String cut = SlackText.field("abcdefgh<<", 12);
        assertThat(cut).isEqualTo("abcdefgh…");
    }

    @Test
    void shouldNeverSplitASurrogatePair() {
        String cut = SlackText.truncate("ab\uD83D\uDD34cd", 4);
        assertThat(cut).isEqualTo("ab…");
    }

    @Test
    void shouldTreatNullAsEmpty() {
        assertThat(SlackText.escape(null)).isEmpty();
        assertThat(SlackText.field(null, 10)).isEmpty();
    }
}
