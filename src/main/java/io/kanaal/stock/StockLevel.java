package io.kanaal.stock;

import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;

/**
 * A stock level as the ERP reports it: the canonical message on {@code kanaal.erp.stock}.
 *
 * @param sku       the article's stock-keeping unit
 * @param quantity  units on hand in the ERP (0 or more)
 * @param warehouse optional warehouse; a SKU's levels across warehouses add up
 * @param sequence  the ERP's increasing sequence number for this SKU, if it has one
 * @param timestamp when the ERP recorded this level, if it has no sequence
 */
public record StockLevel(String sku, int quantity, String warehouse, Long sequence, OffsetDateTime timestamp) {

    /** Orders updates of one SKU: the ERP's sequence, or else its timestamp in microseconds. */
    public long version() {
        if (sequence != null) {
            return sequence;
        }
        return ChronoUnit.MICROS.between(OffsetDateTime.parse("1970-01-01T00:00:00Z"), timestamp);
    }

    public String warehouseOrDefault() {
        return warehouse == null ? "" : warehouse;
    }
}
