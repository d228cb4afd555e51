package io.kanaal.channel.shopify;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kanaal.channel.ChannelException;
import io.kanaal.channel.ChannelListings;
import io.kanaal.channel.ChannelResponses;
import io.kanaal.channel.GraphqlRequests;
import io.kanaal.stock.ChannelStockUpdate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.camel.Body;
import org.apache.camel.Header;
import org.apache.camel.Headers;
import org.springframework.stereotype.Component;

/**
 * Shopify's GraphQL Admin API for routes/channels/shopify.camel.yaml: the answer read into its {@code data}, or a
 * {@link ChannelException}, and the few values the routes need from it.
 * <ul>
 *   <li>HTTP 429, 5xx, 408, 401 and answers that are not GraphQL go the way of every channel ({@link ChannelResponses});</li>
 *   <li>GraphQL error THROTTLED (the cost bucket is empty) is retried after the time the bucket needs to refill
 *       for the query ({@code extensions.cost}); INTERNAL_SERVER_ERROR is retried; the
 *       others (an invalid query, ACCESS_DENIED for a missing scope) are refused;</li>
 *   <li>a mutation's {@code userErrors} (or {@code orderCancelUserErrors}) in {@code data} are a refusal, with their
 *       messages.</li>
 * </ul>
 */
@Component("shopifyGraphql")
public class ShopifyGraphql {

    private static final Set<String> TRANSIENT_ERRORS = Set.of("INTERNAL_SERVER_ERROR");

    private final GraphqlRequests requests;
    private final ChannelResponses responses;
    private final ChannelListings listings;
    private final ObjectMapper json;

    public ShopifyGraphql(GraphqlRequests requests, ChannelResponses responses, ChannelListings listings, ObjectMapper json) {
        this.requests = requests;
        this.responses = responses;
        this.listings = listings;
        this.json = json;
    }

    /** The {@code data} of a GraphQL answer as JSON text; a ChannelException for an answer with errors. */
    public String data(String channel, @Header("CamelHttpResponseCode") int status, @Headers Map<String, Object> headers,
            @Body String body) {
        JsonNode answer = requests.parse(body);
        boolean graphql = answer != null && (answer.has("data") || answer.has("errors"));
        if (!graphql || status < 200 || status >= 300) {
            responses.check(channel, status, headers, body);
            throw ChannelException.rejected("channel " + channel + ": Shopify's answer (HTTP " + status
                    + ") is not a GraphQL answer: " + ChannelResponses.abbreviate(body));
        }
        JsonNode errors = answer.path("errors");
        if (errors.isArray() && !errors.isEmpty()) {
            throw errors(channel, errors, answer.path("extensions").path("cost"));
        }
        JsonNode data = answer.path("data");
        data.fields().forEachRemaining(field -> {
            List<String> messages = new ArrayList<>();
            for (String name : List.of("userErrors", "orderCancelUserErrors")) {
                for (JsonNode error : field.getValue().path(name)) {
                    messages.add(error.path("field").toString() + " " + error.path("message").asText());
                }
            }
            if (!messages.isEmpty()) {
                throw ChannelException.rejected("channel " + channel + ": Shopify's " + field.getKey() + " refused: "
                        + ChannelResponses.abbreviate(String.join("; ", messages)));
            }
        });
        return data.toString();
    }

    private ChannelException errors(String channel, JsonNode errors, JsonNode cost) {
        List<String> codes = new ArrayList<>();
        for (JsonNode error : errors) {
            codes.add(error.path("extensions").path("code").asText(""));
        }
        String reason = "channel " + channel + ": Shopify answered GraphQL errors " + codes + ": "
                + ChannelResponses.abbreviate(errors.toString());
        if (codes.contains("THROTTLED")) {
            return ChannelException.throttled(reason, refill(cost));
        }
        if (codes.stream().allMatch(TRANSIENT_ERRORS::contains)) {
            return ChannelException.unavailable(reason);
        }
        return ChannelException.rejected(reason);
    }

    /** How long Shopify's cost bucket needs to hold the query's cost again (at least a second). */
    static Duration refill(JsonNode cost) {
        double requested = cost.path("requestedQueryCost").asDouble(0);
        double available = cost.path("throttleStatus").path("currentlyAvailable").asDouble(0);
        double restoreRate = cost.path("throttleStatus").path("restoreRate").asDouble(0);
        if (restoreRate <= 0) {
            return Duration.ofSeconds(1);
        }
        long millis = (long) Math.ceil(Math.max(0, requested - available) / restoreRate * 1000);
        return Duration.ofMillis(Math.max(1000, millis));
    }

    /**
     * The variables of a search for the SKU's inventory item ({@code query: sku:"<sku>"}, Shopify's search syntax
     * with the SKU quoted).
     */
    public Map<String, Object> skuSearch(String sku) {
        return requests.variables("query", "sku:\"" + sku.replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
    }

    /**
     * Saves the id of the SKU's inventory item ({@code data} of shopify/inventory-item-by-sku.graphql) as the
     * channel's listing of the SKU, so it is looked up once. Refused when Shopify has no item with exactly this SKU
     * (null when the channel skips unlisted SKUs).
     */
    public String saveItem(String channel, String sku, @Body String data) {
        String id = null;
        for (JsonNode item : requests.parse(data).path("inventoryItems").path("nodes")) {
            if (sku.equals(item.path("sku").asText())) {
                id = item.path("id").asText();
            }
        }
        return listings.found(channel, sku, id, "Shopify has no inventory item with SKU '" + sku
                + "': create the product variant in Shopify (Kanaal sets stock on existing variants only)");
    }

    /** The stock update with the location it is set at, for shopify/stock.jsonata. */
    public Map<String, Object> atLocation(ChannelStockUpdate stock, String locationId) {
        Map<String, Object> input = new LinkedHashMap<>(json.convertValue(stock, new TypeReference<Map<String, Object>>() { }));
        input.put("locationId", locationId);
        return input;
    }

    /**
     * The input of shopify/product-set.jsonata: the payloads of the product's SKUs ({@code family}, from
     * {@code channelProducts.family}), the location, and which of the SKUs Shopify has an inventory item for already.
     */
    public String productSetInput(@Body String family, String channel, String locationId) {
        ObjectNode input = (ObjectNode) requests.parse(family);
        input.put("locationId", locationId);
        com.fasterxml.jackson.databind.node.ArrayNode listed = input.putArray("listed");
        List<JsonNode> skus = new ArrayList<>();
        skus.add(input.path("product"));
        input.path("variants").forEach(skus::add);
        for (JsonNode item : skus) {
            String sku = item.path("sku").asText();
            if (!listings.unknown(channel, sku)) {
                listed.add(sku);
            }
        }
        return input.toString();
    }

    /** Keeps each variant's inventory item ({@code data} of shopify/product-set.graphql) as its SKU's listing. */
    public void saveItems(String channel, @Body String data) {
        for (JsonNode variant : requests.parse(data).path("productSet").path("product").path("variants").path("nodes")) {
            if (variant.hasNonNull("sku") && !variant.path("inventoryItem").path("id").asText("").isEmpty()) {
                listings.save(channel, variant.path("sku").asText(), variant.path("inventoryItem").path("id").asText());
            }
        }
    }

    /** The variables of the orders changed since {@code since} (ISO-8601 UTC), in Shopify's search syntax. */
    public Map<String, Object> ordersSince(String since) {
        return requests.variables("query", "updated_at:>='" + since + "'");
    }

    /**
     * Whether the order ({@code data} of shopify/order.graphql) has a fulfillment with this tracking number already,
     * from an earlier attempt. Refused when Shopify has no such order.
     */
    public boolean shipped(@Body String data, String trackingCode) {
        JsonNode order = order(data);
        String wanted = trackingCode == null ? "" : trackingCode;
        for (JsonNode fulfillment : order.path("fulfillments")) {
            if ("CANCELLED".equals(fulfillment.path("status").asText())) {
                continue;
            }
            for (JsonNode tracking : fulfillment.path("trackingInfo")) {
                if (wanted.equals(tracking.path("number").asText(""))) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The shipment and the order as Shopify has it, for shopify/shipment.jsonata. */
    public String shipment(@Body String data, Map<String, Object> shipment) {
        ObjectNode input = json.valueToTree(shipment);
        input.set("shopifyOrder", order(data));
        return input.toString();
    }

    private JsonNode order(String data) {
        JsonNode order = requests.parse(data).path("order");
        if (order.isMissingNode() || order.isNull()) {
            throw ChannelException.rejected("Shopify has no such order: " + ChannelResponses.abbreviate(data));
        }
        return order;
    }
}
