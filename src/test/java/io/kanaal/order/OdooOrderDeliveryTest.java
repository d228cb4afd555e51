package io.kanaal.order;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kanaal.support.OdooFake;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * With kanaal.erp.order-delivery.to: odoo, every order of the unified queue becomes a confirmed sale order in
 * Odoo (JSON-2, the stand-in checking every request against Odoo's documented shapes): its customer found by
 * email or made, its lines by SKU at the channel's prices, idempotent on the order reference through a retry,
 * cancelled when its channel cancels it; an order with a SKU Odoo does not know is dead-lettered with the SKU.
 */
class OdooOrderDeliveryTest extends OrderTests {

    private static final OdooFake ODOO = new OdooFake(SHOP, "/odoo-erp", true, "kanaal", "erp-key");

    @DynamicPropertySource
    static void odoo(DynamicPropertyRegistry registry) {
        // a subclass sets kanaal.test.odoo-* to reach another Odoo (the first registration of a key wins)
        registry.add("kanaal.test.context", () -> "${kanaal.test.odoo-context:odoo-orders}");
        // "odoo": the connection the orders go through; "odoo-shipments": the same Odoo's done deliveries polled
        for (String source : new String[] {"odoo", "odoo-shipments"}) {
            registry.add("kanaal.sources." + source + ".type", () -> "odoo");
            registry.add("kanaal.sources." + source + ".base-url", () -> "${kanaal.test.odoo-url:" + SHOP.baseUrl() + "/odoo-erp}");
            registry.add("kanaal.sources." + source + ".settings.api", () -> "${kanaal.test.odoo-api:json2}");
            registry.add("kanaal.sources." + source + ".settings.database", () -> "kanaal");
            registry.add("kanaal.sources." + source + ".settings.api-key", () -> "erp-key");
            registry.add("kanaal.sources." + source + ".settings.login", () -> "${kanaal.test.odoo-login:}");
            registry.add("kanaal.sources." + source + ".settings.password", () -> "${kanaal.test.odoo-password:}");
        }
        registry.add("kanaal.sources.odoo.enabled", () -> "false");
        registry.add("kanaal.sources.odoo-shipments.settings.poll-cron", () -> "0/1 * * * * ?");
        registry.add("kanaal.sources.odoo-shipments.settings.provides", () -> "shipments");
        registry.add("kanaal.sources.odoo-shipments.settings.mapping", () -> "sources/odoo-shipment.jsonata");
        registry.add("kanaal.erp.order-delivery.enabled", () -> "true");
        registry.add("kanaal.erp.order-delivery.to", () -> "odoo");
        registry.add("kanaal.erp.order-delivery.odoo-source", () -> "odoo");
    }

    /** The Odoo the orders go into (JSON-2 here; {@link OdooRpcOrderDeliveryTest}: JSON-RPC). */
    OdooFake odoo() {
        return ODOO;
    }

    @AfterEach
    void everyRequestWasAsOdooDocumentsIt() {
        assertThat(odoo().violations()).isEmpty();
    }

    @Test
    void anOrderBecomesOneConfirmedSaleOrderEvenWhenOdooFailsHalfway() throws Exception {
        String sku = newSku();
        int productId = odoo().product(sku, null, "Artikel", 20);
        String id = "O-" + UUID.randomUUID();
        odoo().failNext("action_confirm");

        String taken = shopOrder(id, sku, 2, Instant.now().toString());
        assertThat(webhook("shop", taken, sign(SHOP_WEBHOOK_SECRET, taken)).statusCode()).isEqualTo(202);

        await().atMost(Duration.ofSeconds(20)).until(() -> odoo().saleOrders("shop/" + id).stream()
                .anyMatch(order -> order.path("state").asText().equals("sale")));
        List<ObjectNode> orders = odoo().saleOrders("shop/" + id);
        assertThat(orders).as("the retry confirmed the draft it made, and made no second").hasSize(1);
        ObjectNode line = (ObjectNode) orders.get(0).path("order_line").get(0).get(2);
        assertThat(line.path("product_id").asInt()).isEqualTo(productId);
        assertThat(line.path("product_uom_qty").asInt()).isEqualTo(2);
        assertThat(line.path("price_unit").decimalValue()).isEqualByComparingTo("20.00");
        int partner = orders.get(0).path("partner_id").asInt();
        assertThat(odoo().partners("jan@example.com")).singleElement().satisfies(p -> assertThat(p.path("id").asInt()).isEqualTo(partner));

        // the same customer again: the same partner
        String second = "O-" + UUID.randomUUID();
        String body = shopOrder(second, sku, 1, Instant.now().toString());
        assertThat(webhook("shop", body, sign(SHOP_WEBHOOK_SECRET, body)).statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(20)).until(() -> odoo().saleOrders("shop/" + second).size() == 1);
        assertThat(odoo().saleOrders("shop/" + second).get(0).path("partner_id").asInt()).isEqualTo(partner);
        assertThat(odoo().partners("jan@example.com")).hasSize(1);
    }

    @Test
    void odoosDeliveryGoesBackToTheChannelAsOneShipment() throws Exception {
        String sku = newSku();
        odoo().product(sku, null, "Artikel", 20);
        String id = "O-" + UUID.randomUUID();
        String body = shopOrder(id, sku, 1, Instant.now().toString());
        assertThat(webhook("shop", body, sign(SHOP_WEBHOOK_SECRET, body)).statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(20)).until(() -> odoo().saleOrders("shop/" + id).stream()
                .anyMatch(order -> order.path("state").asText().equals("sale")));

        odoo().deliver("shop/" + id, "PostNL", "3SABC" + id.substring(2, 8));

        // polled every second from the same write_date on: the delivery is sent to the shop once
        awaitExactly(() -> SHOP.succeeded("/shop/orders/" + id + "/shipments").size() == 1);
        com.fasterxml.jackson.databind.JsonNode sent = JSON.readTree(SHOP.succeeded("/shop/orders/" + id + "/shipments").get(0).body());
        assertThat(sent.toString()).contains("PostNL").contains("3SABC" + id.substring(2, 8));
    }

    @Test
    void anOrderItsChannelCancelsIsCancelledInOdoo() throws Exception {
        String sku = newSku();
        odoo().product(sku, null, "Artikel", 20);
        String id = "O-" + UUID.randomUUID();
        String paid = shopOrder(id, sku, 1, "2026-12-07T10:00:00Z");
        assertThat(webhook("shop", paid, sign(SHOP_WEBHOOK_SECRET, paid)).statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(20)).until(() -> odoo().saleOrders("shop/" + id).stream()
                .anyMatch(order -> order.path("state").asText().equals("sale")));

        String cancelled = shopOrder(id, sku, 1, "2026-12-07T10:05:00Z").replace("\"status\":\"paid\"", "\"status\":\"cancelled\"");
        assertThat(webhook("shop", cancelled, sign(SHOP_WEBHOOK_SECRET, cancelled)).statusCode()).isEqualTo(202);

        await().atMost(Duration.ofSeconds(20)).until(() -> odoo().saleOrders("shop/" + id).get(0).path("state").asText().equals("cancel"));
        assertThat(odoo().saleOrders("shop/" + id)).hasSize(1);
    }

    @Test
    void anOrderWithASkuOdooDoesNotKnowIsDeadLetteredWithTheSku() throws Exception {
        String sku = newSku();
        String id = "O-" + UUID.randomUUID();
        String body = shopOrder(id, sku, 1, Instant.now().toString());
        assertThat(webhook("shop", body, sign(SHOP_WEBHOOK_SECRET, body)).statusCode()).isEqualTo(202);

        await().atMost(Duration.ofSeconds(20)).until(() -> !deadLetters("DLQ.kanaal.orders.unified", sku).isEmpty());
        assertThat(deadLetters("DLQ.kanaal.orders.unified", sku).get(0).path("reason").asText())
                .contains("default_code '" + sku + "'");
        assertThat(odoo().saleOrders("shop/" + id)).isEmpty();
    }
}
