package io.kanaal.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** The answer to an ERP batch: what was accepted (queued) and what was rejected, and why, per item. */
public record BatchReport(String batchId, int accepted, int rejected, List<Item> items) {

    /** One item's outcome; it is named by its SKU (stock) or its orderRef (shipments, cancellations). */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Item(int index, String sku, String orderRef, String status, List<String> errors) {
    }

    static Item item(String keyField, int index, String key, String status, List<String> errors) {
        return "sku".equals(keyField) ? new Item(index, key, null, status, errors)
                : new Item(index, null, key, status, errors);
    }
}
