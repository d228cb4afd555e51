package io.kanaal.product;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import io.kanaal.api.BatchItem;
import java.time.OffsetDateTime;

/**
 * A product as the ERP or PIM posted it (product-batch.schema.json), on its way through
 * {@code kanaal.erp.products}: kept as the document it is, so that nothing the source sent is lost.
 */
public record ProductItem(JsonNode content) implements BatchItem {

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public ProductItem {
    }

    @JsonValue
    @Override
    public JsonNode content() {
        return content;
    }

    public String sku() {
        return content.path("sku").asText();
    }

    /**
     * The message group of its SKU on the channels' product queues: its model's SKU for a variant, else its own, so
     * a model and its variants go to a channel one after the other (a webshop makes the model's product once).
     */
    public String modelSku() {
        JsonNode parent = content.path("parentSku");
        return parent.isTextual() ? parent.asText() : sku();
    }

    /** Its version: the source's sequence, or else its updatedAt in epoch milliseconds; higher is newer. */
    public long version() {
        JsonNode sequence = content.path("sequence");
        return sequence.isIntegralNumber() ? sequence.asLong()
                : OffsetDateTime.parse(content.path("updatedAt").asText()).toInstant().toEpochMilli();
    }

    /** Per SKU, the versions of a product keep their order on the queue. */
    @Override
    public String groupKey() {
        return sku();
    }
}
