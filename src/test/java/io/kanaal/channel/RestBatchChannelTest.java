package io.kanaal.channel;

import static io.kanaal.support.KanaalIntegrationTest.awaitExactly;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kanaal.KanaalApplication;
import io.kanaal.support.ChannelStub;
import io.kanaal.support.ChannelStub.Reply;
import io.kanaal.support.KanaalIntegrationTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.CamelContext;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A REST channel whose API takes the stock of several SKUs in one call ({@code settings.batch-path}): the
 * SKUs that wait while a call is under way go out together in the next, each SKU in exactly one successful
 * call, with the failures of a call retried or dead-lettered per SKU as for single calls.
 */
@CamelSpringBootTest
@SpringBootTest(classes = KanaalApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class RestBatchChannelTest {

    private static final String API_KEY = "test-" + UUID.randomUUID();
    private static final ChannelStub BULK = new ChannelStub();
    private static final String PATH = "/bulk/stock-levels";
    private static final String DLQ = "DLQ.kanaal.channel.bulk.stock";
    /** The channel's publishers: the route that sends its stock, with this many consumers. */
    private static final String SENDERS = "bulk-stock-direct";
    private static final int CONSUMERS = 4;

    @DynamicPropertySource
    static void kanaal(DynamicPropertyRegistry registry) {
        KanaalIntegrationTest.embedded(registry, "rest-batch", API_KEY);
        registry.add("spring.artemis.embedded.server-id", () -> "111");
        // retries for about 3.5 s: a failing call's SKUs are still being retried when the channel is back
        registry.add("kanaal.delivery.maximum-redeliveries", () -> "6");
        registry.add("kanaal.channels.bulk.type", () -> "rest");
        registry.add("kanaal.channels.bulk.base-url", () -> BULK.baseUrl() + "/bulk");
        registry.add("kanaal.channels.bulk.safety-buffer", () -> "1");
        registry.add("kanaal.channels.bulk.rate-limit", () -> "1000");
        registry.add("kanaal.channels.bulk.consumers", () -> Integer.toString(CONSUMERS));
        registry.add("kanaal.channels.bulk.settings.batch-path", () -> "/stock-levels");
        registry.add("kanaal.channels.bulk.settings.batch-size", () -> "3");
    }

    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    @LocalServerPort
    int port;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    CamelContext camelContext;

    @BeforeEach
    void reset() {
        BULK.reset();
    }

    @AfterAll
    static void stopStub() {
        BULK.close();
    }

    @Test
    void skusThatWaitWhileACallIsUnderWayGoOutTogetherInTheNext() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        CountDownLatch firstCallHeld = new CountDownLatch(1);
        BULK.serve(PATH, request -> {
            if (calls.incrementAndGet() == 1) {
                // the first call is answered only when the publishers' other SKUs wait behind it
                awaitReleased(firstCallHeld);
            }
            return Reply.of(204);
        });
        Map<String, Integer> expected = new HashMap<>();
        List<String> levels = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            String sku = "BULK-" + UUID.randomUUID().toString().substring(0, 8);
            levels.add(level(sku, 20 + i, 1));
            expected.put(sku, 19 + i);
        }

        push(levels);

        // every publisher busy: one in the call, the others waiting for the next
        await().atMost(Duration.ofSeconds(15)).until(() -> camelContext.getInflightRepository().size(SENDERS) == CONSUMERS);
        firstCallHeld.countDown();
        awaitExactly(() -> assertThat(skus(BULK.succeeded(PATH))).as("SKUs of the successful calls").hasSize(10)
                .doesNotHaveDuplicates());
        List<ChannelStub.Request> requests = BULK.requests(PATH);
        assertThat(requests).allSatisfy(request -> {
            assertThat(request.method()).isEqualTo("POST");
            assertThat(json.readTree(request.body()).get("items").size()).as(request.body()).isBetween(1, 3);
        });
        assertThat(requests).as("some calls carried several SKUs").hasSizeLessThan(10)
                .anySatisfy(request -> assertThat(json.readTree(request.body()).get("items").size()).isGreaterThan(1));
        assertThat(delivered(requests)).as("each SKU once, with its quantity").isEqualTo(expected);
    }

    @Test
    void aCallThatFailsIsRetriedAndEachSkuArrivesOnceWithItsNewestLevel() throws Exception {
        AtomicBoolean down = new AtomicBoolean(true);
        BULK.serve(PATH, request -> down.get() ? Reply.of(503, "{\"error\":\"busy\"}") : Reply.of(204));
        Map<String, Integer> expected = new HashMap<>();
        List<String> first = new ArrayList<>();
        List<String> second = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            String sku = "RETRY-" + UUID.randomUUID().toString().substring(0, 8);
            first.add(level(sku, 10, 1));
            second.add(level(sku, 30 + i, 2));
            expected.put(sku, 29 + i);
        }

        push(first);
        // every SKU's first level failed at least once, and the newer levels are recorded, before the channel is back
        await().atMost(Duration.ofSeconds(10)).until(() -> delivered(BULK.requests(PATH)).keySet().containsAll(expected.keySet()));
        push(second);
        await().atMost(Duration.ofSeconds(10)).until(() -> expected.entrySet().stream().allMatch(e -> Integer.valueOf(e.getValue())
                .equals(jdbc.queryForObject("SELECT desired_quantity FROM channel_stock WHERE channel = 'bulk' AND sku = ?",
                        Integer.class, e.getKey()))));
        down.set(false);

        // each SKU in one successful call, with its newest level; held past the longest retry delay
        awaitExactly(() -> {
            assertThat(skus(BULK.succeeded(PATH))).as("SKUs of the successful calls").hasSize(4).doesNotHaveDuplicates();
            assertThat(delivered(BULK.succeeded(PATH))).isEqualTo(expected);
        });
        assertThat(deadLetters()).doesNotContainKeys(expected.keySet().toArray(String[]::new));
    }

    @Test
    void aCallTheChannelRefusesDeadLettersEachSkuOfItWithTheReason() throws Exception {
        BULK.serve(PATH, request -> Reply.of(422, "{\"error\":\"unknown sku\"}"));
        List<String> skus = new ArrayList<>();
        List<String> levels = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String sku = "REFUSED-" + UUID.randomUUID().toString().substring(0, 8);
            skus.add(sku);
            levels.add(level(sku, 7, 1));
        }

        push(levels);

        await().atMost(Duration.ofSeconds(15)).until(() -> deadLetters().keySet().containsAll(skus));
        Map<String, JsonNode> dead = deadLetters();
        for (String sku : skus) {
            assertThat(dead.get(sku).get("reason").asText()).contains("HTTP 422").contains("unknown sku");
            assertThat(json.readTree(dead.get(sku).get("body").asText()).findPath("quantity").asInt()).isEqualTo(6);
        }
        assertThat(BULK.succeeded(PATH)).isEmpty();
        BULK.serve(PATH, request -> Reply.of(204));
    }

    private void push(List<String> levels) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/stock"))
                .header("X-API-Key", API_KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"items\":[" + String.join(",", levels) + "]}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    }

    private static String level(String sku, int quantity, long sequence) {
        return "{\"sku\":\"" + sku + "\",\"quantity\":" + quantity + ",\"sequence\":" + sequence + "}";
    }

    /** SKU and quantity of every item in the requests' bodies, the last one winning. */
    private Map<String, Integer> delivered(List<ChannelStub.Request> requests) {
        Map<String, Integer> delivered = new HashMap<>();
        for (ChannelStub.Request request : requests) {
            for (JsonNode item : items(request)) {
                delivered.put(item.get("sku").asText(), item.get("quantity").asInt());
            }
        }
        return delivered;
    }

    /** The SKU of every item in the requests' bodies. */
    private List<String> skus(List<ChannelStub.Request> requests) {
        List<String> skus = new ArrayList<>();
        requests.forEach(request -> items(request).forEach(item -> skus.add(item.get("sku").asText())));
        return skus;
    }

    private JsonNode items(ChannelStub.Request request) {
        try {
            return json.readTree(request.body()).get("items");
        } catch (Exception e) {
            throw new IllegalStateException(request.body(), e);
        }
    }

    /** The dead letters of the channel's stock queue by SKU, as ops list them. */
    private Map<String, JsonNode> deadLetters() throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/api/v1/ops/dead-letters/" + DLQ)).header("X-API-Key", API_KEY).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        Map<String, JsonNode> bySku = new HashMap<>();
        for (JsonNode message : json.readTree(response.body())) {
            bySku.put(json.readTree(message.get("body").asText()).findPath("sku").asText(), message);
        }
        return bySku;
    }

    /** Returns once the latch is released, or fails after 30 s (the test has failed by then). */
    private static void awaitReleased(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("not released in 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
