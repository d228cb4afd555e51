package io.kanaal.stock;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The reservation ledger in PostgreSQL: each order reserves, per SKU, the units it takes until the ERP's
 * stock reflects the order or the order is cancelled. One row per order and SKU, so taking an order in
 * twice never reserves twice, and releasing twice releases once.
 *
 * <p>The channels' quantities are computed from the ledger by the fan-out only, one computation of a SKU at a
 * time ({@link StockBuckets}), and each change to the ledger asks for one after it commits: two orders for
 * the last unit, taken in on two channels at once, are counted one after the other.
 */
@Component
public class Reservations {

    private final JdbcTemplate jdbc;

    public Reservations(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Reserves an order's units per SKU (call inside a transaction). A SKU the order already reserved, or
     * whose reservation was released, is left as it is.
     *
     * @param units SKU to units
     */
    public void reserve(String channel, String channelOrderId, Map<String, Integer> units) {
        jdbc.update(RESERVE, reserveParameters(channel, channelOrderId, units));
    }

    /**
     * The statement of {@link #reserve} (parameters {@link #reserveParameters}), one for all the order's SKUs,
     * to run after a data-modifying {@code WITH} of the caller's in the same statement.
     */
    public static final String RESERVE = """
            INSERT INTO reservation (channel, channel_order_id, sku, quantity)
            SELECT ?, ?, l.sku, l.quantity FROM unnest(?::varchar[], ?::int4[]) AS l(sku, quantity)
            ON CONFLICT (channel, channel_order_id, sku) DO NOTHING
            """;

    public static Object[] reserveParameters(String channel, String channelOrderId, Map<String, Integer> units) {
        return new Object[] {channel, channelOrderId, units.keySet().toArray(String[]::new),
                units.values().toArray(Integer[]::new)};
    }

    /**
     * Ends the open reservations of one SKU by the given orders (call inside a transaction).
     *
     * @param orderRefs {@code <channel>/<channelOrderId>}
     * @return how many reservations ended
     */
    int release(String sku, Collection<String> orderRefs, String releasedBy) {
        int released = 0;
        for (String orderRef : orderRefs) {
            int slash = orderRef.indexOf('/');
            released += release(sku, orderRef.substring(0, slash), orderRef.substring(slash + 1), releasedBy);
        }
        return released;
    }

    private int release(String sku, String channel, String channelOrderId, String releasedBy) {
        return jdbc.update("""
                UPDATE reservation SET released_at = now(), released_by = ?
                 WHERE channel = ? AND channel_order_id = ? AND sku = ? AND released_at IS NULL
                """, releasedBy, channel, channelOrderId, sku);
    }

    /** The SKUs an order still holds a reservation on. */
    public List<String> openSkus(String channel, String channelOrderId) {
        return jdbc.queryForList("""
                SELECT sku FROM reservation WHERE channel = ? AND channel_order_id = ? AND released_at IS NULL ORDER BY sku
                """, String.class, channel, channelOrderId);
    }

    /**
     * Ends every open reservation of an order (call inside a transaction).
     *
     * @return every SKU the order reserved, whether its reservation ended now or before: a caller whose broker
     *         sends were rolled back after this transaction committed comes back to find them ended, and the
     *         channels must still get those SKUs' new quantities
     */
    public List<String> releaseOrder(String channel, String channelOrderId, String releasedBy) {
        List<String> skus = jdbc.queryForList("""
                SELECT DISTINCT sku FROM reservation WHERE channel = ? AND channel_order_id = ? ORDER BY sku
                """, String.class, channel, channelOrderId);
        for (String sku : skus) {
            release(sku, channel, channelOrderId, releasedBy);
        }
        return skus;
    }

    /**
     * A SKU's ledger as ops see it: the ERP's stock (null before the ERP reported it), the open reservations
     * and the available-to-sell they leave, which is negative when orders took more than there was.
     */
    public Map<String, Object> ledger(String sku) {
        Long erpStock = jdbc.queryForObject("SELECT sum(quantity) FROM erp_stock WHERE sku = ?", Long.class, sku);
        List<Map<String, Object>> open = jdbc.queryForList("""
                SELECT channel, channel_order_id AS "channelOrderId", quantity, reserved_at AS "reservedAt"
                  FROM reservation WHERE sku = ? AND released_at IS NULL ORDER BY reserved_at
                """, sku);
        long reserved = open.stream().mapToLong(r -> ((Number) r.get("quantity")).longValue()).sum();
        Map<String, Object> ledger = new LinkedHashMap<>();
        ledger.put("sku", sku);
        ledger.put("erpStock", erpStock);
        ledger.put("reserved", reserved);
        ledger.put("availableToSell", erpStock == null ? null : erpStock - reserved);
        ledger.put("reservations", open);
        return ledger;
    }
}
