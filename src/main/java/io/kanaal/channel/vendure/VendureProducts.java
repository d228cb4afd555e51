package io.kanaal.channel.vendure;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kanaal.channel.ChannelException;
import io.kanaal.channel.ChannelListings;
import java.io.IOException;
import java.util.ArrayList;
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
     * {@code vendureProductId} and {@code vendureVariantId} (null for what Vendure does not have), saves a variant
     * found as the SKU's listing, and returns the input of vendure/product-input.jsonata. Rejected when the product's
     * price is not in the Vendure channel's currency (its default one: Vendure takes a new variant's price in that).
     *
     * @param payload the product's payload (vendure/product.jsonata)
     * @param product the channel's view of the product (its {@code stock}: the quantity a new variant starts with)
     */
    public String found(Exchange exchange, @Body String data, @Variable("channel") String channel,
            @Variable("sku") String sku, @Variable("payload") String payload,
            @Variable("product") Map<String, Object> product) throws IOException {
        JsonNode answer = JSON.readTree(data);
        JsonNode item = JSON.missingNode();
        for (JsonNode variant : answer.path("productVariants").path("items")) {
            if (sku.equals(variant.path("sku").asText())) {
                item = variant;
                break;
            }
        }
        JsonNode owner = item.path("product");
        JsonNode bySlug = answer.path("product");
        if (item.isMissingNode() && bySlug.isObject() && bySlug.path("variantList").path("totalItems").asInt() == 0) {
            // made by an attempt that failed before its variant was: that one gets its variant now
            owner = bySlug;
        }
        String variantId = item.path("id").asText(null);
        String productId = owner.path("id").asText(null);
        if (variantId != null) {
            listings.save(channel, sku, variantId);
        }
        exchange.setVariable("vendureVariantId", variantId);
        exchange.setVariable("vendureProductId", productId);

        JsonNode body = JSON.readTree(payload);
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
        input.set("channel", channelSettings);
        input.put("productId", productId);
        input.put("variantId", variantId);
        ArrayList<String> translated = new ArrayList<>();
        owner.path("translations").forEach(t -> translated.add(t.path("languageCode").asText()));
        input.set("translated", JSON.valueToTree(translated));
        input.put("otherVariants", owner.path("variantList").path("totalItems").asInt() > (variantId == null ? 0 : 1));
        input.put("stockOnHand", product.get("stock") instanceof Map<?, ?> stock
                && stock.get("quantity") instanceof Number quantity ? quantity.intValue() : 0);
        return input.toString();
    }

    /** The product Vendure created ({@code data} of vendure/create-product.graphql): its id into the product's input. */
    public String productCreated(Exchange exchange, @Body String data, @Variable("vendureProduct") String input)
            throws IOException {
        String productId = JSON.readTree(data).path("createProduct").path("id").asText(null);
        if (productId == null) {
            throw ChannelException.rejected("Vendure's createProduct answered no product: " + VendureGraphql.abbreviate(data));
        }
        exchange.setVariable("vendureProductId", productId);
        ObjectNode product = (ObjectNode) JSON.readTree(input);
        product.put("productId", productId);
        return product.toString();
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
