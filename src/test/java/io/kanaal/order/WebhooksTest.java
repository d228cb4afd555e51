package io.kanaal.order;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kanaal.api.InvalidRequestException;
import io.kanaal.channel.ChannelProperties;
import io.kanaal.channel.Channels;
import io.kanaal.channel.ChannelsProperties;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Webhook signatures with the time of the call (as the demo's sandbox sends them, Stripe-like: the HMAC of
 * {@code <timestamp>.<body>}), the shortest secret Kanaal starts with, and the most orders one call may carry.
 */
class WebhooksTest {

    private static final String SECRET = "a-webhook-secret-of-at-least-32-characters";
    private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");
    private static final byte[] BODY = "{\"id\":\"1\"}".getBytes(StandardCharsets.UTF_8);

    private final Webhooks webhooks = new Webhooks(channels(Map.of("webhook-secret", SECRET,
            "webhook-timestamp-header", "X-Kanaal-Timestamp")), Duration.ofMinutes(5), Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void aCallSignedWithItsTimeIsTakenWithinFiveMinutesAndRefusedAfter() {
        assertThatCode(() -> verify(NOW.getEpochSecond(), sign(NOW.getEpochSecond() + "." + new String(BODY))))
                .doesNotThrowAnyException();
        long fourMinutesAgo = NOW.minusSeconds(240).getEpochSecond();
        assertThatCode(() -> verify(fourMinutesAgo, sign(fourMinutesAgo + "." + new String(BODY)))).doesNotThrowAnyException();

        long sixMinutesAgo = NOW.minusSeconds(360).getEpochSecond();
        assertThatThrownBy(() -> verify(sixMinutesAgo, sign(sixMinutesAgo + "." + new String(BODY))))
                .isInstanceOf(InvalidRequestException.class).hasMessage("Webhook call too old")
                .extracting(e -> ((InvalidRequestException) e).status()).isEqualTo(401);
        long sixMinutesAhead = NOW.plusSeconds(360).getEpochSecond();
        assertThatThrownBy(() -> verify(sixMinutesAhead, sign(sixMinutesAhead + "." + new String(BODY))))
                .hasMessage("Webhook call too old");
    }

    @Test
    void theTimeIsPartOfWhatIsSignedAndCannotBeLeftOut() {
        long now = NOW.getEpochSecond();
        // a recorded call sent again with a new time: its signature was made over the old one
        long before = now - 600;
        assertThatThrownBy(() -> verify(now, sign(before + "." + new String(BODY)))).hasMessage("Wrong webhook signature");
        // the body alone signed, as a channel without timestamps signs
        assertThatThrownBy(() -> verify(now, sign(new String(BODY)))).hasMessage("Wrong webhook signature");
        assertThatThrownBy(() -> verify(null, sign(now + "." + new String(BODY)))).hasMessage("Missing webhook timestamp");
        assertThatThrownBy(() -> webhooks.verify("shop", Map.of("X-Kanaal-Signature", sign(now + "." + new String(BODY)),
                "X-Kanaal-Timestamp", "yesterday"), BODY)).hasMessage("Missing webhook timestamp");
    }

    @Test
    void aSecretShorterThan32CharactersStopsTheStartNamingTheSetting() {
        assertThatThrownBy(() -> new Webhooks(channels(Map.of("webhook-secret", "short-secret")), Duration.ofMinutes(5),
                Clock.systemUTC()))
                .hasMessageContaining("kanaal.channels.shop.settings.webhook-secret").hasMessageContaining("32");
        assertThatCode(() -> new Webhooks(channels(Map.of()), Duration.ofMinutes(5), Clock.systemUTC()))
                .as("no secret: no webhook").doesNotThrowAnyException();
    }

    @Test
    void aCallWithMoreOrdersThanTheCapGets413() throws Exception {
        OrderPolls polls = new OrderPolls(null, new ObjectMapper(), 3);
        assertThat(polls.received("[{},{},{}]")).hasSize(3);
        assertThatThrownBy(() -> polls.received("[{},{},{},{}]"))
                .isInstanceOf(InvalidRequestException.class).hasMessage("Too many orders in one call")
                .satisfies(e -> assertThat(((InvalidRequestException) e).status()).isEqualTo(413))
                .satisfies(e -> assertThat(((InvalidRequestException) e).errors().toString())
                        .contains("kanaal.orders.webhook-max-orders").contains("4"));
    }

    private void verify(Long timestamp, String signature) {
        Map<String, Object> headers = timestamp == null ? Map.of("X-Kanaal-Signature", signature)
                : Map.of("x-kanaal-signature", signature, "X-Kanaal-Timestamp", Long.toString(timestamp));
        webhooks.verify("shop", headers, BODY);
    }

    private static Channels channels(Map<String, String> settings) {
        return new Channels(new ChannelsProperties(Map.of("shop", new ChannelProperties("rest", true,
                "http://127.0.0.1:1", 0, 10, 10, 1, false, settings, Map.of(), Map.of()))));
    }

    private static String sign(String signed) {
        return "sha256=" + HexFormat.of().formatHex(Webhooks.hmac(SECRET, signed.getBytes(StandardCharsets.UTF_8)));
    }
}
