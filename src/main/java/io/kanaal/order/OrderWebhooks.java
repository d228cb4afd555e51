package io.kanaal.order;

import io.kanaal.broker.DeadLetterHeaders;
import jakarta.annotation.PreDestroy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.Variable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Orders that webhook calls take in themselves (routes order-webhook, order-webhook-take). The database part of
 * an order (its key in {@code unifiedOrders}, the order, its reservations) commits before the broker part (the
 * unified message). Until the broker part has committed too, the order's key carries the mark {@link #WEBHOOK}
 * instead of an intake message id; once the call's broker transaction has committed, the mark is removed
 * ({@link #outcome}, written for many orders at once). A repeat of the order is a repeat either way. An order
 * whose mark stays (the broker transaction failed, or Kanaal stopped between the two commits) is taken in
 * again by the sweep ({@link #unconfirmed}): the database part changes nothing twice, and the broker refuses
 * the unified message of an order that made it after all (duplicate detection), which confirms it.
 */
@Component("orderWebhooks")
public class OrderWebhooks {

    /** The variable that names how an order was taken in, for unifiedOrders (else the intake message's id). */
    public static final String INTAKE = "orderIntake";
    /** The mark of an order taken in by a webhook call and not yet confirmed on the unified queue. */
    public static final String WEBHOOK = "webhook";
    /** {@link #INTAKE} of the sweep, which takes in again an order still marked {@link #WEBHOOK}. */
    public static final String SWEEP = "webhook-sweep";

    private static final Logger log = LoggerFactory.getLogger(OrderWebhooks.class);
    private static final String PROCESSOR = OrderConfiguration.UNIFIED_ORDERS;

    private final JdbcTemplate jdbc;
    private final Duration sweepAfter;
    private final ConcurrentLinkedQueue<String> confirmed = new ConcurrentLinkedQueue<>();
    private final ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "kanaal-webhook-confirm");
        thread.setDaemon(true);
        return thread;
    });

    public OrderWebhooks(JdbcTemplate jdbc, @Value("${kanaal.orders.webhook-sweep-after:60s}") Duration sweepAfter,
            @Value("${kanaal.orders.webhook-confirm-every:100ms}") Duration confirmEvery) {
        this.jdbc = jdbc;
        this.sweepAfter = sweepAfter;
        writer.scheduleWithFixedDelay(this::write, confirmEvery.toMillis(), confirmEvery.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * What became of one order of a webhook call, once its broker transaction has ended: taken in (then it is
     * confirmed on the unified queue), a repeat of one taken in before, or dead-lettered with the reason.
     */
    public Map<String, Object> outcome(Exchange exchange) {
        Map<String, Object> outcome = new LinkedHashMap<>();
        String orderRef = exchange.getVariable("orderRef", String.class);
        if (orderRef != null) {
            outcome.put("orderRef", orderRef);
        }
        String deadLetterQueue = exchange.getVariable("deadLetterQueue", String.class);
        if (deadLetterQueue != null) {
            outcome.put("outcome", "dead-lettered");
            outcome.put("reason", exchange.getIn().getHeader(DeadLetterHeaders.REASON, String.class));
            outcome.put("deadLetterQueue", deadLetterQueue);
        } else if (exchange.getVariable("skus") != null) {
            outcome.put("outcome", "taken");
            confirmed.add(exchange.getVariable("acceptKey", String.class));
        } else {
            outcome.put("outcome", "repeated");
        }
        return outcome;
    }

    /** The order's key confirmed on the unified queue: the broker refused the sweep's unified message as a duplicate. */
    public void confirm(@Variable("acceptKey") String acceptKey) {
        if (acceptKey != null) {
            confirmed.add(acceptKey);
        }
    }

    /**
     * The answer to a webhook call: how many orders it had, and what became of each (the body: the outcomes, or
     * the call's own body when it had no orders).
     */
    public Map<String, Object> answer(@Body Object outcomes) {
        List<?> orders = outcomes instanceof List<?> list ? list : List.of();
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("received", orders.size());
        answer.put("orders", orders);
        return answer;
    }

    /**
     * Orders taken in by webhook calls whose mark is older than {@code kanaal.orders.webhook-sweep-after}: each
     * as its channel and canonical order (as cancelled when its key is the cancellation's), at most 500.
     */
    public List<Map<String, Object>> unconfirmed() {
        List<Map<String, Object>> orders = jdbc.queryForList("""
                SELECT o.channel,
                       CASE WHEN p.messageId LIKE '%#cancelled' THEN jsonb_set(o.canonical, '{status}', '"cancelled"')
                            ELSE o.canonical END::text AS canonical
                  FROM CAMEL_MESSAGEPROCESSED p
                  JOIN channel_order o ON o.channel || '/' || o.channel_order_id = split_part(p.messageId, '#', 1)
                 WHERE p.intakeMessageId = ? AND p.processorName = ? AND p.createdAt < ?
                 ORDER BY p.createdAt LIMIT 500
                """, WEBHOOK, PROCESSOR, new java.sql.Timestamp(System.currentTimeMillis() - sweepAfter.toMillis()));
        if (!orders.isEmpty()) {
            log.warn("{} order(s) taken in by webhook calls were not confirmed on kanaal.orders.unified: taking them in again",
                    orders.size());
        }
        return orders;
    }

    /** Removes the marks of the orders confirmed since the last write, in one statement. */
    void write() {
        List<String> keys = new ArrayList<>();
        for (String key = confirmed.poll(); key != null; key = confirmed.poll()) {
            keys.add(key);
        }
        if (keys.isEmpty()) {
            return;
        }
        try {
            jdbc.update("UPDATE CAMEL_MESSAGEPROCESSED SET intakeMessageId = NULL "
                    + "WHERE processorName = ? AND messageId = ANY (?::varchar[]) AND intakeMessageId = ?",
                    PROCESSOR, keys.toArray(String[]::new), WEBHOOK);
        } catch (RuntimeException e) {
            // they stay marked: a repeat or the sweep takes them in again, and the broker drops the unified duplicate
            log.warn("{} webhook orders not confirmed in the database (the sweep takes them in again): {}", keys.size(),
                    e.getMessage());
        }
    }

    @PreDestroy
    void stop() {
        writer.shutdown();
        write();
    }
}
