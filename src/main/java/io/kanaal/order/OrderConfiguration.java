package io.kanaal.order;

import javax.sql.DataSource;
import org.apache.camel.processor.idempotent.jdbc.JdbcMessageIdRepository;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The idempotent consumer's repository: orders already on the unified queue, in PostgreSQL (table by Flyway). */
@Configuration(proxyBeanMethods = false)
public class OrderConfiguration {

    @Bean("unifiedOrders")
    JdbcMessageIdRepository unifiedOrders(DataSource dataSource) {
        JdbcMessageIdRepository repository = new JdbcMessageIdRepository(dataSource, "kanaal.orders.unified");
        repository.setCreateTableIfNotExists(false);
        return repository;
    }
}
