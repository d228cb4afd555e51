package io.kanaal.ops;

import io.kanaal.broker.BrokerQueues;
import io.kanaal.broker.DeadLetterHeaders;
import io.kanaal.channel.ChannelStockQueues;
import io.kanaal.channel.Channels;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.Destination;
import jakarta.jms.InvalidDestinationException;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.QueueBrowser;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.camel.Exchange;
import org.apache.camel.Header;
import org.apache.camel.Processor;
import org.apache.camel.Variable;
import org.springframework.stereotype.Component;

/**
 * Dead-letter queues: {@code DLQ.<queue>} holds each message that could not be processed, as it came,
 * with the reason. Ops list, browse, replay (back to the queue it came from) and discard them.
 */
@Component("deadLetters")
public class DeadLetters implements Processor {

    public static final String PREFIX = DeadLetterHeaders.PREFIX;
    public static final String REASON = DeadLetterHeaders.REASON;
    public static final String ORIGINAL_QUEUE = DeadLetterHeaders.ORIGINAL_QUEUE;
    public static final String FAILED_ROUTE = DeadLetterHeaders.FAILED_ROUTE;
    public static final String ATTEMPTS = DeadLetterHeaders.ATTEMPTS;
    public static final String FAILED_AT = DeadLetterHeaders.FAILED_AT;
    private static final String FQQN_SEPARATOR = "::";

    private final ConnectionFactory connectionFactory;
    private final Channels channels;
    private final BrokerQueues brokerQueues;

    public DeadLetters(ConnectionFactory connectionFactory, Channels channels, BrokerQueues brokerQueues) {
        this.connectionFactory = connectionFactory;
        this.channels = channels;
        this.brokerQueues = brokerQueues;
    }

    /**
     * Called before each redelivery: counts the attempts on the exchange, where they survive the error
     * handler putting the original message back for the dead-letter queue.
     */
    @Override
    public void process(Exchange exchange) {
        Integer redeliveries = exchange.getIn().getHeader(Exchange.REDELIVERY_COUNTER, Integer.class);
        exchange.setProperty(ATTEMPTS, redeliveries == null ? 1 : redeliveries + 1);
    }

    /**
     * Marks a failed message with why and where it failed; returns the dead-letter queue to send it to.
     * Called by the shared dead-letter route with the original message. The queue it came from is the message's
     * destination, unless the route named it in variable {@code consumedQueue}: a queue on a shared address
     * (a channel's stock queue, {@code kanaal.channel.stock::kanaal.channel.<channel>.stock}), whose messages
     * carry the address as their destination. A replay sends the message back to the queue in
     * {@value #ORIGINAL_QUEUE}, by its qualified name when it has one, so that only that queue gets it.
     */
    public String annotate(Exchange exchange, @Header("JMSDestination") Object destination,
            @Variable("consumedQueue") String consumedQueue) throws JMSException {
        String queue = consumedQueue != null ? consumedQueue
                : destination instanceof Queue q ? q.getQueueName() : String.valueOf(destination);
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        Integer attempts = exchange.getProperty(ATTEMPTS, Integer.class);
        var in = exchange.getIn();
        in.setHeader(REASON, failure == null ? "unknown" : failure.getClass().getSimpleName() + ": " + failure.getMessage());
        in.setHeader(ORIGINAL_QUEUE, queue);
        in.setHeader(FAILED_ROUTE, exchange.getProperty(Exchange.FAILURE_ROUTE_ID, String.class));
        in.setHeader(ATTEMPTS, attempts == null ? 1 : attempts);
        in.setHeader(FAILED_AT, Instant.now().toString());
        int qualified = queue.indexOf(FQQN_SEPARATOR);
        return PREFIX + (qualified < 0 ? queue : queue.substring(qualified + FQQN_SEPARATOR.length()));
    }

    /**
     * Every dead-letter queue on the broker, with how many messages it holds; those of the ERP's stock queue
     * and of each enabled channel's stock queue are listed (with 0) before anything was ever dead-lettered.
     */
    public List<Map<String, Object>> list() {
        Map<String, Long> counts = new TreeMap<>();
        Stream.concat(Stream.of("kanaal.erp.stock"), channels.enabledIds().stream().map(ChannelStockQueues::queue))
                .forEach(queue -> counts.put(PREFIX + queue, 0L));
        brokerQueues.messageCounts().forEach((queue, count) -> {
            if (queue.startsWith(PREFIX)) {
                counts.put(queue, count);
            }
        });
        List<Map<String, Object>> result = new ArrayList<>();
        counts.forEach((queue, count) -> {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("queue", queue);
            entry.put("originalQueue", queue.substring(PREFIX.length()));
            entry.put("messages", count);
            result.add(entry);
        });
        return result;
    }

    /** Up to {@code limit} messages of a dead-letter queue, oldest first, with their reasons. */
    public List<Map<String, Object>> browse(@Header("queue") String queue, @Header("limit") Integer limit) {
        requireDeadLetterQueue(queue);
        int max = limit == null ? 100 : limit;
        return withSession(false, session -> {
            List<Map<String, Object>> messages = new ArrayList<>();
            try (QueueBrowser browser = session.createBrowser(session.createQueue(queue))) {
                for (Object each : Collections.list(browser.getEnumeration())) {
                    if (messages.size() >= max) {
                        break;
                    }
                    messages.add(describe((Message) each));
                }
            } catch (InvalidDestinationException e) {
                // nothing was ever dead-lettered there: the broker creates a dead-letter queue with its first message
                return messages;
            }
            return messages;
        });
    }

    /** Moves messages back to the queue they failed on; all of them, or the one with {@code messageId}. */
    public Map<String, Object> replay(@Header("queue") String queue, @Header("messageId") String messageId) {
        return drain(queue, messageId, true);
    }

    /** Deletes messages from a dead-letter queue; all of them, or the one with {@code messageId}. */
    public Map<String, Object> discard(@Header("queue") String queue, @Header("messageId") String messageId) {
        return drain(queue, messageId, false);
    }

    private Map<String, Object> drain(String queue, String messageId, boolean replay) {
        requireDeadLetterQueue(queue);
        int moved = withSession(true, session -> {
            String selector = messageId == null || messageId.isBlank() ? null
                    : "JMSMessageID = '" + messageId.replace("'", "''") + "'";
            int count = 0;
            try (MessageConsumer consumer = session.createConsumer(session.createQueue(queue), selector)) {
                Message message;
                while ((message = consumer.receive(500)) != null) {
                    if (replay) {
                        String original = originalQueue(message, queue);
                        // a qualified name (address::queue) is a queue on a shared, multicast address (the channels'
                        // stock queues): sent as to a topic, and only that queue gets it
                        Destination back = original.contains(FQQN_SEPARATOR) ? session.createTopic(original) : session.createQueue(original);
                        try (MessageProducer producer = session.createProducer(back)) {
                            producer.send(message);
                        }
                    }
                    count++;
                    session.commit();
                }
            }
            return count;
        });
        return Map.of("queue", queue, replay ? "replayed" : "discarded", moved);
    }

    /**
     * Where a dead letter goes back to: the queue Kanaal's dead-letter route named; for a message the broker
     * dead-lettered itself (after too many rollbacks), the address and queue it names (qualified, so that a
     * queue on a shared address gets it alone); otherwise the queue the dead-letter queue is named after.
     */
    private static String originalQueue(Message message, String deadLetterQueue) throws JMSException {
        String original = message.getStringProperty(ORIGINAL_QUEUE);
        if (original != null) {
            return original;
        }
        String brokerQueue = message.getStringProperty("_AMQ_ORIG_QUEUE");
        String brokerAddress = message.getStringProperty("_AMQ_ORIG_ADDRESS");
        if (brokerQueue != null && brokerAddress != null) {
            return brokerAddress.equals(brokerQueue) ? brokerQueue : brokerAddress + FQQN_SEPARATOR + brokerQueue;
        }
        return deadLetterQueue.substring(PREFIX.length());
    }

    private static void requireDeadLetterQueue(String queue) {
        if (queue == null || !queue.startsWith(PREFIX)) {
            throw new IllegalArgumentException("not a dead-letter queue: " + queue);
        }
    }

    private static Map<String, Object> describe(Message message) throws JMSException {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("messageId", message.getJMSMessageID());
        entry.put("reason", message.getStringProperty(REASON));
        entry.put("originalQueue", message.getStringProperty(ORIGINAL_QUEUE));
        entry.put("failedRoute", message.getStringProperty(FAILED_ROUTE));
        entry.put("attempts", message.getObjectProperty(ATTEMPTS));
        entry.put("failedAt", message.getStringProperty(FAILED_AT));
        entry.put("body", message instanceof TextMessage text ? text.getText() : message.getBody(String.class));
        return entry;
    }

    private <T> T withSession(boolean transacted, SessionWork<T> work) {
        try (Connection connection = connectionFactory.createConnection()) {
            connection.start();
            try (Session session = connection.createSession(transacted,
                    transacted ? Session.SESSION_TRANSACTED : Session.AUTO_ACKNOWLEDGE)) {
                return work.run(session);
            }
        } catch (JMSException e) {
            throw new IllegalStateException("broker: " + e.getMessage(), e);
        }
    }

    @FunctionalInterface
    private interface SessionWork<T> {
        T run(Session session) throws JMSException;
    }
}
