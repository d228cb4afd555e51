package io.kanaal.stock;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.List;

/**
 * A message on {@code kanaal.erp.stock}: a JSON array of ERP stock levels, the accepted levels of the ERP
 * requests that were queued together (see {@code io.kanaal.erp.StockGroupCommit}). A single level, as such
 * messages carried before, is read as a list of one.
 */
public record StockLevels(List<StockLevel> levels) {

    public StockLevels {
        levels = List.copyOf(levels);
    }

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static StockLevels of(@JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY) List<StockLevel> levels) {
        return new StockLevels(levels);
    }

    @JsonValue
    public List<StockLevel> levels() {
        return levels;
    }
}
