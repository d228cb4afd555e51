package io.kanaal.order;

import static io.kanaal.order.OrderIntakeTest.shopOrder;
import static io.kanaal.order.OrderIntakeTest.sign;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kanaal.support.ChannelStub;
import io.kanaal.support.ChannelStub.Reply;
import io.kanaal.support.KanaalIntegrationTest;
import io.kanaal.support.TestData;
import jakarta.jms.Message;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jms.core.JmsTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * With kanaal.erp.order-delivery on, Kanaal POSTs every order on the unified queue to the ERP's endpoint,
 * retries while the ERP is down, and dead-letters what the ERP refuses.
 */
class ErpOrderDeliveryTest extends KanaalIntegrationTest {

    private static final ChannelStub ERP = new ChannelStub();
    private static final ObjectMapper JSON = new ObjectMapper();

    @DynamicPropertySource
    static void erpDelivery(DynamicPropertyRegistry registry) {
        // a context of its own (the others consume the unified queue themselves)
        registry.add("kanaal.data-dir", () -> TestData.directory("erp-delivery"));
        registry.add("spring.artemis.embedded.server-id", () -> "7");
        registry.add("kanaal.channels.shop.settings.poll-cron", () -> "0 0 0 1 1 ? 2099");
        registry.add("kanaal.erp.order-delivery.enabled", () -> "true");
        registry.add("kanaal.erp.order-delivery.url", () -> ERP.baseUrl() + "/erp/orders");
        registry.add("kanaal.erp.order-delivery.authorization", () -> "Bearer erp-token");
    }

    @AfterAll
    static void stopErp() {
        ERP.close();
    }

    @Autowired
    JmsTemplate jms;

    @Test
    void eachOrderIsPostedToTheErpOnceTheErpIsBackAndWhatItRefusesIsDeadLettered() throws Exception {
        String id = "E-" + UUID.randomUUID();
        ERP.script("/erp/orders", Reply.of(503), Reply.of(502));
        takeOrder(id);

        await().atMost(Duration.ofSeconds(15)).until(() -> ERP.succeeded("/erp/orders").size() == 1);
        List<ChannelStub.Request> posts = ERP.requests("/erp/orders");
        assertThat(posts).hasSize(3);
        ChannelStub.Request delivered = posts.get(2);
        assertThat(delivered.method()).isEqualTo("POST");
        assertThat(delivered.header("idempotency-key")).isEqualTo("shop/" + id);
        assertThat(delivered.header("authorization")).isEqualTo("Bearer erp-token");
        JsonNode order = JSON.readTree(delivered.body());
        assertThat(order.path("orderRef").asText()).isEqualTo("shop/" + id);
        assertThat(order.path("lines").get(0).path("quantity").asInt()).isEqualTo(1);

        String refused = "E-" + UUID.randomUUID();
        ERP.always("/erp/orders", Reply.of(422, "{\"error\":\"unknown customer\"}"));
        takeOrder(refused);
        jms.setReceiveTimeout(15_000);
        Message dead = jms.receiveSelected("DLQ.kanaal.orders.unified", "kanaalOrderRef = 'shop/" + refused + "'");
        assertThat(dead).isNotNull();
        assertThat(dead.getStringProperty("kanaalDeadLetterReason")).contains("422").contains("unknown customer");
        assertThat(ERP.requests("/erp/orders").stream().filter(r -> r.body().contains(refused))).hasSize(1);
    }

    private void takeOrder(String id) throws Exception {
        String body = shopOrder(id, newSku(), 1, "2026-11-23T17:00:00Z");
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/webhooks/shop/orders"))
                .header("Content-Type", "application/json")
                .header("X-Kanaal-Signature", sign(SHOP_WEBHOOK_SECRET, body))
                .POST(HttpRequest.BodyPublishers.ofString(body)));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    }
}
