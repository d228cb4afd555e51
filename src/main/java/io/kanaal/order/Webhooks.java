package io.kanaal.order;

import io.kanaal.api.InvalidRequestException;
import io.kanaal.channel.ChannelProperties;
import io.kanaal.channel.Channels;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.time.Clock;
import java.time.Duration;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.camel.Body;
import org.apache.camel.Header;
import org.apache.camel.Headers;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Order webhooks ({@code POST /webhooks/<channel>/orders}): the body must carry the channel's HMAC-SHA256
 * signature, made with the channel's {@code settings.webhook-secret}, in the header named by
 * {@code settings.webhook-signature-header} (default {@code X-Kanaal-Signature}), as hex (optionally
 * prefixed {@code sha256=}) or Base64 (as Shopify sends it). Anything else gets 401 and nothing is queued.
 *
 * <p>A channel that sends the time of the call ({@code settings.webhook-timestamp-header}, e.g.
 * {@code X-Kanaal-Timestamp}: Unix seconds) signs {@code <timestamp>.<body>} (as Stripe does), and a call whose time
 * is more than {@code kanaal.orders.webhook-tolerance} (5 minutes) away from now is refused with 401: a recorded
 * call cannot be sent again later. A secret shorter than {@value #MIN_SECRET_LENGTH} characters stops the start,
 * naming the setting.
 */
@Component("webhooks")
public class Webhooks {

    static final String DEFAULT_HEADER = "X-Kanaal-Signature";
    static final int MIN_SECRET_LENGTH = 32;

    private final Channels channels;
    private final Duration tolerance;
    private final Clock clock;

    @Autowired
    public Webhooks(Channels channels, @Value("${kanaal.orders.webhook-tolerance:5m}") Duration tolerance) {
        this(channels, tolerance, Clock.systemUTC());
    }

    Webhooks(Channels channels, Duration tolerance, Clock clock) {
        this.channels = channels;
        this.tolerance = tolerance;
        this.clock = clock;
        channels.enabledIds().forEach(id -> channels.enabled(id).ifPresent(channel -> {
            String secret = channel.settings().get("webhook-secret");
            if (secret != null && !secret.isBlank() && secret.length() < MIN_SECRET_LENGTH) {
                throw new IllegalStateException("kanaal.channels." + id + ".settings.webhook-secret is " + secret.length()
                        + " characters long: a webhook secret needs at least " + MIN_SECRET_LENGTH);
            }
        }));
    }

    /**
     * Checks the signature of a webhook call.
     *
     * @throws InvalidRequestException 404 for a channel without webhooks, 401 for a missing or wrong signature
     */
    public void verify(@Header("channel") String channel, @Headers Map<String, Object> headers, @Body byte[] body) {
        ChannelProperties properties = channels.enabled(channel).orElse(null);
        String secret = properties == null ? null : properties.settings().get("webhook-secret");
        if (secret == null || secret.isBlank()) {
            throw new InvalidRequestException(404, "No order webhook for channel '" + channel + "'",
                    List.of("the channel is unknown, disabled, or has no settings.webhook-secret"));
        }
        String headerName = properties.settings().getOrDefault("webhook-signature-header", DEFAULT_HEADER);
        String signature = header(headers, headerName);
        if (signature == null || signature.isBlank()) {
            throw new InvalidRequestException(401, "Missing webhook signature", List.of("header " + headerName + " is required"));
        }
        byte[] content = body == null ? new byte[0] : body;
        byte[] signed = content;
        String timestampHeader = properties.settings().get("webhook-timestamp-header");
        boolean timed = timestampHeader != null && !timestampHeader.isBlank();
        if (timed) {
            String timestamp = header(headers, timestampHeader);
            long seconds;
            try {
                seconds = Long.parseLong(timestamp == null ? "" : timestamp.trim());
            } catch (NumberFormatException e) {
                throw new InvalidRequestException(401, "Missing webhook timestamp",
                        List.of("header " + timestampHeader + " is required: the time of the call in Unix seconds"));
            }
            long now = clock.instant().getEpochSecond();
            if (Math.abs(now - seconds) > tolerance.toSeconds()) {
                throw new InvalidRequestException(401, "Webhook call too old",
                        List.of("header " + timestampHeader + " is " + (now - seconds) + " s from Kanaal's clock; at most "
                                + tolerance.toSeconds() + " s are taken"));
            }
            byte[] prefix = (timestamp.trim() + ".").getBytes(StandardCharsets.UTF_8);
            signed = new byte[prefix.length + content.length];
            System.arraycopy(prefix, 0, signed, 0, prefix.length);
            System.arraycopy(content, 0, signed, prefix.length, content.length);
        }
        byte[] expected = hmac(secret, signed);
        if (!MessageDigest.isEqual(expected, decode(signature.trim()))) {
            throw new InvalidRequestException(401, "Wrong webhook signature",
                    List.of("header " + headerName + " is not the HMAC-SHA256 of the "
                            + (timed ? "timestamp, '.' and the body" : "body")
                            + " with the channel's secret"));
        }
    }

    private static String header(Map<String, Object> headers, String name) {
        return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                .map(e -> String.valueOf(e.getValue())).findFirst().orElse(null);
    }

    static byte[] hmac(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    private static byte[] decode(String signature) {
        String value = signature.toLowerCase(Locale.ROOT).startsWith("sha256=") ? signature.substring(7) : signature;
        try {
            if (value.length() == 64) {
                return HexFormat.of().parseHex(value);
            }
            return Base64.getDecoder().decode(value);
        } catch (IllegalArgumentException e) {
            return new byte[0];
        }
    }
}
