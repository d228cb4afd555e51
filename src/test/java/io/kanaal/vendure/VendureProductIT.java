package io.kanaal.vendure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.kanaal.support.StandaloneKanaal;
import io.kanaal.support.Vendure;
import io.kanaal.support.Vendure.VariantStock;
import jakarta.jms.Message;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
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

    private static Vendure vendure;
    private static ConfigurableApplicationContext kanaal;

    @BeforeAll
    static void start() {
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
        assertThat(listing(sku)).as("the variant is the SKU's listing").isEqualTo(stock.id());
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
        await().atMost(WAIT).until(() -> "T-shirt rood".equals(shopProduct(vendure.newShopSession("nl"), slug)
                .path("name").asText()));
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

    private static String product(String sku, long sequence, String englishTitle, double price, String status) {
        return """
                {"sku":"%s","sequence":%d,"status":"%s","gtin":"8712345678906",
                 "title":{"nl":"T-shirt rood","en":"%s"},"description":{"nl":"Katoenen T-shirt.","en":"Cotton T-shirt."},
                 "images":[{"url":"https://img.example.com/%s.jpg","role":"main"}],
                 "price":{"amount":%s,"currency":"USD"}}
                """.formatted(sku, sequence, status, englishTitle, sku, price);
    }

    private static String products(String product) {
        return "{\"items\":[" + product + "]}";
    }

    /** The product with this slug as a shopper of the session sees it; null when the shop does not show it. */
    private static JsonNode shopProduct(Vendure.Session shopper, String slug) {
        return shopper.call(SHOP_PRODUCT, Map.of("slug", slug)).path("product");
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
