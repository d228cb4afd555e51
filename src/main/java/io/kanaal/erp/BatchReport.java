package io.kanaal.erp;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** The answer to an ERP batch: what was accepted (queued) and what was rejected, and why, per item. */
public record BatchReport(String batchId, int accepted, int rejected, List<Item> items) {

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Item(int index, String sku, String status, List<String> errors) {
    }
}
