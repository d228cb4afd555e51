package io.kanaal.channel;

import io.kanaal.broker.BrokerQueues;
import io.kanaal.broker.DeadLetterHeaders;
import io.kanaal.stock.ChannelStockUpdate;
import io.kanaal.stock.DeliveryRecorder;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Array;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.camel.Body;
import org.apache.camel.Variable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The safety net behind the fan-out: a channel quantity that is still not delivered a while after it was set
 * ({@code kanaal.stock.reconcile-after}, 60 s) while its channel is at rest (its stock queue and that queue's
 * dead letters empty, and with direct delivery nothing waiting for its senders) has no message left that would deliver it, and its SKU is computed again (route
 * {@code stock-reconcile}, every {@code kanaal.stock.reconcile-every}), which queues the channel's current
 * quantity. Nothing in Kanaal leaves a quantity so; a dead letter that ops deleted instead of replaying
 * does, or a message lost by a broker that was run without persistence. Each desired quantity is computed
 * again at most once ({@code channel_stock.reconciled_version}); a channel that is failing, or has messages
 * waiting, is left to its retries and dead letters.
 */
@Component("stockReconciliation")
public class StockReconciliation {

    private static final Logger log = LoggerFactory.getLogger(StockReconciliation.class);

    private final JdbcTemplate jdbc;
    private final Channels channels;
    private final BrokerQueues queues;
    private final DeliveryRecorder deliveries;
    private final ChannelDispatch dispatch;
    private final MeterRegistry meters;
    private final Duration after;
    private final int limit;

    public StockReconciliation(JdbcTemplate jdbc, Channels channels, BrokerQueues queues, DeliveryRecorder deliveries,
            ChannelDispatch dispatch, MeterRegistry meters, @Value("${kanaal.stock.reconcile-after:60s}") Duration after,
            @Value("${kanaal.stock.reconcile-limit:1000}") int limit) {
        this.jdbc = jdbc;
        this.channels = channels;
        this.queues = queues;
        this.deliveries = deliveries;
        this.dispatch = dispatch;
        this.meters = meters;
        this.after = after;
        this.limit = limit;
    }

    /**
     * The quantities to queue again: of the channels at rest, those not delivered {@code reconcile-after}
     * after they were set and not queued again before, the oldest first, at most {@code reconcile-limit}.
     */
    public List<ChannelStockUpdate> unsent() {
        Map<String, Long> counts = queues.messageCounts();
        List<String> atRest = channels.enabledIds().stream()
                .filter(id -> counts.getOrDefault(ChannelStockQueues.queue(id), 0L) == 0
                        && counts.getOrDefault(DeadLetterHeaders.PREFIX + ChannelStockQueues.queue(id), 0L) == 0
                        && dispatch.waiting(id) == 0)
                .toList();
        if (atRest.isEmpty()) {
            return List.of();
        }
        // what was just delivered is in the table first
        deliveries.write();
        return jdbc.execute((ConnectionCallback<List<ChannelStockUpdate>>) connection -> {
            Array channelArray = connection.createArrayOf("varchar", atRest.toArray());
            try (var statement = connection.prepareStatement("""
                    SELECT channel, sku, desired_quantity, desired_version FROM channel_stock
                     WHERE channel = ANY (?::varchar[])
                       AND (delivered_version IS NULL OR delivered_version < desired_version)
                       AND (reconciled_version IS NULL OR reconciled_version < desired_version)
                       AND desired_at < now() - make_interval(secs => ?)
                     ORDER BY desired_at LIMIT ?
                    """)) {
                statement.setArray(1, channelArray);
                statement.setDouble(2, after.toMillis() / 1000.0);
                statement.setInt(3, limit);
                List<ChannelStockUpdate> unsent = new ArrayList<>();
                try (var rs = statement.executeQuery()) {
                    while (rs.next()) {
                        unsent.add(new ChannelStockUpdate(rs.getString(1), rs.getString(2), rs.getInt(3), rs.getLong(4), null));
                    }
                }
                return unsent;
            }
        });
    }

    /** The SKUs of these quantities, each once, to compute again. */
    public List<String> skus(@Variable("unsent") List<ChannelStockUpdate> unsent) {
        return unsent.stream().map(ChannelStockUpdate::sku).distinct().toList();
    }

    /** Notes that these quantities were computed again (after the requests' broker transactions committed). */
    public void queued(@Body List<ChannelStockUpdate> updates) {
        if (updates.isEmpty()) {
            return;
        }
        jdbc.batchUpdate("UPDATE channel_stock SET reconciled_version = ? WHERE channel = ? AND sku = ?",
                updates.stream().map(u -> new Object[] {u.version(), u.channel(), u.sku()}).toList());
        updates.forEach(u -> meters.counter("kanaal.channel.stock.reconciled", "channel", u.channel()).increment());
        log.warn("Computing {} channel quantities again that were not delivered {} after they were set (first: {} {} on {})",
                updates.size(), after, updates.get(0).sku(), updates.get(0).quantity(), updates.get(0).channel());
    }
}
