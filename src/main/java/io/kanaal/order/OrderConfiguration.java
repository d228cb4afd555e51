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

    /** The processor name of the unifiedOrders repository's keys in {@code CAMEL_MESSAGEPROCESSED}. */
    static final String UNIFIED_ORDERS = "kanaal.orders.unified";

    @Bean("unifiedOrders")
    JdbcMessageIdRepository unifiedOrders(DataSource dataSource) {
        JdbcMessageIdRepository repository = new RaceFreeRepository(dataSource, UNIFIED_ORDERS);
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
            return add(key, null, null);
        }

        /**
         * A key seen before counts as new again for the intake message that added it: that message is back
         * because what it did on the broker was rolled back (or the broker crashed before its commit), so its
         * order is not on the unified queue. This does not depend on the broker marking it redelivered, which
         * after a crash it does only when it persists delivery counts. An order a webhook call took in has the
         * mark {@link OrderWebhooks#WEBHOOK} instead until its broker transaction committed; only the sweep
         * takes a marked order in again, a repeat is a repeat.
         */
        @Override
        public boolean add(Exchange exchange, String key) {
            String intake = exchange.getVariable(OrderWebhooks.INTAKE, String.class);
            if (OrderWebhooks.WEBHOOK.equals(intake)) {
                // a webhook call: marked until confirmed; a key seen before is a repeat
                return add(key, OrderWebhooks.WEBHOOK, null);
            }
            if (OrderWebhooks.SWEEP.equals(intake)) {
                // the sweep takes in again what is still marked
                return add(key, OrderWebhooks.WEBHOOK, OrderWebhooks.WEBHOOK);
            }
            String intakeMessageId = exchange.getIn().getHeader("JMSMessageID", String.class);
            return add(key, intakeMessageId, intakeMessageId);
        }

        /**
         * A failed intake message's key is removed (its order goes through when the message comes back), but not
         * a webhook call's: its key is in the database only if the order's database transaction committed, and
         * then it stays marked until the sweep has put the order on the unified queue (the channel may never
         * send it again).
         */
        @Override
        public boolean remove(Exchange exchange, String key) {
            String intake = exchange.getVariable(OrderWebhooks.INTAKE, String.class);
            if (OrderWebhooks.WEBHOOK.equals(intake) || OrderWebhooks.SWEEP.equals(intake)) {
                return false;
            }
            return remove(key);
        }

        /**
         * @param intake what the key records as its intake
         * @param again  a key seen before counts as new when its recorded intake is this one (null: never)
         */
        private boolean add(String key, String intake, String again) {
            return getJdbcTemplate().update("""
                    INSERT INTO CAMEL_MESSAGEPROCESSED AS p (processorName, messageId, createdAt, intakeMessageId)
                    VALUES (?, ?, ?, ?)
                    ON CONFLICT (processorName, messageId) DO UPDATE SET createdAt = p.createdAt
                     WHERE p.intakeMessageId = ?
                    """, getProcessorName(), key, new Timestamp(System.currentTimeMillis()), intake, again) == 1;
        }
    }
}
