package io.kanaal.broker;

/**
 * A dead letter's queue and headers: why and where its message failed. Written by the dead-letter route
 * ({@code DeadLetters.annotate}), read by whatever must tell a dead letter or its replay from a first delivery.
 */
public final class DeadLetterHeaders {

    /** A queue's dead letters are on {@code DLQ.<queue>}. */
    public static final String PREFIX = "DLQ.";
    /**
     * The one queue for what the broker dead-letters itself (a message rolled back max-delivery-attempts times
     * without Kanaal's dead-letter route getting to it), whatever queue it came from.
     */
    public static final String BROKER_QUEUE = "DLQ.broker";
    public static final String REASON = "kanaalDeadLetterReason";
    public static final String ORIGINAL_QUEUE = "kanaalOriginalQueue";
    public static final String FAILED_ROUTE = "kanaalFailedRoute";
    public static final String ATTEMPTS = "kanaalAttempts";
    public static final String FAILED_AT = "kanaalFailedAt";

    private DeadLetterHeaders() {
    }
}
