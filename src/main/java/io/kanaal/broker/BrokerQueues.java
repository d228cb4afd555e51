package io.kanaal.broker;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TemporaryQueue;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.activemq.artemis.api.core.management.ResourceNames;
import org.apache.activemq.artemis.api.jms.management.JMSManagementHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Kanaal's queues as the broker sees them, through Artemis' management address (the same for the embedded
 * and a standalone broker; on a standalone broker Kanaal's user needs the {@code manage} permission, which
 * the {@code amq} role of {@code artemis create} has). Kept as gauge {@code kanaal.queue.messages{queue}}
 * for every {@code kanaal.*} and {@code DLQ.*} queue, refreshed by the {@code queue-depths} route.
 */
@Component("brokerQueues")
public class BrokerQueues {

    private static final Logger LOG = LoggerFactory.getLogger(BrokerQueues.class);
    private static final String MANAGEMENT_ADDRESS = "activemq.management";
    private static final long REPLY_TIMEOUT_MS = 5_000;

    private final ConnectionFactory connectionFactory;
    private final MeterRegistry meters;
    private final ConcurrentMap<String, AtomicLong> gauges = new ConcurrentHashMap<>();

    public BrokerQueues(ConnectionFactory connectionFactory, MeterRegistry meters) {
        this.connectionFactory = connectionFactory;
        this.meters = meters;
    }

    /** Every Kanaal queue ({@code kanaal.*}) and dead-letter queue ({@code DLQ.*}) on the broker, with its message count, by name. */
    public Map<String, Long> messageCounts() {
        return managed(management -> {
            Map<String, Long> counts = new TreeMap<>();
            for (Object name : (Object[]) management.attribute(ResourceNames.BROKER, "queueNames")) {
                String queue = name.toString();
                if (queue.startsWith("kanaal.") || queue.startsWith(DeadLetterHeaders.PREFIX)) {
                    try {
                        counts.put(queue, ((Number) management.attribute(ResourceNames.QUEUE + queue, "messageCount")).longValue());
                    } catch (Refused e) {
                        // gone since its name was read: the broker deletes an auto-created queue once it is empty
                        LOG.debug("Queue {} not counted: {}", queue, e.getMessage());
                    }
                }
            }
            return counts;
        });
    }

    /** The messages on one queue; 0 when the broker has no such queue (an auto-created queue goes once empty). */
    public long messageCount(String queue) {
        return managed(management -> {
            try {
                return ((Number) management.attribute(ResourceNames.QUEUE + queue, "messageCount")).longValue();
            } catch (Refused e) {
                return 0L;
            }
        });
    }

    /** Reads an attribute of a broker resource through the management address. */
    private interface Management {
        Object attribute(String resource, String attribute) throws Exception;
    }

    private interface ManagementCall<T> {
        T call(Management management) throws Exception;
    }

    /** Runs {@code call} with a connection to the broker's management address, closed afterwards. */
    private <T> T managed(ManagementCall<T> call) {
        try (Connection connection = connectionFactory.createConnection()) {
            connection.start();
            try (Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE)) {
                TemporaryQueue replies = session.createTemporaryQueue();
                try (MessageProducer management = session.createProducer(session.createQueue(MANAGEMENT_ADDRESS));
                     MessageConsumer answers = session.createConsumer(replies)) {
                    return call.call((resource, attribute) -> attribute(session, management, answers, replies, resource, attribute));
                } finally {
                    replies.delete();
                }
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("broker management: " + e.getMessage(), e);
        }
    }

    /**
     * Reads the message counts into the gauges (a queue seen once keeps its gauge; while the broker cannot answer, its
     * last value) and returns them, for the console's trend; none while the broker cannot answer.
     */
    public Map<String, Long> refreshGauges() {
        Map<String, Long> counts;
        try {
            counts = messageCounts();
        } catch (RuntimeException e) {
            LOG.warn("Queue message counts not read: {}", e.getMessage());
            return Map.of();
        }
        counts.forEach((queue, count) -> gauges.computeIfAbsent(queue, name -> {
            AtomicLong value = new AtomicLong();
            Gauge.builder("kanaal.queue.messages", value, AtomicLong::get).tag("queue", name)
                    .description("Messages on a Kanaal queue or dead-letter queue").register(meters);
            return value;
        }).set(count));
        return counts;
    }

    private static Object attribute(Session session, MessageProducer management, MessageConsumer answers,
                                    TemporaryQueue replies, String resource, String attribute) throws Exception {
        Message request = session.createMessage();
        JMSManagementHelper.putAttribute(request, resource, attribute);
        request.setJMSReplyTo(replies);
        management.send(request);
        Message reply = answers.receive(REPLY_TIMEOUT_MS);
        if (reply == null) {
            throw new IllegalStateException("broker management: no answer for " + resource + "." + attribute);
        }
        if (!JMSManagementHelper.hasOperationSucceeded(reply)) {
            throw new Refused("broker management refused " + resource + "." + attribute + ": "
                    + JMSManagementHelper.getResult(reply));
        }
        return JMSManagementHelper.getResult(reply);
    }

    private static final class Refused extends IllegalStateException {
        Refused(String message) {
            super(message);
        }
    }
}
