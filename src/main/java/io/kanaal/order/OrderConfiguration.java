package io.kanaal.order;

import java.sql.Timestamp;
import javax.sql.DataSource;
import org.apache.camel.Exchange;
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
     * Camel's JDBC repository, whose {@code add} is one PostgreSQL statement, and which remembers the intake
     * message that added each key. Camel's own {@code add} (count, then insert)
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
            return add(key, null);
        }

        /**
         * A key seen before counts as new again for the intake message that added it: that message is back
         * because what it did on the broker was rolled back (or the broker crashed before its commit), so its
         * order is not on the unified queue. This does not depend on the broker marking it redelivered, which
         * after a crash it does only when it persists delivery counts.
         */
        @Override
        public boolean add(Exchange exchange, String key) {
            return add(key, exchange.getIn().getHeader("JMSMessageID", String.class));
        }

        private boolean add(String key, String intakeMessageId) {
            return getJdbcTemplate().update("""
                    INSERT INTO CAMEL_MESSAGEPROCESSED AS p (processorName, messageId, createdAt, intakeMessageId)
                    VALUES (?, ?, ?, ?)
                    ON CONFLICT (processorName, messageId) DO UPDATE SET createdAt = p.createdAt
                     WHERE p.intakeMessageId = EXCLUDED.intakeMessageId
                    """, getProcessorName(), key, new Timestamp(System.currentTimeMillis()), intakeMessageId) == 1;
        }
    }
}
