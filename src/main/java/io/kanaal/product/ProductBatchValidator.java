package io.kanaal.product;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kanaal.api.BatchValidator;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * A product batch: the schema (product-batch.schema.json), then what a schema cannot say: the GTIN's check
 * digit, locales that exist, prices in the currency's decimals, and a parent that Kanaal knows (sent before, or
 * in the same batch).
 */
@Component("productBatchValidator")
public class ProductBatchValidator extends BatchValidator<ProductItem> {

    private static final Set<String> LANGUAGES = Set.of(Locale.getISOLanguages());
    private static final Set<String> COUNTRIES = Set.of(Locale.getISOCountries());

    private final Products products;

    public ProductBatchValidator(ObjectMapper json, Products products) {
        super(json, "schema/product-batch.schema.json", ProductItem.class, "sku");
        this.products = products;
    }

    @Override
    protected List<String> check(ProductItem item, JsonNode items) {
        JsonNode product = item.content();
        List<String> errors = new ArrayList<>();
        String gtin = product.path("gtin").asText(null);
        if (gtin != null && !Gtin.valid(gtin)) {
            errors.add("gtin " + gtin + ": the check digit is wrong");
        }
        locales(product.path("title"), "title", errors);
        locales(product.path("description"), "description", errors);
        price(product.path("price"), "price", errors);
        product.path("channels").fields().forEachRemaining(channel -> {
            locales(channel.getValue().path("title"), "channels." + channel.getKey() + ".title", errors);
            locales(channel.getValue().path("description"), "channels." + channel.getKey() + ".description", errors);
            price(channel.getValue().path("price"), "channels." + channel.getKey() + ".price", errors);
        });
        String parent = product.path("parentSku").asText(null);
        if (parent != null) {
            if (parent.equals(item.sku())) {
                errors.add("parentSku: a product cannot be its own parent");
            } else if (!inBatch(items, parent) && !products.exists(parent)) {
                errors.add("parentSku " + parent + ": no such product (send the parent first, or in the same batch)");
            }
        }
        return errors;
    }

    private static boolean inBatch(JsonNode items, String sku) {
        for (JsonNode item : items) {
            if (sku.equals(item.path("sku").asText(null))) {
                return true;
            }
        }
        return false;
    }

    private static void locales(JsonNode texts, String field, List<String> errors) {
        texts.fieldNames().forEachRemaining(tag -> {
            Locale locale = Locale.forLanguageTag(tag);
            if (!LANGUAGES.contains(locale.getLanguage()) || !locale.getCountry().isEmpty() && !COUNTRIES.contains(locale.getCountry())) {
                errors.add(field + "." + tag + ": unknown locale");
            }
        });
    }

    private static void price(JsonNode price, String field, List<String> errors) {
        if (price.isMissingNode()) {
            return;
        }
        Currency currency;
        try {
            currency = Currency.getInstance(price.path("currency").asText());
        } catch (IllegalArgumentException e) {
            errors.add(field + ".currency " + price.path("currency").asText() + ": not an ISO 4217 currency");
            return;
        }
        int decimals = currency.getDefaultFractionDigits();
        checkDecimals(price.path("amount"), field + ".amount", currency, decimals, errors);
        checkDecimals(price.path("listPrice"), field + ".listPrice", currency, decimals, errors);
        checkDecimals(price.path("sale").path("amount"), field + ".sale.amount", currency, decimals, errors);
        checkDecimals(price.path("cost"), field + ".cost", currency, Math.max(decimals, 4), errors);
    }

    private static void checkDecimals(JsonNode amount, String field, Currency currency, int decimals, List<String> errors) {
        if (amount.isNumber() && new BigDecimal(amount.asText()).stripTrailingZeros().scale() > decimals) {
            errors.add(field + " " + amount.asText() + ": " + currency.getCurrencyCode() + " has " + decimals + " decimals");
        }
    }
}
