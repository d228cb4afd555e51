package io.kanaal.channel.zalando;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kanaal.support.ChannelStub;
import io.kanaal.support.StandaloneChannel;
import io.kanaal.support.TestProducts;
import io.kanaal.support.UnifiedQueue;
import io.kanaal.support.ZalandoFake;
import jakarta.jms.Message;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jms.core.JmsTemplate;

/**
 * Zalando (type {@code zalando}) against {@link ZalandoFake}, which checks every request against the project's own
 * schemas of Zalando's Stocks 1.1.0 and Orders 1.1.1 operations (written from the specs' facts), the token of the
 * client-credentials login and the media types, before it answers: the ERP's stock reaches each SKU's GTIN-13 in the
 * sales channel (the updates that wait together in one call), and an item Zalando rejects is dead-lettered with Zalando's reason while
 * the others go through; a partner-fulfilled order is taken in once with its lines; a shipment becomes one Zalando
 * shipment of the order's lines, marked shipped, also when it is sent twice; a cancellation cancels every open line.
 */
class ZalandoChannelTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MERCHANT = UUID.randomUUID().toString();
    private static final String SALES_CHANNEL = UUID.randomUUID().toString();
    private static final String SECRET = "s3cret-" + UUID.randomUUID();
    private static final ChannelStub STUB = new ChannelStub();
    private static final ZalandoFake ZALANDO = new ZalandoFake(STUB, MERCHANT, "kanaal-client", SECRET);
    private static StandaloneChannel kanaal;

    @BeforeAll
    static void start() {
        kanaal = StandaloneChannel.start("zalando", 142, STUB, "zalando-nl", "zalando",
                "settings.token-url=" + STUB.baseUrl() + "/auth/token", "settings.client-id=kanaal-client",
                "settings.client-secret=" + SECRET, "settings.merchant-id=" + MERCHANT,
                "settings.sales-channel-id=" + SALES_CHANNEL);
    }

    @AfterAll
    static void stop() {
        kanaal.close();
    }

    @AfterEach
    void everyRequestWasOneZalandoTakes() {
        assertThat(ZALANDO.violations()).as("requests that break Zalando's documented operations").isEmpty();
    }

    @Test
    void pricesAndStockGoToEachSkusGtinAndWhatZalandoRejectsIsRefusedWithItsReason() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 6).toUpperCase();
        String shirt = "ZS-" + run;
        String socks = "ZK-" + run;
        String cap = "ZC-" + run;
        String shirtEan = gtin13();
        String socksEan = gtin13();
        String capEan = gtin13();
        ZALANDO.unknownEan(capEan);
        kanaal.accepted("/api/v1/products", TestProducts.products(withGtin(shirt, shirtEan), withGtin(socks, socksEan),
                withGtin(cap, capEan)));
        // each product's price goes to its GTIN; Zalando's refusal of the cap's shows on the product for ops
        await().atMost(Duration.ofSeconds(20)).until(() -> ZALANDO.price(SALES_CHANNEL, shirtEan) != null
                && ZALANDO.price(SALES_CHANNEL, socksEan) != null);
        assertThat(ZALANDO.price(SALES_CHANNEL, shirtEan).path("regular_price").path("amount").decimalValue()).isEqualByComparingTo("19.99");
        assertThat(ZALANDO.price(SALES_CHANNEL, shirtEan).path("regular_price").path("currency").asText()).isEqualTo("EUR");
        await().atMost(Duration.ofSeconds(20)).until(() -> JSON.readTree(kanaal.get("/api/v1/ops/products/" + cap).body())
                .path("channels").findValuesAsText("status").contains("refused"));
        assertThat(kanaal.get("/api/v1/ops/products/" + cap).body()).contains("Article not found for merchant");

        kanaal.accepted("/api/v1/stock", "{\"items\":[{\"sku\":\"" + shirt + "\",\"quantity\":7,\"sequence\":1},"
                + "{\"sku\":\"" + socks + "\",\"quantity\":0,\"sequence\":1},{\"sku\":\"" + cap + "\",\"quantity\":3,\"sequence\":1}]}");

        await().atMost(Duration.ofSeconds(20)).until(() -> Integer.valueOf(7).equals(ZALANDO.stock(SALES_CHANNEL, shirtEan))
                && Integer.valueOf(0).equals(ZALANDO.stock(SALES_CHANNEL, socksEan)));
        JmsTemplate jms = kanaal.jms();
        await().atMost(Duration.ofSeconds(20)).until(() -> deadLetterReasons(jms).stream()
                .anyMatch(reason -> reason.contains(cap) && reason.contains("Article not found for merchant")));
        assertThat(ZALANDO.stock(SALES_CHANNEL, capEan)).as("rejected, not set").isNull();
    }

    @Test
    void anOrderIsTakenInOnceThenItsShipmentAndACancellationGoBackToZalando() throws Exception {
        String sku = "ZO-" + UUID.randomUUID().toString().substring(0, 6).toUpperCase();
        String number = "1010" + ThreadLocalRandom.current().nextLong(1_000_000_000L, 9_999_999_999L);
        String orderId = ZALANDO.order(number, sku, 2);

        JmsTemplate jms = kanaal.jms();
        JsonNode order = UnifiedQueue.receive(jms, "zalando-nl/" + number, 20_000);
        assertThat(order.path("status").asText()).isEqualTo("paid");
        assertThat(order.path("lines").get(0).path("sku").asText()).isEqualTo(sku);
        assertThat(order.path("lines").get(0).path("quantity").asInt()).isEqualTo(2);
        assertThat(order.path("totals").path("total").decimalValue()).isEqualByComparingTo("39.98");
        assertThat(UnifiedQueue.receiveOrNull(jms, "zalando-nl/" + number, 2_500)).as("taken in once, though polled again").isNull();

        String shipment = "{\"items\":[{\"orderRef\":\"zalando-nl/" + number + "\",\"carrier\":\"DHL\",\"trackingCode\":\"JVGL06" + number + "\"}]}";
        kanaal.accepted("/api/v1/shipments", shipment);
        await().atMost(Duration.ofSeconds(20)).until(() -> ZALANDO.lineStatuses(orderId).equals(List.of("shipped", "shipped")));
        kanaal.accepted("/api/v1/shipments", shipment);
        int before = ZALANDO.calls().size();
        await().atMost(Duration.ofSeconds(20)).until(() -> ZALANDO.calls().subList(before, ZALANDO.calls().size())
                .contains("GET /orders/{id}/shipments"));
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).until(() -> ZALANDO.orderById(orderId).path("shipments").size() == 1);
        JsonNode made = ZALANDO.orderById(orderId).path("shipments").get(0);
        assertThat(made.path("tracking_number").asText()).isEqualTo("JVGL06" + number);
        assertThat(made.path("status").asText()).isEqualTo("shipped");

        String other = "1010" + ThreadLocalRandom.current().nextLong(1_000_000_000L, 9_999_999_999L);
        String otherId = ZALANDO.order(other, sku, 1, sku + "-B", 2);
        UnifiedQueue.receive(jms, "zalando-nl/" + other, 20_000);
        kanaal.accepted("/api/v1/cancellations", "{\"items\":[{\"orderRef\":\"zalando-nl/" + other + "\",\"reason\":\"OUT_OF_STOCK\"}]}");
        await().atMost(Duration.ofSeconds(20)).until(() -> ZALANDO.lineStatuses(otherId).equals(List.of("canceled", "canceled", "canceled")));
        assertThat(ZALANDO.lineStatuses(orderId)).as("the shipped order is left as it is").containsOnly("shipped");
    }

    /** A product of TestProducts with its own GTIN. */
    private static ObjectNode withGtin(String sku, String gtin) {
        return TestProducts.product(sku, 1).put("gtin", gtin);
    }

    /** A random GTIN-13 with a valid check digit. */
    private static String gtin13() {
        StringBuilder digits = new StringBuilder("87");
        while (digits.length() < 12) {
            digits.append(ThreadLocalRandom.current().nextInt(10));
        }
        int sum = 0;
        for (int i = 0; i < 12; i++) {
            sum += (digits.charAt(i) - '0') * (i % 2 == 0 ? 1 : 3);
        }
        return digits.append((10 - sum % 10) % 10).toString();
    }

    private static List<String> deadLetterReasons(JmsTemplate jms) {
        List<String> reasons = jms.browse("DLQ.kanaal.channel.zalando-nl.stock", (session, browser) -> {
            List<String> found = new java.util.ArrayList<>();
            for (Object message : Collections.list(browser.getEnumeration())) {
                found.add(((Message) message).getStringProperty("kanaalDeadLetterReason"));
            }
            return found;
        });
        return reasons == null ? List.of() : reasons;
    }
}
