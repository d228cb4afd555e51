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
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
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
        return copies(factory, List.of(orderRef)).get(orderRef);
    }

    /**
     * How many messages for each of the orders kanaal.orders.unified holds (0 for none), browsed (left on the queue)
     * through the factory in one go.
     */
    public static Map<String, Integer> copies(ConnectionFactory factory, Collection<String> orderRefs) throws JMSException {
        Map<String, Integer> copies = new TreeMap<>();
        orderRefs.forEach(ref -> copies.put(ref, 0));
        String selector = orderRefs.stream().map(ref -> "'" + ref.replace("'", "''") + "'")
                .collect(Collectors.joining(",", "kanaalOrderRef IN (", ")"));
        try (Connection connection = factory.createConnection()) {
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            connection.start();
            try (QueueBrowser browser = session.createBrowser(session.createQueue("kanaal.orders.unified"), selector)) {
                for (Object message : Collections.list(browser.getEnumeration())) {
                    copies.merge(((Message) message).getStringProperty("kanaalOrderRef"), 1, Integer::sum);
                }
            }
        }
        return copies;
    }
}
