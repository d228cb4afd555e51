package io.kanaal.channel.vendure;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kanaal.channel.ChannelException;
import io.kanaal.channel.ChannelListings;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.Variable;
import org.springframework.stereotype.Component;

/**
 * Products to Vendure, for the template vendure-product-write (routes/channels/vendure.camel.yaml): what Vendure
 * has of a product (its variant by SKU, or the product an earlier attempt created without its variant), and the
 * ids of what Kanaal creates. The variant's id is the SKU's listing: stock goes to it from then on.
 */
@Component("vendureProducts")
public class VendureProducts {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ChannelListings listings;

    public VendureProducts(ChannelListings listings) {
        this.listings = listings;
    }

    /**
     * What Vendure has of the product ({@code data} of vendure/product-lookup.graphql, the body): sets variables
     * {@code vendureProductId} and {@code vendureVariantId} (null for what Vendure does not have) and
     * {@code vendureWrite}: {@code update} (Vendure has the variant, or the model's product), {@code model} (a
     * model's new product, without a variant of its own) or {@code variant} (a new variant, and its product when
     * Vendure has none); saves a variant found as the SKU's listing, and returns the input of
     * vendure/product-input.jsonata. The Vendure product of a variant is its model's (found by the model's slug).
     * Rejected when the product's price is not in the Vendure channel's currency (its default one: Vendure takes a
     * new variant's price in that).
     *
     * @param payload the product's payload (vendure/product.jsonata)
     * @param model   a variant's model's payload (null for another product)
     * @param assets  the Vendure asset id of each of the images' URLs
     * @param product the channel's view of the product (its {@code stock}: the quantity a new variant starts with)
     */
    public String found(Exchange exchange, @Body String data, @Variable("channel") String channel,
            @Variable("sku") String sku, @Variable("payload") String payload, @Variable("model") String model,
            @Variable("assets") Map<String, String> assets, @Variable("product") Map<String, Object> product)
            throws IOException {
        JsonNode answer = JSON.readTree(data);
        JsonNode body = JSON.readTree(payload);
        boolean isModel = body.path("model").asBoolean();
        JsonNode item = JSON.missingNode();
        for (JsonNode variant : answer.path("productVariants").path("items")) {
            if (sku.equals(variant.path("sku").asText())) {
                item = variant;
                break;
            }
        }
        JsonNode owner = item.path("product");
        JsonNode bySlug = answer.path("product");
        if (item.isMissingNode() && bySlug.isObject() && (model != null || isModel
                || bySlug.path("variantList").path("totalItems").asInt() == 0)) {
            // a variant's or a model's product; or one made by an attempt that failed before its variant was
            owner = bySlug;
        }
        String variantId = item.path("id").asText(null);
        String productId = owner.path("id").asText(null);
        if (variantId != null) {
            listings.save(channel, sku, variantId);
        }
        exchange.setVariable("vendureVariantId", variantId);
        exchange.setVariable("vendureProductId", productId);
        exchange.setVariable("vendureWrite", variantId != null || isModel && productId != null ? "update"
                : isModel ? "model" : "variant");

        JsonNode channelSettings = answer.path("activeChannel");
        String currency = body.path("currencyCode").asText();
        String channelCurrency = channelSettings.path("defaultCurrencyCode").asText();
        if (!currency.equals(channelCurrency)) {
            throw ChannelException.rejected("channel " + channel + ": the Vendure channel's prices are in " + channelCurrency
                    + ", not in " + currency + " (SKU '" + sku + "'): set the channel's currency to " + channelCurrency
                    + ", or give the product a price for the channel in " + channelCurrency);
        }

        ObjectNode input = JSON.createObjectNode();
        input.set("product", body);
        if (model != null) {
            input.set("model", JSON.readTree(model));
        }
        input.set("channel", channelSettings);
        input.put("productId", productId);
        input.put("variantId", variantId);
        ArrayList<String> translated = new ArrayList<>();
        owner.path("translations").forEach(t -> translated.add(t.path("languageCode").asText()));
        input.set("translated", JSON.valueToTree(translated));
        int variantCount = owner.path("variantList").path("totalItems").asInt();
        // a product of its own in a product with variants of other SKUs: one a shop admin made, whose texts stay
        input.put("otherVariants", model == null && !isModel && variantCount > (variantId == null ? 0 : 1));
        input.put("variantCount", variantCount);
        input.set("optionGroups", owner.path("optionGroups").isArray() ? owner.path("optionGroups") : JSON.createArrayNode());
        input.set("assets", JSON.valueToTree(assets == null ? Map.of() : assets));
        input.put("stockOnHand", product.get("stock") instanceof Map<?, ?> stock
                && stock.get("quantity") instanceof Number quantity ? quantity.intValue() : 0);
        return input.toString();
    }

    /**
     * The axes of a new variant whose option group or option its model's product lacks (vendure/product-input.jsonata,
     * {@code options}), each as a Map for vendure-product-option.
     */
    public List<Map<String, Object>> missingOptions(@Variable("vendureProduct") String input) throws IOException {
        List<Map<String, Object>> missing = new ArrayList<>();
        for (JsonNode option : JSON.readTree(input).path("options")) {
            if (option.path("optionId").isMissingNode() || option.path("optionId").isNull()) {
                missing.add(JSON.convertValue(option, Map.class));
            }
        }
        return missing;
    }

    /** An axis with the group Vendure made of it, for vendure/group-to-product.jsonata. */
    public String groupCreated(@Variable("axis") Map<String, Object> axis, @Body String data) throws IOException {
        ObjectNode both = JSON.createObjectNode();
        both.set("axis", JSON.valueToTree(axis));
        both.set("answer", JSON.readTree(data));
        return both.toString();
    }

    /**
     * The product's input with {@code optionIds}: the ids of the new variant's options, from its product's option
     * groups now ({@code data} of vendure/product-options.graphql). Rejected when one is missing.
     */
    public String withOptions(@Variable("vendureProduct") String input, @Body String data, @Variable("sku") String sku)
            throws IOException {
        ObjectNode product = (ObjectNode) JSON.readTree(input);
        JsonNode groups = JSON.readTree(data).path("product").path("optionGroups");
        ArrayList<String> ids = new ArrayList<>();
        for (JsonNode option : product.path("options")) {
            String id = null;
            for (JsonNode group : groups) {
                if (group.path("code").asText().equals(option.path("groupCode").asText())) {
                    for (JsonNode value : group.path("options")) {
                        if (value.path("code").asText().equals(option.path("optionCode").asText())) {
                            id = value.path("id").asText();
                        }
                    }
                }
            }
            if (id == null) {
                throw ChannelException.unavailable("Vendure's product " + product.path("productId").asText()
                        + " has no option " + option.path("groupCode").asText() + "/" + option.path("optionCode").asText()
                        + " for SKU '" + sku + "' yet");
            }
            ids.add(id);
        }
        product.set("optionIds", JSON.valueToTree(ids));
        return product.toString();
    }

    /**
     * The product Vendure created ({@code data} of vendure/create-product.graphql): variable {@code vendureProductId},
     * and its id in the product's input (variable {@code vendureProduct}) and its options.
     */
    public void productCreated(Exchange exchange, @Body String data, @Variable("vendureProduct") String input)
            throws IOException {
        String productId = JSON.readTree(data).path("createProduct").path("id").asText(null);
        if (productId == null) {
            throw ChannelException.rejected("Vendure's createProduct answered no product: " + VendureGraphql.abbreviate(data));
        }
        ObjectNode product = (ObjectNode) JSON.readTree(input);
        product.put("productId", productId);
        product.path("options").forEach(option -> ((ObjectNode) option).put("productId", productId));
        exchange.setVariable("vendureProductId", productId);
        exchange.setVariable("vendureProduct", product.toString());
    }

    /**
     * The variant Vendure created ({@code data} of vendure/create-product-variant.graphql): its id becomes the SKU's
     * listing, and the quantity it was created with counts as delivered.
     */
    public void variantCreated(@Body String data, @Variable("channel") String channel, @Variable("sku") String sku,
            @Variable("product") Map<String, Object> product) throws IOException {
        JsonNode variant = JSON.readTree(data).path("createProductVariants").path(0);
        String variantId = variant.path("id").asText(null);
        if (variantId == null || !sku.equals(variant.path("sku").asText())) {
            throw ChannelException.rejected("channel " + channel + ": Vendure's createProductVariants answered no variant"
                    + " with SKU '" + sku + "': " + VendureGraphql.abbreviate(data));
        }
        listings.made(channel, sku, variantId, product);
    }
}
