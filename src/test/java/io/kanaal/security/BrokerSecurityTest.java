package io.kanaal.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.kanaal.support.KanaalIntegrationTest;
import io.kanaal.support.LoopbackPorts;
import jakarta.jms.Connection;
import jakarta.jms.JMSSecurityException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.Test;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The embedded broker with its acceptor on (kanaal.broker.acceptor): Artemis' security is on, Kanaal itself works
 * as its application user, the ERP's user may consume kanaal.orders.unified and nothing else, and any other login
 * is refused. A Kanaal of its own, closed after the class.
 */
@DirtiesContext
class BrokerSecurityTest extends KanaalIntegrationTest {

    private static final int BROKER_PORT = LoopbackPorts.free();
    private static final String BROKER_URL = "tcp://127.0.0.1:" + BROKER_PORT + "?reconnectAttempts=0&initialConnectAttempts=1";
    private static final String KANAAL_PASSWORD = "kanaal-" + UUID.randomUUID();
    private static final String ERP_PASSWORD = "erp-" + UUID.randomUUID();

    @DynamicPropertySource
    static void acceptorOn(DynamicPropertyRegistry registry) {
        registry.add("kanaal.test.context", () -> "broker-security");
        registry.add("kanaal.test.acceptor", () -> "tcp://127.0.0.1:" + BROKER_PORT);
        registry.add("spring.artemis.password", () -> KANAAL_PASSWORD);
        registry.add("kanaal.broker.erp-password", () -> ERP_PASSWORD);
    }

    @Test
    void kanaalWorksAsItsOwnUserAndTheErpConsumesTheUnifiedQueue() throws Exception {
        // Kanaal's own in-VM connections log in: a stock level goes through the fan-out to the shop
        String sku = newSku();
        pushStock(batch(level(sku, 10, 1)));
        await().atMost(Duration.ofSeconds(15)).until(() -> lastQuantity("/shop/stock/" + sku) == 8);

        // an order on the shop's webhook reaches the unified queue, where the ERP's user takes it
        String id = "SEC-" + UUID.randomUUID();
        String order = "{\"id\":\"" + id + "\",\"createdAt\":\"2026-11-23T10:00:00Z\",\"status\":\"paid\","
                + "\"items\":[{\"id\":\"1\",\"sku\":\"" + sku + "\",\"quantity\":1,\"price\":19.95}],\"total\":19.95}";
        HttpResponse<String> taken = send(HttpRequest.newBuilder(uri("/webhooks/shop/orders"))
                .header("Content-Type", "application/json").header("X-Kanaal-Signature", sign(order))
                .POST(HttpRequest.BodyPublishers.ofString(order)));
        assertThat(taken.statusCode()).as(taken.body()).isEqualTo(202);

        try (ActiveMQConnectionFactory erp = new ActiveMQConnectionFactory(BROKER_URL, "erp", ERP_PASSWORD);
             Connection connection = erp.createConnection()) {
            connection.start();
            Session session = connection.createSession(true, Session.SESSION_TRANSACTED);
            MessageConsumer consumer = session.createConsumer(session.createQueue("kanaal.orders.unified"));
            boolean found = false;
            for (Message message = consumer.receive(10_000); message != null && !found; message = consumer.receive(2_000)) {
                found = ((TextMessage) message).getText().contains(id);
            }
            session.rollback(); // leaves the orders there
            assertThat(found).as("the order on kanaal.orders.unified, consumed by the ERP's user").isTrue();
        }
    }

    @Test
    void theErpsUserIsRefusedEverythingElse() throws Exception {
        try (ActiveMQConnectionFactory erp = new ActiveMQConnectionFactory(BROKER_URL, "erp", ERP_PASSWORD);
             Connection connection = erp.createConnection()) {
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            assertThatThrownBy(() -> session.createProducer(session.createQueue("kanaal.orders.unified"))
                    .send(session.createTextMessage("{}")))
                    .as("sending to kanaal.orders.unified").isInstanceOf(JMSSecurityException.class);
            assertThatThrownBy(() -> session.createConsumer(session.createQueue("kanaal.erp.stock")))
                    .as("consuming kanaal.erp.stock").isInstanceOf(JMSSecurityException.class);
            assertThatThrownBy(() -> session.createProducer(session.createQueue("kanaal.erp.stock"))
                    .send(session.createTextMessage("{}")))
                    .as("sending to kanaal.erp.stock").isInstanceOf(JMSSecurityException.class);
            assertThatThrownBy(() -> session.createConsumer(session.createQueue("DLQ.broker")))
                    .as("consuming DLQ.broker").isInstanceOf(JMSSecurityException.class);
        }
    }

    @Test
    void anUnknownUserAWrongPasswordAndNoLoginAreRefused() {
        for (String[] login : new String[][] {{"mallory", "secret"}, {"erp", "not-the-password"}, {"kanaal", "guess"}, {null, null}}) {
            assertThatThrownBy(() -> {
                try (ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(BROKER_URL, login[0], login[1]);
                     Connection connection = factory.createConnection()) {
                    connection.start();
                }
            }).as("login as %s", login[0]).isInstanceOf(JMSSecurityException.class);
        }
    }

    private static String sign(String body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SHOP_WEBHOOK_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    }
}
