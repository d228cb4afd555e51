package io.kanaal.erp;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kanaal.api.BatchValidator;
import io.kanaal.stock.StockLevel;
import org.springframework.stereotype.Component;

/** Checks an ERP stock batch against the published schema ({@code /api/v1/schemas/stock-batch.schema.json}). */
@Component("stockBatchValidator")
public class StockBatchValidator extends BatchValidator<StockLevel> {

    public StockBatchValidator(ObjectMapper json) {
        super(json, "schema/stock-batch.schema.json", StockLevel.class, "sku");
    }
}
