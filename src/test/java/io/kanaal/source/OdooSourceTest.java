package io.kanaal.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kanaal.support.KanaalIntegrationTest;
import io.kanaal.support.OdooFake;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Sources of type odoo, configured with configuration and the shipped example mappings only, against a stand-in
 * that answers as Odoo's documentation shows and lists every request that breaks the documented shape: an
 * Odoo 19 (JSON-2, bearer API key) whose products reach the channels, and an Odoo 17 (JSON-RPC execute_kw after
 * common.authenticate) whose quants at one location give each product's quantity on hand to the channels.
 */
class OdooSourceTest extends KanaalIntegrationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final OdooFake ODOO_19 = new OdooFake(SHOP, "/odoo19", true, "kanaal", "key-19");
    private static final OdooFake ODOO_17 = new OdooFake(SHOP, "/odoo17", false, "kanaal", "secret-17");
    /** An Odoo 16 that a generic jsonrpc source reads, its calls written in configuration alone. */
    private static final OdooFake ODOO_16 = new OdooFake(SHOP, "/odoo16", false, "kanaal", "secret-16");
    /** And one whose products' quantities on hand a jsonrpc source reads as stock. */
    private static final OdooFake ODOO_15 = new OdooFake(SHOP, "/odoo15", false, "kanaal", "secret-15");

    @DynamicPropertySource
    static void sources(DynamicPropertyRegistry registry) {
        registry.add("kanaal.test.context", () -> "odoo");
        registry.add("kanaal.sources.odoo19.type", () -> "odoo");
        registry.add("kanaal.sources.odoo19.base-url", () -> SHOP.baseUrl() + "/odoo19");
        registry.add("kanaal.sources.odoo19.settings.poll-cron", () -> "0/1 * * * * ?");
        registry.add("kanaal.sources.odoo19.settings.api", () -> "json2");
        registry.add("kanaal.sources.odoo19.settings.database", () -> "kanaal");
        registry.add("kanaal.sources.odoo19.settings.api-key", () -> "key-19");
        registry.add("kanaal.sources.odoo19.settings.provides", () -> "products");
        registry.add("kanaal.sources.odoo19.settings.mapping", () -> "sources/odoo-product.jsonata");
        registry.add("kanaal.sources.odoo19.settings.page-size", () -> "2");
        registry.add("kanaal.sources.odoo17.type", () -> "odoo");
        registry.add("kanaal.sources.odoo17.base-url", () -> SHOP.baseUrl() + "/odoo17");
        registry.add("kanaal.sources.odoo17.settings.poll-cron", () -> "0/1 * * * * ?");
        registry.add("kanaal.sources.odoo17.settings.api", () -> "jsonrpc");
        registry.add("kanaal.sources.odoo17.settings.database", () -> "kanaal");
        registry.add("kanaal.sources.odoo17.settings.login", () -> "kanaal-bot");
        registry.add("kanaal.sources.odoo17.settings.password", () -> "secret-17");
        registry.add("kanaal.sources.odoo17.settings.provides", () -> "stock");
        registry.add("kanaal.sources.odoo17.settings.location", () -> "8");
        registry.add("kanaal.sources.odoo17.settings.mapping", () -> "sources/odoo-stock.jsonata");
        registry.add("kanaal.sources.odoo17.settings.page-size", () -> "2");
        registry.add("kanaal.sources.rpc.type", () -> "jsonrpc");
        registry.add("kanaal.sources.rpc.base-url", () -> SHOP.baseUrl() + "/odoo16");
        registry.add("kanaal.sources.rpc.settings.poll-cron", () -> "0/1 * * * * ?");
        registry.add("kanaal.sources.rpc.settings.path", () -> "/jsonrpc");
        registry.add("kanaal.sources.rpc.settings.provides", () -> "products");
        registry.add("kanaal.sources.rpc.settings.mapping", () -> "sources/odoo-product.jsonata");
        registry.add("kanaal.sources.rpc.settings.watermark-field", () -> "write_date");
        registry.add("kanaal.sources.rpc.settings.since-format", () -> "yyyy-MM-dd HH:mm:ss");
        registry.add("kanaal.sources.rpc.settings.key-field", () -> "id");
        registry.add("kanaal.sources.rpc.settings.page-size", () -> "2");
        registry.add("kanaal.sources.rpc.settings.login-method", () -> "call");
        registry.add("kanaal.sources.rpc.settings.login-params",
                () -> "{\"service\":\"common\",\"method\":\"authenticate\",\"args\":[\"kanaal\",\"kanaal-bot\",\"secret-16\",{}]}");
        registry.add("kanaal.sources.rpc.settings.method", () -> "call");
        registry.add("kanaal.sources.rpc.settings.params", () -> """
                {"service": "object", "method": "execute_kw", "args": ["kanaal", "{session}", "secret-16",
                 "product.product", "search_read", [[["write_date", ">=", "{since}"]]],
                 {"fields": ["default_code", "barcode", "name", "description_sale", "list_price", "write_date"],
                  "offset": "{offset}", "limit": "{limit}", "order": "write_date asc, id asc"}]}""");
        registry.add("kanaal.sources.rpc-stock.type", () -> "jsonrpc");
        registry.add("kanaal.sources.rpc-stock.base-url", () -> SHOP.baseUrl() + "/odoo15");
        registry.add("kanaal.sources.rpc-stock.settings.poll-cron", () -> "0/1 * * * * ?");
        registry.add("kanaal.sources.rpc-stock.settings.path", () -> "/jsonrpc");
        registry.add("kanaal.sources.rpc-stock.settings.provides", () -> "stock");
        registry.add("kanaal.sources.rpc-stock.settings.mapping", () -> "sources/odoo-stock.jsonata");
        registry.add("kanaal.sources.rpc-stock.settings.watermark-field", () -> "write_date");
        registry.add("kanaal.sources.rpc-stock.settings.since-format", () -> "yyyy-MM-dd HH:mm:ss");
        registry.add("kanaal.sources.rpc-stock.settings.key-field", () -> "id");
        registry.add("kanaal.sources.rpc-stock.settings.login-method", () -> "call");
        registry.add("kanaal.sources.rpc-stock.settings.login-params",
                () -> "{\"service\":\"common\",\"method\":\"authenticate\",\"args\":[\"kanaal\",\"kanaal-bot\",\"secret-15\",{}]}");
        registry.add("kanaal.sources.rpc-stock.settings.method", () -> "call");
        registry.add("kanaal.sources.rpc-stock.settings.params", () -> """
                {"service": "object", "method": "execute_kw", "args": ["kanaal", "{session}", "secret-15",
                 "product.product", "search_read", [[["write_date", ">=", "{since}"]]],
                 {"fields": ["default_code", "qty_available", "write_date"],
                  "offset": "{offset}", "limit": "{limit}", "order": "write_date asc, id asc"}]}""");
    }

    @AfterEach
    void everyRequestWasAsOdooDocumentsIt() {
        assertThat(ODOO_19.violations()).isEmpty();
        assertThat(ODOO_17.violations()).isEmpty();
        assertThat(ODOO_16.violations()).isEmpty();
        assertThat(ODOO_15.violations()).isEmpty();
    }

    @Test
    void aJsonRpcSourceWrittenInConfigurationAloneReadsAnOdooLikeErp() throws Exception {
        List<String> skus = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            skus.add("RPC-" + UUID.randomUUID().toString().substring(0, 8));
            ODOO_16.product(skus.get(i), null, "Rpc artikel " + i, 40 + i);
        }

        for (String sku : skus) {
            await().atMost(Duration.ofSeconds(20)).until(() -> !SHOP.succeeded("/shop/products/" + sku).isEmpty());
        }
        assertThat(JSON.readTree(SHOP.succeeded("/shop/products/" + skus.get(2)).get(0).body()).path("title").asText())
                .isEqualTo("Rpc artikel 2");
        assertThat(ODOO_16.logins()).as("the login's uid kept as the session").isEqualTo(1);
        // polled every second from the newest write_date on, each product went to the shop once
        awaitExactly(() -> skus.stream().allMatch(sku -> SHOP.succeeded("/shop/products/" + sku).size() == 1));
    }

    @Test
    void aJsonRpcSourceWrittenInConfigurationAloneGivesTheChannelsStock() throws Exception {
        String sku = "RPC-" + UUID.randomUUID().toString().substring(0, 8);
        ODOO_15.product(sku, null, "Rpc voorraad", 9);
        ODOO_15.quantity(sku, 8, 12);
        // the product written after its quantity: whatever a poll read before, this version is the newest
        ODOO_15.product(sku, null, "Rpc voorraad", 9);

        await().atMost(Duration.ofSeconds(20)).until(() -> lastQuantity("/shop/stock/" + sku) == 10);
        assertThat(ODOO_15.logins()).isEqualTo(1);
    }

    @Test
    void odoo19sProductsReachTheChannelsAndAChangedPriceFollows() throws Exception {
        List<String> skus = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            skus.add("ODOO-" + UUID.randomUUID().toString().substring(0, 8));
            ODOO_19.product(skus.get(i), i == 0 ? "8712345678906" : null, "Odoo artikel " + i, 10 + i);
        }

        for (String sku : skus) {
            await().atMost(Duration.ofSeconds(20)).until(() -> !SHOP.succeeded("/shop/products/" + sku).isEmpty());
        }
        JsonNode first = JSON.readTree(SHOP.succeeded("/shop/products/" + skus.get(0)).get(0).body());
        assertThat(first.path("title").asText()).isEqualTo("Odoo artikel 0");
        // 10 + 10%, up to the next .95 (the shop's price rule)
        assertThat(first.path("price").decimalValue()).isEqualByComparingTo("11.95");

        ODOO_19.product(skus.get(1), null, "Odoo artikel 1", 20);
        await().atMost(Duration.ofSeconds(20)).until(() -> SHOP.succeeded("/shop/products/" + skus.get(1)).size() == 2);
        assertThat(JSON.readTree(SHOP.succeeded("/shop/products/" + skus.get(1)).get(1).body()).path("price").decimalValue())
                .isEqualByComparingTo("22.95");
    }

    @Test
    void odoo17sQuantitiesAtItsLocationReachTheChannelsAfterOneLogin() throws Exception {
        List<String> skus = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            skus.add("ODOO-" + UUID.randomUUID().toString().substring(0, 8));
            ODOO_17.product(skus.get(i), null, "Voorraad " + i, 5);
            ODOO_17.quantity(skus.get(i), 8, 10 + i);
            ODOO_17.quantity(skus.get(i), 9, 100);
        }

        // at location 8 only, less the shop's safety buffer of 2
        for (int i = 0; i < 3; i++) {
            String sku = skus.get(i);
            int expected = 10 + i - 2;
            await().atMost(Duration.ofSeconds(20)).until(() -> lastQuantity("/shop/stock/" + sku) == expected);
        }
        ODOO_17.quantity(skus.get(0), 8, 4);
        await().atMost(Duration.ofSeconds(20)).until(() -> lastQuantity("/shop/stock/" + skus.get(0)) == 2);
        assertThat(ODOO_17.logins()).as("the uid is kept").isEqualTo(1);
    }
}
