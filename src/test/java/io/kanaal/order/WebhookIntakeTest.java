package io.kanaal.order;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.jms.Message;
import jakarta.jms.TextMessage;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.builder.AdviceWith;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A webhook call takes its orders in itself: each order mapped, checked and accepted in a broker transaction
 * of its own before the answer, which says what became of each. An order whose database transaction committed
 * but whose broker transaction failed reaches the unified queue once all the same: by the sweep, whether or
 * not the channel sends it again. The shipped routes on the embedded broker and database, with route
 * order-webhook-take advised (by route id) to fail the broker transaction of the orders this test names, once.
 *
 * <p>Closed after the class: its channels poll the same order stubs as the shared Kanaal of the other tests.
 */
@DirtiesContext
class WebhookIntakeTest extends OrderTests {

    /** The orderRefs whose broker transaction fails once, after the order was accepted. */
    private static final Set<String> FAIL_ONCE = ConcurrentHashMap.newKeySet();
    private static volatile boolean advised;

    @DynamicPropertySource
    static void sweep(DynamicPropertyRegistry registry) {
        registry.add("kanaal.test.context", () -> "webhook-intake");
        registry.add("kanaal.orders.webhook-sweep-every", () -> "1000");
        registry.add("kanaal.orders.webhook-sweep-after", () -> "3s");
    }

    @BeforeEach
    void failTheBrokerTransactionOfNamedOrders() throws Exception {
        if (!advised) {
            AdviceWith.adviceWith(camelContext, "order-webhook-take", route -> route.weaveAddLast().process(exchange -> {
                String orderRef = exchange.getVariable("orderRef", String.class);
                if (orderRef != null && FAIL_ONCE.remove(orderRef)) {
                    throw new IllegalStateException("the broker transaction of " + orderRef + " fails (test)");
                }
            }));
            advised = true;
        }
    }

    @Test
    void eachOrderOfACallIsTakenInOrDeadLetteredWithTheReasonAndTheAnswerSaysWhich() throws Exception {
        String good = "G-" + UUID.randomUUID();
        String bad = "B-" + UUID.randomUUID();
        String malformed = "{\"id\":\"" + bad + "\",\"createdAt\":\"2026-11-23T13:00:00Z\",\"total\":5,\"items\":[]}";
        String body = "[" + malformed + "," + shopOrder(good, newSku(), 1, "2026-11-23T13:00:01Z") + "]";

        HttpResponse<String> response = webhook("shop", body, sign(SHOP_WEBHOOK_SECRET, body));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        JsonNode answer = JSON.readTree(response.body());
        assertThat(answer.path("received").asInt()).isEqualTo(2);
        JsonNode first = answer.path("orders").get(0);
        assertThat(first.path("outcome").asText()).isEqualTo("dead-lettered");
        assertThat(first.path("reason").asText()).contains("canonical order schema").contains("lines");
        assertThat(first.path("deadLetterQueue").asText()).isEqualTo("DLQ.kanaal.channel.shop.orders");
        JsonNode second = answer.path("orders").get(1);
        assertThat(second.path("outcome").asText()).isEqualTo("taken");
        assertThat(second.path("orderRef").asText()).isEqualTo("shop/" + good);

        // on the unified queue when the answer came
        assertThat(unifiedCopies("shop/" + good)).as("copies of %s on the unified queue", good).isEqualTo(1);
        jms.setReceiveTimeout(5_000);
        Message dead = jms.receiveSelected("DLQ.kanaal.channel.shop.orders", "kanaalDeadLetterReason LIKE '%" + bad + "%'");
        assertThat(dead).as("dead letter of order " + bad).isNotNull();
        assertThat(((TextMessage) dead).getText()).isEqualTo(malformed);
        assertThat(dead.getStringProperty("kanaalOriginalQueue")).as("replayed to the channel's intake queue")
                .isEqualTo("kanaal.channel.shop.orders");

        String again = shopOrder(good, "ignored", 1, "2026-11-23T13:00:01Z");
        HttpResponse<String> repeat = webhook("shop", again, sign(SHOP_WEBHOOK_SECRET, again));
        assertThat(JSON.readTree(repeat.body()).path("orders").get(0).path("outcome").asText()).isEqualTo("repeated");
        awaitExactly(() -> assertThat(unifiedCopies("shop/" + good)).as("copies on kanaal.orders.unified").isEqualTo(1));
    }

    @Test
    void aCallWithoutOrdersIsAnsweredWithNone() throws Exception {
        HttpResponse<String> response = webhook("shop", "[]", sign(SHOP_WEBHOOK_SECRET, "[]"));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        assertThat(JSON.readTree(response.body()).path("received").asInt()).isZero();
        assertThat(JSON.readTree(response.body()).path("orders").size()).isZero();
    }

    @Test
    void anOrderWhoseBrokerTransactionFailedReachesTheUnifiedQueueOnceWhenTheChannelSendsItAgain() throws Exception {
        String sku = newSku();
        String id = "F-" + UUID.randomUUID();
        String body = shopOrder(id, sku, 2, "2026-11-23T14:00:00Z");
        FAIL_ONCE.add("shop/" + id);

        HttpResponse<String> failed = webhook("shop", body, sign(SHOP_WEBHOOK_SECRET, body));

        assertThat(failed.statusCode()).as(failed.body()).isEqualTo(500);
        assertThat(reserved(id)).as("the database transaction committed").isEqualTo(2);
        assertThat(unifiedCopies("shop/" + id)).as("the broker transaction did not: copies on the unified queue").isZero();

        HttpResponse<String> again = webhook("shop", body, sign(SHOP_WEBHOOK_SECRET, body));
        assertThat(again.statusCode()).as(again.body()).isEqualTo(202);
        assertThat(JSON.readTree(again.body()).path("orders").get(0).path("outcome").asText()).isEqualTo("repeated");

        // the sweep takes it in: once, its units reserved once
        JsonNode order = receiveOrder("shop/" + id);
        assertThat(order.path("lines").get(0).path("quantity").asInt()).isEqualTo(2);
        await().atMost(Duration.ofSeconds(5)).until(() -> !marked("shop/" + id));
        // no second unified message, the units reserved once: held for more than a sweep's period
        awaitExactly(() -> {
            assertThat(unifiedCopies("shop/" + id)).as("copies on kanaal.orders.unified after the one taken").isZero();
            assertThat(reserved(id)).as("units reserved").isEqualTo(2);
        });
    }

    @Test
    void anOrderWhoseBrokerTransactionFailedReachesTheUnifiedQueueOnceWhenTheChannelDoesNotSendItAgain() throws Exception {
        String id = "S-" + UUID.randomUUID();
        String body = shopOrder(id, newSku(), 1, "2026-11-23T15:00:00Z");
        FAIL_ONCE.add("shop/" + id);

        assertThat(webhook("shop", body, sign(SHOP_WEBHOOK_SECRET, body)).statusCode()).isEqualTo(500);
        assertThat(marked("shop/" + id)).as("marked as taken by a webhook, not confirmed").isTrue();

        receiveOrder("shop/" + id);
        await().atMost(Duration.ofSeconds(5)).until(() -> !marked("shop/" + id));
        awaitExactly(() -> assertThat(unifiedCopies("shop/" + id)).as("copies on kanaal.orders.unified after the one taken")
                .isZero());
    }

    @Test
    void aMarkedOrderThatMadeItToTheUnifiedQueueIsConfirmedBySweepWithoutASecondMessage() throws Exception {
        String id = "M-" + UUID.randomUUID();
        String body = shopOrder(id, newSku(), 1, "2026-11-23T16:00:00Z");
        assertThat(webhook("shop", body, sign(SHOP_WEBHOOK_SECRET, body)).statusCode()).isEqualTo(202);
        receiveOrder("shop/" + id);
        await().atMost(Duration.ofSeconds(5)).until(() -> !marked("shop/" + id));

        // as if Kanaal had stopped after the broker commit, before the confirmation was written
        jdbc.update("UPDATE CAMEL_MESSAGEPROCESSED SET intakeMessageId = 'webhook' WHERE messageId = ?", "shop/" + id);

        await().atMost(Duration.ofSeconds(15)).until(() -> !marked("shop/" + id));
        awaitExactly(() -> assertThat(unifiedCopies("shop/" + id)).as("copies on kanaal.orders.unified after the one taken")
                .isZero());
    }

    private int reserved(String channelOrderId) {
        Integer units = jdbc.queryForObject("SELECT sum(quantity) FROM reservation WHERE channel_order_id = ?", Integer.class,
                channelOrderId);
        return units == null ? 0 : units;
    }

    private boolean marked(String orderRef) {
        return "webhook".equals(jdbc.queryForObject(
                "SELECT intakeMessageId FROM CAMEL_MESSAGEPROCESSED WHERE processorName = 'kanaal.orders.unified' AND messageId = ?",
                String.class, orderRef));
    }
}
