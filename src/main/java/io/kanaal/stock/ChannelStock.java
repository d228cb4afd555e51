package io.kanaal.stock;

import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import javax.sql.DataSource;
import org.apache.camel.Body;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * What each channel should show per SKU (desired), computed from the ERP's stock less the open reservations
 * and the channel's rules, in PostgreSQL's {@code channel_stock}, beside what it was last told (delivered,
 * {@link DeliveryRecorder}). The channels' senders read it before they send ({@code ChannelDeliveries}).
 */
@Component("channelStock")
public class ChannelStock {

    private final JdbcTemplate jdbc;
    private final DataSource dataSource;
    private final ChannelRules channels;
    private final MeterRegistry meters;
    private final DeliveryRecorder deliveries;

    public ChannelStock(JdbcTemplate jdbc, DataSource dataSource, ChannelRules channels, MeterRegistry meters,
            DeliveryRecorder deliveries) {
        this.jdbc = jdbc;
        this.dataSource = dataSource;
        this.channels = channels;
        this.meters = meters;
        this.deliveries = deliveries;
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
        List<ChannelRules.Rule> configured = ids.stream().map(channels::rule).toList();
        Object[] channelArrays = {
                connection.createArrayOf("varchar", ids.toArray()),
                connection.createArrayOf("int4", configured.stream().map(ChannelRules.Rule::safetyBuffer).toArray()),
                connection.createArrayOf("int4", configured.stream().map(ChannelRules.Rule::maxListed).toArray()),
                connection.createArrayOf("bool", configured.stream().map(ChannelRules.Rule::countsOwnOrders).toArray())};
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
                 ORDER BY channel COLLATE "C"
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
