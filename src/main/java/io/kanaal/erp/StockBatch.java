package io.kanaal.erp;

import io.kanaal.stock.StockLevel;
import java.util.List;

/** A validated batch: the levels to queue, and the report to send back. */
public record StockBatch(List<StockLevel> accepted, BatchReport report) {
}
