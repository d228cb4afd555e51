package io.kanaal.product;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kanaal.api.InvalidRequestException;
import io.kanaal.channel.ChannelProperties;
import io.kanaal.channel.Channels;
import io.kanaal.mapping.Mappings;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Currency;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.Body;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Header;
import org.apache.camel.Message;
import org.apache.camel.Variable;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * A product as one channel gets it: the channel's view (its locale's title and description, its overrides, its
 * price rule), checked against its rules; sent only when its mapped payload differs from what the channel has.
 * What it was sent, or why not, is kept in {@code channel_product} and shown to ops.
 */
@Component("channelProducts")
public class ChannelProducts {

    private final Products products;
    private final Channels channels;
    private final Mappings mappings;
    private final JdbcTemplate jdbc;
    private final ObjectMapper json;
    private final CamelContext camelContext;
    private final io.kanaal.broker.BrokerQueues brokerQueues;
    private final SentRecords sentRecords;
    private final Map<String, ProductRules> rules = new ConcurrentHashMap<>();

    public ChannelProducts(Products products, Channels channels, Mappings mappings, JdbcTemplate jdbc, ObjectMapper json,
            CamelContext camelContext, io.kanaal.broker.BrokerQueues brokerQueues, SentRecords sentRecords) {
        this.brokerQueues = brokerQueues;
        this.sentRecords = sentRecords;
        this.products = products;
        this.channels = channels;
        this.mappings = mappings;
        this.jdbc = jdbc;
        this.json = json;
        this.camelContext = camelContext;
    }

    /** The enabled channels that take products: those with a route {@code <channel>-product-write}. */
    public List<String> channels() {
        return channels.enabledIds().stream().filter(id -> camelContext.getRoute(id + "-product-write") != null).toList();
    }

    /** The queue of the SKUs whose products changed, for every channel at once ({@link ProductFanout}). */
    public static final String CHANGED_QUEUE = "kanaal.products.changed";

    /**
     * A SKU for a product queue: one channel's ({@code kanaal.channel.<channel>.products}), or, with no channel,
     * {@link #CHANGED_QUEUE} for every channel. In a message group: its model's SKU for a variant taken in (a model
     * and its variants go to a channel one after the other, so a webshop makes the model's product once), else its own.
     */
    public record ChannelSku(String channel, String sku, String group) {
    }

    /** Every stored product once, for every enabled channel that takes products (none when no channel does). */
    public List<ChannelSku> enqueues(@Body List<ProductItem> stored) {
        if (channels().isEmpty()) {
            return List.of();
        }
        return stored.stream().map(item -> new ChannelSku(null, item.sku(), item.modelSku())).toList();
    }

    /**
     * The message that names the SKU on its product queue: the SKU as body and header {@code sku}, the queue in
     * CamelJmsDestinationName, and its group as message group (JMSXGroupID), so that the publishers take a SKU's
     * messages (and a model's variants') one at a time. No other header rides along but a resync's mark.
     */
    public void address(@Body ChannelSku target, Message message) {
        Object resync = message.getHeader("kanaalResync");
        message.getHeaders().clear();
        if (resync != null) {
            message.setHeader("kanaalResync", resync);
        }
        message.setHeader("CamelJmsDestinationName",
                target.channel() == null ? CHANGED_QUEUE : "kanaal.channel." + target.channel() + ".products");
        message.setHeader("JMSXGroupID", target.group());
        message.setHeader("sku", target.sku());
        message.setBody(target.sku());
    }

    /**
     * The channel's view of the SKU's stored product as the body (a map, for {@link Mappings#map}), with variables
     * {@code product} (the view), {@code sku}, {@code encodedSku}, {@code productVersion} and {@code sentHash} (of the
     * payload the channel has, if any); or, when there is no such product or it breaks the channel's rules (the rejects stored), variable
     * {@code productSkipped} true. The product, the channel's stock and the payload it has come in one query.
     */
    public void prepare(Exchange exchange, @Header("sku") String sku) {
        String channel = exchange.getVariable("channel", String.class);
        exchange.setVariable("sku", sku);
        exchange.setVariable("encodedSku", encoded(sku));
        Stored stored = load(sku, List.of(channel));
        if (stored == null) {
            exchange.setVariable("productSkipped", true);
            return;
        }
        exchange.setVariable("sentHash", stored.sentHash(channel));
        exchange.setVariable("productVersion", stored.product().version());
        Map<String, Object> view = checkedView(channel, stored);
        if (view == null) {
            exchange.setVariable("productSkipped", true);
            return;
        }
        exchange.setVariable("productSkipped", false);
        exchange.setVariable("product", view);
        exchange.getIn().setBody(view);
    }

    static String encoded(String sku) {
        return java.net.URLEncoder.encode(sku, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }

    /**
     * A stored product with what the channels asked for hold of it: per channel the stock it should show now
     * ({@code channel_stock}: quantity and version, for a channel that takes price and stock in one call and for
     * feeds' availability) and the hash of the payload it was last sent.
     */
    record Stored(Products.StoredProduct product, List<String> variants, JsonNode stock, JsonNode sent) {

        /** The quantity the channel should show now, with its version; 0 (no version) before any. */
        Map<String, Object> stock(String channel) {
            Map<String, Object> stock = new LinkedHashMap<>();
            JsonNode entry = this.stock.path(channel);
            stock.put("quantity", entry.path(0).asInt(0));
            if (entry.path(1).isNumber()) {
                stock.put("version", entry.path(1).asLong());
            }
            return stock;
        }

        String sentHash(String channel) {
            return sent.path(channel).asText(null);
        }
    }

    /** The product with the channels' stock and payload hashes, in one query; null when Kanaal has no such product. */
    Stored load(String sku, List<String> channels) {
        List<Stored> found = jdbc.query(connection -> {
            java.sql.PreparedStatement statement = connection.prepareStatement("""
                    SELECT p.version, p.content,
                        ARRAY(SELECT v.sku FROM product v WHERE v.parent_sku = p.sku ORDER BY v.sku COLLATE "C") AS variants,
                        (SELECT json_object_agg(cs.channel, json_build_array(cs.desired_quantity, cs.desired_version))
                            FROM channel_stock cs WHERE cs.channel = ANY(?) AND cs.sku = p.sku) AS stock,
                        (SELECT json_object_agg(cp.channel, cp.payload_hash)
                            FROM channel_product cp WHERE cp.channel = ANY(?) AND cp.sku = p.sku AND cp.status = 'live') AS sent
                    FROM product p WHERE p.sku = ?
                    """);
            java.sql.Array names = connection.createArrayOf("text", channels.toArray());
            statement.setArray(1, names);
            statement.setArray(2, names);
            statement.setString(3, sku);
            return statement;
        }, (row, i) -> new Stored(new Products.StoredProduct(sku, row.getLong(1), read(row.getString(2))),
                List.of((String[]) row.getArray(3).getArray()), readOrEmpty(row.getString(4)), readOrEmpty(row.getString(5))));
        return found.isEmpty() ? null : found.get(0);
    }

    /** The channel's view of the product, or null when it breaks the channel's rules (its rejects stored). */
    Map<String, Object> checkedView(String channel, Stored stored) {
        Products.StoredProduct product = stored.product();
        Map<String, Object> view = view(channel, product, stored.stock(channel), stored.variants());
        List<ProductRules.Reject> rejects = rules(channel).check(view);
        if (!rejects.isEmpty()) {
            record(channel, product.sku(), product.version(), "rejected", rejects);
            return null;
        }
        return view;
    }

    /** The channel's product mapping, relative to mappings/: its setting product-mapping, else its type's. */
    String mapping(String channel) {
        ChannelProperties properties = channels.get(channel);
        return properties.settings().getOrDefault("product-mapping", properties.type() + "/product.jsonata");
    }

    /**
     * The payload of another stored product for this channel, as the channel's publisher would make it (its view,
     * checked against the channel's rules, mapped by {@code mapping}): for a channel that writes a variant's model
     * with the variant (Vendure). Rejected when Kanaal has no such product or it breaks the channel's rules.
     */
    public String payload(String channel, String sku, String mapping) throws IOException {
        Stored stored = load(sku, List.of(channel));
        if (stored == null) {
            throw io.kanaal.channel.ChannelException.rejected("Kanaal has no product " + sku);
        }
        Map<String, Object> view = view(channel, stored.product(), stored.stock(channel), stored.variants());
        List<ProductRules.Reject> rejects = rules(channel).check(view);
        if (!rejects.isEmpty()) {
            throw io.kanaal.channel.ChannelException.rejected("product " + sku + " breaks the rules of channel " + channel
                    + ": " + rejects.stream().map(ProductRules.Reject::message).toList());
        }
        return mappings.map(mapping, view);
    }

    /** The GTIN Kanaal has for the SKU's product; null when it has no such product or it has none. */
    public String gtin(String sku) {
        Products.StoredProduct product = products.get(sku);
        return product == null ? null : product.content().path("gtin").asText(null);
    }

    /**
     * The payloads of the channel product a SKU belongs to, for a channel where a model and its variants are one
     * product (Shopify): {@code {"product": <the model's payload, or the SKU's own>, "variants": [<the payloads of
     * the model's variants, in Kanaal's SKU order>]}}, each as the channel's publisher makes it (its view, its rules,
     * {@code mapping}); the SKU's own is {@code payload} as just made. A variant that breaks the channel's rules is
     * left out; a model that breaks them refuses the whole product, with the model's reason.
     */
    public String family(String channel, String sku, String payload, String mapping) throws IOException {
        JsonNode own = read(payload);
        String modelSku = own.path("parentSku").asText(sku);
        ObjectNode family = json.createObjectNode();
        family.set("product", modelSku.equals(sku) ? own : read(payload(channel, modelSku, mapping)));
        com.fasterxml.jackson.databind.node.ArrayNode variants = family.putArray("variants");
        for (String variant : products.variants(modelSku)) {
            if (variant.equals(sku)) {
                variants.add(own);
                continue;
            }
            try {
                variants.add(read(payload(channel, variant, mapping)));
            } catch (io.kanaal.channel.ChannelException rejected) {
                // not sent to this channel: it breaks its rules (its own publisher stores the rejects)
            }
        }
        return family.toString();
    }

    /**
     * Sets variable {@code payloadHash} (of the mapped payload, the body) and {@code payloadChanged}: whether it differs
     * from what the channel was last sent for this SKU ({@code sentHash}, read by {@link #prepare}), or the message
     * asks for a resync.
     */
    public void changed(Exchange exchange, @Variable("sentHash") String sentHash, @Header("kanaalResync") Boolean resync) {
        String hash = Products.hash(exchange.getIn().getBody(String.class));
        exchange.setVariable("payloadHash", hash);
        exchange.setVariable("payloadChanged", Boolean.TRUE.equals(resync) || !hash.equals(sentHash));
    }

    /** The channel took the product: it shows this version now (recorded with other publishers', {@link SentRecords}). */
    public void sent(@Variable("channel") String channel, @Variable("sku") String sku, @Variable("productVersion") long version,
            @Variable("payloadHash") String payloadHash) {
        sentRecords.sent(channel, sku, version, payloadHash);
    }

    /** The channel refused the product (a 4xx, its upload report): recorded as a reject of rule {@code channel}. */
    public void refused(Exchange exchange) {
        String channel = exchange.getVariable("channel", String.class);
        String sku = exchange.getVariable("sku", String.class);
        Long version = exchange.getVariable("productVersion", Long.class);
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (channel != null && sku != null && version != null) {
            record(channel, sku, version, "refused", List.of(new ProductRules.Reject("channel", null,
                    failure == null ? "refused" : failure.getMessage())));
        }
    }

    /**
     * The channel declined parts of a version it took (the body: rejects as {rule, field, message}, from Bol's
     * upload report): recorded as its refusal, unless the channel has been sent a newer version since.
     */
    public void declined(@Variable("channel") String channel, @Variable("sku") String sku,
            @Variable("productVersion") long version, @Body List<Map<String, String>> declined) {
        List<ProductRules.Reject> rejects = declined.stream()
                .map(reject -> new ProductRules.Reject(reject.get("rule"), reject.get("field"), reject.get("message"))).toList();
        jdbc.update("""
                UPDATE channel_product SET status = 'refused', rejects = ?::jsonb, updated_at = now()
                WHERE channel = ? AND sku = ? AND version = ?
                """, text(rejects), channel, sku, version);
    }

    /** For ops: the product, and per channel what it was sent, its status and its rejects (404 when unknown). */
    public Map<String, Object> overview(@Header("sku") String sku) {
        Products.StoredProduct product = products.get(sku);
        if (product == null) {
            throw new InvalidRequestException(404, "Unknown product", List.of("Kanaal has no product " + sku));
        }
        Map<String, Object> overview = new LinkedHashMap<>();
        overview.put("sku", sku);
        overview.put("version", product.version());
        overview.put("product", product.content());
        overview.put("channels", jdbc.query("""
                SELECT channel, status, version, sent_version, sent_at, rejects, updated_at FROM channel_product
                WHERE sku = ? ORDER BY channel
                """, (row, i) -> {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("channel", row.getString("channel"));
            entry.put("status", row.getString("status"));
            entry.put("version", row.getLong("version"));
            entry.put("versionSent", row.getObject("sent_version"));
            entry.put("sentAt", row.getObject("sent_at") == null ? null : row.getTimestamp("sent_at").toInstant().toString());
            entry.put("rejects", read(row.getString("rejects")));
            entry.put("updatedAt", row.getTimestamp("updated_at").toInstant().toString());
            return entry;
        }, sku));
        overview.put("versions", products.history(sku));
        return overview;
    }

    /** For ops: the channel's products that were not sent (rejected by its rules, or refused by it), newest first. */
    public List<Map<String, Object>> rejects(@Header("channel") String channel, @Header("limit") String limit) {
        requireProductChannel(channel);
        int max = io.kanaal.api.QueryLimits.limit(limit);
        return jdbc.query("""
                SELECT sku, status, version, rejects, updated_at FROM channel_product
                WHERE channel = ? AND status IN ('rejected', 'refused') ORDER BY updated_at DESC LIMIT ?
                """, (row, i) -> {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("sku", row.getString("sku"));
            entry.put("status", row.getString("status"));
            entry.put("version", row.getLong("version"));
            entry.put("rejects", read(row.getString("rejects")));
            entry.put("at", row.getTimestamp("updated_at").toInstant().toString());
            return entry;
        }, channel, max);
    }

    /** Every stored SKU, read page by page, for a resync of a channel that takes products (404 for another). */
    public java.util.Iterator<ChannelSku> resync(String channel) {
        requireProductChannel(channel);
        return new java.util.Iterator<>() {
            private List<String> page = products.skus(null, 1000);
            private int next;

            @Override
            public boolean hasNext() {
                if (next == page.size() && page.size() == 1000) {
                    page = products.skus(page.get(page.size() - 1), 1000);
                    next = 0;
                }
                return next < page.size();
            }

            @Override
            public ChannelSku next() {
                if (!hasNext()) {
                    throw new java.util.NoSuchElementException();
                }
                String sku = page.get(next++);
                return new ChannelSku(channel, sku, sku);
            }
        };
    }

    /** For ops: the channel's products by status, and how many wait on its product queue (a resync's progress). */
    public Map<String, Object> progress(@Header("channel") String channel) {
        requireProductChannel(channel);
        Map<String, Object> progress = new LinkedHashMap<>();
        progress.put("channel", channel);
        progress.put("products", jdbc.queryForObject("SELECT count(*) FROM product", Long.class));
        Map<String, Long> byStatus = new java.util.TreeMap<>();
        jdbc.query("SELECT status, count(*) FROM channel_product WHERE channel = ? GROUP BY status",
                row -> { byStatus.put(row.getString(1), row.getLong(2)); }, channel);
        for (String status : List.of("live", "rejected", "refused")) {
            progress.put(status, byStatus.getOrDefault(status, 0L));
        }
        progress.put("waiting", brokerQueues.messageCount("kanaal.channel." + channel + ".products"));
        return progress;
    }

    private void requireProductChannel(String channel) {
        if (!channels().contains(channel)) {
            throw new InvalidRequestException(404, "Unknown channel", List.of("no enabled channel " + channel + " that takes products"));
        }
    }

    /** The channel's view of a product: see docs/products.md for its fields. */
    Map<String, Object> view(String channel, Products.StoredProduct stored, Map<String, Object> stock, List<String> variants) {
        ChannelProperties properties = channels.get(channel);
        String locale = properties.settings().getOrDefault("locale", "nl");
        JsonNode product = stored.content();
        JsonNode overrides = product.path("channels").path(channel);
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("sku", stored.sku());
        view.put("version", stored.version());
        view.put("channel", channel);
        view.put("locale", locale);
        for (String field : List.of("gtin", "parentSku", "brand", "category")) {
            view.put(field, product.path(field).asText(null));
        }
        view.put("condition", product.path("condition").asText("new"));
        view.put("status", product.path("status").asText("active"));
        // a model: the products that name it as their parent (their SKUs in Kanaal's order), none for another product
        view.put("variants", variants.isEmpty() ? null : variants);
        view.put("variantAxes", json.convertValue(product.path("variantAxes").isMissingNode() ? json.createObjectNode()
                : product.path("variantAxes"), Map.class));
        ObjectNode titles = merged(product.path("title"), overrides.path("title"));
        ObjectNode descriptions = merged(product.path("description"), overrides.path("description"));
        view.put("title", localized(titles, locale));
        view.put("description", localized(descriptions, locale));
        view.put("titles", json.convertValue(titles, Map.class));
        view.put("descriptions", json.convertValue(descriptions, Map.class));
        view.put("attributes", json.convertValue(merged(product.path("attributes"), overrides.path("attributes")), Map.class));
        List<JsonNode> images = new ArrayList<>();
        product.path("images").forEach(images::add);
        images.sort(Comparator.comparing((JsonNode image) -> !"main".equals(image.path("role").asText()))
                .thenComparing(image -> image.path("position").asInt(Integer.MAX_VALUE)));
        view.put("images", images.stream().map(image -> image.path("url").asText()).toList());
        for (String field : List.of("weight", "dimensions", "deliveryPromise")) {
            view.put(field, product.has(field) ? json.convertValue(product.get(field), Map.class) : null);
        }
        view.put("price", price(properties, product.path("price"), overrides.path("price")));
        view.put("stock", stock);
        // what the product does not have is left out, not null: a mapping sees it as absent
        view.values().removeIf(java.util.Objects::isNull);
        return view;
    }

    private Map<String, Object> price(ChannelProperties channel, JsonNode general, JsonNode override) {
        Map<String, Object> price = new LinkedHashMap<>();
        JsonNode source = override.isMissingNode() ? general : override;
        String currency = source.path("currency").asText();
        String channelCurrency = channel.settings().getOrDefault("currency", currency);
        int decimals = Currency.getInstance(currency).getDefaultFractionDigits();
        BigDecimal regular = source.path("amount").decimalValue();
        boolean onSale = onSale(source.path("sale"));
        BigDecimal base = onSale ? source.path("sale").path("amount").decimalValue() : regular;
        BigDecimal cost = source.path("cost").isNumber() ? source.path("cost").decimalValue() : null;
        // a channel's own price is taken as it is; the general price goes through the channel's rule
        BigDecimal amount = override.isMissingNode() ? PriceRule.of(channel.settings()).apply(base, cost, decimals)
                : base.setScale(decimals, java.math.RoundingMode.UNNECESSARY);
        price.put("amount", channelCurrency.equals(currency) ? amount : null);
        if (!channelCurrency.equals(currency)) {
            price.put("sourceCurrency", currency);
        }
        price.put("currency", channelCurrency);
        price.put("regular", regular);
        price.put("onSale", onSale);
        price.put("listPrice", source.path("listPrice").isNumber() ? source.path("listPrice").decimalValue() : null);
        return price;
    }

    private static boolean onSale(JsonNode sale) {
        if (!sale.path("amount").isNumber()) {
            return false;
        }
        Instant now = Instant.now();
        boolean started = !sale.hasNonNull("from") || !OffsetDateTime.parse(sale.get("from").asText()).toInstant().isAfter(now);
        boolean ended = sale.hasNonNull("until") && !OffsetDateTime.parse(sale.get("until").asText()).toInstant().isAfter(now);
        return started && !ended;
    }

    private ObjectNode merged(JsonNode general, JsonNode override) {
        ObjectNode merged = json.createObjectNode();
        if (general.isObject()) {
            merged.setAll((ObjectNode) general);
        }
        if (override.isObject()) {
            merged.setAll((ObjectNode) override);
        }
        return merged;
    }

    /** The text for the locale (nl-BE), else its language (nl), else English, else the first there is. */
    private static String localized(ObjectNode texts, String locale) {
        String language = locale.contains("-") ? locale.substring(0, locale.indexOf('-')) : locale;
        for (String tag : List.of(locale, language, "en")) {
            if (texts.hasNonNull(tag)) {
                return texts.get(tag).asText();
            }
        }
        return texts.isEmpty() ? null : texts.elements().next().asText();
    }

    private ProductRules rules(String channel) {
        return rules.computeIfAbsent(channel, id -> {
            ChannelProperties properties = channels.get(id);
            JsonNode typeRules = mappings.read(properties.type() + "/product-rules.json").map(this::read)
                    .orElse(json.createObjectNode());
            return ProductRules.of(typeRules, properties.settings());
        });
    }

    void record(String channel, String sku, long version, String status, List<ProductRules.Reject> rejects) {
        jdbc.update("""
                INSERT INTO channel_product (channel, sku, status, version, rejects) VALUES (?, ?, ?, ?, ?::jsonb)
                ON CONFLICT (channel, sku) DO UPDATE SET status = EXCLUDED.status, version = EXCLUDED.version,
                    rejects = EXCLUDED.rejects, updated_at = now()
                """, channel, sku, status, version, text(rejects));
    }

    private String text(List<ProductRules.Reject> rejects) {
        try {
            return json.writeValueAsString(rejects);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private JsonNode readOrEmpty(String text) {
        return text == null ? json.createObjectNode() : read(text);
    }

    private JsonNode read(String text) {
        try {
            return json.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
