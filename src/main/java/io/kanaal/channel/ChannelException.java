package io.kanaal.channel;

import java.time.Duration;

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
