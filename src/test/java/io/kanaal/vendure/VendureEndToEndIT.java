package io.kanaal.vendure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kanaal.support.ChannelStub;
import io.kanaal.support.StandaloneKanaal;
import io.kanaal.support.Vendure;
import io.kanaal.support.Vendure.Fulfillment;
import io.kanaal.support.Vendure.PlacedOrder;
import io.kanaal.support.Vendure.VariantStock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.jms.Message;
import jakarta.jms.TextMessage;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jms.core.JmsTemplate;

/**
 * Kanaal with a real Vendure (profile {@code vendure}): Kanaal sets stock on Vendure's product variants
 * and takes its orders through its GraphQL Admin API, and marks them shipped with the tracking code.
 *
 * <p>One story, as the shop lives it: the shop admin creates a product; the ERP pushes its stock, which
 * becomes the variant's stock on hand in Vendure and the other channel's quantity; a customer orders through
 * the Shop API; the order reaches the unified queue once (also after Vendure changes it again when the
 * payment is settled), the other channel sells two less, and Vendure, which allocates stock to its own
 * order, does not count the order twice; the ERP's shipment makes the Vendure order Shipped with its
 * tracking code, once.
 */
class VendureEndToEndIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KEY = "vendure-e2e-" + UUID.randomUUID();
    private static final Duration WAIT = Duration.ofSeconds(60);

    private static Vendure vendure;
    private static ChannelStub other;
    private static ConfigurableApplicationContext kanaal;

    @BeforeAll
    static void start() {
        vendure = Vendure.start();
        other = new ChannelStub();
        List<String> settings = new ArrayList<>(StandaloneKanaal.vendureChannel("vendure", vendure.baseUrl(),
                Vendure.ADMIN_USERNAME, Vendure.ADMIN_PASSWORD, "poll-cron=0/1 * * * * ?"));
        settings.addAll(List.of(
                "--kanaal.delivery.initial-delay=200",
                "--kanaal.delivery.maximum-redeliveries=8",
                "--kanaal.channels.other.type=rest",
                "--kanaal.channels.other.base-url=" + other.baseUrl() + "/other",
                "--kanaal.channels.other.rate-limit=1000"));
        kanaal = StandaloneKanaal.start("vendure-e2e", 11, KEY, settings);
    }

    @AfterAll
    static void stop() {
        if (kanaal != null) {
            kanaal.close();
        }
        if (other != null) {
            other.close();
        }
        if (vendure != null) {
            vendure.stop();
        }
    }

    @Test
    void stockOrdersAndShipmentsGoBetweenKanaalAndARealVendure() throws Exception {
        String sku = "EAN-87" + System.currentTimeMillis();
        String variantId = vendure.createProductWithVariant(sku, 4995, 0);

        // the ERP's stock becomes Vendure's stock on hand, and the other channel's quantity
        post("/api/v1/stock", "{\"items\":[{\"sku\":\"" + sku + "\",\"quantity\":20,\"sequence\":1}]}");
        await().atMost(WAIT).until(() -> stock(sku).stockOnHand() == 20);
        await().atMost(WAIT).until(() -> otherChannelQuantity(sku) == 20);

        // a customer orders two through the Shop API
        PlacedOrder placed = vendure.placeGuestOrder(variantId, 2);
        String orderRef = "vendure/" + placed.code();
        JmsTemplate jms = kanaal.getBean(JmsTemplate.class);
        String selector = "kanaalOrderRef = '" + orderRef + "'";
        jms.setReceiveTimeout(WAIT.toMillis());
        Message message = jms.receiveSelected("kanaal.orders.unified", selector);
        assertThat(message).as("order %s on kanaal.orders.unified", orderRef).isNotNull();
        JsonNode order = JSON.readTree(((TextMessage) message).getText());
        assertThat(order.path("orderRef").asText()).isEqualTo(orderRef);
        assertThat(order.path("channel").asText()).isEqualTo("vendure");
        assertThat(order.path("channelOrderId").asText()).isEqualTo(placed.code());
        assertThat(order.path("channelData").path("vendureOrderId").asText()).isEqualTo(placed.id());
        JsonNode inVendure = vendure.adminApi("query($id: ID!) { order(id: $id) { currencyCode totalWithTax"
                + " lines { unitPriceWithTax } } }", Map.of("id", placed.id())).path("order");
        assertThat(order.path("currency").asText()).isEqualTo(inVendure.path("currencyCode").asText()).matches("[A-Z]{3}");
        assertThat(order.path("lines")).hasSize(1);
        JsonNode line = order.path("lines").path(0);
        assertThat(line.path("sku").asText()).isEqualTo(sku);
        assertThat(line.path("quantity").asInt()).isEqualTo(2);
        assertThat(line.path("lineId").asText()).isEqualTo(vendure.order(placed.id()).orElseThrow().lines().get(0).id());
        assertThat(line.path("unitPrice").decimalValue()).as("major units")
                .isEqualByComparingTo(cents(inVendure.path("lines").path(0).path("unitPriceWithTax")));
        assertThat(line.path("unitPrice").doubleValue()).isGreaterThanOrEqualTo(49.95);
        assertThat(order.path("totals").path("total").decimalValue())
                .isEqualByComparingTo(cents(inVendure.path("totalWithTax")));

        // the reserved units reach the other channel; Vendure keeps 20 on hand, 2 allocated to its order
        await().atMost(WAIT).until(() -> otherChannelQuantity(sku) == 18);
        assertThat(stock(sku)).returns(20, VariantStock::stockOnHand).returns(2, VariantStock::stockAllocated);
        assertThat(stock(sku).stockOnHand() - stock(sku).stockAllocated()).as("saleable in Vendure").isEqualTo(18);

        // the payment is settled (the order changes, so it is polled again): still one order on the queue
        double polls = exchanges("vendure-order-poller");
        vendure.settlePayment(placed.id());
        await().atMost(WAIT).until(() -> exchanges("vendure-order-poller") >= polls + 4);
        jms.setReceiveTimeout(1000);
        assertThat(jms.receiveSelected("kanaal.orders.unified", selector)).as("a second %s", orderRef).isNull();
        assertThat(exchanges("vendure-order-intake")).as("the order came in again and was not taken twice")
                .isGreaterThanOrEqualTo(2);
        assertThat(stock(sku).stockOnHand() - stock(sku).stockAllocated()).isEqualTo(18);
        assertThat(otherChannelQuantity(sku)).isEqualTo(18);

        // the ERP ships: Vendure's order becomes Shipped with the tracking code
        post("/api/v1/shipments", "{\"items\":[{\"orderRef\":\"" + orderRef
                + "\",\"carrier\":\"PostNL\",\"trackingCode\":\"3SKAN0001234\"}]}");
        await().atMost(WAIT).until(() -> "Shipped".equals(vendure.order(placed.id()).orElseThrow().state()));
        List<Fulfillment> fulfillments = vendure.order(placed.id()).orElseThrow().fulfillments();
        assertThat(fulfillments).hasSize(1);
        assertThat(fulfillments.get(0)).returns("Shipped", Fulfillment::state).returns("PostNL", Fulfillment::method)
                .returns("3SKAN0001234", Fulfillment::trackingCode);

        // shipped, Vendure's order no longer allocates stock: Kanaal's quantity for Vendure is the ERP's less the order
        await().atMost(WAIT).until(() -> stock(sku).stockOnHand() == 18 && stock(sku).stockAllocated() == 0);
        assertThat(otherChannelQuantity(sku)).isEqualTo(18);
    }

    @Test
    void aCancellationFromTheErpCancelsTheVendureOrderAndItsUnitsAreForSaleAgain() throws Exception {
        String sku = "EAN-88" + System.currentTimeMillis();
        String variantId = vendure.createProductWithVariant(sku, 1250, 0);
        post("/api/v1/stock", "{\"items\":[{\"sku\":\"" + sku + "\",\"quantity\":10,\"sequence\":1}]}");
        await().atMost(WAIT).until(() -> stock(sku).stockOnHand() == 10 && otherChannelQuantity(sku) == 10);

        PlacedOrder placed = vendure.placeGuestOrder(variantId, 3);
        String orderRef = "vendure/" + placed.code();
        JmsTemplate jms = kanaal.getBean(JmsTemplate.class);
        jms.setReceiveTimeout(WAIT.toMillis());
        assertThat(jms.receiveSelected("kanaal.orders.unified", "kanaalOrderRef = '" + orderRef + "'")).isNotNull();
        await().atMost(WAIT).until(() -> otherChannelQuantity(sku) == 7);

        post("/api/v1/cancellations", "{\"items\":[{\"orderRef\":\"" + orderRef + "\",\"reason\":\"OUT_OF_STOCK\"}]}");
        await().atMost(WAIT).until(() -> "Cancelled".equals(vendure.order(placed.id()).orElseThrow().state()));
        await().atMost(WAIT).until(() -> otherChannelQuantity(sku) == 10);
        assertThat(stock(sku)).returns(10, VariantStock::stockOnHand).returns(0, VariantStock::stockAllocated);

        // Kanaal's poll sees the order Cancelled at Vendure: the channel's confirmation reaches the ERP, once
        Message confirmation = jms.receiveSelected("kanaal.orders.unified", "kanaalOrderRef = '" + orderRef + "'");
        assertThat(confirmation).as("the cancelled %s on kanaal.orders.unified", orderRef).isNotNull();
        assertThat(((TextMessage) confirmation).getText()).contains("\"status\":\"cancelled\"");
        jms.setReceiveTimeout(3_000);
        assertThat(jms.receiveSelected("kanaal.orders.unified", "kanaalOrderRef = '" + orderRef + "'"))
                .as("a second cancelled %s", orderRef).isNull();
    }

    @Test
    void stockForASkuVendureDoesNotHaveIsDeadLetteredWithTheReasonAndReachesTheOthers() throws Exception {
        String sku = "NOT-IN-VENDURE-" + System.currentTimeMillis();
        post("/api/v1/stock", "{\"items\":[{\"sku\":\"" + sku + "\",\"quantity\":5,\"sequence\":1}]}");

        JmsTemplate jms = kanaal.getBean(JmsTemplate.class);
        jms.setReceiveTimeout(WAIT.toMillis());
        Message dead = jms.receiveSelected("DLQ.kanaal.channel.vendure.stock",
                "kanaalDeadLetterReason LIKE '%no product variant with SKU ''" + sku + "''%'");
        assertThat(dead).as("dead letter for %s", sku).isNotNull();
        await().atMost(WAIT).until(() -> otherChannelQuantity(sku) == 5);
        assertThat(vendure.variant(sku)).isEmpty();
    }

    private static BigDecimal cents(JsonNode minorUnits) {
        return BigDecimal.valueOf(minorUnits.asLong(), 2);
    }

    private static VariantStock stock(String sku) {
        return vendure.variant(sku).orElseThrow();
    }

    /** The quantity in the other channel's last stock request for the SKU; -1 before the first. */
    private static int otherChannelQuantity(String sku) throws Exception {
        List<ChannelStub.Request> requests = other.succeeded("/other/stock/" + sku);
        if (requests.isEmpty()) {
            return -1;
        }
        return JSON.readTree(requests.get(requests.size() - 1).body()).path("quantity").asInt();
    }

    /** Exchanges a route has completed (Camel's route metrics). */
    private static double exchanges(String routeId) {
        return kanaal.getBean(MeterRegistry.class).find("camel.exchanges.succeeded").tag("routeId", routeId)
                .counters().stream().mapToDouble(Counter::count).sum();
    }

    private static void post(String path, String body) throws Exception {
        HttpResponse<String> response = StandaloneKanaal.post(kanaal, KEY, path, body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    }
}
