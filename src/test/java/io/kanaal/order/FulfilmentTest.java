package io.kanaal.order;

import static io.kanaal.order.OrderIntakeTest.shopOrder;
import static io.kanaal.order.OrderIntakeTest.sign;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kanaal.support.ChannelStub.Reply;
import io.kanaal.support.KanaalIntegrationTest;
import jakarta.jms.Message;
import jakarta.jms.TextMessage;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jms.core.JmsTemplate;

/**
 * Shipments and cancellations from the ERP reach the channel the order came from, in its format; a
 * cancelled order's units are for sale again on every channel.
 */
class FulfilmentTest extends KanaalIntegrationTest {

    @Autowired
    private OrderJourney journey;

    @Autowired
    Fulfilments fulfilments;

    private static final ObjectMapper JSON = new ObjectMapper();

    @Autowired
    JmsTemplate jms;

    @Test
    void aShipmentReachesTheOrdersChannelWithCarrierAndTrackingCode() throws Exception {
        String sku = newSku();
        String id = takeOrder("shop", SHOP_WEBHOOK_SECRET, sku, 2);
        SHOP.script("/shop/orders/" + id + "/shipments", Reply.of(503, "{\"error\":\"busy\"}"));

        HttpResponse<String> response = post("/api/v1/shipments", """
                {"items":[{"orderRef":"shop/%s","carrier":"PostNL","trackingCode":"3SKAN123","shippedAt":"2026-11-23T16:00:00Z"}]}
                """.formatted(id));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        assertThat(JSON.readTree(response.body()).path("accepted").asInt()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> !SHOP.succeeded("/shop/orders/" + id + "/shipments").isEmpty());
        // the second attempt, after the shop's 503, sends the same shipment again
        assertThat(SHOP.requests("/shop/orders/" + id + "/shipments")).hasSize(2);
        JsonNode sent = JSON.readTree(SHOP.succeeded("/shop/orders/" + id + "/shipments").get(0).body());
        assertThat(sent).isEqualTo(JSON.readTree("""
                {"orderId":"%s","carrier":"PostNL","trackingCode":"3SKAN123","shippedAt":"2026-11-23T16:00:00Z",
                 "items":[{"id":"L1","sku":"%s","quantity":2}]}
                """.formatted(id, sku)));
        await().atMost(Duration.ofSeconds(5)).until(() -> "shipped".equals(jdbc.queryForObject(
                "SELECT status FROM channel_order WHERE channel_order_id = ?", String.class, id)));
        assertThat(SHOP.requests("/market/orders")).isEmpty();
        // the order's journey in the ops console
        assertThat(journey.of("shop", id)).extracting(step -> step.get("event") + " " + step.get("detail"))
                .containsExactly("taken in {}", "on the unified queue {}",
                        "shipped {\"carrier\": \"PostNL\", \"trackingCode\": \"3SKAN123\"}");
    }

    @Test
    void aCancellationReachesTheOrdersChannelAndItsUnitsAreForSaleAgainEverywhere() throws Exception {
        String sku = newSku();
        String id = marketOrderOfFourOfTen(sku);

        HttpResponse<String> response = post("/api/v1/cancellations",
                "{\"items\":[{\"orderRef\":\"market/" + id + "\",\"reason\":\"CUSTOMER_REQUEST\"}]}");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(10)).until(() -> !SHOP.succeeded("/market/orders/" + id + "/cancellation").isEmpty());
        assertThat(JSON.readTree(SHOP.succeeded("/market/orders/" + id + "/cancellation").get(0).body()))
                .isEqualTo(JSON.readTree("{\"orderId\":\"" + id + "\",\"reason\":\"CUSTOMER_REQUEST\"}"));
        // the 4 units are back: shop 10 - buffer 2, market 10
        await().atMost(Duration.ofSeconds(10)).until(() -> lastQuantity("/shop/stock/" + sku) == 8
                && lastQuantity("/market/stock/" + sku) == 10);
        assertThat(jdbc.queryForObject("SELECT released_by FROM reservation WHERE channel_order_id = ?", String.class, id))
                .isEqualTo("cancellation");
        assertThat(journey.of("market", id)).extracting(step -> step.get("event") + " " + step.get("detail"))
                .containsSubsequence("cancelled by the ERP {\"reason\": \"CUSTOMER_REQUEST\"}",
                        "cancellation confirmed by the channel {}");
    }

    @Test
    void anOrderTheErpAcknowledgesNoLongerReservesItsUnits() throws Exception {
        String sku = newSku();
        String id = marketOrderOfFourOfTen(sku);

        // the ERP booked the order (its stock is 6 now) and pushed that level without saying so:
        // until it acknowledges the order, the order counts twice
        pushStock(batch(level(sku, 6, 2)));
        await().atMost(Duration.ofSeconds(10)).until(() -> lastQuantity("/market/stock/" + sku) == 2);

        HttpResponse<String> response = post("/api/v1/orders/acknowledgements",
                "{\"items\":[{\"orderRef\":\"market/" + id + "\"},{\"orderRef\":\"market/never-taken\"}]}");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        JsonNode report = JSON.readTree(response.body());
        assertThat(report.path("accepted").asInt()).isEqualTo(1);
        assertThat(report.path("items").get(1).path("errors").toString()).contains("unknown order market/never-taken");
        await().atMost(Duration.ofSeconds(10)).until(() -> lastQuantity("/market/stock/" + sku) == 6);
        assertThat(jdbc.queryForObject("SELECT released_by FROM reservation WHERE channel_order_id = ?", String.class, id))
                .isEqualTo("erp-ack");
        assertThat(journey.of("market", id)).extracting(step -> step.get("event")).contains("acknowledged by the ERP");
        assertThat(SHOP.requests("/market/orders/" + id)).isEmpty();
    }

    @Test
    void anAcknowledgementBackAfterItsSendsWereRolledBackStillGivesTheChannelsTheUnitsBack() throws Exception {
        String sku = newSku();
        String id = marketOrderOfFourOfTen(sku);
        Fulfilment acknowledgement = new Fulfilment("acknowledgement", "market/" + id, null, null, null, null, List.of());

        // the first attempt: its database transaction ends the reservation, its broker sends are rolled back
        assertThat(fulfilments.acknowledged(acknowledgement)).containsExactly(sku);
        // the same message back: the reservation has ended already, the channels still show the old quantity
        assertThat(fulfilments.acknowledged(acknowledgement)).as("SKUs to compute again").containsExactly(sku);

        camelContext.createProducerTemplate().sendBody("direct:stock-recompute", List.of(sku));
        await().atMost(Duration.ofSeconds(10)).until(() -> lastQuantity("/market/stock/" + sku) == 10);
        assertThat(jdbc.queryForObject("SELECT released_by FROM reservation WHERE channel_order_id = ?", String.class, id))
                .as("released once, by the first attempt").isEqualTo("erp-ack");
    }

    @Test
    void unknownOrdersAndIncompleteShipmentsAreRejectedPerItemAndTheRestGoesOn() throws Exception {
        String sku = newSku();
        String id = takeOrder("shop", SHOP_WEBHOOK_SECRET, sku, 1);

        HttpResponse<String> response = post("/api/v1/shipments", """
                {"items":[
                  {"orderRef":"shop/no-such-order","carrier":"DHL","trackingCode":"X1"},
                  {"orderRef":"shop/%s","carrier":"DHL"},
                  {"orderRef":"shop/%s","carrier":"DHL","trackingCode":"JVGL0001"}
                ]}
                """.formatted(id, id));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        JsonNode report = JSON.readTree(response.body());
        assertThat(report.path("accepted").asInt()).isEqualTo(1);
        assertThat(report.path("items").get(0).path("status").asText()).isEqualTo("rejected");
        assertThat(report.path("items").get(0).path("errors").toString()).contains("unknown order shop/no-such-order");
        assertThat(report.path("items").get(1).path("errors").toString()).contains("trackingCode");
        await().atMost(Duration.ofSeconds(10)).until(() -> !SHOP.succeeded("/shop/orders/" + id + "/shipments").isEmpty());
        assertThat(SHOP.requests("/shop/orders/" + id + "/shipments")).hasSize(1);
        assertThat(SHOP.requests("/shop/orders/no-such-order")).isEmpty();

        HttpResponse<String> noKey = send(HttpRequest.newBuilder(uri("/api/v1/shipments"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"items\":[]}")));
        assertThat(noKey.statusCode()).isEqualTo(401);
        assertThat(post("/api/v1/cancellations", "{\"items\":[{\"orderRef\":\"shop\"}]}").statusCode()).isEqualTo(202);
        assertThat(post("/api/v1/cancellations", "not json").statusCode()).isEqualTo(400);
    }

    @Test
    void aShipmentTheChannelRefusesEndsInTheChannelsDeadLetterQueueWithTheReason() throws Exception {
        String sku = newSku();
        String id = takeOrder("market", MARKET_WEBHOOK_SECRET, sku, 1);
        SHOP.always("/market/orders/" + id + "/shipments", Reply.of(422, "{\"error\":\"order already shipped\"}"));

        assertThat(post("/api/v1/shipments", "{\"items\":[{\"orderRef\":\"market/" + id
                + "\",\"carrier\":\"DPD\",\"trackingCode\":\"DPD42\"}]}").statusCode()).isEqualTo(202);

        jms.setReceiveTimeout(10_000);
        Message dead = jms.receiveSelected("DLQ.kanaal.channel.market.fulfilment",
                "kanaalDeadLetterReason LIKE '%already shipped%'");
        assertThat(dead).isNotNull();
        assertThat(((TextMessage) dead).getText()).contains("\"trackingCode\":\"DPD42\"").contains("market/" + id);
        assertThat(SHOP.requests("/market/orders/" + id + "/shipments")).hasSize(1);
    }

    @Test
    void aCancellationTheChannelRefusesShowsOnTheOrderUntilItsReplayGoesThrough() throws Exception {
        String sku = newSku();
        String id = takeOrder("market", MARKET_WEBHOOK_SECRET, sku, 1);
        SHOP.always("/market/orders/" + id + "/cancellation", Reply.of(409, "{\"error\":\"order is being packed\"}"));

        assertThat(post("/api/v1/cancellations", "{\"items\":[{\"orderRef\":\"market/" + id + "\"}]}").statusCode())
                .isEqualTo(202);

        await().atMost(Duration.ofSeconds(10)).until(() -> orderView(id).has("channelUnconfirmed"));
        JsonNode refused = orderView(id);
        assertThat(refused.path("status").asText()).as("Kanaal's own status: what the ERP decided").isEqualTo("cancelled");
        assertThat(refused.at("/channelUnconfirmed/what").asText())
                .startsWith("cancellation not confirmed by the channel").contains("being packed");

        JsonNode deadLetter = deadLetters("DLQ.kanaal.channel.market.fulfilment", sku).get(0);
        SHOP.reset();
        HttpResponse<String> replay = send(HttpRequest.newBuilder(uri("/api/v1/ops/dead-letters/DLQ.kanaal.channel.market.fulfilment/replay?messageId="
                        + java.net.URLEncoder.encode(deadLetter.path("messageId").asText(), java.nio.charset.StandardCharsets.UTF_8)))
                .header("X-API-Key", API_KEY).POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(replay.statusCode()).as(replay.body()).isLessThan(300);
        await().atMost(Duration.ofSeconds(10)).until(() -> !SHOP.succeeded("/market/orders/" + id + "/cancellation").isEmpty()
                && !orderView(id).has("channelUnconfirmed"));
    }

    /** The order as ops see it (GET /api/v1/ops/orders/market/{id}). */
    private JsonNode orderView(String id) throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/api/v1/ops/orders/market/" + id))
                .header("X-API-Key", API_KEY).GET());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return new ObjectMapper().readTree(response.body());
    }

    /** An order taken in through the channel's webhook; returns its id once it is on the unified queue. */
    /**
     * The ERP has 10 of the SKU and the market channel takes an order of 4: returns the order's id once the
     * reduced quantity is at the market (6) and the shop (10 - 4, less its buffer of 2).
     */
    private String marketOrderOfFourOfTen(String sku) throws Exception {
        pushStock(batch(level(sku, 10, 1)));
        String id = takeOrder("market", MARKET_WEBHOOK_SECRET, sku, 4);
        await().atMost(Duration.ofSeconds(10)).until(() -> lastQuantity("/market/stock/" + sku) == 6
                && lastQuantity("/shop/stock/" + sku) == 4);
        return id;
    }

    @Test
    void anOrderIdWithSlashesAndAQuestionMarkStaysOneSegmentOfTheShipmentsPath() throws Exception {
        String sku = newSku();
        String id = takeOrder("shop", SHOP_WEBHOOK_SECRET, sku, 1, "F-" + UUID.randomUUID() + "/../admin?x=1");
        String encoded = id.replace("/", "%2F").replace("?", "%3F");

        HttpResponse<String> response = post("/api/v1/shipments", """
                {"items":[{"orderRef":"shop/%s","carrier":"PostNL","trackingCode":"3SKAN124"}]}
                """.formatted(id));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(10)).until(() -> !SHOP.succeeded("/shop/orders/" + encoded + "/shipments").isEmpty());
        assertThat(SHOP.requests("/shop/admin")).isEmpty();
    }

    private String takeOrder(String channel, String secret, String sku, int quantity) throws Exception {
        return takeOrder(channel, secret, sku, quantity, "F-" + UUID.randomUUID());
    }

    private String takeOrder(String channel, String secret, String sku, int quantity, String id) throws Exception {
        String body = shopOrder(id, sku, quantity, "2026-11-23T15:30:00Z");
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/webhooks/" + channel + "/orders"))
                .header("Content-Type", "application/json")
                .header("X-Kanaal-Signature", sign(secret, body))
                .POST(HttpRequest.BodyPublishers.ofString(body)));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        jms.setReceiveTimeout(15_000);
        assertThat(jms.receiveSelected("kanaal.orders.unified", "kanaalOrderRef = '" + channel + "/" + id + "'"))
                .as("order on the unified queue").isNotNull();
        return id;
    }
}
