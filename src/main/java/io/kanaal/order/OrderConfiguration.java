package io.kanaal.order;

import java.sql.Timestamp;
import javax.sql.DataSource;
import org.apache.camel.processor.idempotent.jdbc.JdbcMessageIdRepository;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The idempotent consumer's repository: orders already on the unified queue, in PostgreSQL (table by Flyway). */
@Configuration(proxyBeanMethods = false)
public class OrderConfiguration {

    @Bean("unifiedOrders")
    JdbcMessageIdRepository unifiedOrders(DataSource dataSource) {
        JdbcMessageIdRepository repository = new RaceFreeRepository(dataSource, "kanaal.orders.unified");
        repository.setCreateTableIfNotExists(false);
        return repository;
    }

    /**
     * Camel's JDBC repository, whose {@code add} is one PostgreSQL statement: Camel's own (count, then insert)
     * lets two consumers taking the same order at the same moment both count 0, and the second insert fails;
     * with {@code removeOnFailure} that failure would remove the key the first one had just added. Here the
     * second simply finds the order taken.
     */
    static final class RaceFreeRepository extends JdbcMessageIdRepository {

        RaceFreeRepository(DataSource dataSource, String processorName) {
            super(dataSource, processorName);
        }

        @Override
        public boolean add(String key) {
            return getJdbcTemplate().update("""
                    INSERT INTO CAMEL_MESSAGEPROCESSED (processorName, messageId, createdAt) VALUES (?, ?, ?)
                    ON CONFLICT (processorName, messageId) DO NOTHING
                    """, getProcessorName(), key, new Timestamp(System.currentTimeMillis())) == 1;
        }
    }
}
