package io.kanaal.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.ValidationMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.camel.Body;

/**
 * Checks an ERP batch ({@code {"items": [...]}}) against its published schema. A body that is not JSON,
 * or whose envelope is wrong, is rejected whole (400); each item is then accepted or rejected on its own,
 * with the schema's reasons and then {@link #check}'s.
 * Accepted items are {@link BatchItem}s: their queue keeps each group in order.
 */
public class BatchValidator<T extends BatchItem> {

    private final ObjectMapper json;
    private final JsonSchema schema;
    private final String schemaName;
    private final Class<T> itemType;
    private final String keyField;

    protected BatchValidator(ObjectMapper json, String schemaResource, Class<T> itemType, String keyField) {
        this.json = json;
        this.schema = Schemas.load(schemaResource);
        this.schemaName = schemaResource.substring(schemaResource.lastIndexOf('/') + 1);
        this.itemType = itemType;
        this.keyField = keyField;
    }

    /** Checks beyond the schema for an item that matches it; the reasons to reject it, empty to accept it. */
    protected List<String> check(T item) {
        return List.of();
    }

    /** {@link #check(BatchItem)}, for checks that need the batch's other items ({@code items}, as posted). */
    protected List<String> check(T item, JsonNode items) {
        return check(item);
    }

    /** The accepted item as it is queued (e.g. with the kind of the endpoint it came in on). */
    protected T complete(T item) {
        return item;
    }

    public Batch<T> validate(@Body String body) {
        JsonNode document;
        try {
            document = json.readTree(body == null ? "" : body);
        } catch (JsonProcessingException e) {
            // a limit of the parser (nesting deeper than 1,000 levels, a number too long) has no location
            throw new InvalidRequestException(400, "The body is not valid JSON", List.of(e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr()
                            + ", column " + e.getLocation().getColumnNr())));
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
            throw new InvalidRequestException(400, "The batch does not match " + schemaName, batchErrors);
        }
        JsonNode items = document.get("items");
        List<T> accepted = new ArrayList<>();
        List<BatchReport.Item> report = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            JsonNode item = items.get(i);
            String key = item.path(keyField).isTextual() ? item.get(keyField).asText() : null;
            List<String> errors = itemErrors.get(i);
            if (errors == null) {
                try {
                    T value = complete(json.treeToValue(item, itemType));
                    errors = check(value, items);
                    if (errors.isEmpty()) {
                        accepted.add(value);
                        report.add(BatchReport.item(keyField, i, key, "accepted", List.of()));
                        continue;
                    }
                } catch (JsonProcessingException e) {
                    errors = List.of(e.getOriginalMessage());
                }
            }
            report.add(BatchReport.item(keyField, i, key, "rejected", errors));
        }
        BatchReport batchReport = new BatchReport(UUID.randomUUID().toString(), accepted.size(),
                items.size() - accepted.size(), report);
        return new Batch<>(accepted, batchReport);
    }
}
