package io.airlock.alerting.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class WebhookPosterTest {

    @Test
    void shouldReadRetryAfterAsSecondsOrADateWithinADay() {
        assertThat(WebhookPoster.parseRetryAfter(" 7 ")).contains(Duration.ofSeconds(7));
        assertThat(WebhookPoster.parseRetryAfter("10000000000")).contains(Duration.ofDays(1));
        assertThat(WebhookPoster.parseRetryAfter("Fri, 31 Dec 9999 23:59:59 GMT")).contains(Duration.ofDays(1));
        assertThat(WebhookPoster.parseRetryAfter("Thu, 01 Jan 1970 00:00:00 GMT")).contains(Duration.ZERO);
        assertThat(WebhookPoster.parseRetryAfter("-1")).isEmpty();
        assertThat(WebhookPoster.parseRetryAfter("soon")).isEmpty();
    }
}
