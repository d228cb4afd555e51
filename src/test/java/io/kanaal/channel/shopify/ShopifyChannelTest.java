package io.kanaal.channel.shopify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kanaal.support.ChannelStub;
import io.kanaal.support.ShopifyFake;
import io.kanaal.support.StandaloneChannel;
import io.kanaal.support.TestProducts;
import io.kanaal.support.UnifiedQueue;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jms.core.JmsTemplate;

/**
 * A Shopify shop as a channel (type {@code shopify}) against {@link ShopifyFake}, which checks every request against
 * Shopify's published Admin API schema (2025-10) before it answers: the ERP's stock reaches the SKU's inventory item
 * at the configured location (the item looked up once); a paid order is taken in once, onto the unified queue; a
 * shipment becomes one fulfillment with its tracking number, also when it is sent twice; a cancellation cancels the
 * order; a THROTTLED answer is retried. After every test, no request broke the schema.
 */
class ShopifyChannelTest {

    private static final String TOKEN = "shpat_" + UUID.randomUUID().toString().replace("-", "");
    private static final String LOCATION = "gid://shopify/Location/76543";
    private static final ChannelStub STUB = new ChannelStub();
    private static final ShopifyFake SHOP = new ShopifyFake(STUB, TOKEN);
    private static StandaloneChannel kanaal;

    @BeforeAll
    static void start() {
        kanaal = StandaloneChannel.start("shopify", 141, STUB, "myshop", "shopify",
                "headers.X-Shopify-Access-Token=" + TOKEN, "settings.location-id=" + LOCATION);
    }

    @AfterAll
    static void stop() {
        kanaal.close();
    }

    @AfterEach
    void everyRequestWasOneShopifyTakes() {
        assertThat(SHOP.violations()).as("requests that break Shopify's Admin API schema 2025-10").isEmpty();
    }

    @Test
    void theErpsStockBecomesTheItemsAvailableQuantityAtTheLocationAndTheItemIsLookedUpOnce() throws Exception {
        String sku = "SH-" + UUID.randomUUID().toString().substring(0, 8).toUpperCase();
        SHOP.item(sku);

        kanaal.accepted("/api/v1/stock", "{\"items\":[{\"sku\":\"" + sku + "\",\"quantity\":7,\"sequence\":1}]}");
        await().atMost(Duration.ofSeconds(20)).until(() -> Integer.valueOf(7).equals(SHOP.available(sku, LOCATION)));
        kanaal.accepted("/api/v1/stock", "{\"items\":[{\"sku\":\"" + sku + "\",\"quantity\":3,\"sequence\":2}]}");
        await().atMost(Duration.ofSeconds(20)).until(() -> Integer.valueOf(3).equals(SHOP.available(sku, LOCATION)));

        assertThat(SHOP.operations().stream().filter("KanaalInventoryItem"::equals)).as("the item looked up once").hasSize(1);
    }

    @Test
    void aPaidOrderIsTakenInOnceThenItsShipmentAndACancellationGoBackToShopify() throws Exception {
        String sku = "SH-" + UUID.randomUUID().toString().substring(0, 8).toUpperCase();
        String name = "#" + (1000 + (int) (Math.random() * 8000));
        ObjectNode placed = SHOP.order(name, "anna@example.com", sku, 2);

        JmsTemplate jms = kanaal.jms();
        JsonNode order = UnifiedQueue.receive(jms, "myshop/" + name, 20_000);
        assertThat(order.path("status").asText()).isEqualTo("paid");
        assertThat(order.path("lines").get(0).path("sku").asText()).isEqualTo(sku);
        assertThat(order.path("lines").get(0).path("quantity").asInt()).isEqualTo(2);
        assertThat(order.path("customer").path("email").asText()).isEqualTo("anna@example.com");
        assertThat(order.path("shippingAddress").path("postalCode").asText()).isEqualTo("1017 GC");
        assertThat(order.path("totals").path("total").decimalValue()).isEqualByComparingTo("44.93");
        assertThat(UnifiedQueue.receiveOrNull(jms, "myshop/" + name, 2_500)).as("taken in once, though polled again").isNull();

        String shipment = "{\"items\":[{\"orderRef\":\"myshop/" + name + "\",\"carrier\":\"PostNL\",\"trackingCode\":\"3SKAN1\"}]}";
        kanaal.accepted("/api/v1/shipments", shipment);
        await().atMost(Duration.ofSeconds(20)).until(() -> SHOP.order(name).path("fulfillments").size() == 1);
        kanaal.accepted("/api/v1/shipments", shipment);
        await().atMost(Duration.ofSeconds(20)).until(() -> SHOP.operations().stream().filter("KanaalOrder"::equals).count() >= 2);
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> SHOP.order(name).path("fulfillments").size() == 1);
        assertThat(SHOP.order(name).path("fulfillments").get(0).path("trackingInfo").get(0).path("number").asText()).isEqualTo("3SKAN1");
        assertThat(SHOP.order(name).path("fulfillmentOrders").path("nodes").get(0).path("lineItems").path("nodes").get(0)
                .path("remainingQuantity").asInt()).as("both units shipped").isZero();

        String other = "#" + (1000 + (int) (Math.random() * 8000)) + "C";
        SHOP.order(other, "bob@example.com", sku, 1);
        UnifiedQueue.receive(jms, "myshop/" + other, 20_000);
        SHOP.throttleNext("KanaalCancel", 1);
        kanaal.accepted("/api/v1/cancellations", "{\"items\":[{\"orderRef\":\"myshop/" + other + "\",\"reason\":\"OUT_OF_STOCK\"}]}");
        await().atMost(Duration.ofSeconds(20)).until(() -> !SHOP.order(other).path("cancelledAt").isNull());
        assertThat(SHOP.cancellations()).as("reason and staff note of the cancellation")
                .containsOnlyOnce(other + " INVENTORY Kanaal: OUT_OF_STOCK");
        assertThat(SHOP.operations().stream().filter("KanaalCancel"::equals)).as("throttled once, then taken").hasSize(2);
        assertThat(placed.path("cancelledAt").isNull()).as("the shipped order is not cancelled").isTrue();
    }

    @Test
    void aModelAndItsVariantsBecomeOneShopifyProductWhoseItemsThenTakeTheStock() throws Exception {
        String model = "SHM-" + UUID.randomUUID().toString().substring(0, 8).toUpperCase();
        ObjectNode medium = TestProducts.product(model + "-M", 1).put("parentSku", model);
        ObjectNode large = TestProducts.product(model + "-L", 1).put("parentSku", model);
        large.putObject("variantAxes").put("size", "L");
        large.with("price").put("amount", 21.5);
        ObjectNode shirt = TestProducts.product(model, 1);
        shirt.remove("variantAxes");
        kanaal.accepted("/api/v1/products", TestProducts.products(shirt, medium, large));
        String handle = model.toLowerCase();

        await().atMost(Duration.ofSeconds(20)).until(() -> SHOP.product(handle) != null
                && SHOP.product(handle).path("variants").size() == 2);
        ObjectNode product = SHOP.product(handle);
        assertThat(product.path("title").asText()).isEqualTo("T-shirt rood");
        assertThat(product.path("vendor").asText()).isEqualTo("Kanaal Wear");
        assertThat(product.path("status").asText()).isEqualTo("ACTIVE");
        assertThat(product.path("productOptions").get(0).path("name").asText()).isEqualTo("size");
        assertThat(product.path("productOptions").get(0).path("values").findValuesAsText("name")).containsExactly("L", "M");
        assertThat(product.path("variants").findValuesAsText("price")).containsExactly("21.5", "19.99");
        assertThat(product.path("files").findValuesAsText("originalSource")).contains(
                "https://img.example.com/" + model + "-front.jpg", "https://img.example.com/" + model + "-M-front.jpg");

        long lookups = SHOP.operations().stream().filter("KanaalInventoryItem"::equals).count();
        kanaal.accepted("/api/v1/stock", "{\"items\":[{\"sku\":\"" + model + "-L\",\"quantity\":4,\"sequence\":1}]}");
        await().atMost(Duration.ofSeconds(20)).until(() -> Integer.valueOf(4).equals(SHOP.available(model + "-L", LOCATION)));
        assertThat(SHOP.operations().stream().filter("KanaalInventoryItem"::equals).count())
                .as("the item productSet made is the SKU's listing: no look-up").isEqualTo(lookups);
    }
}
