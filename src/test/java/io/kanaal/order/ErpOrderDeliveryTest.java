package io.kanaal.order;

import static io.kanaal.order.OrderIntakeTest.shopOrder;
import static io.kanaal.order.OrderIntakeTest.sign;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kanaal.KanaalApplication;
import io.kanaal.support.ChannelStub;
import io.kanaal.support.ChannelStub.Reply;
import io.kanaal.support.TestData;
import jakarta.jms.Message;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jms.core.JmsTemplate;

/**
 * With kanaal.erp.order-delivery on, Kanaal POSTs every order on the unified queue to the ERP's endpoint, in the
 * ERP's own format (kanaal.erp.order-delivery.mapping: erp/order.jsonata),
 * retries while the ERP is down, and dead-letters what the ERP refuses. (A Kanaal of its own: in the
 * shared test context the tests consume the unified queue themselves.)
 */
class ErpOrderDeliveryTest {

    private static final ChannelStub ERP = new ChannelStub();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SECRET = "erp-delivery-" + UUID.randomUUID();
    private static ConfigurableApplicationContext kanaal;

    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        kanaal = new SpringApplicationBuilder(KanaalApplication.class).run(
                "--server.port=0",
                "--kanaal.data-dir=" + TestData.directory("erp-delivery"),
                "--kanaal.broker.acceptor=",
                "--spring.artemis.embedded.server-id=113",
                "--camel.main.shutdown-timeout=5",
                "--kanaal.delivery.initial-delay=100",
                "--kanaal.delivery.maximum-redeliveries=3",
                "--kanaal.channels.shop.type=rest",
                "--kanaal.channels.shop.base-url=" + ERP.baseUrl() + "/shop",
                "--kanaal.channels.shop.rate-limit=1000",
                "--kanaal.channels.shop.settings.webhook-secret=" + SECRET,
                "--kanaal.erp.order-delivery.enabled=true",
                "--kanaal.erp.order-delivery.url=" + ERP.baseUrl() + "/erp/orders",
                "--kanaal.erp.order-delivery.authorization=Bearer erp-token",
                "--kanaal.erp.order-delivery.mapping=erp/order.jsonata");
    }

    @AfterAll
    static void stop() {
        kanaal.close();
        ERP.close();
    }

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
        // in the ERP's own format (mappings/erp/order.jsonata)
        JsonNode order = JSON.readTree(delivered.body());
        assertThat(order.path("externalReference").asText()).isEqualTo("shop/" + id);
        assertThat(order.path("salesChannel").asText()).isEqualTo("shop");
        assertThat(order.path("lines").get(0).path("quantity").asInt()).isEqualTo(1);
        assertThat(order.has("orderRef")).as("not the canonical order").isFalse();

        String refused = "E-" + UUID.randomUUID();
        ERP.always("/erp/orders", Reply.of(422, "{\"error\":\"unknown customer\"}"));
        takeOrder(refused);
        JmsTemplate jms = kanaal.getBean(JmsTemplate.class);
        jms.setReceiveTimeout(15_000);
        Message dead = jms.receiveSelected("DLQ.kanaal.orders.unified", "kanaalOrderRef = 'shop/" + refused + "'");
        assertThat(dead).isNotNull();
        assertThat(dead.getStringProperty("kanaalDeadLetterReason")).contains("422").contains("unknown customer");
        assertThat(ERP.requests("/erp/orders").stream().filter(r -> r.body().contains(refused))).hasSize(1);
    }

    private void takeOrder(String id) throws Exception {
        int port = ((WebServerApplicationContext) kanaal).getWebServer().getPort();
        String body = shopOrder(id, "ERP-" + UUID.randomUUID(), 1, "2026-11-23T17:00:00Z");
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/webhooks/shop/orders"))
                .header("Content-Type", "application/json")
                .header("X-Kanaal-Signature", sign(SECRET, body))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    }
}
