package io.kanaal.order;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * An order whose database part committed but whose unified message the broker lost (a failback that discarded
 * a transaction it had reported committed, docs/cluster.md) goes onto kanaal.orders.unified when the recent
 * orders are offered again, and the orders the broker still has are not doubled: the shipped routes on the
 * embedded broker and database. The lost message is made by writing the order's row as order-record would,
 * without its message.
 */
class OrderRepublishTest extends OrderTests {

    @Autowired
    UnifiedRepublish republish;

    @Test
    void opsOfferTheRecentOrdersAgainAndOnlyTheLostOneIsAdded() throws Exception {
        Instant before = Instant.now().minusSeconds(61);
        String kept = takeIn();
        String lost = lostInTheBroker(kept);
        assertThat(unifiedCopies(List.of(kept, lost))).containsEntry(kept, 1).containsEntry(lost, 0);
        // taken in a minute ago: an ops request leaves out the orders of the last 10 s (they may be on their way)
        jdbc.update("UPDATE channel_order SET received_at = received_at - interval '1 minute'"
                + " WHERE channel = 'shop' AND channel_order_id IN (?, ?)", id(kept), id(lost));
        String young = lostInTheBroker(kept);

        HttpResponse<String> answer = republish(before.toString());

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(JSON.readTree(answer.body()).path("ordersOffered").asInt()).isGreaterThanOrEqualTo(2);
        assertThat(unifiedCopies(List.of(kept, lost, young))).as("copies on the unified queue")
                .containsEntry(kept, 1).containsEntry(lost, 1).containsEntry(young, 0);
        JsonNode order = receiveOrder(lost);
        assertThat(order.path("orderRef").asText()).isEqualTo(lost);
        assertThat(order.path("lines").get(0).path("quantity").asInt()).isEqualTo(1);
        receiveOrder(kept);

        // offered again: nothing added
        assertThat(republish(before.toString()).statusCode()).isEqualTo(200);
        assertThat(unifiedCopies(List.of(kept, lost))).containsEntry(kept, 0).containsEntry(lost, 0);
    }

    @Test
    void aChangeOfTheBrokerSendsTheWindowOnceItSettles() throws Exception {
        String kept = takeIn();
        String lost = lostInTheBroker(kept);

        republish.changed("test: the broker pair failed over");

        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(unifiedCopies(List.of(kept, lost))).containsEntry(lost, 1));
        assertThat(unifiedCopies(List.of(kept, lost))).containsEntry(kept, 1);
        receiveOrder(lost);
        receiveOrder(kept);
    }

    @Test
    void aWindowOpsCannotAskForGetsTheReason() throws Exception {
        HttpResponse<String> missing = republish("");
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(missing.body()).contains("since is required");

        HttpResponse<String> malformed = republish("yesterday");
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(malformed.body()).contains("ISO-8601");

        HttpResponse<String> tooOld = republish(Instant.now().minus(Duration.ofDays(2)).toString());
        assertThat(tooOld.statusCode()).isEqualTo(400);
        assertThat(tooOld.body()).contains("more than a day ago");
    }

    private static String id(String orderRef) {
        return orderRef.substring("shop/".length());
    }

    /** An order taken in through the shop's webhook: its orderRef, once on the unified queue. */
    private String takeIn() throws Exception {
        String id = "R-" + UUID.randomUUID();
        String body = shopOrder(id, newSku(), 1, "2026-12-07T10:00:00Z");
        HttpResponse<String> response = webhook("shop", body, sign(SHOP_WEBHOOK_SECRET, body));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        return "shop/" + id;
    }

    /** Another order stored as order-record stores it, whose unified message never reached the queue. */
    private String lostInTheBroker(String like) throws Exception {
        ObjectNode canonical = (ObjectNode) JSON.readTree(jdbc.queryForObject(
                "SELECT canonical::text FROM channel_order WHERE channel = 'shop' AND channel_order_id = ?",
                String.class, like.substring("shop/".length())));
        String id = "L-" + UUID.randomUUID();
        canonical.put("channelOrderId", id);
        canonical.put("orderRef", "shop/" + id);
        jdbc.update("INSERT INTO channel_order (channel, channel_order_id, ordered_at, status, canonical)"
                + " VALUES ('shop', ?, now(), 'open', ?::jsonb)", id, JSON.writeValueAsString(canonical));
        return "shop/" + id;
    }

    private HttpResponse<String> republish(String since) {
        return send(HttpRequest.newBuilder(uri("/api/v1/ops/orders/republish?since="
                        + URLEncoder.encode(since, StandardCharsets.UTF_8)))
                .header("X-API-Key", API_KEY).POST(HttpRequest.BodyPublishers.noBody()));
    }
}
