package io.kanaal.ops;

import io.kanaal.api.InvalidRequestException;
import io.kanaal.api.QueryLimits;
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

    /** A JMS message id as Artemis gives them ({@code ID:} and a UUID), with room for other brokers' forms. */
    private static final java.util.regex.Pattern MESSAGE_ID = java.util.regex.Pattern.compile("ID:[A-Za-z0-9:._-]{1,100}");

    public static final String PREFIX = DeadLetterHeaders.PREFIX;
    public static final String REASON = DeadLetterHeaders.REASON;
    public static final String ORIGINAL_QUEUE = DeadLetterHeaders.ORIGINAL_QUEUE;
    public static final String FAILED_ROUTE = DeadLetterHeaders.FAILED_ROUTE;
    public static final String ATTEMPTS = DeadLetterHeaders.ATTEMPTS;
    public static final String FAILED_AT = DeadLetterHeaders.FAILED_AT;
    private static final String FQQN_SEPARATOR = "::";
    /** Artemis' duplicate-detection property */
    private static final String DUPLICATE_ID = "_AMQ_DUPL_ID";

    private final ConnectionFactory connectionFactory;
    private final Channels channels;
    private final BrokerQueues brokerQueues;
    private final AuditLog audit;

    public DeadLetters(ConnectionFactory connectionFactory, Channels channels, BrokerQueues brokerQueues, AuditLog audit) {
        this.audit = audit;
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
        return list(brokerQueues.messageCounts());
    }

    private List<Map<String, Object>> list(Map<String, Long> onBroker) {
        Map<String, Long> counts = new TreeMap<>();
        Stream.concat(Stream.of("kanaal.erp.stock"), channels.enabledIds().stream().map(ChannelStockQueues::queue))
                .forEach(queue -> counts.put(PREFIX + queue, 0L));
        counts.put(DeadLetterHeaders.BROKER_QUEUE, 0L);
        onBroker.forEach((queue, count) -> {
            if (queue.startsWith(PREFIX)) {
                counts.put(queue, count);
            }
        });
        List<Map<String, Object>> result = new ArrayList<>();
        counts.forEach((queue, count) -> {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("queue", queue);
            // the broker's own dead-letter queue holds messages of every queue: each names its own
            entry.put("originalQueue", queue.equals(DeadLetterHeaders.BROKER_QUEUE) ? null : queue.substring(PREFIX.length()));
            entry.put("messages", count);
            result.add(entry);
        });
        return result;
    }

    /**
     * Up to {@code limit} messages of a dead-letter queue, oldest first, with their reasons. A queue that is
     * neither listed nor on the broker is not found (404); a limit below 1 is refused (400).
     */
    public List<Map<String, Object>> browse(@Header("queue") String queue, @Header("limit") String limit) {
        requireKnownDeadLetterQueue(queue);
        int max = limit(limit);
        return withSession(false, session -> {
            List<Map<String, Object>> messages = new ArrayList<>();
            try (QueueBrowser browser = session.createBrowser(session.createQueue(queue))) {
                for (Object each : Collections.list(browser.getEnumeration())) {
                    if (messages.size() >= max) {
                        break;
                    }
                    messages.add(describe((Message) each, queue));
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

    /**
     * Takes the messages that are in the queue when it starts (or the one with {@code messageId}), and ends: a
     * replayed message that fails again at once comes back behind them and is not taken a second time.
     */
    private Map<String, Object> drain(String queue, String messageId, boolean replay) {
        requireKnownDeadLetterQueue(queue);
        boolean one = messageId != null && !messageId.isBlank();
        if (one && !MESSAGE_ID.matcher(messageId).matches()) {
            throw new InvalidRequestException(400, "Not a message id", List.of(
                    "messageId must be a message id as the dead-letter list shows it (ID: and up to 100 letters, digits, '-', ':', '.' or '_')"));
        }
        int moved = withSession(true, session -> {
            Queue deadLetters = session.createQueue(queue);
            String selector = one ? "JMSMessageID = '" + messageId.replace("'", "''") + "'" : null;
            int present = one ? 1 : count(session, deadLetters);
            int count = 0;
            try (MessageConsumer consumer = session.createConsumer(deadLetters, selector)) {
                Message message;
                while (count < present && (message = consumer.receive(500)) != null) {
                    if (replay) {
                        String original = originalQueue(message, queue);
                        // a qualified name (address::queue) is a queue on a shared, multicast address (the channels'
                        // stock queues): sent as to a topic, and only that queue gets it
                        Destination back = original.contains(FQQN_SEPARATOR) ? session.createTopic(original) : session.createQueue(original);
                        try (MessageProducer producer = session.createProducer(back)) {
                            producer.send(replayable(message));
                        }
                    }
                    count++;
                    session.commit();
                }
            }
            return count;
        });
        audit.record(replay ? "replay" : "discard", queue, messageId, moved);
        if (one && moved == 0) {
            throw new InvalidRequestException(404, "No such dead letter", List.of("no message " + messageId + " in " + queue));
        }
        return Map.of("queue", queue, replay ? "replayed" : "discarded", moved);
    }

    /**
     * The message as it goes back. One sent with a duplicate id (the unified queue's orderRef) would be dropped by
     * the broker's duplicate detection, which still remembers its first send: it goes back under an id of its own
     * replay (the dead letter is taken in the same transaction, so it is replayed once).
     */
    private static Message replayable(Message message) throws JMSException {
        String duplicateId = message.getStringProperty(DUPLICATE_ID);
        if (duplicateId == null) {
            return message;
        }
        Map<String, Object> properties = new LinkedHashMap<>();
        for (Object name : Collections.list(message.getPropertyNames())) {
            String property = (String) name;
            boolean providers = property.startsWith("__AMQ") || property.startsWith("JMSX") && !property.startsWith("JMSXGroup");
            if (!providers && !property.equals(DUPLICATE_ID)) {
                properties.put(property, message.getObjectProperty(property));
            }
        }
        String replayed = duplicateId + "#replay-" + message.getJMSMessageID();
        message.clearProperties();
        for (Map.Entry<String, Object> property : properties.entrySet()) {
            message.setObjectProperty(property.getKey(), property.getValue());
        }
        message.setStringProperty(DUPLICATE_ID, replayed);
        return message;
    }

    private static int count(Session session, Queue queue) throws JMSException {
        try (QueueBrowser browser = session.createBrowser(queue)) {
            return Collections.list(browser.getEnumeration()).size();
        } catch (InvalidDestinationException e) {
            return 0;
        }
    }

    private static int limit(String limit) {
        return QueryLimits.limit(limit);
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

    private void requireKnownDeadLetterQueue(String queue) {
        if (queue == null || !queue.startsWith(PREFIX)) {
            throw new InvalidRequestException(400, "Bad request",
                    List.of("not a dead-letter queue: " + queue + " (their names start with " + PREFIX + ")"));
        }
        // known: on the broker, or the dead-letter queue of a queue that is (created with its first dead letter)
        Map<String, Long> onBroker = brokerQueues.messageCounts();
        if (!onBroker.containsKey(queue) && !onBroker.containsKey(queue.substring(PREFIX.length()))
                && list(onBroker).stream().noneMatch(entry -> queue.equals(entry.get("queue")))) {
            throw new InvalidRequestException(404, "No such dead-letter queue",
                    List.of(queue + " is not on the broker; GET /api/v1/ops/dead-letters lists them"));
        }
    }

    /**
     * A dead letter as ops see it. One the broker dead-lettered itself (its consumer rolled it back
     * max-delivery-attempts times without Kanaal's error handling getting to it) carries no reason of Kanaal's:
     * it says so, and where it came from.
     */
    private static Map<String, Object> describe(Message message, String deadLetterQueue) throws JMSException {
        Map<String, Object> entry = new LinkedHashMap<>();
        String reason = message.getStringProperty(REASON);
        boolean byBroker = reason == null && message.getStringProperty("_AMQ_ORIG_QUEUE") != null;
        entry.put("messageId", message.getJMSMessageID());
        entry.put("reason", byBroker ? "dead-lettered by the broker: every delivery attempt was rolled back" : reason);
        entry.put("originalQueue", originalQueue(message, deadLetterQueue));
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
