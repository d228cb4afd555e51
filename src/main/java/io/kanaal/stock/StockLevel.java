package io.kanaal.stock;

import io.kanaal.api.BatchItem;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * A stock level as the ERP reports it: the canonical model of the messages on {@code kanaal.erp.stock}, which
 * carry one or more ({@link StockLevels}).
 *
 * @param sku       the article's stock-keeping unit
 * @param quantity  units on hand in the ERP (0 or more)
 * @param warehouse optional warehouse; a SKU's levels across warehouses add up
 * @param sequence  the ERP's increasing sequence number for this SKU, if it has one
 * @param timestamp when the ERP recorded this level, if it has no sequence
 * @param includedOrders orders (their orderRef, {@code <channel>/<channelOrderId>}) whose units this level
 *                  already accounts for: their reservations of this SKU are released when it is recorded
 */
public record StockLevel(String sku, int quantity, String warehouse, Long sequence, OffsetDateTime timestamp,
        List<String> includedOrders) implements BatchItem {

    public StockLevel {
        includedOrders = includedOrders == null ? List.of() : List.copyOf(includedOrders);
    }

    /** Orders updates of one SKU: the ERP's sequence, or else its timestamp in microseconds. */
    public long version() {
        if (sequence != null) {
            return sequence;
        }
        return ChronoUnit.MICROS.between(OffsetDateTime.parse("1970-01-01T00:00:00Z"), timestamp);
    }

    /** Per SKU, levels keep their order on the queues (message groups). */
    @Override
    public String groupKey() {
        return sku;
    }

    public String warehouseOrDefault() {
        return warehouse == null ? "" : warehouse;
    }
}
