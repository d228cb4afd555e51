package io.kanaal.channel;

import java.time.Duration;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePropertyKey;

/**
 * A channel call failed. {@link #retryable()} tells whether trying again later can succeed; {@link #retryAfter()}
 * how long the channel asked Kanaal to wait first, when it said so.
 */
public class ChannelException extends RuntimeException {

    private final boolean retryable;
    private final Duration retryAfter;

    public ChannelException(String message, boolean retryable) {
        this(message, retryable, null);
    }

    private ChannelException(String message, boolean retryable, Duration retryAfter) {
        super(message);
        this.retryable = retryable;
        this.retryAfter = retryAfter;
    }

    public boolean retryable() {
        return retryable;
    }

    /** How long the channel asked to wait before the next request (429 Retry-After), or null. */
    public Duration retryAfter() {
        return retryAfter;
    }

    /**
     * The ChannelException behind the exchange's failure (its exception, or the one its error handler caught),
     * anywhere in the chain of causes; null when the failure is something else or there is none.
     */
    public static ChannelException of(Exchange exchange) {
        Throwable failure = exchange.getException() != null ? exchange.getException()
                : exchange.getProperty(ExchangePropertyKey.EXCEPTION_CAUGHT, Throwable.class);
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof ChannelException channel) {
                return channel;
            }
        }
        return null;
    }

    /**
     * Whether the exchange failed because a channel refused the request as it is (its {@link ChannelException},
     * wherever in the causes: an expression wraps what its bean throws): retrying cannot help.
     */
    public static boolean refused(Exchange exchange) {
        ChannelException failure = of(exchange);
        return failure != null && !failure.retryable();
    }

    /** The channel is down, slow or throttling: retry with backoff. */
    public static ChannelException unavailable(String message) {
        return new ChannelException(message, true);
    }

    /** The channel asked Kanaal to wait {@code retryAfter}: the next attempt waits at least that long. */
    public static ChannelException throttled(String message, Duration retryAfter) {
        return new ChannelException(message, true, retryAfter);
    }

    /** The channel refused the request as it is: retrying cannot help, dead-letter it at once. */
    public static ChannelException rejected(String message) {
        return new ChannelException(message, false);
    }
}
