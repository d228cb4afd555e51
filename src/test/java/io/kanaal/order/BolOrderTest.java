package io.kanaal.order;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kanaal.support.BolFake;
import io.kanaal.support.BolFake.Item;
import io.kanaal.support.ChannelStub;
import io.kanaal.support.ChannelStub.Reply;
import io.kanaal.support.KanaalIntegrationTest;
import io.kanaal.support.UnifiedQueue;
import jakarta.jms.Message;
import jakarta.jms.TextMessage;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jms.core.JmsTemplate;

/**
 * Bol.com orders end to end, against a fake of Bol's Retailer API v10 whose every request is checked against
 * Bol's specs: open orders are polled and taken in once, shipments and cancellations reach Bol, and Bol's
 * asynchronous process status is followed to its end.
 */
class BolOrderTest extends KanaalIntegrationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String LIST = "/retailer/orders?";

    @Autowired
    JmsTemplate jms;

    @Test
    void anOpenBolOrderReachesTheUnifiedQueueOnceAndItsUnitsAreReservedOnTheOtherChannels() throws Exception {
        String sku = newSku();
        pushStock(batch(level(sku, 10, 1)));
        await().atMost(Duration.ofSeconds(10)).until(() -> lastQuantity("/shop/stock/" + sku) == 8);
        String id = orderId();
        String item = orderId();
        BOL_API.open(BolFake.order(id, new Item(item, sku, "8718846038683", 3)), Instant.now());

        JsonNode order = unified("bol-test/" + id);

        assertThat(order).isEqualTo(JSON.readTree("""
                {"orderRef":"bol-test/%s","channel":"bol-test","channelOrderId":"%s",
                 "orderedAt":"2026-11-23T10:15:00+01:00","status":"open","currency":"EUR",
                 "customer":{"name":"Hans de Grote","email":"27zoytzc3crf2r6bctxfa3m2mrjbci@verkopen.test2.bol.com"},
                 "shippingAddress":{"name":"Hans de Grote","street":"Skywalkerstraat","houseNumber":"21 X",
                   "postalCode":"1234AB","city":"PLATOONDORP","countryCode":"NL"},
                 "lines":[{"lineId":"%s","sku":"%s","title":"Article %s","quantity":3,"unitPrice":19.99}],
                 "totals":{"total":59.97}}
                """.formatted(id, id, item, sku, sku)));
        // the 3 units are reserved on every channel: the shop shows 10 - 3 - its buffer 2
        await().atMost(Duration.ofSeconds(10)).until(() -> lastQuantity("/shop/stock/" + sku) == 5
                && lastQuantity("/market/stock/" + sku) == 7);

        // Bol keeps listing the order: more polls, no second copy on the queue, its detail fetched once, its
        // units reserved once; held past the longest retry delay
        int polls = BOL.succeeded(LIST).size();
        await().atMost(Duration.ofSeconds(15)).until(() -> BOL.succeeded(LIST).size() >= polls + 3);
        awaitExactly(() -> {
            assertThat(unifiedCopies("bol-test/" + id)).as("copies on kanaal.orders.unified after the one taken").isZero();
            assertThat(BOL.requests("/retailer/orders/" + id)).as("fetches of the order's detail").hasSize(1);
            assertThat(jdbc.queryForObject("SELECT sum(quantity) FROM reservation WHERE sku = ?", Integer.class, sku))
                    .as("units reserved").isEqualTo(3);
        });
        // every open order without a watermark; since the watermark, every order that changed, whatever its status
        assertThat(BOL.requests(LIST)).allSatisfy(poll -> {
            Map<String, String> query = new TreeMap<>(poll.query());
            String interval = query.remove("change-interval-minute");
            assertThat(query).as(poll.path()).isEqualTo(
                    Map.of("fulfilment-method", "FBR", "status", interval == null ? "OPEN" : "ALL", "page", "1"));
            if (interval != null) {
                assertThat(Integer.parseInt(interval)).as(poll.path()).isPositive();
            }
        });
        assertThat(BOL.requests(LIST)).anySatisfy(poll -> assertThat(poll.query()).containsEntry("status", "ALL"));
    }

    @Test
    void anOrderBolCancelsAfterKanaalTookItInReachesTheErpAsCancelledOnceAndItsUnitsGoBackToEveryChannel()
            throws Exception {
        String sku = newSku();
        pushStock(batch(level(sku, 10, 1)));
        await().atMost(Duration.ofSeconds(10)).until(() -> lastQuantity("/shop/stock/" + sku) == 8);
        String id = orderId();
        BOL_API.open(BolFake.order(id, new Item(orderId(), sku, "8718846038683", 3)), Instant.now());
        assertThat(unified("bol-test/" + id).path("status").asText()).isEqualTo("open");
        await().atMost(Duration.ofSeconds(10)).until(() -> lastQuantity("/shop/stock/" + sku) == 5);

        BOL_API.cancel(id, Instant.now());

        JsonNode cancelled = unified("bol-test/" + id);
        assertThat(cancelled.path("status").asText()).isEqualTo("cancelled");
        assertThat(cancelled.path("lines").get(0).path("sku").asText()).isEqualTo(sku);
        // the 3 units are no longer reserved: every channel shows the ERP's 10 again (less its own buffer)
        await().atMost(Duration.ofSeconds(10)).until(() -> lastQuantity("/shop/stock/" + sku) == 8
                && lastQuantity("/market/stock/" + sku) == 10);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM reservation WHERE sku = ? AND released_at IS NULL",
                Integer.class, sku)).isZero();
        assertThat(orderStatus(id)).isEqualTo("cancelled");

        // Bol keeps listing it as changed: more polls, but no more fetches of its detail and nothing more queued,
        // held past the longest retry delay
        int polls = BOL.succeeded(LIST).size();
        await().atMost(Duration.ofSeconds(15)).until(() -> BOL.succeeded(LIST).size() >= polls + 3);
        awaitExactly(() -> {
            assertThat(unifiedCopies("bol-test/" + id)).as("copies on kanaal.orders.unified after the two taken").isZero();
            assertThat(BOL.requests("/retailer/orders/" + id)).as("fetches of the order's detail").hasSize(2);
        });
    }

    @Test
    void aPollReadsEveryPageOfOpenOrders() {
        String sku = newSku();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 51; i++) {
            String id = orderId();
            ids.add(id);
            BOL_API.open(BolFake.order(id, new Item(orderId(), sku, "8718846038683", 1)), Instant.now());
        }

        String taken = "SELECT count(*) FROM channel_order WHERE channel = 'bol-test' AND channel_order_id IN ('"
                + String.join("','", ids) + "')";
        await().atMost(Duration.ofSeconds(30)).until(() -> jdbc.queryForObject(taken, Integer.class) == 51);
        assertThat(BOL.requests(LIST)).anySatisfy(poll -> assertThat(poll.query()).containsEntry("page", "2"));
        // each once on the unified queue, its detail fetched once; held past the longest retry delay
        Map<String, Integer> once = ids.stream().collect(Collectors.toMap(id -> "bol-test/" + id, id -> 1));
        awaitExactly(() -> {
            assertThat(unifiedCopies(once.keySet())).as("copies on kanaal.orders.unified").isEqualTo(once);
            assertThat(ids).allSatisfy(id -> assertThat(BOL.requests("/retailer/orders/" + id))
                    .as("fetches of the detail of %s", id).hasSize(1));
        });
    }

    @Test
    void aShipmentReachesBolWithTheOrderItemAndTransporterAndTheOrderIsShippedOnlyWhenItsProcessSucceeds()
            throws Exception {
        String sku = newSku();
        String item = orderId();
        String id = takeOrder(new Item(item, sku, "8718846038683", 2));
        BOL_API.holdBefore("SUCCESS");
        try {
            HttpResponse<String> response = post("/api/v1/shipments", """
                    {"items":[{"orderRef":"bol-test/%s","carrier":"PostNL","trackingCode":"3SKAN123"}]}
                    """.formatted(id));
            assertThat(response.statusCode()).as(response.body()).isEqualTo(202);

            // Bol accepted the shipment (202) and said PENDING; Kanaal asks again and Bol has not answered yet
            await().atMost(Duration.ofSeconds(15)).until(() -> BOL_API.processOf(item) != null
                    && BOL_API.served(BOL_API.processOf(item)).equals(List.of("PENDING")) && BOL_API.waiting() == 1);
            assertThat(orderStatus(id)).as("while Bol's process is PENDING").isEqualTo("open");
        } finally {
            BOL_API.release();
        }

        await().atMost(Duration.ofSeconds(15)).until(() -> "shipped".equals(orderStatus(id)));
        // one POST, never repeated while Bol was busy nor after; the process followed to its end and no further;
        // held past the longest retry delay
        awaitExactly(() -> {
            assertThat(BOL.requests("/retailer/shipments")).as("shipment requests").hasSize(1);
            assertThat(BOL_API.served(BOL_API.processOf(item))).containsExactly("PENDING", "SUCCESS");
            assertThat(depth("kanaal.channel.bol-test.process-status", null)).as("process statuses to follow").isZero();
        });
        ChannelStub.Request shipment = BOL.requests("/retailer/shipments").get(0);
        assertThat(shipment.method()).isEqualTo("POST");
        assertThat(JSON.readTree(shipment.body())).isEqualTo(JSON.readTree("""
                {"orderItems":[{"orderItemId":"%s","quantity":2}],"shipmentReference":"bol-test/%s",
                 "transport":{"transporterCode":"TNT","trackAndTrace":"3SKAN123"}}
                """.formatted(item, id)));
    }

    @Test
    void aProcessThatFailsAtBolEndsInTheDeadLetterQueueWithBolsReasonAndTheOrderIsNotShipped() throws Exception {
        String item = orderId();
        String id = takeOrder(new Item(item, newSku(), "8718846038683", 1));
        String reason = "Order item " + item + " has already been shipped.";
        BOL_API.nextProcess(reason, "PENDING", "FAILURE");

        assertThat(post("/api/v1/shipments", """
                {"items":[{"orderRef":"bol-test/%s","carrier":"DHL","trackingCode":"JVGL0042"}]}
                """.formatted(id)).statusCode()).isEqualTo(202);

        String ofTheItem = "kanaalDeadLetterReason LIKE '%" + item + "%'";
        jms.setReceiveTimeout(15_000);
        Message dead = jms.receiveSelected("DLQ.kanaal.channel.bol-test.process-status", ofTheItem);
        assertThat(dead).as("dead letter of the shipment of " + item).isNotNull();
        assertThat(dead.getStringProperty("kanaalDeadLetterReason")).contains(reason).contains("FAILURE");
        JsonNode parked = JSON.readTree(((TextMessage) dead).getText());
        assertThat(parked.path("processStatusId").asText()).isEqualTo(BOL_API.processOf(item));
        assertThat(parked.path("fulfilment").path("orderRef").asText()).isEqualTo("bol-test/" + id);
        assertThat(parked.path("fulfilment").path("trackingCode").asText()).isEqualTo("JVGL0042");
        assertThat(parked.path("request").path("orderItems").get(0).path("orderItemId").asText()).isEqualTo(item);
        // one POST, one dead letter, Bol's process not asked after again; held past the longest retry delay
        awaitExactly(() -> {
            assertThat(BOL.requests("/retailer/shipments")).as("shipment requests").hasSize(1);
            assertThat(BOL_API.served(BOL_API.processOf(item))).containsExactly("PENDING", "FAILURE");
            assertThat(depth("DLQ.kanaal.channel.bol-test.process-status", ofTheItem))
                    .as("dead letters of the shipment after the one taken").isZero();
            assertThat(orderStatus(id)).as("Bol did not carry the shipment out").isEqualTo("open");
        });
    }

    @Test
    void aCancellationReachesBolAsOnePutPerOrderItem() throws Exception {
        String first = orderId();
        String second = orderId();
        String id = takeOrder(new Item(first, newSku(), "8718846038683", 1), new Item(second, newSku(), "8712626055143", 2));

        assertThat(post("/api/v1/cancellations",
                "{\"items\":[{\"orderRef\":\"bol-test/" + id + "\",\"reason\":\"CUSTOMER_REQUEST\"}]}").statusCode())
                .isEqualTo(202);

        await().atMost(Duration.ofSeconds(15)).until(() -> List.of(first, second).stream().allMatch(item ->
                BOL_API.processOf(item) != null && BOL_API.served(BOL_API.processOf(item)).contains("SUCCESS")));
        awaitExactly(() -> assertThat(BOL.requests("/retailer/orders/cancellation")).as("cancellation requests").hasSize(2));
        List<ChannelStub.Request> puts = BOL.requests("/retailer/orders/cancellation");
        assertThat(puts).allSatisfy(put -> assertThat(put.method()).isEqualTo("PUT"));
        assertThat(puts.stream().map(put -> readTree(put.body())).toList()).containsExactlyInAnyOrder(
                readTree("{\"orderItems\":[{\"orderItemId\":\"" + first + "\",\"reasonCode\":\"REQUESTED_BY_CUSTOMER\"}]}"),
                readTree("{\"orderItems\":[{\"orderItemId\":\"" + second + "\",\"reasonCode\":\"REQUESTED_BY_CUSTOMER\"}]}"));
    }

    @Test
    void aPollAnswered429IsRetriedFromTheSameWatermarkAndNoOrderIsLost() throws Exception {
        await().atMost(Duration.ofSeconds(10)).until(() -> !BOL.succeeded(LIST).isEmpty());
        Reply tooMany = new Reply(429, Map.of("Content-Type", BolFake.V10, "Retry-After", "1"),
                "{\"title\":\"Too Many Requests\",\"status\":429,\"detail\":\"Too many requests, retry in 1 seconds.\"}");
        BOL.script(LIST, tooMany, tooMany, tooMany);
        await().atMost(Duration.ofSeconds(10)).until(() -> BOL.requests(LIST).size() > BOL.succeeded(LIST).size());
        // the last successful poll was 10 minutes ago; an order changed 8 minutes ago is waiting
        jdbc.update("UPDATE order_poll_watermark SET watermark = ? WHERE channel = 'bol-test'",
                OrderPolls.sortable(Instant.now().minus(10, ChronoUnit.MINUTES).toString()));
        String sku = newSku();
        String id = orderId();
        BOL_API.open(BolFake.order(id, new Item(orderId(), sku, "8718846038683", 1)),
                Instant.now().minus(8, ChronoUnit.MINUTES));

        assertThat(unified("bol-test/" + id).path("lines").get(0).path("sku").asText()).isEqualTo(sku);
        List<ChannelStub.Request> throttled = BOL.answered(LIST, 429);
        assertThat(throttled).as("polls answered 429").hasSize(3);
        // the first poll answered after the 429s still asked from the watermark of 10 minutes ago
        long lastThrottled = throttled.stream().mapToLong(ChannelStub.Request::atNanos).max().orElseThrow();
        ChannelStub.Request retried = BOL.succeeded(LIST).stream().filter(poll -> poll.atNanos() > lastThrottled)
                .min(Comparator.comparingLong(ChannelStub.Request::atNanos)).orElseThrow();
        assertThat(Integer.parseInt(retried.query().get("change-interval-minute"))).as(retried.path()).isBetween(11, 12);
    }

    @Test
    void aThrottledOrderListHoldsUpNeitherStockNorItsOwnLaterPolls() {
        await().atMost(Duration.ofSeconds(10)).until(() -> !BOL.succeeded(LIST).isEmpty());
        BOL.script(LIST, new Reply(429, Map.of("Content-Type", BolFake.V10, "Retry-After", "6"),
                "{\"title\":\"Too Many Requests\",\"status\":429,\"detail\":\"Too many requests, retry in 6 seconds.\"}"));
        await().atMost(Duration.ofSeconds(10)).until(() -> !BOL.answered(LIST, 429).isEmpty());
        // by the stub's clock: the order list is paused from its 429 until 6 s after it
        long throttled = BOL.answered(LIST, 429).get(0).atNanos();
        long waitedOut = throttled + Duration.ofSeconds(6).toNanos();
        String sku = newSku();

        pushStock(batch(level(sku, 20, 1)));

        await().atMost(Duration.ofSeconds(15)).until(() -> !bolRequests(sku).isEmpty());
        assertThat(bolRequests(sku).get(0).atNanos())
                .as("Bol's limits are per endpoint: the offers endpoint is not paused by the order list's 429")
                .isLessThan(waitedOut);
        await("the order list polled again").atMost(Duration.ofSeconds(20))
                .until(() -> BOL.succeeded(LIST).stream().anyMatch(poll -> poll.atNanos() > throttled));
        assertThat(BOL.requests(LIST)).as("the order list waits out its Retry-After")
                .noneMatch(poll -> poll.atNanos() > throttled && poll.atNanos() < waitedOut);
    }

    /** An open Bol order with these items; returns its id once Kanaal has it on the unified queue. */
    private String takeOrder(Item... items) throws Exception {
        String id = orderId();
        BOL_API.open(BolFake.order(id, items), Instant.now());
        unified("bol-test/" + id);
        return id;
    }

    private static String orderId() {
        return Long.toString(ThreadLocalRandom.current().nextLong(1_000_000_000L, 9_999_999_999L));
    }

    private JsonNode unified(String orderRef) throws Exception {
        return UnifiedQueue.receive(jms, orderRef, 20_000);
    }

    /** The order's state as ops see it (GET /api/v1/ops/orders/{channel}/{id}). */
    private String orderStatus(String id) throws IOException {
        HttpResponse<String> overview = send(HttpRequest.newBuilder(uri("/api/v1/ops/orders/bol-test/" + id))
                .header("X-API-Key", API_KEY).GET());
        assertThat(overview.statusCode()).as(overview.body()).isEqualTo(200);
        return JSON.readTree(overview.body()).path("status").asText();
    }

    /** How many messages the queue holds (those the selector picks; all for null), browsed: they stay there. */
    private int depth(String queue, String selector) {
        Integer depth = jms.browseSelected(queue, selector, (session, browser) -> Collections.list(browser.getEnumeration()).size());
        return depth == null ? 0 : depth;
    }

    private static JsonNode readTree(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
