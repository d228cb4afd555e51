package io.kanaal.order;

import io.kanaal.api.BatchItem;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * A shipment, cancellation or order acknowledgement from the ERP, as it waits on {@code kanaal.erp.fulfilment}.
 *
 * @param kind         shipment, cancellation or acknowledgement (set by the endpoint it came in on)
 * @param orderRef     the order, {@code <channel>/<channelOrderId>}
 * @param carrier      shipments: carrier name or the channel's transporter code
 * @param trackingCode shipments: track-and-trace code
 * @param shippedAt    shipments: when it left the warehouse (now when left out)
 * @param reason       cancellations: why
 * @param lines        shipments: the lines shipped (SKU and quantity); all lines when empty
 */
public record Fulfilment(String kind, String orderRef, String carrier, String trackingCode, OffsetDateTime shippedAt,
        String reason, List<Line> lines) implements BatchItem {

    public Fulfilment {
        lines = lines == null ? List.of() : List.copyOf(lines);
    }

    public record Line(String sku, int quantity) {
    }

    /** Per order, shipments and cancellations keep their order on the queues (message groups). */
    @Override
    public String groupKey() {
        return orderRef;
    }

    public String channel() {
        return orderRef.substring(0, orderRef.indexOf('/'));
    }

    public String channelOrderId() {
        return orderRef.substring(orderRef.indexOf('/') + 1);
    }

    Fulfilment as(String newKind) {
        return new Fulfilment(newKind, orderRef, carrier, trackingCode, shippedAt, reason, lines);
    }
}
