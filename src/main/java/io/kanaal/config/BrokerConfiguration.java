package io.kanaal.config;

import io.kanaal.broker.BrokerConnections;
import io.kanaal.broker.DeadLetterHeaders;
import io.kanaal.channel.ChannelStockQueues;
import jakarta.jms.ConnectionFactory;
import org.apache.activemq.artemis.api.core.QueueConfiguration;
import org.apache.activemq.artemis.api.core.RoutingType;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.settings.impl.AddressFullMessagePolicy;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.core.settings.impl.AddressSettings;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.jms.artemis.ArtemisConfigurationCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.jms.connection.CachingConnectionFactory;

/**
 * Address settings of the embedded Artemis broker. A standalone broker needs the same settings in its
 * etc/broker.properties: see config/artemis/broker.properties. Kanaal does not need the broker to persist
 * delivery counts (a journal record per delivery): what a message crashed in the middle of is found by the
 * message itself (StockLedger.record, the order intake's repository), not by its redelivered flag.
 *
 * <ul>
 *   <li>{@code kanaal.#}: broker-level redelivery with backoff after a rollback (a crash or a failed
 *       dead-letter send), then the queue {@value DeadLetterHeaders#BROKER_QUEUE}, one for every message the broker
 *       dead-letters itself (each names its queue in {@code _AMQ_ORIG_QUEUE}). Kanaal's routes dead-letter with the
 *       reason first, on {@code DLQ.<queue>}. (The broker's own per-queue dead-letter queues would sit on another
 *       address under the same names as Kanaal's: a send of Kanaal's to one of them would fail.)</li>
 *   <li>{@code kanaal.channel.stock}: the address of the channels' last-value stock queues (created by
 *       {@link io.kanaal.channel.ChannelStockQueues}). Never paged: paging breaks last-value.</li>
 * </ul>
 *
 * <p>The JMS clients cache the queues they look up ({@link #cachedDestinations}).
 */
@Configuration(proxyBeanMethods = false)
public class BrokerConfiguration {

    @Bean
    ArtemisConfigurationCustomizer kanaalAddressSettings(
            @Value("${kanaal.broker.acceptor:}") String acceptor,
            @Value("${kanaal.broker.max-delivery-attempts:10}") int maxDeliveryAttempts,
            Environment environment) {
        return configuration -> {
            configuration.setJMXManagementEnabled(false);
            if (!acceptor.isBlank()) {
                try {
                    configuration.addAcceptorConfiguration("kanaal-netty", acceptor);
                } catch (Exception e) {
                    throw new IllegalStateException("kanaal.broker.acceptor '" + acceptor + "': " + e.getMessage(), e);
                }
            }
            BrokerUsers.of(environment).secure(configuration);
            configuration.addQueueConfiguration(QueueConfiguration.of(DeadLetterHeaders.BROKER_QUEUE)
                    .setRoutingType(RoutingType.ANYCAST).setDurable(true));
            configuration.addAddressSetting("kanaal.#", redelivering(maxDeliveryAttempts));
            configuration.addAddressSetting(ChannelStockQueues.ADDRESS, redelivering(maxDeliveryAttempts)
                    .setAddressFullMessagePolicy(AddressFullMessagePolicy.BLOCK)
                    .setMaxSizeBytes(256L * 1024 * 1024));
        };
    }

    /**
     * Every JMS send names its queue, and the Artemis client asks the broker whether that queue exists each
     * time unless it caches what it found: a blocking round trip per message sent (about 3% of the CPU of a
     * stock update in the benchmark's profile, four sends each). Kanaal's queues are not deleted while it runs.
     */
    @Bean
    static BeanPostProcessor cachedDestinations(Environment environment) {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessBeforeInitialization(Object bean, String beanName) {
                if (bean instanceof ConnectionFactory factory && BrokerConnections.uncached(factory) instanceof ActiveMQConnectionFactory artemis) {
                    artemis.setCacheDestinations(true);
                    BrokerUsers users = BrokerUsers.of(environment);
                    if (artemis.getUser() == null && users.secured()) {
                        // Spring Boot's in-VM factory logs in as nobody: with the embedded broker's security on,
                        // Kanaal logs in as its application user
                        artemis.setUser(users.kanaalUser());
                        artemis.setPassword(users.kanaalPassword());
                    }
                }
                if (bean instanceof EmbeddedActiveMQ broker) {
                    BrokerUsers.of(environment).securityManager().ifPresent(broker::setSecurityManager);
                }
                return bean;
            }
        };
    }

    private static AddressSettings redelivering(int maxDeliveryAttempts) {
        return new AddressSettings()
                .setRedeliveryDelay(1_000)
                .setRedeliveryMultiplier(2.0)
                .setMaxRedeliveryDelay(300_000)
                .setMaxDeliveryAttempts(maxDeliveryAttempts)
                .setDeadLetterAddress(SimpleString.of(DeadLetterHeaders.BROKER_QUEUE));
    }
}
