package io.kanaal.product;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kanaal.support.ChannelStub;
import io.kanaal.support.ChannelStub.Reply;
import io.kanaal.support.KanaalIntegrationTest;
import static io.kanaal.support.TestProducts.product;
import static io.kanaal.support.TestProducts.products;
import static io.kanaal.support.TestProducts.sku;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Products from the ERP to the channels that take them (shop and market, generic REST on the stub): each in its
 * own format and locale, with its price rule, checked against its rules (market: GTIN, brand, an image, at most
 * 60 characters of title), sent once per change, and shown to ops.
 */
class ProductContentTest extends KanaalIntegrationTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aProductReachesEachChannelInItsLocaleWithItsPriceRuleAndOpsSeeWhatWasSent() throws Exception {
        String sku = sku();

        accepted(post("/api/v1/products", products(product(sku, 1))));

        JsonNode shop = awaitOne("/shop/products/" + sku);
        assertThat(shop).isEqualTo(JSON.readTree("""
                {"sku":"%s","gtin":"8712345678906","variant":{"size":"M"},"brand":"Kanaal Wear",
                 "category":"Kleding > Shirts","condition":"new","active":true,"title":"T-shirt rood",
                 "description":"Katoenen T-shirt.","attributes":{"material":{"value":"cotton"}},
                 "images":["https://img.example.com/%s-front.jpg","https://img.example.com/%s-back.jpg"],
                 "price":22.95,"listPrice":24.99,"currency":"EUR"}
                """.formatted(sku, sku, sku)));
        // 19.99 + 10% = 21.99, up to the next .95: 22.95; the market has no price rule and reads English
        JsonNode market = awaitOne("/market/products/" + sku);
        assertThat(market.path("title").asText()).isEqualTo("T-shirt red");
        assertThat(market.path("price").decimalValue()).isEqualByComparingTo("19.99");
        assertThat(SHOP.requests("/shop/products/" + sku).get(0).method()).isEqualTo("PUT");

        await().atMost(Duration.ofSeconds(10)).until(() -> ops("/api/v1/ops/products/" + sku).path("channels").size() == 4);
        JsonNode overview = ops("/api/v1/ops/products/" + sku);
        assertThat(overview.path("version").asLong()).isEqualTo(1);
        assertThat(overview.path("product").path("title").path("nl").asText()).isEqualTo("T-shirt rood");
        for (JsonNode channel : overview.path("channels")) {
            assertThat(channel.path("status").asText()).as(channel.toString()).isEqualTo("live");
            assertThat(channel.path("versionSent").asLong()).isEqualTo(1);
        }
        assertThat(overview.path("channels").findValuesAsText("channel")).as("every channel that takes products")
                .containsExactly("bol-range", "bol-test", "market", "shop");
    }

    @Test
    void aNewerVersionWhosePayloadDidNotChangeSendsNothingAndAnOlderOneIsDropped() throws Exception {
        String sku = sku();
        accepted(post("/api/v1/products", products(product(sku, 5))));
        awaitOne("/shop/products/" + sku);
        awaitOne("/market/products/" + sku);

        // version 6 differs only in what no channel's mapping reads; version 4 is older than what Kanaal has
        ObjectNode same = product(sku, 6);
        same.putObject("dimensions").put("length", 30).put("width", 20).put("height", 2).put("unit", "cm");
        accepted(post("/api/v1/products", products(same)));
        ObjectNode older = product(sku, 4);
        ((ObjectNode) older.get("title")).put("nl", "Oude titel");
        accepted(post("/api/v1/products", products(older)));

        await().atMost(Duration.ofSeconds(10)).until(() -> ops("/api/v1/ops/products/" + sku).path("version").asLong() == 6);
        await().during(Duration.ofMillis(1_500)).atMost(Duration.ofSeconds(5)).until(() ->
                SHOP.requests("/shop/products/" + sku).size() == 1 && SHOP.requests("/market/products/" + sku).size() == 1);
        assertThat(ops("/api/v1/ops/products/" + sku).path("versions").findValuesAsText("version"))
                .as("every version taken in, newest first").containsExactly("6", "5", "4");
    }

    @Test
    void aProductThatBreaksAChannelsRulesIsNotSentThereUntilItIsCorrected() throws Exception {
        String sku = sku();
        ObjectNode bare = product(sku, 1);
        bare.remove("images");
        bare.remove("brand");
        ((ObjectNode) bare.get("title")).put("en", "T-shirt red, 100% organic cotton, in every size from XS to XXXL, for all");
        accepted(post("/api/v1/products", products(bare)));

        awaitOne("/shop/products/" + sku);
        await().atMost(Duration.ofSeconds(10)).until(() -> "rejected".equals(productOnChannel(sku, "market").path("status").asText()));
        JsonNode rejects = productOnChannel(sku, "market").path("rejects");
        assertThat(rejects.findValuesAsText("rule")).containsExactlyInAnyOrder("required", "max-title-length", "min-images");
        assertThat(rejects.findValuesAsText("field")).containsExactlyInAnyOrder("brand", "title", "images");
        assertThat(rejects.toString()).contains("brand is required on this channel").contains("at most 60");
        JsonNode listed = ops("/api/v1/ops/channels/market/rejects?limit=1000");
        assertThat(listed.findValuesAsText("sku")).contains(sku);
        assertThat(SHOP.requests("/market/products/" + sku)).as("nothing sent to the market").isEmpty();

        // corrected: it goes out without anyone acting
        accepted(post("/api/v1/products", products(product(sku, 2))));
        awaitOne("/market/products/" + sku);
        await().atMost(Duration.ofSeconds(5)).until(() -> "live".equals(productOnChannel(sku, "market").path("status").asText()));
        assertThat(productOnChannel(sku, "market").path("rejects").size()).isZero();
        assertThat(ops("/api/v1/ops/channels/market/rejects?limit=1000").findValuesAsText("sku")).doesNotContain(sku);
    }

    @Test
    void aChannelsOwnTitleAndPriceWinOverTheGeneralOnes() throws Exception {
        String sku = sku();
        ObjectNode product = product(sku, 1);
        ObjectNode shop = product.putObject("channels").putObject("shop");
        shop.putObject("title").put("nl", "Shirt (webshop)");
        shop.putObject("price").put("amount", 17.5).put("currency", "EUR");
        accepted(post("/api/v1/products", products(product)));

        JsonNode sent = awaitOne("/shop/products/" + sku);
        assertThat(sent.path("title").asText()).isEqualTo("Shirt (webshop)");
        assertThat(sent.path("price").decimalValue()).as("a channel's own price, without its rule").isEqualByComparingTo("17.50");
        assertThat(awaitOne("/market/products/" + sku).path("title").asText()).isEqualTo("T-shirt red");
    }

    @Test
    void whatAChannelRefusesIsDeadLetteredAndShownAsRefusedUntilAReplayGoesThrough() throws Exception {
        String sku = sku();
        SHOP.always("/shop/products/" + sku, Reply.of(422, "{\"error\":\"category unknown\"}"));
        accepted(post("/api/v1/products", products(product(sku, 1))));

        await().atMost(Duration.ofSeconds(10)).until(() -> "refused".equals(productOnChannel(sku, "shop").path("status").asText()));
        assertThat(productOnChannel(sku, "shop").path("rejects").get(0).path("message").asText()).contains("422").contains("category unknown");
        List<JsonNode> letters = List.copyOf(ops("/api/v1/ops/dead-letters/DLQ.kanaal.channel.shop.products?limit=100000")
                .findParents("body")).stream().filter(letter -> letter.path("body").asText().equals(sku)).toList();
        assertThat(letters).hasSize(1);
        assertThat(letters.get(0).path("reason").asText()).contains("422");
        assertThat(SHOP.requests("/shop/products/" + sku)).as("a refusal is not retried").hasSize(1);

        SHOP.answerAsUsual("/shop/products/" + sku);
        HttpResponse<String> replay = post("/api/v1/ops/dead-letters/DLQ.kanaal.channel.shop.products/replay?messageId="
                + letters.get(0).path("messageId").asText(), "");
        assertThat(replay.statusCode()).as(replay.body()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> "live".equals(productOnChannel(sku, "shop").path("status").asText()));
        assertThat(SHOP.succeeded("/shop/products/" + sku)).hasSize(1);
    }

    @Test
    void aChannelThatFailsGetsTheProductOnceItIsBackAndTheOthersDoNotWaitForIt() throws Exception {
        String sku = sku();
        SHOP.always("/shop/products/" + sku, Reply.of(503, "{\"error\":\"maintenance\"}"));
        accepted(post("/api/v1/products", products(product(sku, 1))));

        assertThat(awaitOne("/market/products/" + sku).path("title").asText()).isEqualTo("T-shirt red");
        await().atMost(Duration.ofSeconds(10)).until(() -> SHOP.requests("/shop/products/" + sku).size() >= 2);
        assertThat(productOnChannel(sku, "shop").path("status").asText()).as("not live while it fails").isNotEqualTo("live");
        assertThat(productOnChannel(sku, "market").path("status").asText()).isEqualTo("live");

        SHOP.answerAsUsual("/shop/products/" + sku);
        await().atMost(Duration.ofSeconds(20)).until(() -> "live".equals(productOnChannel(sku, "shop").path("status").asText()));
        assertThat(SHOP.succeeded("/shop/products/" + sku)).hasSize(1);
        assertThat(SHOP.requests("/market/products/" + sku)).as("the market was sent it once").hasSize(1);
    }

    @Test
    void aResyncSendsEveryStoredProductAgainAndShowsItsProgress() throws Exception {
        String sku = sku();
        accepted(post("/api/v1/products", products(product(sku, 1))));
        awaitOne("/shop/products/" + sku);

        HttpResponse<String> resync = post("/api/v1/ops/channels/shop/resync", "");

        assertThat(resync.statusCode()).as(resync.body()).isEqualTo(200);
        assertThat(JSON.readTree(resync.body()).path("products").asLong()).isPositive();
        await().atMost(Duration.ofSeconds(10)).until(() -> SHOP.succeeded("/shop/products/" + sku).size() == 2);
        await().atMost(Duration.ofSeconds(20)).until(() -> ops("/api/v1/ops/channels/shop/products").path("waiting").asLong() == 0);
        assertThat(SHOP.requests("/market/products/" + sku)).as("the market was not resynced").hasSize(1);
    }

    @Test
    void eachBadProductGetsItsReasonAndTheRestOfTheBatchIsTaken() throws Exception {
        String good = sku();
        ObjectNode badGtin = product(sku(), 1).put("gtin", "8712345678907");
        ObjectNode badLocale = product(sku(), 1);
        ((ObjectNode) badLocale.get("title")).put("xx", "?");
        ObjectNode ftpImage = product(sku(), 1);
        ((ObjectNode) ftpImage.get("images").get(0)).put("url", "ftp://img.example.com/a.jpg");
        ObjectNode negative = product(sku(), 1);
        ((ObjectNode) negative.get("price")).put("amount", -1);
        ObjectNode tooPrecise = product(sku(), 1);
        ((ObjectNode) tooPrecise.get("price")).put("amount", 19.995);
        ObjectNode huge = product(sku(), 1);
        ((ObjectNode) huge.get("description")).put("nl", "x".repeat(10 * 1024 * 1024));
        ObjectNode orphan = product(sku(), 1).put("parentSku", "NO-SUCH-" + UUID.randomUUID());
        List<ObjectNode> bad = List.of(badGtin, badLocale, ftpImage, negative, tooPrecise, huge, orphan);
        ObjectNode batch = JSON.createObjectNode();
        batch.putArray("items").addAll(bad).add(product(good, 1));

        HttpResponse<String> response = post("/api/v1/products", JSON.writeValueAsString(batch));

        assertThat(response.statusCode()).as(response.body().substring(0, Math.min(2000, response.body().length()))).isEqualTo(202);
        JsonNode report = JSON.readTree(response.body());
        assertThat(report.path("accepted").asInt()).isEqualTo(1);
        assertThat(report.path("rejected").asInt()).isEqualTo(7);
        List<String> reasons = new java.util.ArrayList<>();
        report.path("items").forEach(item -> reasons.add(item.path("errors").toString()));
        assertThat(reasons.get(0)).contains("check digit");
        assertThat(reasons.get(1)).contains("xx").contains("unknown locale");
        assertThat(reasons.get(2)).contains("url");
        assertThat(reasons.get(3)).contains("amount");
        assertThat(reasons.get(4)).contains("EUR has 2 decimals");
        assertThat(reasons.get(5)).contains("description");
        assertThat(reasons.get(6)).contains("no such product");
        assertThat(report.path("items").get(7).path("status").asText()).as(reasons.get(7)).isEqualTo("accepted");
        awaitOne("/shop/products/" + good);
        for (ObjectNode product : bad) {
            String sku = product.path("sku").asText();
            assertThat(send(HttpRequest.newBuilder(uri("/api/v1/ops/products/" + sku)).header("X-API-Key", API_KEY).GET())
                    .statusCode()).as("%s not stored", sku).isEqualTo(404);
        }
    }

    @Test
    void aVariantsParentMayComeInTheSameBatch() throws Exception {
        String parent = sku();
        String variant = sku();
        HttpResponse<String> response = post("/api/v1/products", products(product(variant, 1).put("parentSku", parent), product(parent, 1)));
        JsonNode report = JSON.readTree(response.body());
        assertThat(report.path("accepted").asInt()).as(response.body()).isEqualTo(2);
        assertThat(awaitOne("/shop/products/" + variant).path("parentSku").asText()).isEqualTo(parent);
    }

    @Test
    void ofTwoVersionsInOneBatchTheNewerIsSentAndAProductQueuedAloneIsStoredToo() throws Exception {
        String twice = sku();
        String alone = sku();
        ObjectNode newer = product(twice, 3);
        ((ObjectNode) newer.get("title")).put("nl", "Nieuwe titel");
        // products travel several to a message; a message of one product (as queued before that) is still taken
        accepted(post("/api/v1/products", products(newer, product(sku(), 1), product(twice, 2))));
        new org.springframework.jms.core.JmsTemplate(connectionFactory).convertAndSend("kanaal.erp.products",
                product(alone, 1).toString());

        await().atMost(Duration.ofSeconds(15)).until(() -> !SHOP.succeeded("/shop/products/" + twice).isEmpty());
        await().during(HOLD).atMost(Duration.ofSeconds(10)).until(() -> SHOP.requests("/shop/products/" + twice).size() == 1);
        assertThat(JSON.readTree(SHOP.succeeded("/shop/products/" + twice).get(0).body()).path("title").asText())
                .isEqualTo("Nieuwe titel");
        assertThat(ops("/api/v1/ops/products/" + twice).path("versions").findValuesAsText("version")).containsExactly("3", "2");
        assertThat(awaitOne("/shop/products/" + alone).path("sku").asText()).isEqualTo(alone);
    }

    private static void accepted(HttpResponse<String> response) throws IOException {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        assertThat(JSON.readTree(response.body()).path("rejected").asInt()).as(response.body()).isZero();
    }

    /** The body of the one call to this path of the stub, once it came; fails on a second. */
    private static JsonNode awaitOne(String path) throws IOException {
        await().atMost(Duration.ofSeconds(15)).until(() -> !SHOP.succeeded(path).isEmpty());
        List<ChannelStub.Request> calls = SHOP.succeeded(path);
        assertThat(calls).as(path).hasSize(1);
        return JSON.readTree(calls.get(0).body());
    }
}
