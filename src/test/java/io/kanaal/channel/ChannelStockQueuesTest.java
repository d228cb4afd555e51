package io.kanaal.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.MessageProducer;
import jakarta.jms.Queue;
import jakarta.jms.QueueBrowser;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.activemq.artemis.api.core.QueueConfiguration;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.api.core.client.ActiveMQClient;
import org.apache.activemq.artemis.api.core.client.ClientSession;
import org.apache.activemq.artemis.api.core.client.ClientSessionFactory;
import org.apache.activemq.artemis.api.core.client.ServerLocator;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The channels' stock queues as Kanaal creates them on a broker (an in-VM Artemis of the test's own): a
 * message sent once to kanaal.channel.stock reaches the queue of each channel it names, and nobody else's;
 * each queue keeps the newest message per SKU.
 */
class ChannelStockQueuesTest {

    private EmbeddedActiveMQ broker;
    private ActiveMQConnectionFactory factory;

    @BeforeEach
    void startBroker() throws Exception {
        broker = new EmbeddedActiveMQ().setConfiguration(new ConfigurationImpl()
                .setPersistenceEnabled(false)
                .setSecurityEnabled(false)
                .addAcceptorConfiguration("in-vm", "vm://71"));
        broker.start();
        factory = new ActiveMQConnectionFactory("vm://71");
    }

    @AfterEach
    void stopBroker() throws Exception {
        factory.close();
        broker.stop();
    }

    @Test
    void aMessageSentOnceReachesTheQueueOfEveryChannelItNamesWithTheNewestLevelPerSku() throws Exception {
        queues("alpha", "beta", "gamma").afterPropertiesSet();

        try (Connection connection = factory.createConnection()) {
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageProducer producer = session.createProducer(session.createTopic(ChannelStockQueues.ADDRESS));
            send(session, producer, "SKU-1", ",alpha,beta,", "sku-1 level 1");
            send(session, producer, "SKU-2", ",beta,", "sku-2 level 1");
            send(session, producer, "SKU-1", ",alpha,beta,", "sku-1 level 2");
            send(session, producer, "SKU-1", ",alpha,", "sku-1 level 3");

            assertThat(onQueue(session, "alpha")).containsExactly("sku-1 level 3");
            assertThat(onQueue(session, "beta")).containsExactlyInAnyOrder("sku-1 level 2", "sku-2 level 1");
            assertThat(onQueue(session, "gamma")).isEmpty();
        }
    }

    @Test
    void aSecondStartKeepsTheQueuesAndTheirMessages() throws Exception {
        queues("alpha").afterPropertiesSet();
        try (Connection connection = factory.createConnection()) {
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            send(session, session.createProducer(session.createTopic(ChannelStockQueues.ADDRESS)), "SKU-1", ",alpha,", "kept");

            queues("alpha", "beta").afterPropertiesSet();

            assertThat(onQueue(session, "alpha")).containsExactly("kept");
            assertThat(onQueue(session, "beta")).isEmpty();
        }
    }

    @Test
    void anEmptyQueueOfAnOlderShapeIsReplacedAndOneWithMessagesStopsTheStartWithTheReason() throws Exception {
        try (Connection connection = factory.createConnection()) {
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            // an older Kanaal's channel queues: each on an anycast address of its own
            oldShapeQueue("empty");
            oldShapeQueue("full");
            session.createProducer(session.createQueue(ChannelStockQueues.queue("full")))
                    .send(session.createTextMessage("still to deliver"));

            assertThatThrownBy(() -> queues("empty", "full").afterPropertiesSet())
                    .hasMessageContaining("kanaal.channel.full.stock")
                    .hasMessageContaining("still holds 1 messages");
            assertThat(onQueue(session, "empty")).as("the empty one, replaced: now on the stock address").isEmpty();
            send(session, session.createProducer(session.createTopic(ChannelStockQueues.ADDRESS)), "SKU-1", ",empty,", "new");
            assertThat(onQueue(session, "empty")).containsExactly("new");
        }
    }

    private void oldShapeQueue(String channel) throws Exception {
        try (ServerLocator locator = ActiveMQClient.createServerLocator("vm://71");
             ClientSessionFactory sessions = locator.createSessionFactory();
             ClientSession session = sessions.createSession()) {
            session.createQueue(QueueConfiguration.of(ChannelStockQueues.queue(channel)).setRoutingType(RoutingType.ANYCAST).setDurable(true));
        }
    }

    private ChannelStockQueues queues(String... channelIds) {
        Map<String, ChannelProperties> channels = new LinkedHashMap<>();
        for (String id : channelIds) {
            channels.put(id, new ChannelProperties("rest", true, "http://127.0.0.1:9", 0, Integer.MAX_VALUE, 10, 1, false, null, null, null));
        }
        return new ChannelStockQueues(factory, new Channels(new ChannelsProperties(channels)), Duration.ofSeconds(5));
    }

    private static void send(Session session, MessageProducer producer, String sku, String channels, String text) throws JMSException {
        TextMessage message = session.createTextMessage(text);
        message.setStringProperty(ChannelStockQueues.CHANNELS, channels);
        message.setStringProperty("_AMQ_LVQ_NAME", sku);
        producer.send(message);
    }

    private static List<String> onQueue(Session session, String channel) throws JMSException {
        Queue queue = session.createQueue(ChannelStockQueues.qualified(channel));
        List<String> texts = new ArrayList<>();
        try (QueueBrowser browser = session.createBrowser(queue)) {
            for (Object message : Collections.list(browser.getEnumeration())) {
                texts.add(((TextMessage) message).getText());
            }
        }
        return texts;
    }
}
