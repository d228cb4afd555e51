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
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.camel.Body;
import org.apache.camel.Header;
import org.apache.camel.Headers;
import org.springframework.stereotype.Component;

/**
 * Order webhooks ({@code POST /webhooks/<channel>/orders}): the body must carry the channel's HMAC-SHA256
 * signature, made with the channel's {@code settings.webhook-secret}, in the header named by
 * {@code settings.webhook-signature-header} (default {@code X-Kanaal-Signature}), as hex (optionally
 * prefixed {@code sha256=}) or Base64 (as Shopify sends it). Anything else gets 401 and nothing is queued.
 */
@Component("webhooks")
public class Webhooks {

    static final String DEFAULT_HEADER = "X-Kanaal-Signature";

    private final Channels channels;

    public Webhooks(Channels channels) {
        this.channels = channels;
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
        String signature = headers.entrySet().stream()
                .filter(e -> e.getKey().equalsIgnoreCase(headerName))
                .map(e -> String.valueOf(e.getValue())).findFirst().orElse(null);
        if (signature == null || signature.isBlank()) {
            throw new InvalidRequestException(401, "Missing webhook signature", List.of("header " + headerName + " is required"));
        }
        byte[] expected = hmac(secret, body == null ? new byte[0] : body);
        if (!MessageDigest.isEqual(expected, decode(signature.trim()))) {
            throw new InvalidRequestException(401, "Wrong webhook signature",
                    List.of("header " + headerName + " is not the HMAC-SHA256 of the body with the channel's secret"));
        }
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
