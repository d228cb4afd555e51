package io.kanaal.channel;

import io.kanaal.broker.BrokerConnections;
import jakarta.jms.ConnectionFactory;
import java.time.Duration;
import java.util.Collection;
import java.util.EnumSet;
import java.util.stream.Collectors;
import org.apache.activemq.artemis.api.core.ActiveMQException;
import org.apache.activemq.artemis.api.core.QueueConfiguration;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.api.core.client.ActiveMQClient;
import org.apache.activemq.artemis.api.core.client.ClientSession.QueueQuery;
import org.apache.activemq.artemis.api.core.client.ClientSession;
import org.apache.activemq.artemis.api.core.client.ClientSessionFactory;
import org.apache.activemq.artemis.api.core.client.ServerLocator;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The channels' stock queues on the broker. The fan-out sends a SKU's new quantities for all channels in one
 * message to the multicast address {@value #ADDRESS}; each enabled channel has a durable last-value queue
 * {@code kanaal.channel.<channel>.stock} on that address (keyed by SKU, {@code _AMQ_LVQ_NAME}) whose filter
 * takes the messages that name the channel in property {@value #CHANNELS}. So the broker stores and routes one
 * message per update, not one per channel, and each channel's queue still keeps one level per SKU.
 *
 * <p>Kanaal creates these queues itself when it starts, before its routes consume or send, on the embedded
 * broker and on a standalone one alike (its user needs the createDurableQueue permission on
 * {@code kanaal.#}): a channel added to the configuration gets its queue without a change on the broker. A
 * queue of that name in another shape (an older Kanaal's queue of its own address) is replaced when it is
 * empty; when it still holds messages Kanaal does not start, and says so.
 */
@Component("channelStockQueues")
public class ChannelStockQueues implements InitializingBean {

    /** The multicast address every channel's stock queue is bound to. */
    public static final String ADDRESS = "kanaal.channel.stock";
    /** Message property naming the channels a message has an update for: {@code ,bol,shop,}. */
    public static final String CHANNELS = "kanaalChannels";

    private static final Logger log = LoggerFactory.getLogger(ChannelStockQueues.class);

    private final ConnectionFactory connectionFactory;
    private final Channels channels;
    private final Duration brokerWait;

    public ChannelStockQueues(ConnectionFactory connectionFactory, Channels channels,
            @Value("${kanaal.broker.startup-wait}") Duration brokerWait) {
        this.connectionFactory = connectionFactory;
        this.channels = channels;
        this.brokerWait = brokerWait;
    }

    /** The stock queue of a channel. */
    public static String queue(String channel) {
        return "kanaal.channel." + channel + ".stock";
    }

    /** The stock queue of a channel as a fully qualified name (address::queue), for consuming it and sending only to it. */
    public static String qualified(String channel) {
        return ADDRESS + "::" + queue(channel);
    }

    /** The value of {@value #CHANNELS} for a message with updates for these channels. */
    public static String channelsProperty(Collection<String> channelIds) {
        return channelIds.stream().collect(Collectors.joining(",", ",", ","));
    }

    static String filter(String channel) {
        // channel ids are lower-case letters, digits and '-' (Channels): nothing LIKE would read as a wildcard
        return CHANNELS + " LIKE '%," + channel + ",%'";
    }

    @Override
    public void afterPropertiesSet() throws Exception {
        ConnectionFactory target = BrokerConnections.uncached(connectionFactory);
        if (!(target instanceof ActiveMQConnectionFactory artemis)) {
            throw new IllegalStateException("the channels' stock queues need an Artemis broker, not " + target);
        }
        long deadline = System.nanoTime() + brokerWait.toNanos();
        while (true) {
            try {
                ensure(artemis);
                return;
            } catch (ActiveMQException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("broker not reachable to create the channels' stock queues within "
                            + brokerWait + " (kanaal.broker.startup-wait): " + e.getMessage(), e);
                }
                log.warn("Broker not reachable yet, the channels' stock queues are created once it is: {}", e.getMessage());
                Thread.sleep(2_000);
            }
        }
    }

    private void ensure(ActiveMQConnectionFactory artemis) throws ActiveMQException {
        try (ServerLocator locator = ActiveMQClient.createServerLocator(artemis.toURI().toString());
             ClientSessionFactory factory = locator.createSessionFactory();
             ClientSession session = factory.createSession(artemis.getUser(), artemis.getPassword(), false, true, true, false, 0)) {
            ensure(session);
        } catch (ActiveMQException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("channels' stock queues: " + e.getMessage(), e);
        }
    }

    /** Creates the address and every enabled channel's queue on it that is missing. */
    void ensure(ClientSession session) throws ActiveMQException {
        SimpleString address = SimpleString.of(ADDRESS);
        if (!session.addressQuery(address).isExists()) {
            session.createAddress(address, EnumSet.of(RoutingType.MULTICAST), false);
        }
        for (String channel : channels.enabledIds()) {
            SimpleString name = SimpleString.of(queue(channel));
            String filter = filter(channel);
            QueueQuery existing = session.queueQuery(name);
            if (existing.isExists()) {
                if (address.equals(existing.getAddress()) && existing.isDurable() && existing.isLastValue()
                        && existing.getFilterString() != null && filter.equals(existing.getFilterString().toString())) {
                    continue;
                }
                if (existing.getMessageCount() > 0) {
                    throw new IllegalStateException("queue " + name + " is in an older shape (address " + existing.getAddress()
                            + ", filter " + existing.getFilterString() + ") and still holds " + existing.getMessageCount()
                            + " messages: let the Kanaal that queued them deliver them, or move them, before this one starts");
                }
                log.info("Replacing empty queue {} of address {} by the channel's stock queue on {}", name, existing.getAddress(), ADDRESS);
                session.deleteQueue(name);
            }
            session.createQueue(QueueConfiguration.of(name).setAddress(address).setRoutingType(RoutingType.MULTICAST)
                    .setDurable(true).setLastValue(true).setFilterString(filter));
            log.info("Created stock queue {} on {} (filter {})", name, ADDRESS, filter);
        }
    }
}
