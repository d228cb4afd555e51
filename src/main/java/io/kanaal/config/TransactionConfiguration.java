package io.kanaal.config;

import jakarta.jms.ConnectionFactory;
import javax.sql.DataSource;
import org.apache.camel.spring.spi.SpringTransactionPolicy;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.jms.connection.JmsTransactionManager;

/**
 * Two local transaction managers: the database's (primary, for the ledger beans) and the broker's, which
 * the {@code jmsTransacted} policy puts around a route so that all its sends commit as one.
 */
@Configuration(proxyBeanMethods = false)
public class TransactionConfiguration {

    @Bean
    @Primary
    JdbcTransactionManager transactionManager(DataSource dataSource) {
        return new JdbcTransactionManager(dataSource);
    }

    @Bean
    JmsTransactionManager jmsTransactionManager(ConnectionFactory connectionFactory) {
        return new JmsTransactionManager(connectionFactory);
    }

    @Bean
    SpringTransactionPolicy jmsTransacted(JmsTransactionManager jmsTransactionManager) {
        SpringTransactionPolicy policy = new SpringTransactionPolicy(jmsTransactionManager);
        policy.setPropagationBehaviorName("PROPAGATION_REQUIRED");
        return policy;
    }
}
