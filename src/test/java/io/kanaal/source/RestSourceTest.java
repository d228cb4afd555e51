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
    /** The warehouse system's, the catalogue's and the older ERP's records, and the requests each was asked. */
    private static final List<ObjectNode> WMS = new CopyOnWriteArrayList<>();
    private static final List<ObjectNode> CATALOG = new CopyOnWriteArrayList<>();
    private static final List<ObjectNode> LEGACY = new CopyOnWriteArrayList<>();
    private static final List<ChannelStub.Request> ASKED = new CopyOnWriteArrayList<>();
    private static final java.util.concurrent.atomic.AtomicLong REVISION = new java.util.concurrent.atomic.AtomicLong(System.currentTimeMillis());
    private static final java.time.ZoneId AMSTERDAM = java.time.ZoneId.of("Europe/Amsterdam");
    private static final java.time.format.DateTimeFormatter LOCAL = java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

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
        // a warehouse system: offset paging, its change times in epoch milliseconds under a nested filter
        // parameter, an API-key header, records that number their changes
        registry.add("kanaal.sources.wms.type", () -> "rest");
        registry.add("kanaal.sources.wms.base-url", () -> SHOP.baseUrl() + "/wms");
        registry.add("kanaal.sources.wms.settings.poll-cron", () -> "0/1 * * * * ?");
        registry.add("kanaal.sources.wms.settings.provides", () -> "stock");
        registry.add("kanaal.sources.wms.settings.path", () -> "/stock");
        registry.add("kanaal.sources.wms.settings.mapping", () -> "sources/rest-stock-sequence.jsonata");
        registry.add("kanaal.sources.wms.settings.records-field", () -> "items");
        registry.add("kanaal.sources.wms.settings.watermark-field", () -> "ts");
        registry.add("kanaal.sources.wms.settings.since-param", () -> "filter[updated_at][gte]");
        registry.add("kanaal.sources.wms.settings.since-format", () -> "epoch-millis");
        registry.add("kanaal.sources.wms.settings.paging", () -> "offset");
        registry.add("kanaal.sources.wms.settings.page-size", () -> "3");
        registry.add("kanaal.sources.wms.settings.api-key-header", () -> "X-Api-Key");
        registry.add("kanaal.sources.wms.settings.api-key", () -> "wms-key");
        // a catalogue service: cursor paging, an OAuth2 client-credentials login
        registry.add("kanaal.sources.catalog.type", () -> "rest");
        registry.add("kanaal.sources.catalog.base-url", () -> SHOP.baseUrl() + "/catalog");
        registry.add("kanaal.sources.catalog.settings.poll-cron", () -> "0/1 * * * * ?");
        registry.add("kanaal.sources.catalog.settings.provides", () -> "products");
        registry.add("kanaal.sources.catalog.settings.path", () -> "/products");
        registry.add("kanaal.sources.catalog.settings.mapping", () -> "sources/rest-product.jsonata");
        registry.add("kanaal.sources.catalog.settings.records-field", () -> "data");
        registry.add("kanaal.sources.catalog.settings.watermark-field", () -> "changedAt");
        registry.add("kanaal.sources.catalog.settings.paging", () -> "cursor");
        registry.add("kanaal.sources.catalog.settings.cursor-field", () -> "meta.next");
        registry.add("kanaal.sources.catalog.settings.cursor-param", () -> "after");
        registry.add("kanaal.sources.catalog.settings.page-size", () -> "2");
        registry.add("kanaal.sources.catalog.settings.token-url", () -> SHOP.baseUrl() + "/token");
        registry.add("kanaal.sources.catalog.settings.client-id", () -> "catalog-client");
        registry.add("kanaal.sources.catalog.settings.client-secret", () -> "catalog-secret");
        // an older ERP: next links in the Link header, its local time in a filter expression, more parameters
        registry.add("kanaal.sources.legacy.type", () -> "rest");
        registry.add("kanaal.sources.legacy.base-url", () -> SHOP.baseUrl() + "/legacy");
        registry.add("kanaal.sources.legacy.settings.poll-cron", () -> "0/1 * * * * ?");
        registry.add("kanaal.sources.legacy.settings.provides", () -> "stock");
        registry.add("kanaal.sources.legacy.settings.path", () -> "/stock");
        registry.add("kanaal.sources.legacy.settings.mapping", () -> "sources/rest-stock-sequence.jsonata");
        registry.add("kanaal.sources.legacy.settings.watermark-field", () -> "modified");
        registry.add("kanaal.sources.legacy.settings.since-param", () -> "$filter");
        registry.add("kanaal.sources.legacy.settings.since-template", () -> "modified ge '{since}'");
        registry.add("kanaal.sources.legacy.settings.since-format", () -> "yyyy-MM-dd HH:mm:ss");
        registry.add("kanaal.sources.legacy.settings.since-zone", () -> "Europe/Amsterdam");
        registry.add("kanaal.sources.legacy.settings.paging", () -> "next-link");
        registry.add("kanaal.sources.legacy.settings.page-size", () -> "2");
        registry.add("kanaal.sources.legacy.settings.params", () -> "fields[stock]=sku,qty,rev,modified");
        SHOP.serve("/wms/stock", RestSourceTest::wms);
        SHOP.serve("/catalog/products", RestSourceTest::catalog);
        SHOP.serve("/legacy/stock", RestSourceTest::legacy);
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

    @Test
    void aSourceWithOffsetPagingEpochTimesANestedParameterAndAnApiKeyIsPolled() throws Exception {
        List<String> skus = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            skus.add("WMS-" + UUID.randomUUID().toString().substring(0, 8));
            WMS.add(JSON.createObjectNode().put("sku", skus.get(i)).put("qty", 20 + i).put("location", "DC-1")
                    .put("rev", REVISION.incrementAndGet()).put("ts", System.currentTimeMillis()));
        }

        for (int i = 0; i < 4; i++) {
            String sku = skus.get(i);
            int expected = 20 + i - 2;
            await().atMost(Duration.ofSeconds(20)).until(() -> lastQuantity("/shop/stock/" + sku) == expected);
        }
        assertThat(asked("/wms/stock")).as("four records, three a page: the second page starts at offset 3")
                .anyMatch(request -> "3".equals(request.query().get("offset")) && "3".equals(request.query().get("limit")));
        await().atMost(Duration.ofSeconds(10)).until(() -> asked("/wms/stock").stream()
                .anyMatch(request -> request.query().getOrDefault("filter[updated_at][gte]", "").matches("\\d{13}")));
        assertThat(asked("/wms/stock")).allMatch(request -> "wms-key".equals(request.header("X-Api-Key")));
    }

    @Test
    void aSourceWithCursorPagingAndAnOAuth2LoginIsPolled() throws Exception {
        List<String> skus = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            skus.add("CAT-" + UUID.randomUUID().toString().substring(0, 8));
            ObjectNode product = JSON.createObjectNode().put("code", skus.get(i)).put("ean", "8712345678906")
                    .put("brand", "Kanaal Wear").put("price", 30 + i).put("currency", "EUR").put("changedAt", now());
            product.putObject("names").put("nl", "Artikel " + i);
            CATALOG.add(product);
        }

        for (String sku : skus) {
            await().atMost(Duration.ofSeconds(20)).until(() -> !SHOP.succeeded("/shop/products/" + sku).isEmpty());
        }
        assertThat(asked("/catalog/products")).as("the second page asked with the cursor the first one gave")
                .anyMatch(request -> request.query().containsKey("after"));
        assertThat(asked("/catalog/products")).allMatch(request -> request.header("Authorization").endsWith(".catalog-client"));
    }

    @Test
    void aSourceWithNextLinksAndItsLocalTimeInAFilterExpressionIsPolled() throws Exception {
        List<String> skus = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            skus.add("OLD-" + UUID.randomUUID().toString().substring(0, 8));
            LEGACY.add(JSON.createObjectNode().put("sku", skus.get(i)).put("qty", 5 + i).put("rev", REVISION.incrementAndGet())
                    .put("modified", LOCAL.format(Instant.now().atZone(AMSTERDAM))));
        }

        for (int i = 0; i < 3; i++) {
            String sku = skus.get(i);
            int expected = 5 + i - 2;
            await().atMost(Duration.ofSeconds(20)).until(() -> lastQuantity("/shop/stock/" + sku) == expected);
        }
        assertThat(asked("/legacy/stock")).as("the Link header's next page followed")
                .anyMatch(request -> request.query().containsKey("page-token"));
        assertThat(asked("/legacy/stock")).allMatch(request -> "sku,qty,rev,modified".equals(request.query().get("fields[stock]")));
        // the next poll asks from the newest record's own local time
        String newest = LEGACY.stream().map(r -> r.path("modified").asText()).max(String::compareTo).orElseThrow();
        await().atMost(Duration.ofSeconds(10)).until(() -> asked("/legacy/stock").stream()
                .anyMatch(request -> ("modified ge '" + newest + "'").equals(request.query().get("$filter"))));
    }

    /** The requests a fake system was asked (whoever's token they carry). */
    private static List<ChannelStub.Request> asked(String path) {
        return ASKED.stream().filter(request -> request.path().startsWith(path)).toList();
    }

    /** The warehouse system: records with ts at or after filter[updated_at][gte] (epoch ms), by offset; an API key. */
    private static Reply wms(ChannelStub.Request request) {
        ASKED.add(request);
        if (!"wms-key".equals(request.header("X-Api-Key"))) {
            return Reply.of(401, "{}");
        }
        long since = Long.parseLong(request.query().getOrDefault("filter[updated_at][gte]", "0"));
        List<ObjectNode> changed = WMS.stream().filter(r -> r.path("ts").asLong() >= since)
                .sorted(Comparator.comparing(r -> r.path("ts").asLong())).toList();
        ObjectNode answer = JSON.createObjectNode();
        ArrayNode items = answer.putArray("items");
        changed.stream().skip(Long.parseLong(request.query().getOrDefault("offset", "0")))
                .limit(Long.parseLong(request.query().getOrDefault("limit", "100"))).forEach(items::add);
        return Reply.of(200, answer.toString());
    }

    /** The catalogue: every product, two a page, the next page's cursor in meta.next; an OAuth2 token. */
    private static Reply catalog(ChannelStub.Request request) {
        ASKED.add(request);
        String authorization = request.header("Authorization");
        if (authorization == null || !authorization.startsWith("Bearer token-")) {
            return Reply.of(401, "{}");
        }
        int from = Integer.parseInt(new String(java.util.Base64.getDecoder().decode(request.query().getOrDefault("after", "MA==")),
                StandardCharsets.UTF_8));
        int size = Integer.parseInt(request.query().getOrDefault("limit", "100"));
        ObjectNode answer = JSON.createObjectNode();
        ArrayNode data = answer.putArray("data");
        CATALOG.stream().skip(from).limit(size).forEach(data::add);
        answer.putObject("meta").put("next", from + size < CATALOG.size()
                ? java.util.Base64.getEncoder().encodeToString(Integer.toString(from + size).getBytes(StandardCharsets.UTF_8)) : null);
        return Reply.of(200, answer.toString());
    }

    /** The older ERP: records modified at or after the $filter's local time, two a page, the next in a Link header. */
    private static Reply legacy(ChannelStub.Request request) {
        ASKED.add(request);
        String filter = request.query().getOrDefault("$filter", "modified ge '1970-01-01 00:00:00'");
        String since = filter.substring(filter.indexOf('\'') + 1, filter.lastIndexOf('\''));
        List<ObjectNode> changed = LEGACY.stream().filter(r -> r.path("modified").asText().compareTo(since) >= 0)
                .sorted(Comparator.comparing(r -> r.path("modified").asText())).toList();
        int from = Integer.parseInt(request.query().getOrDefault("page-token", "0"));
        ArrayNode answer = JSON.createArrayNode();
        changed.stream().skip(from).limit(2).forEach(answer::add);
        Reply reply = Reply.of(200, answer.toString());
        if (from + 2 < changed.size()) {
            String next = "/legacy/stock?page-token=" + (from + 2) + "&%24filter="
                    + java.net.URLEncoder.encode(filter, StandardCharsets.UTF_8) + "&fields%5Bstock%5D=sku%2Cqty%2Crev%2Cmodified";
            reply = reply.withHeader("Link", "<" + SHOP.baseUrl() + next + ">; rel=\"next\"");
        }
        return reply;
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
