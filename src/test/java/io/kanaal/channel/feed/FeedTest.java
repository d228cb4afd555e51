package io.kanaal.channel.feed;

import static io.kanaal.support.TestProducts.product;
import static io.kanaal.support.TestProducts.products;
import static io.kanaal.support.TestProducts.sku;
import static io.kanaal.support.TestProducts.without;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kanaal.support.KanaalIntegrationTest;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.xml.parsers.DocumentBuilderFactory;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

/**
 * Catalog feeds, as Google and Meta would fetch them: every item of each file checked against Kanaal's own
 * description of that format's fields (src/test/resources/feeds/*.fields.json, from ../shared/specs/feeds), its
 * availability following the stock, the token required, and a file never seen half-written.
 */
class FeedTest extends KanaalIntegrationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "feed-" + UUID.randomUUID();

    @DynamicPropertySource
    static void feeds(DynamicPropertyRegistry registry) {
        registry.add("kanaal.test.context", () -> "feeds");
        for (String format : List.of("google", "meta")) {
            String channel = "feed-" + format;
            registry.add("kanaal.channels." + channel + ".type", () -> "feed");
            registry.add("kanaal.channels." + channel + ".base-url", () -> "https://shop.example.com");
            registry.add("kanaal.channels." + channel + ".settings.format", () -> format);
            registry.add("kanaal.channels." + channel + ".settings.link", () -> "https://shop.example.com/p/{sku}");
            registry.add("kanaal.channels." + channel + ".settings.token", () -> TOKEN);
            registry.add("kanaal.channels." + channel + ".settings.regenerate-every", () -> "200");
            registry.add("kanaal.channels." + channel + ".settings.locale", () -> "en");
        }
    }

    @Test
    void eachFeedHasEveryProductInItsFormatWithTheAvailabilityItsStockGives() throws Exception {
        String inStock = sku();
        String discontinued = sku();
        ObjectNode gone = product(discontinued, 1).put("status", "discontinued");
        ObjectNode onSale = product(inStock, 1);
        ((com.fasterxml.jackson.databind.node.ArrayNode) onSale.get("images")).addObject().put("url", "https://img.example.com/" + inStock + "-side.jpg");
        assertThat(post("/api/v1/products", products(onSale, gone)).statusCode()).isEqualTo(202);
        pushStock(batch(level(inStock, 5, 1), level(discontinued, 3, 1)));

        await().atMost(Duration.ofSeconds(20)).until(() -> google().containsKey(inStock) && google().containsKey(discontinued)
                && "in_stock".equals(first(google().get(inStock), "availability")));
        Map<String, Map<String, List<String>>> google = google();
        conforms("google-merchant", google);
        Map<String, List<String>> item = google.get(inStock);
        assertThat(first(item, "title")).isEqualTo("T-shirt red");
        assertThat(first(item, "price")).isEqualTo("19.99 EUR");
        assertThat(first(item, "link")).isEqualTo("https://shop.example.com/p/" + inStock);
        assertThat(first(item, "image_link")).isEqualTo("https://img.example.com/" + inStock + "-front.jpg");
        assertThat(item.get("additional_image_link")).as("one element per extra image").hasSize(2);
        assertThat(first(google.get(discontinued), "availability")).isEqualTo("out_of_stock");

        await().atMost(Duration.ofSeconds(20)).until(() -> meta().containsKey(inStock) && "5".equals(meta().get(inStock).get("quantity_to_sell_on_facebook")));
        Map<String, Map<String, String>> meta = meta();
        conforms("meta", listed(meta));
        assertThat(meta.get(inStock).get("availability")).isEqualTo("in stock");
        assertThat(meta.get(inStock).get("additional_image_link").split(",")).hasSize(2);
        assertThat(meta.get(discontinued).get("availability")).isEqualTo("discontinued");

        // sold out: the next files say so
        pushStock(batch(level(inStock, 0, 2)));
        await().atMost(Duration.ofSeconds(20)).until(() -> "out_of_stock".equals(first(google().get(inStock), "availability"))
                && "out of stock".equals(meta().get(inStock).get("availability")));
    }

    @Test
    void aProductTheFeedsCannotTakeIsLeftOutWithItsReason() throws Exception {
        String sku = sku();
        assertThat(post("/api/v1/products", products(without("images", sku))).statusCode()).isEqualTo(202);

        await().atMost(Duration.ofSeconds(15)).until(() -> jdbc.queryForList(
                "SELECT rejects::text FROM channel_product WHERE channel = 'feed-google' AND sku = ? AND status = 'rejected'",
                String.class, sku).stream().anyMatch(rejects -> rejects.contains("min-images")));
        assertThat(google()).doesNotContainKey(sku);
    }

    @Test
    void aFeedNeedsItsTokenAndAnUnknownFeedIsNotFound() {
        assertThat(get("/feeds/feed-google").statusCode()).isEqualTo(401);
        assertThat(get("/feeds/feed-google?token=wrong").statusCode()).isEqualTo(401);
        assertThat(get("/feeds/shop?token=" + TOKEN).statusCode()).as("not a feed").isEqualTo(404);
        assertThat(get("/feeds/nothing?token=" + TOKEN).statusCode()).isEqualTo(404);
        HttpResponse<String> byHeader = send(HttpRequest.newBuilder(uri("/feeds/feed-meta")).header("X-Feed-Token", TOKEN).GET());
        assertThat(byHeader.statusCode()).isEqualTo(200);
        assertThat(byHeader.headers().firstValue("Content-Type").orElse("")).startsWith("text/csv");
    }

    @Test
    void aFileBeingWrittenAgainIsNeverReadHalfWritten() throws Exception {
        List<String> skus = new ArrayList<>();
        List<ObjectNode> batch = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            skus.add(sku());
            batch.add(product(skus.get(i), 1));
        }
        assertThat(post("/api/v1/products", products(batch.toArray(ObjectNode[]::new))).statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).until(() -> google().keySet().containsAll(skus));

        // while the stock of every item changes and the file is written again every 200 ms, every read parses whole
        int reads = 0;
        for (int round = 1; round <= 10; round++) {
            List<String> levels = new ArrayList<>();
            for (String sku : skus) {
                levels.add(level(sku, round % 2, round));
            }
            pushStock(batch(levels.toArray(String[]::new)));
            for (int i = 0; i < 10; i++) {
                assertThat(google()).as("read %d", reads).hasSizeGreaterThanOrEqualTo(skus.size());
                reads++;
            }
        }
    }

    /** The Google feed's items by id: each attribute with its values (as many elements as it has). */
    private Map<String, Map<String, List<String>>> google() throws Exception {
        HttpResponse<String> response = get("/feeds/feed-google?token=" + TOKEN);
        if (response.statusCode() == 404) {
            return Map.of();
        }
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/rss+xml");
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        Document document = factory.newDocumentBuilder().parse(new InputSource(new StringReader(response.body())));
        Element rss = document.getDocumentElement();
        assertThat(rss.getTagName()).isEqualTo("rss");
        assertThat(rss.getAttribute("version")).isEqualTo("2.0");
        Map<String, Map<String, List<String>>> items = new LinkedHashMap<>();
        NodeList all = document.getElementsByTagName("item");
        for (int i = 0; i < all.getLength(); i++) {
            Map<String, List<String>> item = new LinkedHashMap<>();
            NodeList fields = all.item(i).getChildNodes();
            for (int j = 0; j < fields.getLength(); j++) {
                Node field = fields.item(j);
                if (field.getNodeType() == Node.ELEMENT_NODE) {
                    assertThat(field.getNamespaceURI()).as(field.getNodeName()).isEqualTo(spec("google-merchant").path("namespace").asText());
                    item.computeIfAbsent(field.getLocalName(), k -> new ArrayList<>()).add(field.getTextContent());
                }
            }
            items.put(first(item, "id"), item);
        }
        return items;
    }

    /** The Meta feed's rows by id: column to value. */
    private Map<String, Map<String, String>> meta() throws IOException {
        HttpResponse<String> response = get("/feeds/feed-meta?token=" + TOKEN);
        if (response.statusCode() == 404) {
            return Map.of();
        }
        Map<String, Map<String, String>> rows = new LinkedHashMap<>();
        for (CSVRecord row : CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get().parse(new StringReader(response.body()))) {
            rows.put(row.get("id"), row.toMap());
        }
        return rows;
    }

    /** Every item has the format's required attributes, within its limits, values and patterns. */
    private static void conforms(String format, Map<String, Map<String, List<String>>> items) throws IOException {
        JsonNode spec = spec(format);
        assertThat(items).isNotEmpty();
        items.forEach((id, item) -> {
            for (JsonNode required : spec.path("required")) {
                assertThat(item.get(required.asText())).as("%s: %s required", id, required.asText()).isNotEmpty();
            }
            for (JsonNode group : spec.path("oneOf")) {
                List<String> names = new ArrayList<>();
                group.forEach(name -> names.add(name.asText()));
                assertThat(names).as("%s: one of %s", id, names).anyMatch(name -> item.get(name) != null && !item.get(name).isEmpty());
            }
            spec.path("maxLength").fields().forEachRemaining(limit -> item.getOrDefault(limit.getKey(), List.of()).forEach(value ->
                    assertThat(value.length()).as("%s: %s length", id, limit.getKey()).isLessThanOrEqualTo(limit.getValue().asInt())));
            spec.path("maxCount").fields().forEachRemaining(limit ->
                    assertThat(item.getOrDefault(limit.getKey(), List.of())).as("%s: %s", id, limit.getKey()).hasSizeLessThanOrEqualTo(limit.getValue().asInt()));
            spec.path("enums").fields().forEachRemaining(allowed -> item.getOrDefault(allowed.getKey(), List.of()).forEach(value ->
                    assertThat(allowed.getValue().toString()).as("%s: %s '%s'", id, allowed.getKey(), value).contains("\"" + value + "\"")));
            spec.path("patterns").fields().forEachRemaining(pattern -> item.getOrDefault(pattern.getKey(), List.of()).forEach(value ->
                    assertThat(value).as("%s: %s", id, pattern.getKey()).matches(pattern.getValue().asText())));
        });
    }

    private static Map<String, Map<String, List<String>>> listed(Map<String, Map<String, String>> rows) {
        Map<String, Map<String, List<String>>> items = new LinkedHashMap<>();
        rows.forEach((id, row) -> {
            Map<String, List<String>> item = new LinkedHashMap<>();
            row.forEach((column, value) -> item.put(column, value.isEmpty() ? List.of() : List.of(value)));
            items.put(id, item);
        });
        return items;
    }

    private static JsonNode spec(String format) {
        try (InputStream in = FeedTest.class.getResourceAsStream("/feeds/" + format + ".fields.json")) {
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String first(Map<String, List<String>> item, String name) {
        List<String> values = item == null ? null : item.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    private HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }
}
