package io.kanaal.stock;

import io.kanaal.channel.ChannelProperties;
import io.kanaal.channel.ChannelHealth;
import io.kanaal.channel.Channels;
import io.kanaal.ops.DeadLetters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import javax.sql.DataSource;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Variable;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * What each channel should show per SKU (desired) and what it was last told (delivered), in PostgreSQL.
 * The fan-out sets the desired quantity; a channel's publisher sends a message's first delivery as it is and
 * reads the current desired quantity for every other attempt ({@link #pending}), so a retried or replayed
 * message never sends an old value, and a value the channel already has is not sent again.
 */
@Component("channelStock")
public class ChannelStock {

    private final JdbcTemplate jdbc;
    private final DataSource dataSource;
    private final Channels channels;
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

    public ChannelStock(JdbcTemplate jdbc, DataSource dataSource, Channels channels, MeterRegistry meters, DeliveryRecorder deliveries,
            ChannelHealth health, @Value("${kanaal.stock.recheck-after:500ms}") Duration recheckAfter) {
        this.jdbc = jdbc;
        this.dataSource = dataSource;
        this.channels = channels;
        this.meters = meters;
        this.deliveries = deliveries;
        this.health = health;
        this.recheckAfterMillis = recheckAfter.toMillis();
    }

    /**
     * Sets every enabled channel's desired quantity for these SKUs from their available-to-sell: the ERP's
     * stock less the open reservations. A channel that subtracts its own open orders itself (countsOwnOrders,
     * e.g. Vendure allocating stock to its orders until it ships them) gets the reservations of its own
     * unshipped orders added back, so no order is subtracted twice. One database round trip per SKU, each
     * seeing every change committed before it, and each after the computations of the SKU that started before
     * it ({@link #LOCK}). With direct stock delivery: in an order's database transaction, after its
     * reservations (route {@code order-record}; the lock holds every other computation of these SKUs until it
     * commits), and by route {@code stock-recompute} in the caller's thread, once the caller committed what
     * changed the SKUs. Otherwise by the fan-out, in the SKUs' message group ({@link StockBuckets}), so the
     * channels' last-value queues get the SKU's quantities in order.
     *
     * @return one update per channel and SKU that the channel does not show yet; none for a SKU the ERP has
     *         not reported
     */
    public List<ChannelStockUpdate> recompute(@Body List<String> skus) {
        List<ChannelStockUpdate> updates = new ArrayList<>();
        for (String sku : new TreeSet<>(skus)) {
            updates.addAll(compute(sku));
        }
        return updates;
    }

    /**
     * The channels' new quantities of one SKU ({@link #recompute}), in the current database transaction if
     * there is one (the stock ledger's, recording a level with included orders), else in one round trip.
     */
    public List<ChannelStockUpdate> compute(String sku) {
        return withConnection(connection -> fanOut(connection, sku, null, null).updates());
    }

    /**
     * A statement on this SKU, then the channels' new quantities for it ({@link #compute}), in one database
     * round trip: outside a transaction both run in the one implicit transaction PostgreSQL gives the
     * statements of a round trip, each seeing what was committed before it started. The stock ledger records
     * an ERP level this way.
     *
     * @param preceding the statement, run first; its update count is returned
     * @param warehouse the quantities are computed only while the SKU's level recorded for this warehouse has
     * @param version   this version (the level the statement recorded, or the same version again)
     */
    public FanOut fanOutAfter(Sql preceding, String sku, String warehouse, long version) {
        return withConnection(connection -> fanOut(connection, sku, preceding, new Object[] {sku, warehouse, version}));
    }

    /** A statement and its parameters. */
    public record Sql(String text, Object... params) {
    }

    /**
     * @param precedingCount the update count of the statement run before the fan-out, or -1
     * @param updates        one update per channel that does not show its new quantity yet
     */
    public record FanOut(int precedingCount, List<ChannelStockUpdate> updates) {
    }

    private FanOut fanOut(Connection connection, String sku, Sql preceding, Object[] ifVersion) throws SQLException {
        List<String> ids = channels.enabledIds();
        if (ids.isEmpty()) {
            if (preceding == null) {
                return new FanOut(-1, List.of());
            }
            try (PreparedStatement statement = connection.prepareStatement(preceding.text())) {
                bind(statement, 1, preceding.params());
                return new FanOut(statement.executeUpdate(), List.of());
            }
        }
        // the deliveries not in the table yet, read before it: one leaves the recorder only once the table has it
        Map<String, ChannelStockUpdate> held = new HashMap<>();
        for (String id : ids) {
            ChannelStockUpdate delivered = deliveries.unwritten(id, sku);
            if (delivered != null) {
                held.put(id, delivered);
            }
        }
        List<ChannelProperties> configured = ids.stream().map(channels::get).toList();
        Object[] channelArrays = {
                connection.createArrayOf("varchar", ids.toArray()),
                connection.createArrayOf("int4", configured.stream().map(ChannelProperties::safetyBuffer).toArray()),
                connection.createArrayOf("int4", configured.stream().map(ChannelProperties::maxListed).toArray()),
                connection.createArrayOf("bool", configured.stream().map(ChannelProperties::countsOwnOrders).toArray())};
        String fanOut = ifVersion == null ? FAN_OUT : FAN_OUT_IF_VERSION;
        int precedingCount = -1;
        List<ChannelStockUpdate> updates = new ArrayList<>();
        boolean computed = true;
        String statements = LOCK + ";\n" + (preceding == null ? fanOut : preceding.text() + ";\n" + fanOut);
        try (PreparedStatement statement = connection.prepareStatement(statements)) {
            int index = bind(statement, 1, sku);
            if (preceding != null) {
                index = bind(statement, index, preceding.params());
            }
            index = bind(statement, index, sku, sku);
            index = bind(statement, index, channelArrays);
            if (ifVersion != null) {
                index = bind(statement, index, ifVersion);
            }
            bind(statement, index, sku, sku);
            statement.execute();
            // past the lock's result
            statement.getMoreResults();
            if (preceding != null) {
                precedingCount = statement.getUpdateCount();
                statement.getMoreResults();
            }
            try (ResultSet rs = statement.getResultSet()) {
                while (rs.next()) {
                    String channel = rs.getString(1);
                    if (channel == null) {
                        computed = false;
                    } else {
                        updates.add(new ChannelStockUpdate(channel, sku, rs.getInt(2), rs.getLong(3), null));
                    }
                }
            }
        }
        if (!computed) {
            if (ifVersion == null) {
                ids.forEach(id -> skipped(id, "no-erp-stock"));
            }
            return new FanOut(precedingCount, List.of());
        }
        // a delivery that is not in the table yet already told the channel
        updates.removeIf(update -> {
            ChannelStockUpdate delivered = held.get(update.channel());
            return delivered != null && delivered.version() >= update.version();
        });
        List<String> toSend = updates.stream().map(ChannelStockUpdate::channel).toList();
        ids.stream().filter(id -> !toSend.contains(id)).forEach(id -> skipped(id, "unchanged"));
        return new FanOut(precedingCount, updates);
    }

    /**
     * Computations of one SKU's quantities one at a time, whoever runs them (the fan-out, an order intake, any
     * Kanaal instance): the fan-out statement's snapshot is taken after this lock, which is held until the
     * transaction ends, so a computation that started from older data can never set its quantity after a newer
     * one (with a newer version). The order intake computes its SKUs itself with direct stock delivery.
     */
    private static final String LOCK = "SELECT pg_advisory_xact_lock(hashtextextended('channel_stock:' || ?::text, 0))";

    /**
     * Per channel its new desired quantity from the SKU's available-to-sell: the ERP's stock less the open
     * reservations, plus those of the channel's own unshipped orders when it counts them itself, less its
     * safety buffer, at most its maximum, never negative; set in the same statement, which also gives every
     * channel that does not show its quantity yet (a row the upsert changed from RETURNING, any other from the
     * table as it was), and one row of nulls when nothing was computed (no ERP stock, or not the version given).
     */
    private static final String FAN_OUT_TEMPLATE = """
            -- channel stock fan-out (as ops see it in pg_stat_activity, whose query text ends after 1 kB)
            WITH stock AS (
                SELECT sum(quantity) AS erp FROM erp_stock WHERE sku = ?
            ), open AS (
                SELECT r.channel, sum(r.quantity) AS reserved,
                       sum(CASE WHEN o.status = 'shipped' THEN 0 ELSE r.quantity END) AS unshipped
                  FROM reservation r
                  LEFT JOIN channel_order o ON o.channel = r.channel AND o.channel_order_id = r.channel_order_id
                 WHERE r.sku = ? AND r.released_at IS NULL GROUP BY r.channel
            ), target AS (
                SELECT c.channel,
                       greatest(0, least(s.erp - (SELECT coalesce(sum(reserved), 0) FROM open) - c.buffer
                                         + CASE WHEN c.counts_own THEN coalesce(o.unshipped, 0) ELSE 0 END,
                                         c.max_listed))::int4 AS quantity
                  FROM unnest(?::varchar[], ?::int4[], ?::int4[], ?::bool[]) AS c(channel, buffer, max_listed, counts_own)
                 CROSS JOIN stock s
                  LEFT JOIN open o ON o.channel = c.channel
                 WHERE s.erp IS NOT NULL%s
            ), changed AS (
                INSERT INTO channel_stock (channel, sku, desired_quantity, desired_version)
                SELECT channel, ?, quantity, nextval('channel_stock_version') FROM target
                ON CONFLICT (channel, sku) DO UPDATE
                   SET desired_quantity = EXCLUDED.desired_quantity,
                       desired_version = EXCLUDED.desired_version, desired_at = now(),
                       claimed_until = CASE WHEN channel_stock.claimed_until = 'infinity' THEN NULL
                                            ELSE channel_stock.claimed_until END
                 WHERE channel_stock.desired_quantity <> EXCLUDED.desired_quantity
                RETURNING channel, desired_quantity, desired_version, delivered_version)
            SELECT channel, desired_quantity, desired_version FROM changed
             WHERE delivered_version IS NULL OR delivered_version < desired_version
            UNION ALL
            SELECT s.channel, s.desired_quantity, s.desired_version FROM channel_stock s
             WHERE s.sku = ? AND s.channel IN (SELECT channel FROM target)
               AND (s.delivered_version IS NULL OR s.delivered_version < s.desired_version)
               AND NOT EXISTS (SELECT 1 FROM changed WHERE changed.channel = s.channel)
            UNION ALL
            SELECT NULL, NULL, NULL WHERE NOT EXISTS (SELECT 1 FROM target)
            ORDER BY 1
            """;

    private static final String FAN_OUT = FAN_OUT_TEMPLATE.formatted("");

    /** {@link #FAN_OUT}, computing nothing unless the SKU's level in the warehouse has the version given. */
    private static final String FAN_OUT_IF_VERSION = FAN_OUT_TEMPLATE.formatted("""

                   AND EXISTS (SELECT 1 FROM erp_stock WHERE sku = ? AND warehouse = ? AND version = ?)""");

    private static int bind(PreparedStatement statement, int index, Object... values) throws SQLException {
        for (Object value : values) {
            // a null's type comes from the statement's cast (asking the driver for it would be a round trip)
            if (value == null) {
                statement.setNull(index++, Types.NULL);
            } else {
                statement.setObject(index++, value);
            }
        }
        return index;
    }

    /**
     * The connection of the current database transaction, or else one of the pool's for this work alone (not
     * bound to the broker transaction around the caller, which would hold it until the broker commits).
     */
    private <T> T withConnection(ConnectionCallback<T> work) {
        if (TransactionSynchronizationManager.hasResource(dataSource)) {
            return jdbc.execute(work);
        }
        try (Connection connection = dataSource.getConnection()) {
            if (connection.getAutoCommit()) {
                return work.doInConnection(connection);
            }
            // a pool configured without auto-commit: this work is its own transaction all the same
            try {
                T result = work.doInConnection(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw jdbc.getExceptionTranslator().translate("channel stock fan-out", null, e);
        }
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
            return message.getHeader(Exchange.REDELIVERY_COUNTER) == null && message.getHeader(DeadLetters.REASON) == null
                    && !Boolean.TRUE.equals(exchange.getVariable(ChannelDispatch.RECHECK));
        }
        Long queuedAt = message.getHeader("JMSTimestamp", Long.class);
        return queuedAt != null && System.currentTimeMillis() - queuedAt < recheckAfterMillis
                && Boolean.FALSE.equals(message.getHeader("JMSRedelivered"))
                && message.getHeader(Exchange.REDELIVERY_COUNTER) == null
                && message.getHeader(DeadLetters.REASON) == null
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

    /** Channel quantities as ops see them: desired and delivered per channel for one SKU. */
    public List<Map<String, Object>> status(String sku) {
        deliveries.write();
        return jdbc.queryForList("""
                SELECT channel, desired_quantity, desired_at, delivered_quantity, delivered_at,
                       (delivered_version IS NOT NULL AND delivered_version >= desired_version) AS in_sync
                  FROM channel_stock WHERE sku = ? ORDER BY channel
                """, sku);
    }
}
