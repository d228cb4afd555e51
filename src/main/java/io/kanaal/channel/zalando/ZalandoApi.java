package io.kanaal.channel.zalando;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kanaal.channel.ChannelBatches;
import io.kanaal.channel.ChannelException;
import io.kanaal.stock.ChannelStockUpdate;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

/**
 * Zalando's zDirect APIs for routes/channels/zalando.camel.yaml: what the routes need from Zalando's answers. The
 * stock API answers a batch with a result per item (207); the orders API answers in JSON:API, an order's items and
 * their lines (one per unit) among the {@code included} resources.
 */
@Component("zalandoApi")
public class ZalandoApi {

    /** A line in one of these states is done: it is neither cancelled nor shipped again. */
    private static final Set<String> FINAL_LINE_STATES = Set.of("canceled", "shipped", "returned");

    private final ObjectMapper json;

    public ZalandoApi(ObjectMapper json) {
        this.json = json;
    }

    /** The input of zalando/stock.jsonata: each update's GTIN (its listing), quantity and the sales channel. */
    public String stockInput(@Body List<ChannelStockUpdate> updates, String salesChannelId) {
        ArrayNode input = json.createArrayNode();
        for (ChannelStockUpdate update : updates) {
            input.addObject().put("sku", update.sku()).put("ean", update.listingId()).put("quantity", update.quantity())
                    .put("salesChannelId", salesChannelId);
        }
        return input.toString();
    }

    /** The input of zalando/prices.jsonata: a product's payload and the sales channel. */
    public String priceInput(@Body String payload, String salesChannelId) throws IOException {
        ObjectNode input = json.createObjectNode();
        input.set("payload", json.readTree(payload));
        input.put("salesChannelId", salesChannelId);
        return input.toString();
    }

    /**
     * Zalando's result for a product's price (the Price API's 207, one item): REJECTED (e.g. 106 or 107, a price
     * below or above Zalando's thresholds) is a refusal with its description; FAILED is retried; ACCEPTED and
     * PARTIALLY_ACCEPTED (the base price taken) pass.
     */
    public void priceResult(@Body String answer) throws IOException {
        for (JsonNode result : json.readTree(answer).path("results")) {
            String status = result.path("status").asText();
            String reason = "Zalando's price of EAN " + result.path("product_price").path("ean").asText() + " was "
                    + status.toLowerCase(java.util.Locale.ROOT) + " (" + result.path("code").asInt() + "): "
                    + result.path("description").asText("");
            if ("REJECTED".equals(status)) {
                throw ChannelException.rejected(reason);
            }
            if ("FAILED".equals(status)) {
                throw ChannelException.unavailable(reason);
            }
        }
    }

    /** The input of zalando/shipment.jsonata: the shipment (with its order) and the parcel's weight in grams. */
    public String shipmentInput(Map<String, Object> fulfilment, int weightGrams) {
        ObjectNode input = json.valueToTree(fulfilment);
        input.put("weightGrams", weightGrams);
        return input.toString();
    }

    /**
     * Sets variable {@link ChannelBatches#FAILURES} from the stock API's 207: an update whose result is REJECTED
     * (code 101, validation) is refused with Zalando's description; FAILED (102) is retried; ACCEPTED, and code 104
     * (the article is still being onboarded: Zalando applies the quantity once it is), succeed. An update Zalando
     * gives no result for is retried.
     */
    public void stockResults(Exchange exchange, List<ChannelStockUpdate> updates, @Body String answer) throws IOException {
        Map<String, JsonNode> results = new HashMap<>();
        for (JsonNode result : json.readTree(answer).path("results")) {
            results.put(result.path("item").path("ean").asText(), result.path("result"));
        }
        Map<Integer, Exception> failures = new HashMap<>();
        for (int i = 0; i < updates.size(); i++) {
            ChannelStockUpdate update = updates.get(i);
            JsonNode result = results.get(update.listingId());
            String reason = "channel " + update.channel() + ": Zalando's stock update of " + update.sku() + " (EAN "
                    + update.listingId() + ") ";
            if (result == null) {
                failures.put(i, ChannelException.unavailable(reason + "has no result in the answer"));
            } else if ("REJECTED".equals(result.path("status").asText()) && result.path("code").asInt() != 104) {
                failures.put(i, ChannelException.rejected(reason + "was rejected (" + result.path("code").asInt() + "): "
                        + result.path("description").asText("")));
            } else if ("FAILED".equals(result.path("status").asText())) {
                failures.put(i, ChannelException.unavailable(reason + "failed (" + result.path("code").asInt() + "): "
                        + result.path("description").asText("")));
            }
        }
        exchange.setVariable(ChannelBatches.FAILURES, failures);
    }

    /**
     * The orders of a page of the orders list, each as one JSON document: the order's attributes with its {@code id},
     * and {@code items}, each item's attributes with its {@code id} and its {@code lines} (each line's attributes
     * with its {@code id}), joined from the {@code included} resources.
     */
    public List<String> orders(@Body String answer) throws IOException {
        JsonNode page = json.readTree(answer);
        Map<String, JsonNode> items = new LinkedHashMap<>();
        Map<String, JsonNode> lines = new LinkedHashMap<>();
        for (JsonNode resource : page.path("included")) {
            JsonNode attributes = resource.path("attributes");
            if (attributes.has("quantity_initial")) {
                items.put(resource.path("id").asText(), resource);
            } else if (attributes.has("price") && attributes.has("status")) {
                lines.put(resource.path("id").asText(), resource);
            }
        }
        List<String> orders = new ArrayList<>();
        for (JsonNode order : page.path("data")) {
            ObjectNode joined = flat(order);
            ArrayNode joinedItems = joined.putArray("items");
            for (JsonNode reference : order.path("relationships").path("order_items").path("data")) {
                JsonNode item = items.get(reference.path("id").asText());
                if (item == null) {
                    continue;
                }
                ObjectNode joinedItem = flat(item);
                ArrayNode itemLines = joinedItem.putArray("lines");
                List<String> lineIds = new ArrayList<>();
                item.path("relationships").path("order_lines").path("data").forEach(line -> lineIds.add(line.path("id").asText()));
                lines.forEach((id, line) -> {
                    boolean related = lineIds.contains(id) || (lineIds.isEmpty()
                            && line.path("attributes").path("order_item_id").asText().equals(item.path("id").asText()));
                    if (related) {
                        itemLines.add(flat(line));
                    }
                });
                joinedItems.add(joinedItem);
            }
            orders.add(joined.toString());
        }
        return orders;
    }

    private ObjectNode flat(JsonNode resource) {
        ObjectNode flat = json.createObjectNode();
        flat.put("id", resource.path("id").asText());
        if (resource.path("attributes").isObject()) {
            flat.setAll((ObjectNode) resource.path("attributes").deepCopy());
        }
        return flat;
    }

    /** The latest {@code modified_at} of a page of orders (where the next poll starts); null for an empty page. */
    public String watermark(@Body String answer) throws IOException {
        String latest = null;
        for (JsonNode order : json.readTree(answer).path("data")) {
            String modified = order.path("attributes").path("modified_at").asText(null);
            if (modified != null && (latest == null || java.time.OffsetDateTime.parse(modified)
                    .isAfter(java.time.OffsetDateTime.parse(latest)))) {
                latest = modified;
            }
        }
        return latest;
    }

    /**
     * The order's shipment with this tracking number from an earlier attempt ({@code {shipments: [...]}} of the
     * order's shipments), as {@code {id, status}}; null when there is none.
     */
    public Map<String, String> shipment(@Body String answer, String trackingNumber) throws IOException {
        for (JsonNode shipment : json.readTree(answer).path("shipments")) {
            if (trackingNumber != null && trackingNumber.equals(shipment.path("tracking_number").asText(null))
                    && !"canceled".equals(shipment.path("status").asText())) {
                Map<String, String> found = new HashMap<>();
                found.put("id", shipment.path("shipment_id").asText());
                found.put("status", shipment.path("status").asText());
                return found;
            }
        }
        return null;
    }

    /** The id of the shipment the create call answered ({@code shipment_id}), as {@code {id, status: initial}}. */
    public Map<String, String> created(@Body String answer) throws IOException {
        Map<String, String> created = new HashMap<>();
        created.put("id", json.readTree(answer).path("shipment_id").asText());
        created.put("status", "initial");
        return created;
    }

    /**
     * The order's lines that are still open ({@code data} of the order read with its lines: not cancelled, shipped or
     * returned), each as {@code {itemId, lineId, path}}: {@code path} is the line's resource under the order.
     */
    public List<Map<String, String>> openLines(@Body String answer) throws IOException {
        List<Map<String, String>> open = new ArrayList<>();
        for (JsonNode resource : json.readTree(answer).path("included")) {
            JsonNode attributes = resource.path("attributes");
            if (attributes.has("price") && attributes.has("status")
                    && !FINAL_LINE_STATES.contains(attributes.path("status").asText())) {
                Map<String, String> line = new HashMap<>();
                line.put("itemId", attributes.path("order_item_id").asText());
                line.put("lineId", resource.path("id").asText());
                line.put("path", "/items/" + line.get("itemId") + "/lines/" + line.get("lineId"));
                open.add(line);
            }
        }
        return open;
    }

    /** The EAN Kanaal has for the SKU is no GTIN-13 (Zalando's stock is per GTIN-13): a refusal. */
    public String ean13(String channel, String sku, String gtin) {
        if (gtin == null) {
            return null;
        }
        if (!gtin.matches("[0-9]{13}")) {
            throw ChannelException.rejected("channel " + channel + ": the GTIN of " + sku + " (" + gtin
                    + ") is no GTIN-13, which Zalando's stock needs");
        }
        return gtin;
    }
}
