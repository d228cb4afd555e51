package io.kanaal.product;

import static io.kanaal.support.TestProducts.products;
import static io.kanaal.support.TestProducts.product;
import static io.kanaal.support.TestProducts.sku;
import static io.kanaal.support.TestProducts.without;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kanaal.support.ChannelStub;
import io.kanaal.support.KanaalIntegrationTest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Products to Bol.com (the fake of Bol's API; every request checked against Bol's specs after each test): a new
 * product becomes an offer (v11) with its price and current stock in one call, and the offer id Bol gives it
 * becomes the SKU's listing, so stock goes there with nobody typing an offer id; a later product version updates
 * the offer's price and title without its EAN or condition.
 */
class BolProductTest extends KanaalIntegrationTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aNewProductBecomesABolOfferWhoseIdCarriesItsStockFromThenOn() throws Exception {
        String sku = sku();
        assertThat(post("/api/v1/products", products(product(sku, 1))).statusCode()).isEqualTo(202);

        await().atMost(Duration.ofSeconds(15)).until(() -> creations(sku).size() == 2);
        JsonNode offer = JSON.readTree(creation(sku).body());
        assertThat(offer).isEqualTo(JSON.readTree("""
                {"ean":"8712345678906","reference":"%s","unknownProductTitle":"T-shirt rood","onHoldByRetailer":false,
                 "condition":{"category":"NEW"},"pricing":{"bundlePrices":[{"quantity":1,"unitPrice":19.99}]},
                 "fulfilment":{"method":"FBR","schedule":"BOL_DELIVERY_PROMISE"},
                 "stock":{"amount":0,"managedByRetailer":true}}
                """.formatted(sku)));
        assertThat(creation(sku).header("Content-Type")).isEqualTo("application/vnd.retailer.v11+json");
        // each Bol account made its own offer, and keeps its id as the SKU's listing
        String offerId = jdbc.queryForObject("SELECT listing_id FROM channel_listing WHERE channel = 'bol-test' AND sku = ?",
                String.class, sku);
        assertThat(BOL_API.offersCreated(sku)).contains(offerId);

        // the ERP's stock now goes to that offer: 5 less bol-test's safety buffer of 1
        pushStock(batch(level(sku, 5, 1)));
        await().atMost(Duration.ofSeconds(15)).until(() -> !BOL.succeeded("/retailer/offers/" + offerId).isEmpty());
        ChannelStub.Request stock = BOL.succeeded("/retailer/offers/" + offerId).get(0);
        assertThat(stock.method()).isEqualTo("PATCH");
        assertThat(JSON.readTree(stock.body())).isEqualTo(JSON.readTree("{\"stock\":{\"amount\":4,\"managedByRetailer\":true}}"));

        // a new price: the offer is updated, not created again
        ObjectNode cheaper = product(sku, 2);
        ((ObjectNode) cheaper.get("price")).put("amount", 17.49);
        cheaper.putObject("deliveryPromise").put("leadTimeDays", 1);
        assertThat(post("/api/v1/products", products(cheaper)).statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(15)).until(() -> BOL.succeeded("/retailer/offers/" + offerId).size() == 2);
        JsonNode update = JSON.readTree(BOL.succeeded("/retailer/offers/" + offerId).get(1).body());
        assertThat(update).isEqualTo(JSON.readTree("""
                {"reference":"%s","unknownProductTitle":"T-shirt rood","onHoldByRetailer":false,
                 "pricing":{"bundlePrices":[{"quantity":1,"unitPrice":17.49}]},
                 "fulfilment":{"method":"FBR","schedule":"MY_DELIVERY_PROMISE",
                               "deliveryPromise":{"minimumDaysToCustomer":2,"maximumDaysToCustomer":3}}}
                """.formatted(sku)));
        assertThat(BOL_API.offersCreated(sku)).as("one offer per Bol account, never a second").hasSize(2);
    }

    /**
     * The content goes to Bol in the channel's language (its process followed to the upload report); what Bol
     * declines in the report is shown to ops as Bol's refusal, and the corrected product goes out again by itself.
     */
    @Test
    void aProductsContentGoesToBolAndWhatBolDeclinesIsShownUntilItIsCorrected() throws Exception {
        String sku = sku();
        ObjectNode table = product(sku, 1);
        table.putObject("title").put("nl", "Tafel " + sku);
        table.putObject("attributes").putObject("width").put("value", 80).put("unit", "cm");
        BOL_API.declineContent("Name", "Tafel " + sku, "VALIDATION_FAILED",
                "The content cannot be processed for unknown reason.");
        assertThat(post("/api/v1/products", products(table)).statusCode()).isEqualTo(202);

        await().atMost(Duration.ofSeconds(15)).until(() -> "refused".equals(productOnChannel(sku, "bol-test").path("status").asText()));
        JsonNode content = JSON.readTree(contents(sku).get(0).body());
        assertThat(contents(sku).get(0).header("Content-Type")).isEqualTo("application/vnd.retailer.v10+json");
        assertThat(content.path("language").asText()).isEqualTo("nl");
        assertThat(content.path("attributes")).isEqualTo(JSON.readTree("""
                [{"id":"EAN","values":[{"value":"8712345678906"}]},{"id":"Name","values":[{"value":"Tafel %s"}]},
                 {"id":"Description","values":[{"value":"Katoenen T-shirt."}]},{"id":"Brand","values":[{"value":"Kanaal Wear"}]},
                 {"id":"Width","values":[{"value":"80","unitId":"cm"}]}]""".formatted(sku)));
        assertThat(content.path("assets").findValuesAsText("url")).hasSize(2);
        assertThat(content.path("assets").get(0).path("labels").get(0).asText()).isEqualTo("FRONT");
        JsonNode reject = productOnChannel(sku, "bol-test").path("rejects").get(0);
        assertThat(reject.path("field").asText()).isEqualTo("Name");
        assertThat(reject.path("message").asText()).contains("VALIDATION_FAILED").contains("unknown reason");
        assertThat(ops("/api/v1/ops/channels/bol-test/rejects").findValuesAsText("sku")).contains(sku);
        assertThat(BOL_API.uploadReports("8712345678906")).as("the report asked again while Bol was still at it")
                .contains(List.of("IN_PROGRESS", "COMPLETED"));

        // corrected: a new title goes out again, and Bol publishes it
        ObjectNode corrected = product(sku, 2);
        corrected.putObject("title").put("nl", "Eiken tafel " + sku);
        assertThat(post("/api/v1/products", products(corrected)).statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(15)).until(() -> contents(sku).size() == 2);
        assertThat(JSON.readTree(contents(sku).get(1).body()).path("attributes").get(1).path("values").get(0).path("value")
                .asText()).isEqualTo("Eiken tafel " + sku);
        await().atMost(Duration.ofSeconds(15)).until(() -> "live".equals(productOnChannel(sku, "bol-test").path("status").asText())
                && productOnChannel(sku, "bol-test").path("versionSent").asLong() == 2);
        assertThat(productOnChannel(sku, "bol-test").path("rejects").size()).isZero();
    }

    @Test
    void aProductWithoutAGtinIsNotOfferedOnBolAndSaysWhy() throws Exception {
        String sku = sku();
        assertThat(post("/api/v1/products", products(without("gtin", sku))).statusCode()).isEqualTo(202);

        await().atMost(Duration.ofSeconds(15)).until(() -> !SHOP.succeeded("/shop/products/" + sku).isEmpty());
        await().atMost(Duration.ofSeconds(5)).until(() -> jdbc.queryForList(
                "SELECT rejects::text FROM channel_product WHERE channel = 'bol-test' AND sku = ? AND status = 'rejected'",
                String.class, sku).stream().anyMatch(rejects -> rejects.contains("\"field\": \"gtin\"")));
        assertThat(BOL_API.offersCreated(sku)).isEmpty();
    }

    /** The content bol-test sent Bol for the SKU (its Name ends with the SKU), in order. */
    private List<ChannelStub.Request> contents(String sku) {
        return BOL.succeeded("/retailer/content/products").stream()
                .filter(request -> request.header("Authorization").endsWith("." + bolClient))
                .filter(request -> request.body().contains(sku + "\"")).toList();
    }

    private ChannelStub.Request creation(String sku) {
        List<ChannelStub.Request> posts = creations(sku);
        assertThat(posts).hasSize(2);
        return posts.get(0);
    }

    /** The offers created for the SKU (one per Bol account), as the stub recorded them. */
    private static List<ChannelStub.Request> creations(String sku) {
        return BOL.requests("/retailer/offers").stream()
                .filter(request -> request.method().equals("POST") && request.body().contains("\"" + sku + "\"")).toList();
    }
}
