package io.kanaal.channel;

import java.util.Optional;
import java.time.Instant;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.Exchange;
import org.apache.camel.Predicate;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Whether a channel takes stock at all, and how long a stock message keeps being retried while it does not.
 * The queue consumers' error handler asks it before every redelivery (routes/error-handling.camel.yaml,
 * {@code retryWhileRef}):
 * <ul>
 *   <li>the first {@code kanaal.delivery.maximum-redeliveries} redeliveries always happen (with backoff);</li>
 *   <li>after that, a stock message of the channel (from its stock queue, or handed to its senders directly) whose
 *       channel took no stock
 *       update since the message first failed (the channel is down, or throttles everything) keeps being retried,
 *       at most {@code kanaal.delivery.maximum-delay} apart, for up to {@code kanaal.delivery.outage-patience} from
 *       that first failure. It is not dead-lettered for an outage that ends within that time: its next attempt
 *       after the outage sends the current quantity. While the channel's consumers wait in these retries, newer
 *       quantities coalesce on its last-value queue (or per SKU in {@code ChannelDispatch});</li>
 *   <li>a message that keeps failing while its channel takes other SKUs (the failure is its own), one whose
 *       outage lasts longer than the patience, and every other kind of message (orders, fulfilment), are
 *       dead-lettered with their reason once the redeliveries are used up.</li>
 * </ul>
 * Only retryable {@link ChannelException}s count: any other failure is dead-lettered after the maximum.
 */
@Component("channelHealth")
public class ChannelHealth implements Predicate {

    /** Exchange property: when the message's first attempt failed (epoch milliseconds). */
    public static final String FIRST_FAILURE = "kanaalFirstFailureAt";

    private final Map<String, Long> lastSuccess = new ConcurrentHashMap<>();
    private final int maximumRedeliveries;
    private final long patienceMillis;

    public ChannelHealth(@Value("${kanaal.delivery.maximum-redeliveries}") int maximumRedeliveries,
                         @Value("${kanaal.delivery.outage-patience:6h}") Duration patience) {
        this.maximumRedeliveries = maximumRedeliveries;
        this.patienceMillis = patience.toMillis();
    }

    /** The channel took a stock update. */
    public void succeeded(String channel) {
        lastSuccess.put(channel, System.currentTimeMillis());
    }

    /** When the channel last took a stock update (since Kanaal started); empty before the first. */
    public Optional<Instant> lastSuccess(String channel) {
        return Optional.ofNullable(lastSuccess.get(channel)).map(Instant::ofEpochMilli);
    }

    /** Whether the channel took no stock update at or after {@code sinceMillis}. */
    public boolean downSince(String channel, long sinceMillis) {
        Long last = lastSuccess.get(channel);
        return last == null || last < sinceMillis;
    }

    /** Notes when the message first failed, for the patience (called right after every failed attempt). */
    public static void stampFirstFailure(Exchange exchange) {
        if (exchange.getProperty(FIRST_FAILURE) == null) {
            exchange.setProperty(FIRST_FAILURE, System.currentTimeMillis());
        }
    }

    /** Whether the message is redelivered once more; see the class description. */
    @Override
    public boolean matches(Exchange exchange) {
        int redelivery = exchange.getIn().getHeader(Exchange.REDELIVERY_COUNTER, 0, Integer.class);
        if (redelivery <= maximumRedeliveries) {
            return true;
        }
        String channel = exchange.getVariable("channel", String.class);
        Long firstFailure = exchange.getProperty(FIRST_FAILURE, Long.class);
        ChannelException failure = ChannelException.of(exchange);
        if (channel == null || firstFailure == null || failure == null || !failure.retryable()
                || !ChannelStockQueues.qualified(channel).equals(exchange.getVariable("consumedQueue", String.class))) {
            return false;
        }
        return System.currentTimeMillis() - firstFailure < patienceMillis && downSince(channel, firstFailure);
    }
}
