package io.kanaal.product;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a channel takes: its type's rules ({@code mappings/<type>/product-rules.json}), with what the channel's
 * settings override ({@code rules.required}, {@code rules.max-title-length}, {@code rules.max-description-length},
 * {@code rules.min-images}, {@code rules.allowed-categories}, {@code rules.allowed-values.<attribute>}; lists
 * comma-separated). A price above zero is always required, except of a model (a product other products name as
 * their {@code parentSku}: its view lists them in {@code variants}) on a channel type whose rules say
 * {@code "modelsNeedNoPrice": true} (a webshop that sells the variants under their model, never the model).
 */
public record ProductRules(List<String> required, int maxTitleLength, int maxDescriptionLength, int minImages,
        List<String> allowedCategories, Map<String, List<String>> allowedValues, boolean modelsNeedNoPrice) {

    /** One broken rule: which, on which field, and what to do about it. */
    public record Reject(String rule, String field, String message) {
    }

    static ProductRules of(JsonNode typeRules, Map<String, String> settings) {
        List<String> required = list(settings.get("rules.required"), strings(typeRules.path("required")));
        Map<String, List<String>> allowedValues = new LinkedHashMap<>();
        typeRules.path("allowedValues").fields().forEachRemaining(e -> allowedValues.put(e.getKey(), strings(e.getValue())));
        settings.forEach((key, value) -> {
            if (key.startsWith("rules.allowed-values.")) {
                allowedValues.put(key.substring("rules.allowed-values.".length()), list(value, List.of()));
            }
        });
        return new ProductRules(required,
                number(settings.get("rules.max-title-length"), typeRules.path("maxTitleLength").asInt(Integer.MAX_VALUE)),
                number(settings.get("rules.max-description-length"), typeRules.path("maxDescriptionLength").asInt(Integer.MAX_VALUE)),
                number(settings.get("rules.min-images"), typeRules.path("minImages").asInt(0)),
                list(settings.get("rules.allowed-categories"), strings(typeRules.path("allowedCategories"))),
                allowedValues, typeRules.path("modelsNeedNoPrice").asBoolean(false));
    }

    /** The rules the channel's view of a product breaks; empty when it may be sent. */
    List<Reject> check(Map<String, Object> view) {
        List<Reject> rejects = new ArrayList<>();
        for (String field : required) {
            Object value = view.get(field);
            if (value == null || value instanceof String text && text.isBlank() || value instanceof List<?> list && list.isEmpty()
                    || value instanceof Map<?, ?> map && map.isEmpty()) {
                rejects.add(new Reject("required", field, field + " is required on this channel"));
            }
        }
        String title = (String) view.get("title");
        if (title != null && title.length() > maxTitleLength) {
            rejects.add(new Reject("max-title-length", "title", "the title has " + title.length()
                    + " characters; this channel takes at most " + maxTitleLength));
        }
        String description = (String) view.get("description");
        if (description != null && description.length() > maxDescriptionLength) {
            rejects.add(new Reject("max-description-length", "description", "the description has " + description.length()
                    + " characters; this channel takes at most " + maxDescriptionLength));
        }
        int images = view.get("images") instanceof List<?> list ? list.size() : 0;
        if (images < minImages) {
            rejects.add(new Reject("min-images", "images", images + " image(s); this channel needs at least " + minImages));
        }
        String category = (String) view.get("category");
        if (!allowedCategories.isEmpty() && (category == null || allowedCategories.stream().noneMatch(category::startsWith))) {
            rejects.add(new Reject("allowed-categories", "category", "category '" + category + "' is not one this channel takes "
                    + allowedCategories));
        }
        Map<?, ?> attributes = view.get("attributes") instanceof Map<?, ?> map ? map : Map.of();
        allowedValues.forEach((name, allowed) -> {
            Object attribute = attributes.get(name);
            Object value = attribute instanceof Map<?, ?> typed ? typed.get("value") : null;
            if (value != null && !allowed.contains(String.valueOf(value))) {
                rejects.add(new Reject("allowed-values", "attributes." + name, name + " '" + value
                        + "' is not one this channel takes " + allowed));
            }
        });
        Map<?, ?> price = view.get("price") instanceof Map<?, ?> map ? map : Map.of();
        Object amount = price.get("amount");
        if (price.get("sourceCurrency") != null) {
            rejects.add(new Reject("currency", "price.currency", "priced in " + price.get("sourceCurrency")
                    + "; this channel sells in " + price.get("currency") + " (give it a price of its own in channels.<channel>.price)"));
        } else if ((!(amount instanceof BigDecimal decimal) || decimal.signum() <= 0)
                && !(modelsNeedNoPrice && view.get("variants") instanceof List<?> variants && !variants.isEmpty())) {
            rejects.add(new Reject("price-above-zero", "price.amount", "the price on this channel must be above zero"));
        }
        return rejects;
    }

    static ProductRules none() {
        return of(new ObjectMapper().createObjectNode(), Map.of());
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(value -> values.add(value.asText()));
        return values;
    }

    private static List<String> list(String setting, List<String> otherwise) {
        return setting == null ? otherwise
                : Arrays.stream(setting.split(",")).map(String::strip).filter(value -> !value.isEmpty()).toList();
    }

    private static int number(String setting, int otherwise) {
        return setting == null || setting.isBlank() ? otherwise : Integer.parseInt(setting.strip());
    }
}
