package io.kanaal.product;

import io.kanaal.channel.ChannelException;
import io.kanaal.channel.RateLimiters;
import io.kanaal.mapping.Mappings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Header;
import org.apache.camel.Message;
import org.apache.camel.Variable;
import org.apache.camel.support.DefaultMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * A changed product to every channel at once ({@code product-publisher}, routes/products.camel.yaml): the product,
 * the channels' stock and what each was sent are read in one query and the product parsed once; per channel its
 * view, its rules, its mapping and the payload's hash, and a call only to the channels whose payload changed. What
 * was sent is recorded for all of them together.
 *
 * <p>A channel whose call fails, one that is throttled (its rate limit's next slot further away than
 * {@code kanaal.products.fanout-max-wait}), one whose call failed in the last {@code kanaal.products.fanout-pause},
 * and one whose own queue holds messages (a resync) get the SKU on their own product queue instead ({@code kanaal.channel.<channel>.products}): there it is retried
 * with backoff and dead-lettered with its reason, paced by the channel's rate limit, as a resync's SKUs are, and
 * the other channels do not wait for it. ProductBenchmark: a durable message, a query and a parse per product and
 * channel were most of what the send cost beyond the calls (docs/benchmark-log.md).
 */
@Component("productFanout")
public class ProductFanout {

    private static final Logger LOG = LoggerFactory.getLogger(ProductFanout.class);

    /** The variables that hold the product across the channels' turns; every other one is a channel's own. */
    private static final Set<String> KEPT = Set.of("sku", "encodedSku", "productVersion", "productGroup",
            "productTargets", "productTurns", "productSent");

    /** One channel's turn: its payload and view, or, with no payload, the SKU handed to its own queue. */
    record Target(String channel, String payload, String hash, Map<String, Object> view) {
    }

    private final ChannelProducts channelProducts;
    private final Mappings mappings;
    private final SentRecords sentRecords;
    private final RateLimiters rateLimiters;
    private final long maxWaitNanos;
    private final long pauseMillis;
    private final Map<String, Long> pausedUntil = new ConcurrentHashMap<>();
    private final io.kanaal.broker.BrokerQueues brokerQueues;
    /** Per channel: when its own product queue was last counted, and whether it held messages then. */
    private final Map<String, long[]> ownQueue = new ConcurrentHashMap<>();

    public ProductFanout(ChannelProducts channelProducts, Mappings mappings, SentRecords sentRecords, RateLimiters rateLimiters,
            io.kanaal.broker.BrokerQueues brokerQueues,
            @Value("${kanaal.products.fanout-max-wait:250ms}") Duration maxWait,
            @Value("${kanaal.products.fanout-pause:30s}") Duration pause) {
        this.channelProducts = channelProducts;
        this.mappings = mappings;
        this.sentRecords = sentRecords;
        this.rateLimiters = rateLimiters;
        this.brokerQueues = brokerQueues;
        this.maxWaitNanos = maxWait.toNanos();
        this.pauseMillis = pause.toMillis();
    }

    /**
     * Variable {@code productTargets}: the channels that get a call (their payload differs from what they were sent)
     * or the SKU on their own queue, and {@code productTurns}, how many; none when Kanaal has no such product. A product that breaks a channel's rules is
     * not sent there (its rejects stored).
     */
    public void plan(Exchange exchange, @Header("sku") String sku, @Header("JMSXGroupID") String group) {
        List<String> channels = channelProducts.channels();
        List<Target> targets = new ArrayList<>(channels.size());
        exchange.setVariable("productTargets", targets);
        exchange.setVariable("productSent", new ArrayList<SentRecords.Record>(channels.size()));
        exchange.setVariable("productGroup", group == null ? sku : group);
        exchange.setVariable("sku", sku);
        exchange.setVariable("encodedSku", ChannelProducts.encoded(sku));
        exchange.setVariable("productTurns", 0);
        ChannelProducts.Stored stored = channels.isEmpty() ? null : channelProducts.load(sku, channels);
        if (stored == null) {
            return;
        }
        exchange.setVariable("productVersion", stored.product().version());
        for (String channel : channels) {
            if (!direct(channel)) {
                targets.add(new Target(channel, null, null, null));
                continue;
            }
            try {
                Map<String, Object> view = channelProducts.checkedView(channel, stored);
                if (view != null) {
                    String payload = mappings.map(channelProducts.mapping(channel), view);
                    String hash = Products.hash(payload);
                    if (!hash.equals(stored.sentHash(channel))) {
                        targets.add(new Target(channel, payload, hash, view));
                    }
                }
            } catch (Exception e) {
                // the channel's own publisher makes it again, and retries or dead-letters it with this reason
                LOG.warn("Product {} for channel {} goes to its own queue: {}", sku, channel, e.toString());
                targets.add(new Target(channel, null, null, null));
            }
        }
        exchange.setVariable("productTurns", targets.size());
    }

    /**
     * Whether the channel is called from here now: not paused after a failure, not throttled, and its own product
     * queue empty (a resync, or hand-overs being retried: a SKU queues behind them there, in its message group, so
     * that one channel never gets two versions of it at once nor an older one after a newer).
     */
    private boolean direct(String channel) {
        Long until = pausedUntil.get(channel);
        if (until != null && System.currentTimeMillis() < until) {
            return false;
        }
        return rateLimiters.waitNanos(channel) <= maxWaitNanos && !ownQueueBusy(channel);
    }

    /**
     * Whether the channel's own product queue holds messages, counted at most once a second (a broker management
     * request, by one publisher while the others use the last count). When the broker cannot say (a failover), the
     * last count stands, or none: the channel is called, as before there was a count.
     */
    private boolean ownQueueBusy(String channel) {
        long now = System.currentTimeMillis();
        long[] counted = ownQueue.compute(channel, (id, last) -> {
            if (last != null && now - last[0] <= 1000) {
                return last;
            }
            try {
                return new long[] {now, brokerQueues.messageCount("kanaal.channel." + id + ".products")};
            } catch (RuntimeException e) {
                LOG.debug("Product queue of channel {} not counted: {}", id, e.toString());
                return new long[] {now, last == null ? 0 : last[1]};
            }
        });
        return counted[1] > 0;
    }

    /**
     * The turn of target {@code index}: a message of its own with header {@code sku} (the channel's routes see no
     * header of the one before, and the JMS message is not copied for each call), only the product's variables, then
     * variables {@code channel}, {@code product} (the view), {@code payloadHash}, {@code productHandover} (true:
     * the SKU goes to the channel's own queue) and {@code productRefused} (false); the body the payload.
     */
    public void next(Exchange exchange, @ExchangeProperty(Exchange.LOOP_INDEX) int index,
            @Variable("productTargets") List<Target> targets, @Variable("sku") String sku) {
        for (String name : new ArrayList<>(exchange.getVariables().keySet())) {
            if (!KEPT.contains(name)) {
                exchange.removeVariable(name);
            }
        }
        Message message = new DefaultMessage(exchange);
        message.setHeader("sku", sku);
        exchange.setIn(message);
        exchange.removeProperty(Exchange.EXCEPTION_CAUGHT);
        Target target = targets.get(index);
        exchange.setVariable("channel", target.channel());
        exchange.setVariable("productHandover", target.payload() == null);
        exchange.setVariable("productRefused", false);
        exchange.setVariable("product", target.view());
        exchange.setVariable("payloadHash", target.hash());
        message.setBody(target.payload());
    }

    /** The channel took the payload: recorded with the others' once every channel had its turn ({@link #recorded}). */
    public void sent(@Variable("productSent") List<SentRecords.Record> sent, @Variable("channel") String channel,
            @Variable("sku") String sku, @Variable("productVersion") long version, @Variable("payloadHash") String hash) {
        sent.add(new SentRecords.Record(channel, sku, version, hash));
    }

    /**
     * The channel's call failed. A refusal of the product as it is (a 4xx other than 401/408/429) is not tried
     * again: variable {@code productRefused}, for its dead letter. Any other failure hands the SKU to the channel's
     * own queue (variable {@code productHandover}), and the channel's next products go there too for a while.
     */
    public void failed(Exchange exchange, @Variable("channel") String channel, @Variable("sku") String sku) {
        if (ChannelException.refused(exchange)) {
            exchange.setVariable("productRefused", true);
            return;
        }
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        pausedUntil.put(channel, System.currentTimeMillis() + pauseMillis);
        LOG.warn("Product {} for channel {} goes to its own queue: {}", sku, channel, failure == null ? "failed" : failure.toString());
        exchange.setVariable("productHandover", true);
    }

    /**
     * The refused product as the message its channel's own queue would have had (the SKU, in its group), for the
     * dead-letter route: parked on {@code DLQ.kanaal.channel.<channel>.products} with the reason, shown as refused,
     * and a replay goes to the channel's own queue.
     */
    public void refusal(Exchange exchange, @Variable("channel") String channel, @Variable("sku") String sku,
            @Variable("productGroup") String group) {
        Message message = exchange.getIn();
        message.getHeaders().clear();
        message.setHeader("sku", sku);
        message.setHeader("JMSXGroupID", group);
        message.setBody(sku);
        exchange.setVariable("consumedQueue", "kanaal.channel." + channel + ".products");
    }

    /** The SKU for the channel's own product queue (direct:product-enqueue). */
    public ChannelProducts.ChannelSku handover(@Variable("channel") String channel, @Variable("sku") String sku,
            @Variable("productGroup") String group) {
        return new ChannelProducts.ChannelSku(channel, sku, group);
    }

    /** Records what the channels took, together; returns once that is committed (the message is acknowledged after). */
    public void recorded(@Variable("productSent") List<SentRecords.Record> sent) {
        if (!sent.isEmpty()) {
            sentRecords.sent(sent);
        }
    }
}
