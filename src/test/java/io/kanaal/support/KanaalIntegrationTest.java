package io.kanaal.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kanaal.KanaalApplication;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.camel.CamelContext;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.awaitility.core.ThrowingRunnable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Kanaal as shipped (routes/ and mappings/ from the project folder) on its embedded Artemis and
 * PostgreSQL, with three channels pointed at stubs on loopback: "shop" (generic REST; polls orders every
 * second from /shop/orders, acknowledges them, takes webhooks), "market" (generic REST at /market on the
 * same stub; webhooks, no safety buffer; products in English with rules of its own) and "bol-test" (Bol.com; polls orders every second from {@link #BOL_API}, a
 * fake of Bol's order, shipment and process-status endpoints on the Bol stub). Every request sent to the Bol stub
 * (under /retailer and /shared, query string included) is checked against Bol's published specs after each test,
 * and so is every answer of the fake.
 */
@CamelSpringBootTest
@SpringBootTest(classes = KanaalApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
public abstract class KanaalIntegrationTest {

    public static final String API_KEY = "test-" + UUID.randomUUID();
    private static final ObjectMapper JSON_READER = new ObjectMapper();
    public static final ChannelStub SHOP = new ChannelStub();
    public static final ChannelStub BOL = new ChannelStub();
    public static final BolFake BOL_API = new BolFake(BOL);
    public static final String SHOP_WEBHOOK_SECRET = "shop-" + UUID.randomUUID();
    public static final String MARKET_WEBHOOK_SECRET = "market-" + UUID.randomUUID();
    /** An API key header the shop channel's configuration adds to every call (kanaal.channels.shop.headers) */
    public static final String SHOP_TOKEN = "shop-token-" + UUID.randomUUID();
    /** The market channel's Authorization header (kanaal.channels.market.settings.authorization) */
    public static final String MARKET_AUTHORIZATION = "Bearer market-" + UUID.randomUUID();

    @DynamicPropertySource
    static void kanaal(DynamicPropertyRegistry registry) {
        // a subclass that needs a Kanaal of its own (another configuration) names its data directory here; it
        // changes a setting below through its kanaal.test.* placeholder (a subclass's own registration of the
        // same key would not win over this one)
        embedded(registry, "${kanaal.test.context:shared}", API_KEY);
        ConsoleUsers.register(registry);
        // /actuator/prometheus as shipped (Spring Boot's tests switch metrics export off by default): GrafanaDashboardTest
        registry.add("management.prometheus.metrics.export.enabled", () -> "true");
        registry.add("kanaal.delivery.maximum-redeliveries", () -> "${kanaal.test.maximum-redeliveries:3}");
        registry.add("kanaal.ops.queue-depths-period", () -> "500");

        registry.add("kanaal.channels.shop.type", () -> "rest");
        registry.add("kanaal.channels.shop.base-url", () -> SHOP.baseUrl() + "/shop");
        registry.add("kanaal.channels.shop.safety-buffer", () -> "2");
        registry.add("kanaal.channels.shop.max-listed", () -> "100");
        registry.add("kanaal.channels.shop.rate-limit", () -> "1000");
        registry.add("kanaal.channels.shop.consumers", () -> "2");
        registry.add("kanaal.channels.shop.settings.poll-cron", () -> "0/1 * * * * ?");
        registry.add("kanaal.channels.shop.settings.ack-path", () -> "/orders/$simple{variable.order[channelOrderId]}/ack");
        registry.add("kanaal.channels.shop.settings.orders-query", () -> "sort=updatedAt&limit=100");
        registry.add("kanaal.channels.shop.settings.webhook-secret", () -> SHOP_WEBHOOK_SECRET);
        registry.add("kanaal.channels.shop.headers.X-Shop-Token", () -> SHOP_TOKEN);
        // products: 10% on top, up to the next .95
        registry.add("kanaal.channels.shop.settings.price-markup", () -> "10");
        registry.add("kanaal.channels.shop.settings.price-rounding", () -> "0.95");

        // a second REST channel on the same stub (paths /market/...): no safety buffer, orders by webhook
        registry.add("kanaal.channels.market.type", () -> "rest");
        registry.add("kanaal.channels.market.base-url", () -> SHOP.baseUrl() + "/market");
        registry.add("kanaal.channels.market.rate-limit", () -> "1000");
        registry.add("kanaal.channels.market.consumers", () -> "2");
        registry.add("kanaal.channels.market.settings.webhook-secret", () -> MARKET_WEBHOOK_SECRET);
        registry.add("kanaal.channels.market.settings.authorization", () -> MARKET_AUTHORIZATION);
        // products: in English, with a GTIN, a brand and an image, and at most 60 characters of title
        registry.add("kanaal.channels.market.settings.locale", () -> "en");
        registry.add("kanaal.channels.market.settings.rules.required", () -> "gtin,brand");
        registry.add("kanaal.channels.market.settings.rules.min-images", () -> "1");
        registry.add("kanaal.channels.market.settings.rules.max-title-length", () -> "60");

        registry.add("kanaal.channels.bol-test.type", () -> "bol");
        registry.add("kanaal.channels.bol-test.base-url", BOL::baseUrl);
        registry.add("kanaal.channels.bol-test.safety-buffer", () -> "1");
        registry.add("kanaal.channels.bol-test.max-listed", () -> "999");
        registry.add("kanaal.channels.bol-test.rate-limit", () -> "1000");
        registry.add("kanaal.channels.bol-test.consumers", () -> "2");
        registry.add("kanaal.channels.bol-test.settings.token-url", () -> BOL.baseUrl() + "/token");
        // a client of its own per Kanaal of the tests: the Bol stub records only the calls of the test's own Kanaal
        registry.add("kanaal.channels.bol-test.settings.client-id", () -> "kanaal-${kanaal.test.context:shared}");
        registry.add("kanaal.channels.bol-test.settings.client-secret", () -> UUID.randomUUID().toString());
        registry.add("kanaal.channels.bol-test.settings.poll-cron", () -> "0/1 * * * * ?");

        // a second Bol account that carries only part of the range: SKUs without an offer id are skipped, not dead-lettered
        registry.add("kanaal.channels.bol-range.type", () -> "bol");
        registry.add("kanaal.channels.bol-range.base-url", BOL::baseUrl);
        registry.add("kanaal.channels.bol-range.rate-limit", () -> "1000");
        registry.add("kanaal.channels.bol-range.consumers", () -> "1");
        registry.add("kanaal.channels.bol-range.settings.token-url", () -> BOL.baseUrl() + "/token");
        registry.add("kanaal.channels.bol-range.settings.client-id", () -> "kanaal-range-${kanaal.test.context:shared}");
        registry.add("kanaal.channels.bol-range.settings.client-secret", () -> UUID.randomUUID().toString());
        registry.add("kanaal.channels.bol-range.settings.unlisted", () -> "skip");
    }

    /**
     * What every Kanaal of the tests has: its own data directory under {@link TestData}, the ERP client key (also
     * the operators' key), no broker acceptor (unless {@code kanaal.test.acceptor}), no sandbox channel (no demo profile), quick retries (from 100 ms, at most 1 s apart; the number of
     * retries is the test's; no patience with an outage), and a short shutdown.
     */
    public static void embedded(DynamicPropertyRegistry registry, String data, String apiKey) {
        registry.add("kanaal.data-dir", () -> TestData.directory(data));
        registry.add("kanaal.api.keys.erp", () -> apiKey);
        // the same key opens the ops endpoints (kanaal.api.ops-keys), which the tests call too
        registry.add("kanaal.api.ops-keys.ops", () -> apiKey);
        registry.add("kanaal.broker.acceptor", () -> "${kanaal.test.acceptor:}");
        registry.add("kanaal.delivery.initial-delay", () -> "100");
        registry.add("kanaal.delivery.maximum-delay", () -> "${kanaal.test.maximum-delay:1000}");
        // dead-lettered once the retries are used up, outage or not (ChannelOutageTest has patience)
        registry.add("kanaal.delivery.outage-patience", () -> "${kanaal.test.outage-patience:0s}");
        registry.add("camel.main.shutdown-timeout", () -> "5");
    }

    /** How long "exactly once" and "nothing more" are held: longer than the tests' longest retry delay (1 s). */
    public static final Duration HOLD = Duration.ofMillis(1_500);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @LocalServerPort
    protected int port;

    @Autowired
    protected CamelContext camelContext;

    @Autowired
    protected JdbcTemplate jdbc;

    @Autowired
    protected ConnectionFactory connectionFactory;

    @org.springframework.beans.factory.annotation.Value("${kanaal.channels.bol-test.settings.client-id}")
    protected String bolClient;

    @org.springframework.beans.factory.annotation.Value("${kanaal.channels.bol-range.settings.client-id}")
    private String bolRangeClient;

    @BeforeEach
    void resetStubs() {
        SHOP.reset();
        BOL.reset();
        BOL.recordOnly(bolClient, bolRangeClient);
        BOL_API.reset();
    }

    @AfterEach
    void everyBolRequestAndEveryAnswerOfTheFakeMatchesBolsSpec() {
        List<ChannelStub.Request> requests = new ArrayList<>(BOL.requests("/retailer"));
        requests.addAll(BOL.requests("/shared"));
        for (ChannelStub.Request request : requests) {
            assertThat(BolContract.violations(request))
                    .as("%s %s %s", request.method(), request.path(), request.body())
                    .isEmpty();
        }
        assertThat(BOL_API.answerViolations()).as("the Bol fake's answers against Bol's spec").isEmpty();
    }

    /** A SKU no other test uses, with a Bol offer id registered for it. */
    protected String newSku() {
        return withBolOffer("SKU-" + UUID.randomUUID().toString().substring(0, 8));
    }

    /** Registers a Bol offer id for the SKU; returns the SKU. */
    protected String withBolOffer(String sku) {
        jdbc.update("INSERT INTO channel_listing (channel, sku, listing_id) VALUES ('bol-test', ?, ?)",
                sku, UUID.randomUUID().toString());
        return sku;
    }

    protected String offerId(String sku) {
        return jdbc.queryForObject("SELECT listing_id FROM channel_listing WHERE channel = 'bol-test' AND sku = ?",
                String.class, sku);
    }

    protected HttpResponse<String> post(String path, String body) {
        return send(HttpRequest.newBuilder(uri(path)).header("X-API-Key", API_KEY)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    protected HttpResponse<String> pushStock(String json) {
        HttpResponse<String> response = post("/api/v1/stock", json);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        return response;
    }

    protected static String level(String sku, int quantity, long sequence) {
        return "{\"sku\":\"" + sku + "\",\"quantity\":" + quantity + ",\"sequence\":" + sequence + "}";
    }

    protected static String batch(String... levels) {
        return "{\"items\":[" + String.join(",", levels) + "]}";
    }

    /** What GET /api/v1/ops/products/{sku} says of one channel; empty when it says nothing of it. */
    protected JsonNode productOnChannel(String sku, String channel) throws java.io.IOException {
        for (JsonNode entry : ops("/api/v1/ops/products/" + sku).path("channels")) {
            if (channel.equals(entry.path("channel").asText())) {
                return entry;
            }
        }
        return JSON_READER.createObjectNode();
    }

    /** An ops endpoint's JSON answer (200), or an empty object for a 404. */
    protected JsonNode ops(String path) throws java.io.IOException {
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri(path)).header("X-API-Key", API_KEY).GET());
        if (response.statusCode() == 404) {
            return JSON_READER.createObjectNode();
        }
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON_READER.readTree(response.body());
    }

    protected HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    protected URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** The quantity of the last call to this path of the stub (shop or market) that succeeded; -1 for none. */
    public static int lastQuantity(String path) {
        List<ChannelStub.Request> requests = SHOP.succeeded(path);
        if (requests.isEmpty()) {
            return -1;
        }
        try {
            return JSON_READER.readTree(requests.get(requests.size() - 1).body()).path("quantity").asInt();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    protected static List<ChannelStub.Request> shopRequests(String sku) {
        return SHOP.requests("/shop/stock/" + sku);
    }

    protected List<ChannelStub.Request> bolRequests(String sku) {
        return BOL.requests("/retailer/offers/" + offerId(sku));
    }

    /**
     * Waits until the condition holds, then checks that it still holds for {@link #HOLD}, longer than the tests'
     * longest retry delay (1 s): a count of exactly one is not passed at the first instant it is one while a duplicate is on
     * its way.
     */
    public static void awaitExactly(java.util.concurrent.Callable<Boolean> condition) {
        await().atMost(Duration.ofSeconds(15)).until(condition);
        await().during(HOLD).atMost(Duration.ofSeconds(5)).until(condition);
    }

    /** As {@link #awaitExactly(java.util.concurrent.Callable)}, for an assertion (its failure names what was seen). */
    public static void awaitExactly(ThrowingRunnable assertion) {
        await().atMost(Duration.ofSeconds(15)).untilAsserted(assertion);
        await().during(HOLD).atMost(Duration.ofSeconds(5)).untilAsserted(assertion);
    }

    /** How many messages for the order kanaal.orders.unified holds now (browsed: they stay on the queue). */
    protected int unifiedCopies(String orderRef) throws JMSException {
        return UnifiedQueue.copies(connectionFactory, orderRef);
    }

    /** How many messages for each of the orders kanaal.orders.unified holds now (browsed: they stay on the queue). */
    protected Map<String, Integer> unifiedCopies(Collection<String> orderRefs) throws JMSException {
        return UnifiedQueue.copies(connectionFactory, orderRefs);
    }

    /** The messages of a dead-letter queue (GET /api/v1/ops/dead-letters/{queue}) whose body is about the SKU. */
    protected List<JsonNode> deadLetters(String queue, String sku) {
        // every dead letter of the queue, which the tests of the shared Kanaal share: the ops API's default shows 100
        int limit = 100_000;
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/api/v1/ops/dead-letters/" + queue + "?limit=" + limit))
                .header("X-API-Key", API_KEY).GET());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        try {
            List<JsonNode> found = new ArrayList<>();
            JsonNode all = JSON_READER.readTree(response.body());
            assertThat(all.size()).as("dead letters of %s, all of them read", queue).isLessThan(limit);
            for (JsonNode message : all) {
                if (JSON_READER.readTree(message.get("body").asText()).findPath("sku").asText().equals(sku)) {
                    found.add(message);
                }
            }
            return found;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
