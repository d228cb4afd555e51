package io.kanaal.stock;

import io.kanaal.channel.ChannelProperties;
import io.kanaal.channel.Channels;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Array;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Variable;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * What each channel should show per SKU (desired) and what it was last told (delivered), in PostgreSQL.
 * The fan-out sets the desired quantity; a channel's publisher always sends the current desired quantity,
 * so a retried or replayed message never sends an old value, and a value the channel already has is not sent again.
 */
@Component("channelStock")
public class ChannelStock {

    private final JdbcTemplate jdbc;
    private final Channels channels;
    private final MeterRegistry meters;

    public ChannelStock(JdbcTemplate jdbc, Channels channels, MeterRegistry meters) {
        this.jdbc = jdbc;
        this.channels = channels;
        this.meters = meters;
    }

    /**
     * Sets every enabled channel's desired quantity for a SKU from its available-to-sell: the ERP's stock
     * less the open reservations. A channel that subtracts its own open orders itself (countsOwnOrders,
     * e.g. Vendure allocating stock to its orders until it ships them) gets the reservations of its own
     * unshipped orders added back, so no order is subtracted twice. Holds the SKU's lock, so the last computation sees every committed change.
     *
     * @return one update per channel that does not show this quantity yet; none while the ERP has not
     *         reported the SKU
     */
    @Transactional
    public List<ChannelStockUpdate> fanOut(@Variable("sku") String sku) {
        Reservations.lock(jdbc, sku);
        return fanOutLocked(sku);
    }

    /**
     * {@link #fanOut}, for a caller whose transaction already holds the SKU's lock (the stock ledger recording
     * an ERP level). Public, so that the call goes through this bean's proxy to the bean itself.
     */
    public List<ChannelStockUpdate> fanOutLocked(String sku) {
        List<String> ids = channels.enabledIds();
        if (ids.isEmpty()) {
            return List.of();
        }
        Map<String, Long> reserved = new HashMap<>();
        Map<String, Long> unshipped = new HashMap<>();
        Long[] erpStock = new Long[1];
        // per channel: its open reservations, and those of its orders not shipped yet (a channel that
        // counts its own orders stops counting one when it ships it)
        jdbc.query("""
                SELECT NULL, sum(quantity), 0 FROM erp_stock WHERE sku = ?
                UNION ALL
                SELECT r.channel, sum(r.quantity), sum(CASE WHEN o.status = 'shipped' THEN 0 ELSE r.quantity END)
                  FROM reservation r
                  LEFT JOIN channel_order o ON o.channel = r.channel AND o.channel_order_id = r.channel_order_id
                 WHERE r.sku = ? AND r.released_at IS NULL GROUP BY r.channel
                """, rs -> {
                    String channel = rs.getString(1);
                    long quantity = rs.getLong(2);
                    if (channel == null) {
                        erpStock[0] = rs.wasNull() ? null : quantity;
                    } else {
                        reserved.put(channel, quantity);
                        unshipped.put(channel, rs.getLong(3));
                    }
                }, sku, sku);
        if (erpStock[0] == null) {
            ids.forEach(id -> skipped(id, "no-erp-stock"));
            return List.of();
        }
        long available = erpStock[0] - reserved.values().stream().mapToLong(Long::longValue).sum();
        Integer[] quantities = ids.stream().map(id -> {
            ChannelProperties channel = channels.get(id);
            long own = channel.countsOwnOrders() ? unshipped.getOrDefault(id, 0L) : 0L;
            return channel.listedQuantity(available + own);
        }).toArray(Integer[]::new);
        jdbc.execute((ConnectionCallback<Integer>) connection -> {
            Array channelArray = connection.createArrayOf("varchar", ids.toArray());
            Array quantityArray = connection.createArrayOf("int4", quantities);
            try (var statement = connection.prepareStatement("""
                    INSERT INTO channel_stock (channel, sku, desired_quantity, desired_version)
                    SELECT c, ?, q, nextval('channel_stock_version') FROM unnest(?::varchar[], ?::int4[]) AS t(c, q)
                    ON CONFLICT (channel, sku) DO UPDATE
                       SET desired_quantity = EXCLUDED.desired_quantity,
                           desired_version = EXCLUDED.desired_version, desired_at = now()
                     WHERE channel_stock.desired_quantity <> EXCLUDED.desired_quantity
                    """)) {
                statement.setString(1, sku);
                statement.setArray(2, channelArray);
                statement.setArray(3, quantityArray);
                return statement.executeUpdate();
            }
        });
        List<ChannelStockUpdate> updates = jdbc.query("""
                SELECT channel, desired_quantity, desired_version FROM channel_stock
                 WHERE sku = ? AND channel = ANY (?::varchar[])
                   AND (delivered_version IS NULL OR delivered_version < desired_version)
                 ORDER BY channel
                """,
                (rs, i) -> new ChannelStockUpdate(rs.getString(1), sku, rs.getInt(2), rs.getLong(3), null),
                sku, ids.toArray(String[]::new));
        List<String> toSend = updates.stream().map(ChannelStockUpdate::channel).toList();
        ids.stream().filter(id -> !toSend.contains(id)).forEach(id -> skipped(id, "unchanged"));
        return updates;
    }

    /**
     * The update to send now for a queued one: the channel's current desired quantity, or null when the
     * channel already shows it (a newer message was delivered first, or the quantity is what it already has).
     * One consumer at a time handles a SKU on a channel (message groups), so no row lock is needed.
     */
    public ChannelStockUpdate pending(ChannelStockUpdate queued) {
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
        if (row[3] >= desiredVersion) {
            skipped(queued.channel(), "superseded");
            return null;
        }
        if (row[2] == desiredQuantity) {
            jdbc.update("""
                    UPDATE channel_stock SET delivered_version = ?
                     WHERE channel = ? AND sku = ? AND (delivered_version IS NULL OR delivered_version < ?)
                    """, desiredVersion, queued.channel(), queued.sku(), desiredVersion);
            skipped(queued.channel(), "unchanged");
            return null;
        }
        return new ChannelStockUpdate(queued.channel(), queued.sku(), desiredQuantity, desiredVersion, null);
    }

    /** Records that the channel now shows this update's quantity. */
    public void delivered(ChannelStockUpdate update) {
        jdbc.update("""
                UPDATE channel_stock SET delivered_quantity = ?, delivered_version = ?, delivered_at = now()
                 WHERE channel = ? AND sku = ? AND (delivered_version IS NULL OR delivered_version < ?)
                """, update.quantity(), update.version(), update.channel(), update.sku(), update.version());
        meters.counter("kanaal.channel.stock.delivered", "channel", update.channel()).increment();
    }

    private void skipped(String channel, String reason) {
        meters.counter("kanaal.channel.stock.skipped", "channel", channel, "reason", reason).increment();
    }

    /** Channel quantities as ops see them: desired and delivered per channel for one SKU. */
    public List<Map<String, Object>> status(String sku) {
        return jdbc.queryForList("""
                SELECT channel, desired_quantity, desired_at, delivered_quantity, delivered_at,
                       (delivered_version IS NOT NULL AND delivered_version >= desired_version) AS in_sync
                  FROM channel_stock WHERE sku = ? ORDER BY channel
                """, sku);
    }
}
