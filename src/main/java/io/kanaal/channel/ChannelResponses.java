package io.kanaal.channel;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;
import org.apache.camel.Body;
import org.apache.camel.Header;
import org.apache.camel.Headers;
import org.apache.camel.Variable;
import org.springframework.stereotype.Component;

/**
 * Reads a channel's HTTP answer: a 2xx passes; 429 and 5xx are retryable; other 4xx are rejected at once.
 * Rate-limit headers pause the channel's budget ({@code Retry-After}, {@code X-RateLimit-Remaining} and
 * {@code X-RateLimit-Reset}), or only its endpoint's where the channel's limits are per endpoint (Bol.com),
 * so every consumer of that channel (or endpoint) waits, not only the one that was told.
 */
@Component("channelResponses")
public class ChannelResponses {

    private static final int MAX_BODY_IN_REASON = 500;


    private final RateLimiters rateLimiters;
    private final OAuth2Tokens tokens;

    public ChannelResponses(RateLimiters rateLimiters, OAuth2Tokens tokens) {
        this.rateLimiters = rateLimiters;
        this.tokens = tokens;
    }

    public void check(@Variable("channel") String channel, @Header("CamelHttpResponseCode") int status,
                      @Headers Map<String, Object> headers, @Body String body) {
        checkEndpoint(channel, RateLimiters.WHOLE_CHANNEL, status, headers, body);
    }

    /**
     * As {@link #check(String, int, Map, String)}, for a channel whose rate limits are per endpoint: a wait
     * the answer asks for holds up only that endpoint ({@link RateLimiters#endpoint(String, String)}).
     */
    public void checkEndpoint(String channel, String endpoint, @Header("CamelHttpResponseCode") int status,
                      @Headers Map<String, Object> headers, @Body String body) {
        Duration reset = rateLimitReset(headers);
        if (reset != null) {
            rateLimiters.pause(channel, endpoint, reset);
        }
        if (status >= 200 && status < 300) {
            return;
        }
        String reason = "channel " + channel + " answered HTTP " + status + ": " + abbreviate(body);
        if (status == 429) {
            Duration retryAfter = retryAfter(headers.get("Retry-After"));
            rateLimiters.pause(channel, endpoint, retryAfter);
            throw ChannelException.throttled(reason + " (retry after " + retryAfter.toSeconds() + " s)", retryAfter);
        }
        if (status == 401) {
            tokens.evict(channel);
            throw ChannelException.unavailable(reason);
        }
        if (status >= 500 || status == 408) {
            throw ChannelException.unavailable(reason);
        }
        throw ChannelException.rejected(reason);
    }

    /** Retry-After in seconds or as an HTTP date; 1 s when missing or unreadable. */
    static Duration retryAfter(Object value) {
        if (value == null || value.toString().isBlank()) {
            return Duration.ofSeconds(1);
        }
        String text = value.toString().trim();
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(text)));
        } catch (NumberFormatException notSeconds) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration until = Duration.between(ZonedDateTime.now(at.getZone()), at);
                return until.isNegative() ? Duration.ZERO : until;
            } catch (DateTimeParseException notADate) {
                return Duration.ofSeconds(1);
            }
        }
    }

    private static Duration rateLimitReset(Map<String, Object> headers) {
        Object remaining = headers.get("X-RateLimit-Remaining");
        Object reset = headers.get("X-RateLimit-Reset");
        if (remaining == null || reset == null || !"0".equals(remaining.toString().trim())) {
            return null;
        }
        try {
            long value = Long.parseLong(reset.toString().trim());
            // seconds until the reset, or the reset as epoch seconds
            long seconds = value > 1_000_000_000L ? value - System.currentTimeMillis() / 1000 : value;
            return Duration.ofSeconds(Math.max(0, seconds));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** A channel's answer for a failure's reason: on one line, at most 500 characters. */
    public static String abbreviate(String body) {
        if (body == null || body.isBlank()) {
            return "(no body)";
        }
        String oneLine = body.replaceAll("\\s+", " ").trim();
        return oneLine.length() > MAX_BODY_IN_REASON ? oneLine.substring(0, MAX_BODY_IN_REASON) + "..." : oneLine;
    }
}
