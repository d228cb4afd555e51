package io.kanaal.support;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.QueueBrowser;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.util.Collections;
import org.springframework.jms.core.JmsTemplate;

/** Orders as the ERP reads them: from kanaal.orders.unified, by their orderRef (header kanaalOrderRef). */
public final class UnifiedQueue {

    private static final ObjectMapper JSON = new ObjectMapper();

    private UnifiedQueue() {
    }

    /** The order taken off the queue; fails when it does not come within the time. */
    public static JsonNode receive(JmsTemplate jms, String orderRef, long timeoutMillis) throws Exception {
        JsonNode order = receiveOrNull(jms, orderRef, timeoutMillis);
        assertThat(order).as("order %s on kanaal.orders.unified", orderRef).isNotNull();
        return order;
    }

    /** The order taken off the queue, or null when none comes within the time. */
    public static JsonNode receiveOrNull(JmsTemplate jms, String orderRef, long timeoutMillis) throws Exception {
        jms.setReceiveTimeout(timeoutMillis);
        Message message = jms.receiveSelected("kanaal.orders.unified", "kanaalOrderRef = '" + orderRef + "'");
        return message == null ? null : JSON.readTree(((TextMessage) message).getText());
    }

    /** How many messages for the order kanaal.orders.unified holds, browsed (left on the queue) through the factory. */
    public static int copies(ConnectionFactory factory, String orderRef) throws JMSException {
        try (Connection connection = factory.createConnection()) {
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            connection.start();
            try (QueueBrowser browser = session.createBrowser(session.createQueue("kanaal.orders.unified"),
                    "kanaalOrderRef = '" + orderRef + "'")) {
                return Collections.list(browser.getEnumeration()).size();
            }
        }
    }
}
