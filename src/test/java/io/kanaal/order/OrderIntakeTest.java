package io.kanaal.order;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kanaal.support.ChannelStub;
import io.kanaal.support.ChannelStub.Reply;
import io.kanaal.stock.ChannelStock;
import io.kanaal.stock.ChannelStockUpdate;
import io.kanaal.support.KanaalIntegrationTest;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.TextMessage;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.camel.Exchange;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.jms.core.JmsTemplate;

/**
 * Orders from the channels reach kanaal.orders.unified once, in the canonical shape, and their units are
 * reserved on every channel at once. Runs the shipped routes on the embedded broker and database.
 */
class OrderIntakeTest extends OrderTests {

    @Autowired
    MeterRegistry meters;

    @Autowired
    Orders orders;

    @Autowired
    ChannelStock channelStock;

    @Autowired
    @Qualifier("unifiedOrders")
    IdempotentRepository unifiedOrders;

    @Test
    void anOrderTakenInBeforeCountsAsNewAgainOnlyForTheIntakeMessageThatTookItIn() {
        // the intake message that took an order in comes back only when what it did on the broker was rolled
        // back or lost in a crash: its order is not on the unified queue, whether or not it is marked redelivered
        String key = "shop/R-" + UUID.randomUUID();

        assertThat(unifiedOrders.add(intakeMessage("ID:first"), key)).as("a new order").isTrue();
        assertThat(unifiedOrders.add(intakeMessage("ID:first"), key)).as("the same intake message back").isTrue();
        assertThat(unifiedOrders.add(intakeMessage("ID:second"), key)).as("the order again, in another message").isFalse();
        assertThat(unifiedOrders.add(key)).as("the order again, without a message").isFalse();
        assertThat(unifiedOrders.add(intakeMessage("ID:first"), key)).as("still the first message's").isTrue();
    }

    private Exchange intakeMessage(String messageId) {
        Exchange exchange = new DefaultExchange(camelContext);
        exchange.getIn().setHeader("JMSMessageID", messageId);
        return exchange;
    }

    @Test
    void anOrderPolledAgainAndAgainReachesTheUnifiedQueueOnceAndIsAcknowledged() throws Exception {
        String sku = newSku();
        pushStock(batch(level(sku, 10, 1)));
        await().atMost(Duration.ofSeconds(10)).until(() -> lastQuantity("/shop/stock/" + sku) == 8);
        String id = "P-" + UUID.randomUUID();
        SHOP.always("/shop/orders", Reply.of(200, "[" + shopOrder(id, sku, 3, "2026-11-23T10:00:00Z") + "]"));

        JsonNode order = receiveOrder("shop/" + id);

        assertThat(order.path("channel").asText()).isEqualTo("shop");
        assertThat(order.path("channelOrderId").asText()).isEqualTo(id);
        assertThat(order.path("currency").asText()).isEqualTo("EUR");
        assertThat(order.path("lines").get(0).path("sku").asText()).isEqualTo(sku);
        assertThat(order.path("lines").get(0).path("quantity").asInt()).isEqualTo(3);
        assertThat(order.path("totals").path("total").decimalValue()).isEqualByComparingTo("60.00");
        // the order's 3 units are reserved on every channel: 10 - 3, less each channel's buffer
        await().atMost(Duration.ofSeconds(10)).until(() -> lastQuantity("/shop/stock/" + sku) == 5
                && lastQuantity("/market/stock/" + sku) == 7
                && bolQuantity(sku) == 6);
        await().atMost(Duration.ofSeconds(10)).until(() -> !SHOP.succeeded("/shop/orders/" + id + "/ack").isEmpty());

        // the shop keeps listing the order: several more polls, no second copy on the queue, one reservation;
        // held past the longest retry delay
        int polls = SHOP.requests("/shop/orders").size();
        await().atMost(Duration.ofSeconds(10)).until(() -> SHOP.requests("/shop/orders").size() >= polls + 3);
        awaitExactly(() -> {
            assertThat(unifiedCopies("shop/" + id)).as("copies on kanaal.orders.unified after the one taken").isZero();
            assertThat(jdbc.queryForObject("SELECT sum(quantity) FROM reservation WHERE sku = ?", Integer.class, sku))
                    .as("units reserved").isEqualTo(3);
        });
        // every poll asks from the watermark, with the channel's own query parameters (oldest change first)
        assertThat(SHOP.requests("/shop/orders?")).isNotEmpty().allSatisfy(poll -> {
            assertThat(poll.pathWithoutQuery()).isEqualTo("/shop/orders");
            assertThat(poll.query()).as(poll.path()).containsOnlyKeys("updated_since", "sort", "limit")
                    .containsEntry("sort", "updatedAt").containsEntry("limit", "100");
            assertThat(poll.query().get("updated_since")).matches("[0-9T:.-]+Z");
        });
        SHOP.reset();
    }

    @Test
    void aWebhookWithABadSignatureGets401AndNothingIsQueued() throws Exception {
        String sku = newSku();
        String id = "W-" + UUID.randomUUID();
        String body = shopOrder(id, sku, 1, "2026-11-23T11:00:00Z");

        assertThat(webhook("shop", body, "sha256=" + "0".repeat(64)).statusCode()).isEqualTo(401);
        assertThat(webhook("shop", body, null).statusCode()).isEqualTo(401);
        assertThat(webhook("shop", body, sign(MARKET_WEBHOOK_SECRET, body)).statusCode()).isEqualTo(401);
        assertThat(webhook("nowhere", body, sign(SHOP_WEBHOOK_SECRET, body)).statusCode()).isEqualTo(404);

        awaitExactly(() -> {
            assertThat(unifiedCopies("shop/" + id)).as("copies on kanaal.orders.unified").isZero();
            assertThat(jdbc.queryForObject("SELECT count(*) FROM channel_order WHERE channel_order_id = ?", Integer.class, id))
                    .as("orders taken in").isZero();
        });
    }

    @Test
    void theSameWebhookSentThreeTimesGivesOneOrder() throws Exception {
        double repeatedBefore = meters.counter("kanaal.orders.repeated", "channel", "shop").count();
        String sku = newSku();
        String id = "W-" + UUID.randomUUID();
        String body = shopOrder(id, sku, 2, "2026-11-23T12:00:00Z");

        for (int i = 0; i < 3; i++) {
            HttpResponse<String> response = webhook("shop", body, sign(SHOP_WEBHOOK_SECRET, body));
            assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        }

        assertThat(receiveOrder("shop/" + id).path("lines").get(0).path("quantity").asInt()).isEqualTo(2);
        // the two repeats were taken in, counted, and not queued; held past the longest retry delay
        await().atMost(Duration.ofSeconds(10)).until(
                () -> meters.counter("kanaal.orders.repeated", "channel", "shop").count() - repeatedBefore == 2.0);
        awaitExactly(() -> {
            assertThat(unifiedCopies("shop/" + id)).as("copies on kanaal.orders.unified after the one taken").isZero();
            assertThat(jdbc.queryForObject("SELECT count(*) FROM reservation WHERE channel_order_id = ?", Integer.class, id))
                    .as("reservations").isEqualTo(1);
        });
    }

    @Test
    void aMalformedOrderIsDeadLetteredWithTheReasonAndTheOthersOfThePollGoThrough() throws Exception {
        String sku = newSku();
        String good = "G-" + UUID.randomUUID();
        String bad = "B-" + UUID.randomUUID();
        String malformed = "{\"id\":\"" + bad + "\",\"createdAt\":\"2026-11-23T13:00:00Z\",\"total\":5,\"items\":[]}";
        SHOP.always("/shop/orders", Reply.of(200,
                "[" + malformed + "," + shopOrder(good, sku, 1, "2026-11-23T13:00:01Z") + "]"));

        assertThat(receiveOrder("shop/" + good).path("channelOrderId").asText()).isEqualTo(good);

        // ops see it: in the dead-letter listing and in the queue gauge that Prometheus scrapes
        await("ops list DLQ.kanaal.channel.shop.orders with the message").atMost(Duration.ofSeconds(10)).until(() -> {
            JsonNode listing = JSON.readTree(send(HttpRequest.newBuilder(uri("/api/v1/ops/dead-letters"))
                    .header("X-API-Key", API_KEY).GET()).body());
            for (JsonNode queue : listing) {
                if (queue.path("queue").asText().equals("DLQ.kanaal.channel.shop.orders")) {
                    return queue.path("messages").asLong() >= 1
                            && queue.path("originalQueue").asText().equals("kanaal.channel.shop.orders");
                }
            }
            return false;
        });
        await("gauge kanaal.queue.messages of DLQ.kanaal.channel.shop.orders").atMost(Duration.ofSeconds(10)).until(() -> {
            var gauge = meters.find("kanaal.queue.messages").tag("queue", "DLQ.kanaal.channel.shop.orders").gauge();
            return gauge != null && gauge.value() >= 1;
        });
        assertThat(JSON.readTree(send(HttpRequest.newBuilder(uri("/api/v1/ops/queues")).header("X-API-Key", API_KEY)
                .GET()).body()).has("kanaal.orders.unified")).as("GET /api/v1/ops/queues lists the unified queue").isTrue();

        jms.setReceiveTimeout(10_000);
        Message dead = jms.receiveSelected("DLQ.kanaal.channel.shop.orders", "kanaalDeadLetterReason LIKE '%" + bad + "%'");
        assertThat(dead).as("dead letter of order " + bad).isNotNull();
        assertThat(dead.getStringProperty("kanaalDeadLetterReason")).contains("canonical order schema").contains("lines");
        assertThat(((TextMessage) dead).getText()).isEqualTo(malformed);
        awaitExactly(() -> assertThat(unifiedCopies("shop/" + bad)).as("copies of the malformed order on kanaal.orders.unified")
                .isZero());
        SHOP.reset();
    }

    @Test
    void theIntakeMessageBackAfterItsSendsWereRolledBackGivesTheChannelsTheOrdersNewQuantities() throws Exception {
        String sku = newSku();
        pushStock(batch(level(sku, 10, 1)));
        await().atMost(Duration.ofSeconds(10)).until(() -> lastQuantity("/shop/stock/" + sku) == 8
                && lastQuantity("/market/stock/" + sku) == 10 && bolQuantity(sku) == 9);
        String id = "T-" + UUID.randomUUID();
        String canonical = """
                {"orderRef":"shop/%s","channel":"shop","channelOrderId":"%s","status":"open",
                 "orderedAt":"2026-11-23T10:00:00Z","lines":[{"sku":"%s","quantity":3}]}
                """.formatted(id, id, sku);

        // the first attempt: its database transaction commits, and what it queued on the broker is rolled back
        assertThat(orders.take(canonical)).as("SKUs to compute again").containsExactly(sku);
        assertThat(channelStock.recompute(List.of(sku))).as("the channels' new quantities, not sent")
                .extracting(ChannelStockUpdate::channel, ChannelStockUpdate::quantity)
                .containsExactlyInAnyOrder(tuple("shop", 5), tuple("market", 7), tuple("bol-test", 6),
                        tuple("bol-range", 7));

        // the same intake message back: the units are reserved already, the channels still show the old quantities
        assertThat(orders.take(canonical)).as("SKUs to compute again").containsExactly(sku);
        assertThat(jdbc.queryForObject("SELECT sum(quantity) FROM reservation WHERE sku = ?", Integer.class, sku))
                .as("reserved once").isEqualTo(3);

        camelContext.createProducerTemplate().sendBody("direct:stock-recompute", List.of(sku));
        await().atMost(Duration.ofSeconds(10)).until(() -> lastQuantity("/shop/stock/" + sku) == 5
                && lastQuantity("/market/stock/" + sku) == 7 && bolQuantity(sku) == 6);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(channelStock.recompute(List.of(sku)))
                .as("once the channels show them, nothing is left to send").isEmpty());
    }

    @Test
    void twoOrdersOnTwoChannelsAtOnceLeaveEveryChannelAtTheStockLessBoth() throws Exception {
        List<String> skus = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            String sku = newSku();
            skus.add(sku);
            // 5 units; two orders of 2 leave 1: a computation that missed either order would give 3
            pushStock(batch(level(sku, 5, 1)));
        }
        for (String sku : skus) {
            await().atMost(Duration.ofSeconds(10)).until(() -> lastQuantity("/market/stock/" + sku) == 5);
        }

        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (String sku : skus) {
                String shopBody = shopOrder("R-" + UUID.randomUUID(), sku, 2, "2026-11-23T14:00:00Z");
                String marketBody = shopOrder("M-" + UUID.randomUUID(), sku, 2, "2026-11-23T14:00:00Z");
                CyclicBarrier start = new CyclicBarrier(2);
                Callable<Integer> shop = () -> {
                    start.await();
                    return webhook("shop", shopBody, sign(SHOP_WEBHOOK_SECRET, shopBody)).statusCode();
                };
                Callable<Integer> market = () -> {
                    start.await();
                    return webhook("market", marketBody, sign(MARKET_WEBHOOK_SECRET, marketBody)).statusCode();
                };
                Future<Integer> a = pool.submit(shop);
                Future<Integer> b = pool.submit(market);
                assertThat(a.get()).isEqualTo(202);
                assertThat(b.get()).isEqualTo(202);
            }
        } finally {
            pool.shutdown();
        }

        for (String sku : skus) {
            await().atMost(Duration.ofSeconds(15)).until(() -> jdbc.queryForObject(
                    "SELECT count(*) FROM reservation WHERE sku = ? AND released_at IS NULL", Integer.class, sku) == 2);
            // market (no buffer) shows the last unit; shop and Bol keep theirs back and show 0
            await().atMost(Duration.ofSeconds(15)).until(() -> lastQuantity("/market/stock/" + sku) == 1
                    && bolQuantity(sku) == 0);
            // each channel's desired quantity counts both orders, and it was told so: no update was lost
            await().atMost(Duration.ofSeconds(15)).until(() -> jdbc.queryForObject("""
                    SELECT count(*) FROM channel_stock WHERE sku = ? AND delivered_version >= desired_version
                       AND (channel = 'market' AND desired_quantity = 1 OR channel IN ('shop', 'bol-test') AND desired_quantity = 0)
                    """, Integer.class, sku) == 3);
        }
    }

    @Test
    void aStockLevelThatIncludesAnOrderEndsItsReservationSoItIsNotSubtractedTwice() throws Exception {
        String sku = newSku();
        pushStock(batch(level(sku, 10, 1)));
        String id = "I-" + UUID.randomUUID();
        String body = shopOrder(id, sku, 4, "2026-11-23T15:00:00Z");
        assertThat(webhook("shop", body, sign(SHOP_WEBHOOK_SECRET, body)).statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(10)).until(() -> lastQuantity("/market/stock/" + sku) == 6);

        JsonNode ledger = JSON.readTree(send(HttpRequest.newBuilder(uri("/api/v1/ops/reservations/" + sku))
                .header("X-API-Key", API_KEY)).body());
        assertThat(ledger.path("erpStock").asInt()).isEqualTo(10);
        assertThat(ledger.path("availableToSell").asInt()).isEqualTo(6);
        assertThat(ledger.path("reservations").get(0).path("channelOrderId").asText()).isEqualTo(id);

        // the ERP has booked the order: its stock is 6 now, and it says so
        String booked = "{\"sku\":\"" + sku + "\",\"quantity\":6,\"sequence\":2,\"includedOrders\":[\"shop/" + id + "\"]}";
        pushStock(batch(booked));
        // 6, not 6 - 4: the reservation ended in the same transaction as the new ERP level
        await().atMost(Duration.ofSeconds(10)).until(() -> jdbc.queryForObject(
                "SELECT released_by FROM reservation WHERE channel_order_id = ?", String.class, id) != null);
        assertThat(jdbc.queryForObject("SELECT desired_quantity FROM channel_stock WHERE channel = 'market' AND sku = ?",
                Integer.class, sku)).isEqualTo(6);

        // the same order taken in again (a late webhook) does not reserve again
        assertThat(webhook("shop", body, sign(SHOP_WEBHOOK_SECRET, body)).statusCode()).isEqualTo(202);
        pushStock(batch("{\"sku\":\"" + sku + "\",\"quantity\":6,\"sequence\":3}"));
        await().atMost(Duration.ofSeconds(10)).until(() -> jdbc.queryForObject(
                "SELECT version FROM erp_stock WHERE sku = ?", Long.class, sku) == 3);
        assertThat(jdbc.queryForObject("SELECT desired_quantity FROM channel_stock WHERE channel = 'market' AND sku = ?",
                Integer.class, sku)).isEqualTo(6);
    }

    @Test
    void anOrderItsChannelCancelsLaterGoesOnceMoreAsCancelledAndGivesItsUnitsBack() throws Exception {
        String sku = newSku();
        String id = "C-" + UUID.randomUUID();
        String open = marketOrderTakenIn(id, sku, 4);
        await().atMost(Duration.ofSeconds(10)).until(() -> lastQuantity("/shop/stock/" + sku) == 4);

        // the customer cancels at the channel; the channel sends the order again, cancelled
        String cancelled = marketSendsCancelled(id, sku, 4);

        jms.setReceiveTimeout(15_000);
        Message again = jms.receiveSelected("kanaal.orders.unified", "kanaalOrderRef = 'market/" + id + "'");
        assertThat(again).as("the cancellation on kanaal.orders.unified").isNotNull();
        assertThat(JSON.readTree(((TextMessage) again).getText()).path("status").asText()).isEqualTo("cancelled");
        assertThat(again.getStringProperty("kanaalMessageKey")).isEqualTo("market/" + id + "#cancelled");
        await("the units are back on the other channels").atMost(Duration.ofSeconds(10))
                .until(() -> lastQuantity("/shop/stock/" + sku) == 8);
        assertThat(jdbc.queryForObject("SELECT released_by FROM reservation WHERE channel_order_id = ?", String.class, id))
                .isEqualTo("channel-cancelled");
        assertThat(jdbc.queryForObject("SELECT status FROM channel_order WHERE channel = 'market' AND channel_order_id = ?",
                String.class, id)).isEqualTo("cancelled");

        // sent once more, cancelled and as it was first: nothing new for the ERP
        double repeatedBefore = meters.counter("kanaal.orders.repeated", "channel", "market").count();
        assertThat(webhook("market", cancelled, sign(MARKET_WEBHOOK_SECRET, cancelled)).statusCode()).isEqualTo(202);
        assertThat(webhook("market", open, sign(MARKET_WEBHOOK_SECRET, open)).statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(10)).until(
                () -> meters.counter("kanaal.orders.repeated", "channel", "market").count() - repeatedBefore == 2.0);
        awaitExactly(() -> {
            assertThat(unifiedCopies("market/" + id)).as("copies on kanaal.orders.unified after the two taken").isZero();
            assertThat(lastQuantity("/shop/stock/" + sku)).as("the shop's quantity").isEqualTo(8);
        });
    }

    @Test
    void aChannelThatConfirmsAnErpCancellationIsHeardOnceMore() throws Exception {
        String sku = newSku();
        String id = "E-" + UUID.randomUUID();
        marketOrderTakenIn(id, sku, 3);

        assertThat(post("/api/v1/cancellations", "{\"items\":[{\"orderRef\":\"market/" + id + "\"}]}").statusCode())
                .isEqualTo(202);
        await().atMost(Duration.ofSeconds(10)).until(() -> "cancellation".equals(jdbc.queryForObject(
                "SELECT released_by FROM reservation WHERE channel_order_id = ?", String.class, id)));
        marketSendsCancelled(id, sku, 3);

        JsonNode confirmation = receiveOrder("market/" + id);
        assertThat(confirmation.path("status").asText()).isEqualTo("cancelled");
        assertThat(jdbc.queryForObject("SELECT released_by FROM reservation WHERE channel_order_id = ?", String.class, id))
                .as("released once, by the ERP's cancellation").isEqualTo("cancellation");
    }

    /** ERP stock 10 for the SKU, then a paid order of the market channel by webhook, taken in: its body. */
    private String marketOrderTakenIn(String id, String sku, int quantity) throws Exception {
        pushStock(batch(level(sku, 10, 1)));
        String open = shopOrder(id, sku, quantity, "2026-11-23T16:00:00Z");
        assertThat(webhook("market", open, sign(MARKET_WEBHOOK_SECRET, open)).statusCode()).isEqualTo(202);
        assertThat(receiveOrder("market/" + id).path("status").asText()).isEqualTo("paid");
        return open;
    }

    /** The market channel sends the order again, cancelled: the body. */
    private String marketSendsCancelled(String id, String sku, int quantity) throws Exception {
        String cancelled = shopOrder(id, sku, quantity, "2026-11-23T16:05:00Z")
                .replace("\"status\":\"paid\"", "\"status\":\"cancelled\"");
        assertThat(webhook("market", cancelled, sign(MARKET_WEBHOOK_SECRET, cancelled)).statusCode()).isEqualTo(202);
        return cancelled;
    }

    int bolQuantity(String sku) {
        List<ChannelStub.Request> requests = BOL.succeeded("/retailer/offers/" + offerId(sku));
        if (requests.isEmpty()) {
            return -1;
        }
        try {
            return JSON.readTree(requests.get(requests.size() - 1).body()).path("stock").path("amount").asInt();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
