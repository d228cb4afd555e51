package io.kanaal.order;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kanaal.broker.DeadLetterHeaders;
import io.kanaal.stock.Reservations;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Body;
import org.apache.camel.Header;
import org.apache.camel.Variable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * Shipments and cancellations from the ERP, on their way back to the order's channel. The message a
 * channel's sender gets (and its shipment/cancellation mapping reads) is:
 * {@code {kind, orderRef, channel, channelOrderId, carrier, trackingCode, shippedAt, reason,
 * lines: [{lineId, sku, quantity}], order: <the canonical order>}}, its lines resolved against the order.
 */
@Component("fulfilments")
public class Fulfilments {

    private static final Logger log = LoggerFactory.getLogger(Fulfilments.class);

    private final Orders orders;
    private final OrderJourney journey;
    private final Reservations reservations;
    private final ObjectMapper json;

    public Fulfilments(Orders orders, Reservations reservations, OrderJourney journey, ObjectMapper json) {
        this.journey = journey;
        this.orders = orders;
        this.reservations = reservations;
        this.json = json;
    }

    /** The channel's message for a shipment or cancellation. */
    public String message(@Body Fulfilment item) {
        JsonNode order = orders.find(item.channel(), item.channelOrderId())
                .orElseThrow(() -> new InvalidOrderException("Unknown order " + item.orderRef(),
                        List.of("Kanaal has not taken this order in")));
        ObjectNode message = json.createObjectNode();
        message.put("kind", item.kind());
        message.put("orderRef", item.orderRef());
        message.put("channel", item.channel());
        message.put("channelOrderId", item.channelOrderId());
        if (item.kind().equals("shipment")) {
            message.put("carrier", item.carrier());
            message.put("trackingCode", item.trackingCode());
            OffsetDateTime shippedAt = item.shippedAt() == null ? OffsetDateTime.now(ZoneOffset.UTC) : item.shippedAt();
            message.put("shippedAt", shippedAt.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        } else {
            message.put("reason", item.reason() == null ? "OUT_OF_STOCK" : item.reason());
        }
        message.set("lines", lines(order, item.kind().equals("shipment") ? item.lines() : List.of()));
        message.set("order", order);
        return message.toString();
    }

    /**
     * The order's lines that this fulfilment covers, with the channel's line ids: the lines the ERP named
     * (by SKU, up to the quantity it gave), or every line of the order.
     */
    private ArrayNode lines(JsonNode order, List<Fulfilment.Line> requested) {
        ArrayNode lines = json.createArrayNode();
        Map<String, Integer> wanted = new HashMap<>();
        requested.forEach(line -> wanted.merge(line.sku(), line.quantity(), Integer::sum));
        for (JsonNode line : order.path("lines")) {
            String sku = line.path("sku").asText();
            int quantity = line.path("quantity").asInt();
            if (!requested.isEmpty()) {
                int left = wanted.getOrDefault(sku, 0);
                quantity = Math.min(quantity, left);
                wanted.put(sku, left - quantity);
            }
            if (quantity > 0) {
                ObjectNode out = lines.addObject();
                if (line.hasNonNull("lineId")) {
                    out.put("lineId", line.get("lineId").asText());
                }
                out.put("sku", sku);
                out.put("quantity", quantity);
            }
        }
        return lines;
    }

    /**
     * A cancelled order's reservations end and it is marked cancelled, in one transaction.
     *
     * @return the order's SKUs, whose available-to-sell went up again (now, or in an earlier attempt whose
     *         broker sends were rolled back)
     */
    @Transactional
    public List<String> cancelled(@Body Fulfilment item) {
        orders.status(item.channel(), item.channelOrderId(), "cancelled");
        journey.record(item.channel(), item.channelOrderId(), "cancelled by the ERP",
                Map.of("reason", item.reason() == null ? "OUT_OF_STOCK" : item.reason()));
        return reservations.releaseOrder(item.channel(), item.channelOrderId(), "cancellation");
    }

    /**
     * The ERP acknowledged the order: its stock includes it now, so the order's reservations end.
     *
     * @return the order's SKUs, whose available-to-sell went up again (now, or in an earlier attempt whose
     *         broker sends were rolled back)
     */
    @Transactional
    public List<String> acknowledged(@Body Fulfilment item) {
        journey.record(item.channel(), item.channelOrderId(), "acknowledged by the ERP", Map.of());
        return reservations.releaseOrder(item.channel(), item.channelOrderId(), "erp-ack");
    }

    /**
     * The channel did not carry out the shipment or cancellation (its dead letter): the order shows that, with
     * the reason, until a later attempt goes through ({@link #delivered}). Kanaal's own status stays what the
     * ERP decided (a cancelled order's units are for sale again).
     */
    public void refused(@Variable("fulfilment") Map<String, Object> fulfilment, @Header(DeadLetterHeaders.REASON) String reason) {
        try {
            orders.unconfirmed((String) fulfilment.get("channel"), (String) fulfilment.get("channelOrderId"),
                    fulfilment.get("kind") + " not confirmed by the channel: " + reason);
        } catch (RuntimeException e) {
            // the dead letter is written already; the order's view misses the note, the dead letter has it
            log.warn("Order {} not marked as unconfirmed by its channel: {}", fulfilment.get("orderRef"), e.getMessage());
        }
    }

    /**
     * The channel carried out the shipment or cancellation: a shipped order is marked so. For a synchronous
     * channel that is when its sender returns; for Bol, when the request's process status is SUCCESS.
     *
     * @return the SKUs of a shipped order that still hold a reservation: a channel that counts its own
     *         orders (countsOwnOrders) stops counting it now, so its quantity is computed again
     */
    public List<String> delivered(@Variable("fulfilment") Map<String, Object> fulfilment) {
        String channel = (String) fulfilment.get("channel");
        String channelOrderId = (String) fulfilment.get("channelOrderId");
        orders.confirmed(channel, channelOrderId);
        if (!"shipment".equals(fulfilment.get("kind"))) {
            journey.record(channel, channelOrderId, "cancellation confirmed by the channel", Map.of());
            return List.of();
        }
        orders.status(channel, channelOrderId, "shipped");
        Map<String, Object> shipment = new HashMap<>();
        shipment.put("carrier", fulfilment.get("carrier"));
        shipment.put("trackingCode", fulfilment.get("trackingCode"));
        journey.record(channel, channelOrderId, "shipped", shipment);
        return reservations.openSkus(channel, channelOrderId);
    }
}
