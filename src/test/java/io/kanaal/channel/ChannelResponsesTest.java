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
            new ChannelProperties("rest", true, "http://127.0.0.1:9", 0, 100, 1000, 1, false, Map.of(), Map.of(), Map.of()))));
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
        String orderList = RateLimiters.endpoint("GET", "/retailer/orders?page=1");
        assertThatThrownBy(() -> responses.checkEndpoint("shop", orderList, 429, Map.of("Retry-After", "5"), ""))
                .isInstanceOfSatisfying(ChannelException.class, e -> assertThat(e.retryable()).isTrue());

        assertThatThrownBy(() -> limiters.acquireEndpoint("shop", RateLimiters.endpoint("GET", "/retailer/orders?page=2")))
                .as("the order list waits out its 5 s")
                .isInstanceOf(ChannelException.class).hasMessageContaining("GET /retailer/orders").hasMessageContaining("throttled");
        limiters.acquireEndpoint("shop", RateLimiters.endpoint("GET", "/retailer/orders/1042823870"));
        limiters.acquireEndpoint("shop", RateLimiters.endpoint("PUT", "/retailer/orders/cancellation"));
        limiters.acquireEndpoint("shop", RateLimiters.endpoint("PATCH", "/retailer/offers/6ff736b5-cdd0-4150-8c67-78269ee986f5"));
    }

    @Test
    void anEndpointIsTheMethodAndThePathWithItsIds() {
        assertThat(RateLimiters.endpoint("PATCH", "/retailer/offers/6ff736b5-cdd0")).isEqualTo("PATCH /retailer/offers/{id}");
        assertThat(RateLimiters.endpoint("get", "retailer/orders?change-interval-minute=5")).isEqualTo("GET /retailer/orders");
        assertThat(RateLimiters.endpoint("GET", "/retailer/orders/1042823870")).isEqualTo("GET /retailer/orders/{id}");
        assertThat(RateLimiters.endpoint("PUT", "/retailer/orders/cancellation")).isEqualTo("PUT /retailer/orders/cancellation");
        assertThat(RateLimiters.endpoint("GET", "/shared/process-status/1?a=b")).isEqualTo("GET /shared/process-status/{id}");
        assertThat(RateLimiters.endpoint("GET", null)).isEqualTo(RateLimiters.WHOLE_CHANNEL);
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
