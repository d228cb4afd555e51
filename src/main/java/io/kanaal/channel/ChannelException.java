package io.kanaal.channel;

/** A channel call failed. {@link #retryable()} tells whether trying again later can succeed. */
public class ChannelException extends RuntimeException {

    private final boolean retryable;

    public ChannelException(String message, boolean retryable) {
        super(message);
        this.retryable = retryable;
    }

    public boolean retryable() {
        return retryable;
    }

    /** The channel is down, slow or throttling: retry with backoff. */
    public static ChannelException unavailable(String message) {
        return new ChannelException(message, true);
    }

    /** The channel refused the request as it is: retrying cannot help, dead-letter it at once. */
    public static ChannelException rejected(String message) {
        return new ChannelException(message, false);
    }
}
