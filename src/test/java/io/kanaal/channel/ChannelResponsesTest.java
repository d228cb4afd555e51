package io.kanaal.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.Mockito.mock;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How a channel's answer is read: what passes, what is retried, what is refused, and when to wait. */
class ChannelResponsesTest {

    private final Channels channels = new Channels(new ChannelsProperties(Map.of("shop",
            new ChannelProperties("rest", true, "http://127.0.0.1:9", 0, 100, 1000, 1, false, Map.of(), Map.of()))));
    private final RateLimiters limiters = new RateLimiters(channels, Duration.ofMillis(100));
    private final ChannelResponses responses = new ChannelResponses(limiters, mock(OAuth2Tokens.class));

    @Test
    void aSuccessPassesAndRefusalsAreNotRetryable() {
        responses.check("shop", 204, Map.of(), "");
        assertThatThrownBy(() -> responses.check("shop", 404, Map.of(), "{\"title\":\"Not Found\"}"))
                .isInstanceOfSatisfying(ChannelException.class, e -> assertThat(e.retryable()).isFalse())
                .hasMessageContaining("HTTP 404").hasMessageContaining("Not Found");
        assertThatThrownBy(() -> responses.check("shop", 502, Map.of(), ""))
                .isInstanceOfSatisfying(ChannelException.class, e -> assertThat(e.retryable()).isTrue());
    }

    @Test
    void a429PausesTheWholeChannelForRetryAfter() {
        assertThatThrownBy(() -> responses.check("shop", 429, Map.of("Retry-After", "5"), ""))
                .isInstanceOfSatisfying(ChannelException.class, e -> assertThat(e.retryable()).isTrue())
                .hasMessageContaining("retry after 5 s");

        assertThatThrownBy(() -> limiters.acquire("shop"))
                .as("a 5 s pause is longer than this limiter's 100 ms maximum wait")
                .isInstanceOf(ChannelException.class).hasMessageContaining("throttled");
    }

    @Test
    void aPerEndpoint429PausesOnlyThatEndpoint() {
        String orders = RateLimiters.endpoint("/retailer/orders");
        assertThatThrownBy(() -> responses.check("shop", orders, 429, Map.of("Retry-After", "5"), ""))
                .isInstanceOfSatisfying(ChannelException.class, e -> assertThat(e.retryable()).isTrue());

        assertThatThrownBy(() -> limiters.acquire("shop", RateLimiters.endpoint("/retailer/orders/A-1")))
                .as("the order endpoint waits out its 5 s")
                .isInstanceOf(ChannelException.class).hasMessageContaining("/retailer/orders").hasMessageContaining("throttled");
        limiters.acquire("shop", RateLimiters.endpoint("/retailer/offers/1234"));
        limiters.acquire("shop", RateLimiters.endpoint("/shared/process-status/9?x=1"));
    }

    @Test
    void endpointsAreTheFirstTwoPathSegments() {
        assertThat(RateLimiters.endpoint("/retailer/offers/6ff736b5")).isEqualTo("/retailer/offers");
        assertThat(RateLimiters.endpoint("retailer/orders")).isEqualTo("/retailer/orders");
        assertThat(RateLimiters.endpoint("/shared/process-status/1?a=b")).isEqualTo("/shared/process-status");
        assertThat(RateLimiters.endpoint("/stock")).isEqualTo("/stock");
        assertThat(RateLimiters.endpoint(null)).isEqualTo(RateLimiters.WHOLE_CHANNEL);
    }

    @Test
    void anExhaustedRateLimitPausesTheChannelUntilItResets() {
        responses.check("shop", 200, Map.of("X-RateLimit-Remaining", "0", "X-RateLimit-Reset", "3"), "");

        assertThatThrownBy(() -> limiters.acquire("shop")).isInstanceOf(ChannelException.class);
    }

    @Test
    void retryAfterIsReadAsSecondsOrAsAnHttpDate() {
        String inTenSeconds = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(10));

        assertThat(ChannelResponses.retryAfter("4")).isEqualTo(Duration.ofSeconds(4));
        assertThat(ChannelResponses.retryAfter(inTenSeconds)).isBetween(Duration.ofSeconds(8), Duration.ofSeconds(10));
        assertThat(ChannelResponses.retryAfter(null)).isEqualTo(Duration.ofSeconds(1));
        assertThat(ChannelResponses.retryAfter("soon")).isEqualTo(Duration.ofSeconds(1));
    }
}
