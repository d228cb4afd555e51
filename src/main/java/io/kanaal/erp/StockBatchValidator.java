package io.kanaal.erp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.InputFormat;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.kanaal.stock.StockLevel;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.camel.Body;
import org.springframework.stereotype.Component;

/**
 * Checks an ERP stock batch against the published schema ({@code /api/v1/schemas/stock-batch.schema.json}).
 * A body that is not JSON, or whose envelope is wrong, is rejected whole (400); each item is then
 * accepted or rejected on its own, with the schema's reasons.
 */
@Component("stockBatchValidator")
public class StockBatchValidator {

    public static final String SCHEMA = "schema/stock-batch.schema.json";

    private final ObjectMapper json;
    private final JsonSchema schema;

    public StockBatchValidator(ObjectMapper json) throws IOException {
        this.json = json;
        SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(SCHEMA)) {
            this.schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
                    .getSchema(in, InputFormat.JSON, config);
        }
    }

    public StockBatch validate(@Body String body) {
        JsonNode document;
        try {
            document = json.readTree(body == null ? "" : body);
        } catch (JsonProcessingException e) {
            throw new InvalidRequestException(400, "The body is not valid JSON",
                    List.of(e.getOriginalMessage() + " at line " + e.getLocation().getLineNr()
                            + ", column " + e.getLocation().getColumnNr()));
        }
        if (document == null || document.isMissingNode()) {
            throw new InvalidRequestException(400, "The body is empty", List.of("expected a JSON object with 'items'"));
        }
        Map<Integer, List<String>> itemErrors = new TreeMap<>();
        List<String> batchErrors = new ArrayList<>();
        for (ValidationMessage message : schema.validate(document)) {
            var location = message.getInstanceLocation();
            if (location.getNameCount() >= 2 && "items".equals(location.getName(0))
                    && location.getElement(1) instanceof Integer index) {
                itemErrors.computeIfAbsent(index, i -> new ArrayList<>()).add(message.getMessage());
            } else {
                batchErrors.add(message.getMessage());
            }
        }
        if (!batchErrors.isEmpty()) {
            throw new InvalidRequestException(400, "The batch does not match the stock batch schema", batchErrors);
        }
        JsonNode items = document.get("items");
        List<StockLevel> accepted = new ArrayList<>();
        List<BatchReport.Item> report = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            JsonNode item = items.get(i);
            String sku = item.path("sku").isTextual() ? item.get("sku").asText() : null;
            List<String> errors = itemErrors.get(i);
            if (errors == null) {
                try {
                    accepted.add(json.treeToValue(item, StockLevel.class));
                    report.add(new BatchReport.Item(i, sku, "accepted", List.of()));
                    continue;
                } catch (JsonProcessingException e) {
                    errors = List.of(e.getOriginalMessage());
                }
            }
            report.add(new BatchReport.Item(i, sku, "rejected", errors));
        }
        BatchReport batchReport = new BatchReport(UUID.randomUUID().toString(), accepted.size(),
                items.size() - accepted.size(), report);
        return new StockBatch(accepted, batchReport);
    }
}
