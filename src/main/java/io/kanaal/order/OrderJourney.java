package io.kanaal.order;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.apache.camel.Variable;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * An order's way through Kanaal as the database records it (table {@code order_event}, and what the order index,
 * the idempotent repository and the reservation ledger hold): taken in, on the unified queue, delivered to the ERP,
 * acknowledged, shipped with carrier and tracking code, cancelled.
 */
@Component("orderJourney")
public class OrderJourney {

    private final JdbcTemplate jdbc;
    private final ObjectMapper json;

    public OrderJourney(JdbcTemplate jdbc, ObjectMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /** Notes a step of the order's journey, with what there is to say about it (carrier, tracking code, reason). */
    public void record(String channel, String channelOrderId, String event, Map<String, ?> detail) {
        try {
            jdbc.update("INSERT INTO order_event (channel, channel_order_id, event, detail) VALUES (?, ?, ?, ?::jsonb)",
                    channel, channelOrderId, event, json.writeValueAsString(detail));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("order event " + event + " of " + channel + "/" + channelOrderId, e);
        }
    }

    /** The ERP took the order (route erp-order-delivery): by its orderRef, {@code <channel>/<channelOrderId>}. */
    public void deliveredToErp(@Variable("orderRef") String orderRef) {
        int slash = orderRef.indexOf('/');
        record(orderRef.substring(0, slash), orderRef.substring(slash + 1), "delivered to the ERP", Map.of());
    }

    /**
     * Every step: {@code at}, {@code event} and {@code detail} (a JSON text), in the order they happen, then by time,
     * and steps of the same moment (one database transaction, or the same microsecond) in the order of an order's
     * life: delivered, acknowledged, shipped or cancelled, the cancellation confirmed.
     * Taken in and on the unified queue come from the order index and the idempotent repository (whose entry is
     * written just before the order is recorded, in the same intake; an order a webhook took in is on the queue once
     * its broker transaction is confirmed), the rest from {@code order_event}.
     */
    public List<Map<String, Object>> of(String channel, String channelOrderId) {
        return jdbc.queryForList("""
                SELECT at, event, detail FROM (
                SELECT 0 AS step, received_at AS at, 'taken in' AS event, '{}' AS detail
                  FROM channel_order WHERE channel = ? AND channel_order_id = ?
                UNION ALL
                SELECT 1, createdAt AT TIME ZONE current_setting('TimeZone'), 'on the unified queue', '{}'
                  FROM CAMEL_MESSAGEPROCESSED
                 WHERE processorName = ? AND messageId = ? AND intakeMessageId IS DISTINCT FROM 'webhook'
                UNION ALL
                SELECT 2, at, event, detail::text FROM order_event WHERE channel = ? AND channel_order_id = ?
                ) steps
                ORDER BY step, at, CASE event WHEN 'delivered to the ERP' THEN 0 WHEN 'acknowledged by the ERP' THEN 1
                    WHEN 'shipped' THEN 2 WHEN 'cancelled by the ERP' THEN 2
                    WHEN 'cancellation confirmed by the channel' THEN 3 ELSE 4 END
                """, channel, channelOrderId, OrderConfiguration.UNIFIED_ORDERS, Orders.orderRef(channel, channelOrderId),
                channel, channelOrderId);
    }
}
