package io.kanaal.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kanaal.support.ChannelStub;
import io.kanaal.support.ChannelStub.Reply;
import io.kanaal.support.KanaalIntegrationTest;
import java.net.URLDecoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Sources of type rest, configured with configuration and mapping files only (the shipped example mappings
 * mappings/sources/rest-*.jsonata): an ERP's stock list and a PIM's product list, polled every second from a fake
 * on the stub that answers what changed since the since-parameter, page by page. Their records reach the channels
 * through the same intake as the push API.
 */
class RestSourceTest extends KanaalIntegrationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The fake ERP's stock records and PIM's products, each with the time it last changed. */
    private static final List<ObjectNode> STOCK = new CopyOnWriteArrayList<>();
    private static final List<ObjectNode> PRODUCTS = new CopyOnWriteArrayList<>();
    private static final AtomicBoolean ERP_DOWN = new AtomicBoolean();

    @DynamicPropertySource
    static void sources(DynamicPropertyRegistry registry) {
        registry.add("kanaal.test.context", () -> "sources");
        registry.add("kanaal.sources.erp.type", () -> "rest");
        registry.add("kanaal.sources.erp.base-url", () -> SHOP.baseUrl() + "/erp-api");
        registry.add("kanaal.sources.erp.settings.poll-cron", () -> "0/1 * * * * ?");
        registry.add("kanaal.sources.erp.settings.provides", () -> "stock");
        registry.add("kanaal.sources.erp.settings.path", () -> "/stock");
        registry.add("kanaal.sources.erp.settings.mapping", () -> "sources/rest-stock.jsonata");
        registry.add("kanaal.sources.erp.settings.watermark-field", () -> "modified");
        registry.add("kanaal.sources.erp.settings.page-size", () -> "3");
        registry.add("kanaal.sources.erp.settings.backoff", () -> "300");
        registry.add("kanaal.sources.pim.type", () -> "rest");
        registry.add("kanaal.sources.pim.base-url", () -> SHOP.baseUrl() + "/pim");
        registry.add("kanaal.sources.pim.settings.poll-cron", () -> "0/1 * * * * ?");
        registry.add("kanaal.sources.pim.settings.provides", () -> "products");
        registry.add("kanaal.sources.pim.settings.path", () -> "/products");
        registry.add("kanaal.sources.pim.settings.mapping", () -> "sources/rest-product.jsonata");
        registry.add("kanaal.sources.pim.settings.records-field", () -> "data");
        registry.add("kanaal.sources.pim.settings.watermark-field", () -> "changedAt");
        registry.add("kanaal.sources.pim.settings.since-param", () -> "changed_after");
        registry.add("kanaal.sources.pim.settings.page-param", () -> "p");
        registry.add("kanaal.sources.pim.settings.size-param", () -> "per_page");
        registry.add("kanaal.sources.pim.settings.page-size", () -> "2");
        registry.add("kanaal.sources.pim.settings.authorization", () -> "Bearer pim-token");
        SHOP.serve("/erp-api/stock", request -> ERP_DOWN.get() ? Reply.of(503, "{\"error\":\"maintenance\"}")
                : Reply.of(200, list(STOCK, request, "updated_since", "page", "limit", "modified", null)));
        SHOP.serve("/pim/products", request -> "Bearer pim-token".equals(request.header("Authorization"))
                ? Reply.of(200, list(PRODUCTS, request, "changed_after", "p", "per_page", "changedAt", "data"))
                : Reply.of(401, "{}"));
    }

    @Test
    void theErpsStockReachesTheChannelsAndABadRecordIsDeadLetteredWhileTheRestOfItsPageIsTaken() throws Exception {
        String sku = "SRC-" + UUID.randomUUID().toString().substring(0, 8);
        String bad = "SRC-" + UUID.randomUUID().toString().substring(0, 8);
        stock(sku, 7);
        stock(bad, -3);

        // 7 less the shop's safety buffer of 2
        await().atMost(Duration.ofSeconds(20)).until(() -> lastQuantity("/shop/stock/" + sku) == 5);
        await().atMost(Duration.ofSeconds(10)).until(() -> !deadLetter(bad).isEmpty());
        assertThat(deadLetter(bad).get(0).path("reason").asText()).contains("quantity");
        assertThat(SHOP.requests("/shop/stock/" + bad)).isEmpty();
        JsonNode status = source("erp");
        assertThat(status.path("taken").asLong()).isPositive();
        assertThat(status.path("rejected").asLong()).isPositive();
        assertThat(status.path("watermark").asText()).isNotEmpty();

        // the record changes at the ERP: the next poll asks for what changed since and sends the new level once
        stock(sku, 9);
        awaitExactly(() -> lastQuantity("/shop/stock/" + sku) == 7 && SHOP.succeeded("/shop/stock/" + sku).size() == 2);
    }

    @Test
    void anErpThatIsDownKeepsItsWatermarkAndIsCaughtUpWithoutLosingOrRepeatingARecord() throws Exception {
        String before = "SRC-" + UUID.randomUUID().toString().substring(0, 8);
        stock(before, 4);
        await().atMost(Duration.ofSeconds(20)).until(() -> lastQuantity("/shop/stock/" + before) == 2);
        ERP_DOWN.set(true);
        List<String> during = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            during.add("SRC-" + UUID.randomUUID().toString().substring(0, 8));
            stock(during.get(i), 10 + i);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> source("erp").path("failures").asInt() >= 1);
        String watermark = source("erp").path("watermark").asText();
        int failures = source("erp").path("failures").asInt();
        await().atMost(Duration.ofSeconds(10)).until(() -> source("erp").path("failures").asInt() >= failures + 2);
        JsonNode failing = source("erp");
        assertThat(failing.path("watermark").asText()).as("failed polls leave the watermark").isEqualTo(watermark);
        assertThat(failing.path("lastError").asText()).contains("503");
        assertThat(failing.path("nextAttemptAt").asText()).isNotEmpty();

        ERP_DOWN.set(false);
        for (int i = 0; i < 5; i++) {
            String sku = during.get(i);
            int expected = 10 + i - 2;
            await().atMost(Duration.ofSeconds(30)).until(() -> lastQuantity("/shop/stock/" + sku) == expected);
        }
        awaitExactly(() -> during.stream().allMatch(sku -> SHOP.succeeded("/shop/stock/" + sku).size() == 1)
                && SHOP.succeeded("/shop/stock/" + before).size() == 1);
        assertThat(source("erp").path("failures").asInt()).isZero();
    }

    @Test
    void thePimsProductsComePageByPageWithItsOwnParametersAndReachTheChannels() throws Exception {
        List<String> skus = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            skus.add("PIM-" + UUID.randomUUID().toString().substring(0, 8));
            ObjectNode product = JSON.createObjectNode().put("code", skus.get(i)).put("ean", "8712345678906")
                    .put("brand", "Kanaal Wear").put("price", 10 + i).put("currency", "EUR").put("changedAt", now());
            product.putObject("names").put("nl", "Product " + i).put("en", "Product " + i);
            product.putObject("texts").put("nl", "Tekst " + i);
            product.putArray("pictures").add("https://img.example.com/" + skus.get(i) + ".jpg");
            PRODUCTS.add(product);
        }

        for (String sku : skus) {
            await().atMost(Duration.ofSeconds(20)).until(() -> !SHOP.succeeded("/shop/products/" + sku).isEmpty());
        }
        JsonNode sent = JSON.readTree(SHOP.succeeded("/shop/products/" + skus.get(2)).get(0).body());
        assertThat(sent.path("title").asText()).isEqualTo("Product 2");
        // 12 + 10%, up to the next .95 (the shop's price rule)
        assertThat(sent.path("price").decimalValue()).isEqualByComparingTo("13.95");
        assertThat(SHOP.succeeded("/pim/products")).as("pages asked with the PIM's own parameters")
                .anyMatch(page -> page.path().contains("p=3") && page.path().contains("per_page=2"));
        // the next poll asks for what changed since the newest product it read
        await().atMost(Duration.ofSeconds(10)).until(() -> SHOP.succeeded("/pim/products").stream()
                .anyMatch(page -> page.path().contains("changed_after=")));
    }

    private static void stock(String sku, int quantity) {
        STOCK.add(JSON.createObjectNode().put("articleNumber", sku).put("onHand", quantity).put("modified", now()));
    }

    /** Now, as the fake systems write their change times (ISO-8601 with microseconds, UTC): always later than before. */
    private static synchronized String now() {
        return Instant.now().toString();
    }

    /**
     * The fake's answer: the records changed at or after the since-parameter (an overlap, as many systems give),
     * oldest first, one page of them; wrapped in a field when the system does that.
     */
    private static String list(List<ObjectNode> records, ChannelStub.Request request, String sinceParam, String pageParam,
            String sizeParam, String changedField, String wrapper) {
        Map<String, String> query = new java.util.HashMap<>();
        int start = request.path().indexOf('?');
        if (start >= 0) {
            for (String pair : request.path().substring(start + 1).split("&")) {
                String[] kv = pair.split("=", 2);
                query.put(kv[0], kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
            }
        }
        Instant since = query.containsKey(sinceParam) ? Instant.parse(query.get(sinceParam)) : Instant.EPOCH;
        int page = Integer.parseInt(query.getOrDefault(pageParam, "1"));
        int size = Integer.parseInt(query.getOrDefault(sizeParam, "100"));
        List<ObjectNode> changed = records.stream().filter(r -> !Instant.parse(r.path(changedField).asText()).isBefore(since))
                .sorted(Comparator.comparing(r -> Instant.parse(r.path(changedField).asText()))).toList();
        ArrayNode answer = JSON.createArrayNode();
        changed.stream().skip((long) (page - 1) * size).limit(size).forEach(answer::add);
        if (wrapper == null) {
            return answer.toString();
        }
        ObjectNode wrapped = JSON.createObjectNode();
        wrapped.set(wrapper, answer);
        return wrapped.toString();
    }

    private List<JsonNode> deadLetter(String sku) throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/api/v1/ops/dead-letters/DLQ.kanaal.source.erp?limit=100000"))
                .header("X-API-Key", API_KEY).GET());
        List<JsonNode> found = new ArrayList<>();
        if (response.statusCode() == 200) {
            JSON.readTree(response.body()).forEach(letter -> {
                if (letter.path("body").asText().contains(sku)) {
                    found.add(letter);
                }
            });
        }
        return found;
    }

    private JsonNode source(String id) throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/api/v1/ops/sources")).header("X-API-Key", API_KEY).GET());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        for (JsonNode source : JSON.readTree(response.body())) {
            if (id.equals(source.path("source").asText())) {
                return source;
            }
        }
        throw new AssertionError("no source " + id + " in " + response.body());
    }
}
