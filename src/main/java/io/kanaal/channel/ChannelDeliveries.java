package io.kanaal.channel;

import io.kanaal.broker.DeadLetterHeaders;
import io.kanaal.stock.ChannelStockUpdate;
import io.kanaal.stock.DeliveryRecorder;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Variable;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * What a channel's senders do around each stock write ({@code channel-stock-send}): the quantity to send now
 * ({@link #pending}: a message's first delivery as it is, every other attempt the channel's current desired
 * quantity, so a retried or replayed message never sends an old value and a value the channel already has is
 * not sent again), and the delivery recorded ({@link #delivered}).
 */
@Component("channelDeliveries")
public class ChannelDeliveries {

    private final JdbcTemplate jdbc;
    private final MeterRegistry meters;
    private final ChannelHealth health;
    private final DeliveryRecorder deliveries;
    /**
     * Channel and SKU, for the deliveries of this instance that sent a newer version than their own message
     * had (a retry or redelivery sends the current quantity): the version sent. The newer message still
     * queued behind such a delivery finds its version here and is not sent again. Only retries add entries;
     * an entry that is evicted costs one repeated call, never a lost one (delivered versions only grow).
     */
    private final Map<String, Long> deliveredAhead = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > 10_000;
        }
    });

    /** A message queued longer ago than this is checked against the channel's current state before it is sent. */
    private final long recheckAfterMillis;

    public ChannelDeliveries(JdbcTemplate jdbc, MeterRegistry meters, DeliveryRecorder deliveries, ChannelHealth health,
            @Value("${kanaal.stock.recheck-after:500ms}") Duration recheckAfter) {
        this.jdbc = jdbc;
        this.meters = meters;
        this.deliveries = deliveries;
        this.health = health;
        this.recheckAfterMillis = recheckAfter.toMillis();
    }

    /**
     * The update to send now for a queued one: the channel's current desired quantity, or null when the
     * channel already shows it (a newer message was delivered first, or the quantity is what it already has).
     * One consumer at a time handles a SKU on a channel (message groups, or {@link ChannelDispatch}), so no row
     * lock is needed.
     *
     * <p>A message on its first delivery that was queued less than {@code kanaal.stock.recheck-after} ago is
     * sent as it is, without reading the database: the fan-out queued it in the transaction that set this
     * desired quantity, any later change queues a newer message behind it (the last-value queue replaces this
     * one while it waits; once it is being delivered, the group keeps the newer one back until it is done),
     * and {@link #delivered} never lets an older version overwrite a newer one. Everything else reads the
     * current state first: a broker redelivery after a rollback or crash, a retry of the error handler, a
     * replayed dead letter (it carries the dead-letter reason or the broker's {@code _AMQ_ORIG_QUEUE}), a
     * message that did not come from the broker, and a message that waited longer. The broker hands messages
     * to its consumers ahead of time, where the last-value queue no longer replaces them: while a channel fails
     * and its publishers retry, the levels behind them pile up in those buffers. Read first, the oldest of them
     * sends the current level and the others of its SKU are skipped, so the recovered channel gets one call
     * per SKU, not the outage's history.
     */
    public ChannelStockUpdate pending(@Variable("queued") ChannelStockUpdate queued, Exchange exchange) {
        if (firstDelivery(exchange)) {
            Long ahead = deliveredAhead.get(DeliveryRecorder.key(queued.channel(), queued.sku()));
            ChannelStockUpdate unwritten = deliveries.unwritten(queued.channel(), queued.sku());
            if (ahead != null && ahead >= queued.version() || unwritten != null && unwritten.version() >= queued.version()) {
                // a retry sent this version or a newer one already, or this very version was just delivered
                // (the fan-out queued it again for a level that came twice)
                skipped(queued.channel(), "superseded");
                return null;
            }
            return queued;
        }
        // before the table: a held delivery leaves the recorder only once the table has it
        ChannelStockUpdate unwritten = deliveries.unwritten(queued.channel(), queued.sku());
        List<long[]> rows = jdbc.query("""
                SELECT desired_quantity, desired_version, delivered_quantity, delivered_version
                  FROM channel_stock WHERE channel = ? AND sku = ?
                """,
                (rs, i) -> new long[] {rs.getInt(1), rs.getLong(2),
                        rs.getObject(3) == null ? -1 : rs.getInt(3), rs.getObject(4) == null ? -1 : rs.getLong(4)},
                queued.channel(), queued.sku());
        if (rows.isEmpty()) {
            // replayed from elsewhere without state: send what the message says
            return queued;
        }
        long[] row = rows.get(0);
        int desiredQuantity = (int) row[0];
        long desiredVersion = row[1];
        if (unwritten != null && unwritten.version() > row[3]) {
            row[2] = unwritten.quantity();
            row[3] = unwritten.version();
        }
        if (row[3] >= desiredVersion) {
            skipped(queued.channel(), "superseded");
            return null;
        }
        if (row[2] == desiredQuantity) {
            deliveries.record(new ChannelStockUpdate(queued.channel(), queued.sku(), desiredQuantity, desiredVersion, null));
            skipped(queued.channel(), "unchanged");
            return null;
        }
        return new ChannelStockUpdate(queued.channel(), queued.sku(), desiredQuantity, desiredVersion, null);
    }

    private boolean firstDelivery(Exchange exchange) {
        Message message = exchange.getIn();
        if (Boolean.TRUE.equals(exchange.getVariable(ChannelDispatch.VARIABLE))) {
            // handed over by the fan-out that set it just now (ChannelDispatch): current unless this is a retry,
            // a replay or a recovery
            return message.getHeader(Exchange.REDELIVERY_COUNTER) == null && message.getHeader(DeadLetterHeaders.REASON) == null
                    && !Boolean.TRUE.equals(exchange.getVariable(ChannelDispatch.RECHECK));
        }
        Long queuedAt = message.getHeader("JMSTimestamp", Long.class);
        return queuedAt != null && System.currentTimeMillis() - queuedAt < recheckAfterMillis
                && Boolean.FALSE.equals(message.getHeader("JMSRedelivered"))
                && message.getHeader(Exchange.REDELIVERY_COUNTER) == null
                && message.getHeader(DeadLetterHeaders.REASON) == null
                && message.getHeader("_AMQ_ORIG_QUEUE") == null;
    }

    /**
     * Records that the channel now shows this update's quantity (variable stock: what was sent; variable
     * queued: the message it was sent for). Written to {@code channel_stock} with others in a batch
     * ({@link DeliveryRecorder}).
     */
    public void delivered(@Variable("stock") ChannelStockUpdate update, @Variable("queued") ChannelStockUpdate queued) {
        String key = DeliveryRecorder.key(update.channel(), update.sku());
        if (queued != null && update.version() > queued.version()) {
            // a retry sent a newer quantity than its message had: the newer message behind it needs no call
            deliveredAhead.put(key, update.version());
        } else if (!deliveredAhead.isEmpty()) {
            deliveredAhead.remove(key);
        }
        deliveries.record(update);
        health.succeeded(update.channel());
        meters.counter("kanaal.channel.stock.delivered", "channel", update.channel()).increment();
    }

    /**
     * Names an update's channel, SKU and URL-encoded SKU in variables {@code channel}, {@code sku} and
     * {@code encodedSku}, for the routes' headers and paths. (A simple expression on the update's properties,
     * {@code ${body.channel}}, would evaluate on a copy of the exchange and look the method up each time.)
     */
    public void variables(@Body ChannelStockUpdate update, Exchange exchange) {
        exchange.setVariable("channel", update.channel());
        exchange.setVariable("sku", update.sku());
        exchange.setVariable("encodedSku", update.encodedSku());
    }

    /**
     * The updates grouped by SKU, in the order their SKUs first appear: what {@code stock-enqueue} sends as one
     * message each.
     */
    public Collection<List<ChannelStockUpdate>> bySku(@Body List<ChannelStockUpdate> updates) {
        Map<String, List<ChannelStockUpdate>> bySku = new LinkedHashMap<>();
        updates.forEach(update -> bySku.computeIfAbsent(update.sku(), sku -> new ArrayList<>()).add(update));
        return bySku.values();
    }

    /**
     * Names a message's SKU and its channels in variables {@code sku} and {@code channels}
     * ({@link ChannelStockQueues#channelsProperty}), for its headers.
     */
    public void messageVariables(@Body List<ChannelStockUpdate> updates, Exchange exchange) {
        exchange.setVariable("sku", updates.get(0).sku());
        exchange.setVariable("channels", ChannelStockQueues.channelsProperty(updates.stream().map(ChannelStockUpdate::channel).toList()));
    }

    /** This channel's update in a stock message (the channel's queue takes only messages that name it). */
    public ChannelStockUpdate ownUpdate(@Body List<ChannelStockUpdate> updates, @Variable("channel") String channel) {
        for (ChannelStockUpdate update : updates) {
            if (update.channel().equals(channel)) {
                return update;
            }
        }
        throw new IllegalArgumentException("stock message without an update for channel " + channel + ": " + updates);
    }

    private void skipped(String channel, String reason) {
        meters.counter("kanaal.channel.stock.skipped", "channel", channel, "reason", reason).increment();
    }
}
