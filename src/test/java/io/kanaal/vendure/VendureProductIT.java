package io.kanaal.vendure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.kanaal.support.StandaloneKanaal;
import io.kanaal.support.Vendure;
import io.kanaal.support.Vendure.VariantStock;
import com.sun.net.httpserver.HttpServer;
import jakarta.jms.Message;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jms.core.JmsTemplate;

/**
 * Products from the ERP to a real Vendure (profile {@code vendure}), checked as a shopper sees them through Vendure's
 * Shop API. Vendure as the reference has it: English only, US dollars, prices without tax. The Vendure channel of
 * Kanaal adds 10 % and rounds up to .95, and carries only the SKUs it has products for ({@code unlisted: skip}).
 *
 * <p>The ERP's stock comes first and waits; the product then becomes a Vendure product with one variant, in
 * English, with the SKU, the channel's price and that stock; a new version updates the same product and variant;
 * once the shop speaks Dutch too, a resync gives it the Dutch texts; a discontinued product leaves the shop. A
 * product priced in another currency than the Vendure channel's is refused with the reason.
 */
class VendureProductIT {

    private static final String KEY = "vendure-products-" + UUID.randomUUID();
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String SHOP_PRODUCT = "query($slug: String!) { product(slug: $slug) { id name slug description"
            + " variants { id sku name price currencyCode stockLevel } } }";

    private static final String SHOP_MODEL = "query($slug: String!) { product(slug: $slug) { id name slug"
            + " featuredAsset { id preview } assets { id }"
            + " variants { sku name price featuredAsset { id } options { code name group { name } } } } }";

    private static Vendure vendure;
    private static ConfigurableApplicationContext kanaal;
    /** Product images on loopback: any path ending in .png answers a tiny PNG; the paths asked, in order. */
    private static HttpServer images;
    private static final List<String> IMAGES_ASKED = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws IOException {
        images = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        byte[] png = png();
        images.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            IMAGES_ASKED.add(path);
            boolean found = path.endsWith(".png");
            exchange.getResponseHeaders().set("Content-Type", "image/png");
            exchange.sendResponseHeaders(found ? 200 : 404, found ? png.length : -1);
            try (var body = exchange.getResponseBody()) {
                if (found) {
                    body.write(png);
                }
            }
        });
        images.start();
        vendure = Vendure.start();
        List<String> settings = new ArrayList<>(StandaloneKanaal.vendureChannel("vendure", vendure.baseUrl(),
                Vendure.ADMIN_USERNAME, Vendure.ADMIN_PASSWORD, "price-markup=10", "price-rounding=0.95", "unlisted=skip"));
        settings.addAll(List.of("--kanaal.delivery.initial-delay=200", "--kanaal.delivery.maximum-redeliveries=8"));
        kanaal = StandaloneKanaal.start("vendure-products-e2e", 132, KEY, settings);
    }

    @AfterAll
    static void stop() {
        if (kanaal != null) {
            kanaal.close();
        }
        if (vendure != null) {
            vendure.stop();
        }
        if (images != null) {
            images.stop(0);
        }
    }

    @Test
    void aProductReachesTheShopAsAShopperSeesItAndItsNewVersionsUpdateIt() throws Exception {
        String sku = "KV-" + System.currentTimeMillis();
        String slug = sku.toLowerCase();

        // the ERP's stock comes before the product: Vendure has no variant yet, the channel keeps the quantity
        post("/api/v1/stock", "{\"items\":[{\"sku\":\"" + sku + "\",\"quantity\":5,\"sequence\":1}]}");
        await().atMost(WAIT).until(() -> desiredQuantity(sku) == 5);

        post("/api/v1/products", products(product(sku, 1, "T-shirt red", 19.99, "active")));
        await().atMost(WAIT).until(() -> !shopProduct(vendure.newShopSession(), slug).isNull());
        JsonNode product = shopProduct(vendure.newShopSession(), slug);
        assertThat(product.path("name").asText()).as("English, the shop's language").isEqualTo("T-shirt red");
        assertThat(product.path("description").asText()).isEqualTo("Cotton T-shirt.");
        assertThat(product.path("variants")).hasSize(1);
        JsonNode variant = product.path("variants").path(0);
        assertThat(variant.path("sku").asText()).isEqualTo(sku);
        assertThat(variant.path("name").asText()).isEqualTo("T-shirt red");
        assertThat(variant.path("price").asInt()).as("19.99 + 10 %, up to .95: 22.95 in cents").isEqualTo(2295);
        assertThat(variant.path("currencyCode").asText()).isEqualTo("USD");
        assertThat(variant.path("stockLevel").asText()).isEqualTo("IN_STOCK");
        VariantStock stock = vendure.variant(sku).orElseThrow();
        assertThat(stock.stockOnHand()).as("the quantity that waited").isEqualTo(5);
        await("the variant is the SKU's listing").atMost(WAIT).until(() -> stock.id().equals(listing(sku)));
        await().atMost(WAIT).until(() -> "live".equals(status(sku)));

        // a new version: a new price and English title, on the same product and variant
        post("/api/v1/products", products(product(sku, 2, "T-shirt red, organic", 29.99, "active")));
        await().atMost(WAIT).until(() -> shopProduct(vendure.newShopSession(), slug).path("variants").path(0)
                .path("price").asInt() == 3395);
        JsonNode updated = shopProduct(vendure.newShopSession(), slug);
        assertThat(updated.path("id").asText()).isEqualTo(product.path("id").asText());
        assertThat(updated.path("name").asText()).isEqualTo("T-shirt red, organic");
        assertThat(updated.path("slug").asText()).isEqualTo(slug);
        assertThat(updated.path("variants").path(0).path("id").asText()).isEqualTo(variant.path("id").asText());
        JsonNode listed = vendure.newShopSession().call("query($slug: String!) { products(options: { filter: { slug:"
                + " { contains: $slug } } }) { totalItems } }", Map.of("slug", slug)).path("products");
        assertThat(listed.path("totalItems").asInt()).as("one product with this slug, not a second").isEqualTo(1);
        assertThat(vendure.variant(sku).orElseThrow().stockOnHand()).as("stock is the stock routes'").isEqualTo(5);

        // the shop speaks Dutch too: a resync gives the product its Dutch texts, for Dutch shoppers
        assertThat(vendure.adminApi("mutation { updateGlobalSettings(input: { availableLanguages: [en, nl] }) {"
                + " ... on GlobalSettings { availableLanguages } } }").toString()).contains("nl");
        String channelId = vendure.adminApi("{ activeChannel { id } }").path("activeChannel").path("id").asText();
        assertThat(vendure.adminApi("mutation($id: ID!) { updateChannel(input: { id: $id, availableLanguageCodes: [en, nl] }) {"
                + " ... on Channel { availableLanguageCodes } } }", Map.of("id", channelId)).toString()).contains("nl");
        HttpResponse<String> resync = StandaloneKanaal.post(kanaal, KEY, "/api/v1/ops/channels/vendure/resync", "");
        assertThat(resync.statusCode()).as(resync.body()).isBetween(200, 299);
        // product and variant: Vendure's Shop API can show the product's new name a moment before its variant's
        await().atMost(WAIT).until(() -> {
            JsonNode seen = shopProduct(vendure.newShopSession("nl"), slug);
            return "T-shirt rood".equals(seen.path("name").asText())
                    && "T-shirt rood".equals(seen.path("variants").path(0).path("name").asText());
        });
        JsonNode dutch = shopProduct(vendure.newShopSession("nl"), slug);
        assertThat(dutch.path("description").asText()).isEqualTo("Katoenen T-shirt.");
        assertThat(dutch.path("slug").asText()).isEqualTo(slug);
        assertThat(dutch.path("variants").path(0).path("name").asText()).isEqualTo("T-shirt rood");
        assertThat(shopProduct(vendure.newShopSession("en"), slug).path("name").asText()).isEqualTo("T-shirt red, organic");

        // discontinued: out of the shop
        post("/api/v1/products", products(product(sku, 3, "T-shirt red, organic", 29.99, "discontinued")));
        await().atMost(WAIT).until(() -> shopProduct(vendure.newShopSession(), slug).isNull());
        assertThat(vendure.variant(sku)).as("disabled, not deleted").isPresent();
    }

    @Test
    void aProductPricedInAnotherCurrencyThanTheVendureChannelsIsRefusedWithTheReason() throws Exception {
        String sku = "KE-" + System.currentTimeMillis();
        post("/api/v1/products", products(product(sku, 1, "Mug", 9.99, "active").replace("\"USD\"", "\"EUR\"")));

        JmsTemplate jms = kanaal.getBean(JmsTemplate.class);
        jms.setReceiveTimeout(WAIT.toMillis());
        Message dead = jms.receiveSelected("DLQ.kanaal.channel.vendure.products", "sku = '" + sku + "'");
        assertThat(dead).as("dead letter of %s", sku).isNotNull();
        assertThat(dead.getStringProperty("kanaalDeadLetterReason")).contains("the Vendure channel's prices are in USD, not in EUR");
        await().atMost(WAIT).until(() -> "refused".equals(status(sku)));
        assertThat(vendure.variant(sku)).isEmpty();
    }

    @Test
    void aModelWithTwoVariantsIsOneProductWithTwoVariantsAndItsUpdatesShow() throws Exception {
        String model = "KM-" + System.currentTimeMillis();
        String slug = model.toLowerCase();
        String small = model + "-S";
        String large = model + "-L";

        // the variants come before their model in the batch; the model has no price of its own
        post("/api/v1/products", "{\"items\":[" + variant(small, model, 1, "S", 19.99) + ","
                + variant(large, model, 1, "L", 21.99) + "," + model(model, 1, "Hoodie") + "]}");
        await().atMost(WAIT).until(() -> shopProduct(vendure.newShopSession(), SHOP_MODEL, slug)
                .path("variants").size() == 2);
        JsonNode product = shopProduct(vendure.newShopSession(), SHOP_MODEL, slug);
        assertThat(product.path("name").asText()).isEqualTo("Hoodie");
        assertThat(product.path("featuredAsset").path("preview").asText()).as("the model's main image")
                .startsWith(vendure.baseUrl() + "/assets/");
        assertThat(product.path("assets")).hasSize(1);
        Map<String, JsonNode> variants = new java.util.TreeMap<>();
        product.path("variants").forEach(v -> variants.put(v.path("sku").asText(), v));
        assertThat(variants).containsOnlyKeys(small, large);
        assertThat(variants.get(small).path("price").asInt()).as("19.99 + 10 %, up to .95").isEqualTo(2295);
        assertThat(variants.get(large).path("price").asInt()).as("21.99 + 10 %, up to .95").isEqualTo(2495);
        assertThat(optionNames(variants.get(small))).containsExactly("colour: grey", "size: S");
        assertThat(optionNames(variants.get(large))).containsExactly("colour: grey", "size: L");
        assertThat(variants.get(small).path("featuredAsset").path("id").asText()).as("the variant's own image")
                .isNotBlank().isNotEqualTo(product.path("featuredAsset").path("id").asText());
        assertThat(vendure.newShopSession().call("query($slug: String!) { products(options: { filter: { slug:"
                + " { contains: $slug } } }) { totalItems } }", Map.of("slug", slug)).path("products")
                .path("totalItems").asInt()).as("one product for the model and its variants").isEqualTo(1);
        await().atMost(WAIT).until(() -> "live".equals(status(model)) && "live".equals(status(small))
                && "live".equals(status(large)));
        assertThat(IMAGES_ASKED.stream().filter(p -> p.equals("/" + model + ".png"))).as("each image fetched once")
                .hasSize(1);

        // a new title of the model and a new price of a variant show on the same product
        post("/api/v1/products", "{\"items\":[" + model(model, 2, "Hoodie, organic") + ","
                + variant(large, model, 2, "L", 24.99) + "]}");
        await().atMost(WAIT).until(() -> {
            JsonNode now = shopProduct(vendure.newShopSession(), SHOP_MODEL, slug);
            return "Hoodie, organic".equals(now.path("name").asText()) && java.util.stream.StreamSupport
                    .stream(now.path("variants").spliterator(), false)
                    .anyMatch(v -> large.equals(v.path("sku").asText()) && v.path("price").asInt() == 2795);
        });
        JsonNode updated = shopProduct(vendure.newShopSession(), SHOP_MODEL, slug);
        assertThat(updated.path("id").asText()).isEqualTo(product.path("id").asText());
        assertThat(updated.path("variants")).hasSize(2);
        assertThat(updated.path("featuredAsset").path("id").asText()).isEqualTo(product.path("featuredAsset").path("id").asText());
    }

    @Test
    void aProductWhoseImageIsMissingIsRefusedWithTheImagesUrl() throws Exception {
        String sku = "KI-" + System.currentTimeMillis();
        String missing = "http://127.0.0.1:" + images.getAddress().getPort() + "/" + sku + ".jpg";
        post("/api/v1/products", products(product(sku, 1, "Cap", 9.99, "active").replace(image(sku), missing)));

        JmsTemplate jms = kanaal.getBean(JmsTemplate.class);
        jms.setReceiveTimeout(WAIT.toMillis());
        Message dead = jms.receiveSelected("DLQ.kanaal.channel.vendure.products", "sku = '" + sku + "'");
        assertThat(dead).as("dead letter of %s", sku).isNotNull();
        assertThat(dead.getStringProperty("kanaalDeadLetterReason")).contains("image " + missing + " answered HTTP 404");
        await().atMost(WAIT).until(() -> "refused".equals(status(sku)));
        assertThat(vendure.variant(sku)).isEmpty();
    }

    private static String model(String sku, long sequence, String englishTitle) {
        return """
                {"sku":"%s","sequence":%d,"status":"active","title":{"nl":"Trui","en":"%s"},
                 "description":{"en":"A warm hoodie."},"images":[{"url":"%s","role":"main"}],
                 "price":{"amount":0,"currency":"USD"}}
                """.formatted(sku, sequence, englishTitle, image(sku));
    }

    private static String variant(String sku, String model, long sequence, String size, double price) {
        return """
                {"sku":"%s","sequence":%d,"status":"active","parentSku":"%s","variantAxes":{"size":"%s","colour":"grey"},
                 "title":{"en":"Hoodie %s"},"images":[{"url":"%s","role":"main"}],
                 "price":{"amount":%s,"currency":"USD"}}
                """.formatted(sku, sequence, model, size, size, image(sku), price);
    }

    /** The variant's options as "group: option", by group name. */
    private static List<String> optionNames(JsonNode variant) {
        List<String> names = new ArrayList<>();
        variant.path("options").forEach(o -> names.add(o.path("group").path("name").asText() + ": " + o.path("name").asText()));
        return names.stream().sorted().toList();
    }

    private static String image(String sku) {
        return "http://127.0.0.1:" + images.getAddress().getPort() + "/" + sku + ".png";
    }

    /** A 2 x 2 PNG, as a product photo would be (Vendure makes its preview with sharp). */
    private static byte[] png() throws IOException {
        java.awt.image.BufferedImage image = new java.awt.image.BufferedImage(2, 2, java.awt.image.BufferedImage.TYPE_INT_RGB);
        image.setRGB(0, 0, 0xcc2200);
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        javax.imageio.ImageIO.write(image, "png", bytes);
        return bytes.toByteArray();
    }

    private static String product(String sku, long sequence, String englishTitle, double price, String status) {
        return """
                {"sku":"%s","sequence":%d,"status":"%s","gtin":"8712345678906",
                 "title":{"nl":"T-shirt rood","en":"%s"},"description":{"nl":"Katoenen T-shirt.","en":"Cotton T-shirt."},
                 "images":[{"url":"%s","role":"main"}],
                 "price":{"amount":%s,"currency":"USD"}}
                """.formatted(sku, sequence, status, englishTitle, image(sku), price);
    }

    private static String products(String product) {
        return "{\"items\":[" + product + "]}";
    }

    /** The product with this slug as a shopper of the session sees it; null when the shop does not show it. */
    private static JsonNode shopProduct(Vendure.Session shopper, String slug) {
        return shopProduct(shopper, SHOP_PRODUCT, slug);
    }

    private static JsonNode shopProduct(Vendure.Session shopper, String query, String slug) {
        return shopper.call(query, Map.of("slug", slug)).path("product");
    }

    private static int desiredQuantity(String sku) {
        List<Integer> quantities = kanaal.getBean(JdbcTemplate.class).queryForList(
                "SELECT desired_quantity FROM channel_stock WHERE channel = 'vendure' AND sku = ?", Integer.class, sku);
        return quantities.isEmpty() ? -1 : quantities.get(0);
    }

    private static String listing(String sku) {
        List<String> ids = kanaal.getBean(JdbcTemplate.class).queryForList(
                "SELECT listing_id FROM channel_listing WHERE channel = 'vendure' AND sku = ?", String.class, sku);
        return ids.isEmpty() ? null : ids.get(0);
    }

    private static String status(String sku) {
        List<String> statuses = kanaal.getBean(JdbcTemplate.class).queryForList(
                "SELECT status FROM channel_product WHERE channel = 'vendure' AND sku = ?", String.class, sku);
        return statuses.isEmpty() ? null : statuses.get(0);
    }

    private static void post(String path, String body) throws Exception {
        HttpResponse<String> response = StandaloneKanaal.post(kanaal, KEY, path, body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    }
}
