package io.kanaal.order;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kanaal.KanaalApplication;
import io.kanaal.stock.ChannelStockUpdate;
import io.kanaal.support.ChannelStub;
import io.kanaal.support.KanaalIntegrationTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.apache.camel.test.spring.junit5.UseAdviceWith;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jms.core.JmsTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * An order taken in while the fan-out of an ERP level of the same SKU is between its database commit and
 * its broker commit: the channel ends at the quantity with the order subtracted, not at the level's older
 * computation. Kanaal as shipped, with the stock-fanout route advised (by route id) to wait at its end,
 * before its broker transaction commits, for the SKU this test holds; one REST channel on a stub.
 */
@CamelSpringBootTest
@UseAdviceWith
@SpringBootTest(classes = KanaalApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class OrderStockOrderTest {

    private static final String API_KEY = "test-" + UUID.randomUUID();
    private static final String WEBHOOK_SECRET = "shop-" + UUID.randomUUID();
    private static final ChannelStub SHOP = new ChannelStub();
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The SKU whose ERP level the fan-out holds before its broker commit; null: none. */
    private static final AtomicReference<String> held = new AtomicReference<>();
    private static final AtomicReference<CountDownLatch> arrived = new AtomicReference<>();
    private static final CountDownLatch release = new CountDownLatch(1);

    @DynamicPropertySource
    static void kanaal(DynamicPropertyRegistry registry) {
        KanaalIntegrationTest.embedded(registry, "stock-order", API_KEY);
        // a broker id of its own (see StandaloneKanaal): this context is not the shared one of the integration tests
        registry.add("spring.artemis.embedded.server-id", () -> "114");
        registry.add("kanaal.channels.shop.type", () -> "rest");
        registry.add("kanaal.channels.shop.base-url", () -> SHOP.baseUrl() + "/shop");
        registry.add("kanaal.channels.shop.rate-limit", () -> "1000");
        registry.add("kanaal.channels.shop.settings.webhook-secret", () -> WEBHOOK_SECRET);
        // the reconciliation, which would mend a stale quantity after a while, does not run
        registry.add("kanaal.stock.reconcile-every", () -> "3600000");
        // a channel message younger than this is sent as queued, without reading the channel's state first: the
        // test holds the fan-out for about a second, where in production the same race fits in milliseconds
        registry.add("kanaal.stock.recheck-after", () -> "30s");
    }

    @AfterAll
    static void stop() {
        release.countDown();
        SHOP.close();
    }

    @Autowired
    CamelContext camel;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    JmsTemplate jms;

    @LocalServerPort
    int port;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void anOrderTakenInWhileAnErpLevelOfItsSkuIsBeingFannedOutIsSubtractedOnTheChannel() throws Exception {
        AdviceWith.adviceWith(camel, "stock-fanout", route -> route.weaveAddLast().process(exchange -> {
            // after the database commit and the send to the channels' queues, before the broker commit
            String sku = held.get();
            boolean level = exchange.getMessage().getHeader("kanaalStockRequest") == null;
            List<?> updates = exchange.getMessage().getBody(List.class);
            if (sku != null && level && updates != null
                    && updates.stream().anyMatch(u -> u instanceof ChannelStockUpdate update && update.sku().equals(sku))) {
                arrived.get().countDown();
                assertThat(release.await(60, TimeUnit.SECONDS)).as("released by the test").isTrue();
            }
        }));
        camel.start();

        String sku = "HELD-" + UUID.randomUUID().toString().substring(0, 8);
        assertThat(pushStock(sku, 10, 1).statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(15)).until(() -> shows(sku) == 10);

        // the ERP's next level: fanned out, recorded in the database, and held before its broker commit
        held.set(sku);
        arrived.set(new CountDownLatch(1));
        assertThat(pushStock(sku, 12, 2).statusCode()).isEqualTo(202);
        assertThat(arrived.get().await(15, TimeUnit.SECONDS)).as("the fan-out of the level reached its end").isTrue();

        // meanwhile an order of 3 units is taken in: reserved in the database, on the unified queue
        String id = "H-" + UUID.randomUUID();
        String order = OrderIntakeTest.shopOrder(id, sku, 3, "2026-12-02T09:00:00Z");
        HttpResponse<String> webhook = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/webhooks/shop/orders"))
                .header("Content-Type", "application/json").header("X-Kanaal-Signature", OrderIntakeTest.sign(WEBHOOK_SECRET, order))
                .POST(HttpRequest.BodyPublishers.ofString(order)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(webhook.statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(15)).until(() -> jdbc.queryForObject(
                "SELECT count(*) FROM reservation WHERE sku = ? AND channel_order_id = ?", Integer.class, sku, id) == 1);
        // the intake's broker transaction has committed, and with it everything the order queued
        await().atMost(Duration.ofSeconds(15)).until(() -> jms.browseSelected("kanaal.orders.unified",
                "kanaalOrderRef = 'shop/" + id + "'", (session, browser) -> browser.getEnumeration().hasMoreElements()));

        // the level's broker transaction commits now, after the order's
        release.countDown();

        // 12 less the 3 reserved: what the channel shows once nothing is left to deliver, and Kanaal agrees
        await().atMost(Duration.ofSeconds(15)).until(() -> jdbc.queryForObject("""
                SELECT count(*) FROM channel_stock WHERE sku = ? AND desired_quantity = 9 AND delivered_version >= desired_version
                """, Integer.class, sku) == 1);
        // and it stays there: nothing older arrives after it, held past the longest retry delay
        await().during(KanaalIntegrationTest.HOLD).atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(shows(sku)).as("the shop's last quantity of " + sku).isEqualTo(9));
        assertThat(jdbc.queryForObject("SELECT delivered_quantity FROM channel_stock WHERE sku = ?", Integer.class, sku))
                .isEqualTo(9);
    }

    private HttpResponse<String> pushStock(String sku, int quantity, long sequence) throws Exception {
        String body = "{\"items\":[{\"sku\":\"" + sku + "\",\"quantity\":" + quantity + ",\"sequence\":" + sequence + "}]}";
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/stock"))
                .header("X-API-Key", API_KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The quantity of the shop's last successful stock call for the SKU; -1 before the first. */
    private static int shows(String sku) throws Exception {
        List<ChannelStub.Request> requests = SHOP.succeeded("/shop/stock/" + sku);
        return requests.isEmpty() ? -1 : JSON.readTree(requests.get(requests.size() - 1).body()).path("quantity").asInt();
    }
}
