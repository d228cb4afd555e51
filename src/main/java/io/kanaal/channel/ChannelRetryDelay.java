package io.kanaal.channel;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.springframework.stereotype.Component;

/**
 * Called by the queue consumers' error handler right after an attempt failed (routes/error-handling.camel.yaml,
 * {@code onExceptionOccurredRef}): when the channel asked Kanaal to wait ({@link ChannelException#retryAfter()},
 * a 429's Retry-After, or the rest of a pause longer than {@code kanaal.delivery.max-throttle-wait}), the next
 * attempt waits that long instead of the backoff's next step ({@link Exchange#REDELIVERY_DELAY}). So a channel
 * that says "come back in 5 minutes" is not asked again sooner, and its wait does not use up the retries. It also
 * notes when the message first failed, for {@link ChannelHealth}'s patience with an outage.
 */
@Component("channelRetryDelay")
public class ChannelRetryDelay implements Processor {

    @Override
    public void process(Exchange exchange) {
        ChannelHealth.stampFirstFailure(exchange);
        ChannelException channel = ChannelException.of(exchange);
        if (channel != null && channel.retryAfter() != null) {
            exchange.getIn().setHeader(Exchange.REDELIVERY_DELAY, Math.max(1, channel.retryAfter().toMillis()));
        } else {
            // any other failure: the backoff's own delay
            exchange.getIn().removeHeader(Exchange.REDELIVERY_DELAY);
        }
    }
}
