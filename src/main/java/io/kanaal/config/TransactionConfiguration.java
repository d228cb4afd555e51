package io.kanaal.config;

import io.kanaal.broker.BrokerConnections;
import jakarta.jms.ConnectionFactory;
import java.io.IOException;
import javax.sql.DataSource;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.camel.CamelContext;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.apache.camel.spring.spi.SpringTransactionPolicy;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.jms.connection.CachingConnectionFactory;
import org.springframework.jms.connection.JmsTransactionManager;

/**
 * Two local transaction managers: the database's (primary, for the ledger beans) and the broker's, which
 * the {@code jmsTransacted} policy puts around a route so that all its sends commit as one.
 *
 * <p>The routes that answer a caller (the ERP API, webhooks) and the order pollers send over a broker
 * connection of their own, {@code producerConnectionFactory} in Camel's registry: while the broker is down,
 * every queue consumer tries to reconnect over the shared connection, one after the other, and a caller
 * waiting behind them would get its 503 only after all of them had tried.
 */
@Configuration(proxyBeanMethods = false)
public class TransactionConfiguration {

    @Bean
    @Primary
    JdbcTransactionManager transactionManager(DataSource dataSource) {
        return new JdbcTransactionManager(dataSource);
    }

    @Bean(destroyMethod = "destroy")
    ProducerConnection producerConnection(ConnectionFactory connectionFactory,
            @Value("${kanaal.broker.producer-sessions}") int producerSessions) throws IOException {
        ConnectionFactory target = BrokerConnections.uncached(connectionFactory);
        if (target instanceof ActiveMQConnectionFactory artemis) {
            // a client of its own (its own server locator), configured alike: connection attempts of the
            // consumers' client must not hold up the producers' while the broker is down
            ActiveMQConnectionFactory own = new ActiveMQConnectionFactory(artemis.toURI().toString(), artemis.getUser(), artemis.getPassword());
            own.setCacheDestinations(artemis.isCacheDestinations());
            target = own;
        }
        CachingConnectionFactory producer = new CachingConnectionFactory(target);
        // as many sessions kept as requests send at once (the HTTP API's threads): a session beyond the cache
        // is closed after its one transaction and the next request opens a new one, a broker round trip each
        producer.setSessionCacheSize(producerSessions);
        producer.setReconnectOnException(true);
        return new ProducerConnection(producer);
    }

    @Bean
    JmsTransactionManager jmsTransactionManager(ProducerConnection producerConnection) {
        return new JmsTransactionManager(producerConnection.factory());
    }

    @Bean
    SpringTransactionPolicy jmsTransacted(JmsTransactionManager jmsTransactionManager) {
        SpringTransactionPolicy policy = new SpringTransactionPolicy(jmsTransactionManager);
        policy.setPropagationBehaviorName("PROPAGATION_REQUIRED");
        return policy;
    }

    /**
     * A broker transaction over the consumers' connection ({@code transacted: ref: intakeTransacted}): a webhook
     * call takes each order in as the intake queue's consumer does, whose sends (the unified message, the
     * acknowledgement, a dead letter) go over that connection and commit as one with this transaction.
     */
    @Bean
    SpringTransactionPolicy intakeTransacted(ConnectionFactory connectionFactory) {
        SpringTransactionPolicy policy = new SpringTransactionPolicy(new JmsTransactionManager(connectionFactory));
        policy.setPropagationBehaviorName("PROPAGATION_REQUIRED");
        return policy;
    }

    /**
     * A database transaction around the rest of a route ({@code transacted: ref: jdbcTransacted}): the order
     * intake records an order's key, the order, its reservations and the channels' new quantities in one
     * commit. Inside the route's broker transaction, and committed before it.
     */
    @Bean
    SpringTransactionPolicy jdbcTransacted(JdbcTransactionManager transactionManager) {
        SpringTransactionPolicy policy = new SpringTransactionPolicy(transactionManager);
        policy.setPropagationBehaviorName("PROPAGATION_REQUIRED");
        return policy;
    }

    @Bean
    CamelContextConfiguration producerConnectionInRegistry(ProducerConnection producerConnection) {
        return new CamelContextConfiguration() {
            @Override
            public void beforeApplicationStart(CamelContext camelContext) {
                camelContext.getRegistry().bind("producerConnectionFactory", producerConnection.factory());
            }

            @Override
            public void afterApplicationStart(CamelContext camelContext) {
                // bound before the routes start
            }
        };
    }

    /**
     * The producers' own connection factory. Not a {@link ConnectionFactory} bean itself, so Spring Boot's
     * auto-configured one stays the only one (and the one every consumer uses).
     */
    public record ProducerConnection(CachingConnectionFactory factory) {
        public void destroy() {
            factory.destroy();
        }
    }
}
