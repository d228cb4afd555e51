package io.kanaal.order;

import io.kanaal.api.InvalidRequestException;
import io.kanaal.broker.BrokerConnections;
import jakarta.jms.ConnectionFactory;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.activemq.artemis.api.core.client.ClusterTopologyListener;
import org.apache.activemq.artemis.api.core.client.TopologyMember;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.apache.camel.Exchange;
import org.apache.camel.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Sends the orders of a recent window to {@code kanaal.orders.unified} again after the broker changed under
 * Kanaal (a failover to the backup, a failback to the primary, a restart), route order-republish.
 *
 * <p>Why: an Artemis primary that syncs from its active backup for failback can discard a transaction the
 * backup had already reported committed ({@code AMQ142015 Uncommitted transaction ... found and discarded},
 * seen in {@code ClusterFaultIT}, docs/cluster.md). The order's database part (the order, its reservations) is
 * in PostgreSQL, but its unified message is gone, and nothing in the broker says so. Each order's unified message
 * carries {@code _AMQ_DUPL_ID} = its accept key, and Artemis drops a second message with an id it has seen on the
 * address (its duplicate-id cache, persisted and replicated with the journal, 20,000 ids per address by default):
 * sending every order of the window again brings back exactly those whose message was lost with its id.
 *
 * <p>When: the Artemis client tells the consumers' connection factory's server locator about the pair's topology;
 * a node that goes down, or comes up under another connector, is a change. The window starts
 * {@code lookback} before the first change and ends at the last change of a burst (a failover and its failback
 * close together are one window); it is sent once no change came for {@code settle}. Ops can also ask for it
 * ({@code POST /api/v1/ops/orders/republish?since=...}).
 */
@Component("unifiedRepublish")
public class UnifiedRepublish {

    /** The headers of a window: the orders taken in from {@value #SINCE} to {@value #UNTIL} (instants). */
    public static final String SINCE = "republishSince";
    public static final String UNTIL = "republishUntil";
    /** How young an order an ops request leaves out: it may still be on its way to the queue. */
    static final Duration IN_FLIGHT = Duration.ofSeconds(10);

    private static final Logger log = LoggerFactory.getLogger(UnifiedRepublish.class);

    private final JdbcTemplate jdbc;
    private final Duration lookback;
    private final Duration settle;
    private final Clock clock;
    private final Map<String, String> activeConnectors = new ConcurrentHashMap<>();
    private Instant pendingSince;
    private Instant lastChange;

    @Autowired
    public UnifiedRepublish(JdbcTemplate jdbc, ConnectionFactory connectionFactory,
            @Value("${kanaal.orders.republish-lookback:5m}") Duration lookback,
            @Value("${kanaal.orders.republish-settle:15s}") Duration settle) {
        this(jdbc, lookback, settle, Clock.systemUTC());
        // the consumers' connection: it is open all the time, so its client sees every change of the pair
        listen(BrokerConnections.uncached(connectionFactory));
    }

    UnifiedRepublish(JdbcTemplate jdbc, Duration lookback, Duration settle, Clock clock) {
        this.jdbc = jdbc;
        this.lookback = lookback;
        this.settle = settle;
        this.clock = clock;
    }

    private void listen(ConnectionFactory factory) {
        if (factory instanceof ActiveMQConnectionFactory artemis) {
            artemis.getServerLocator().addClusterTopologyListener(new ClusterTopologyListener() {
                @Override
                public void nodeUP(TopologyMember member, boolean last) {
                    String connector = String.valueOf(member.getPrimary());
                    String before = activeConnectors.put(member.getNodeId(), connector);
                    if (before != null && !before.equals(connector)) {
                        changed("node " + member.getNodeId() + " active at " + connector + " (was " + before + ")");
                    }
                }

                @Override
                public void nodeDown(long eventUID, String nodeID) {
                    if (activeConnectors.remove(nodeID) != null) {
                        changed("node " + nodeID + " down");
                    }
                }
            });
        }
    }

    /** The broker changed: the orders from {@code lookback} before now go out again once things settle. */
    synchronized void changed(String what) {
        Instant now = clock.instant();
        pending(now.minus(lookback));
        lastChange = now;
        log.warn("Broker topology changed ({}): orders taken in since {} go to kanaal.orders.unified again in {}"
                + " (the broker drops those it has)", what, pendingSince, settle);
    }

    /** The pending window starts at {@code since}, or earlier if it did already. */
    private void pending(Instant since) {
        pendingSince = pendingSince == null || since.isBefore(pendingSince) ? since : pendingSince;
    }

    /**
     * Asked by route order-republish on its timer: whether a change has settled; if so, the window to send again
     * in headers {@value #SINCE} and {@value #UNTIL}. The window ends at the last change: an order taken in
     * after it went to the broker that is active now, and one still on its way at the republish would be offered
     * while its own transaction commits. The window is handed out once; {@link #failed} hands it back.
     */
    public synchronized boolean window(Exchange exchange) {
        if (pendingSince == null || clock.instant().isBefore(lastChange.plus(settle))) {
            return false;
        }
        exchange.getMessage().setHeader(SINCE, pendingSince);
        exchange.getMessage().setHeader(UNTIL, lastChange);
        pendingSince = null;
        return true;
    }

    /** Sending the window failed (the broker is away again): it is due again with the next settled change. */
    public synchronized void failed(@Header(SINCE) Instant since, @Header(UNTIL) Instant until) {
        pending(since);
        lastChange = lastChange == null || until.isAfter(lastChange) ? until : lastChange;
    }

    /**
     * The window of an ops request, into headers {@value #SINCE} and {@value #UNTIL}: from query parameter
     * {@code since} (an ISO-8601 time with an offset, at most a day ago) to 10 seconds ago (younger orders may
     * still be on their way to the queue).
     */
    public void opsWindow(@Header("since") String since, Exchange exchange) {
        if (since == null || since.isBlank()) {
            throw invalid("query parameter since is required: an ISO-8601 time with an offset, e.g. 2026-12-07T10:00:00Z");
        }
        Instant instant;
        try {
            instant = OffsetDateTime.parse(since.trim()).toInstant();
        } catch (DateTimeParseException e) {
            throw invalid("since is not an ISO-8601 time with an offset, e.g. 2026-12-07T10:00:00Z");
        }
        Instant now = clock.instant();
        if (instant.isBefore(now.minus(Duration.ofDays(1)))) {
            throw invalid("since is more than a day ago: the broker's duplicate-id cache may no"
                    + " longer know those orders, and the ERP could get them twice");
        }
        exchange.getMessage().setHeader(SINCE, instant);
        exchange.getMessage().setHeader(UNTIL, now.minus(IN_FLIGHT));
    }

    private static InvalidRequestException invalid(String message) {
        return new InvalidRequestException(400, message, List.of(message));
    }

    /**
     * The orders taken in from {@code since} to {@code until}, oldest first, each as its unified message: the
     * canonical order as stored, its channel, orderRef and accept key ({@link Orders#acceptKey}, the duplicate id).
     */
    public List<Map<String, Object>> orders(@Header(SINCE) Instant since, @Header(UNTIL) Instant until) {
        return jdbc.query("""
                SELECT channel, canonical::text AS canonical, canonical ->> 'orderRef' AS order_ref,
                       canonical ->> 'status' AS status
                  FROM channel_order WHERE received_at >= ? AND received_at <= ?
                 ORDER BY received_at, channel, channel_order_id
                """, (row, n) -> {
                    Map<String, Object> order = new LinkedHashMap<>();
                    order.put("channel", row.getString("channel"));
                    String orderRef = Objects.requireNonNullElse(row.getString("order_ref"), "");
                    order.put("orderRef", orderRef);
                    order.put("acceptKey", Orders.acceptKey(orderRef, row.getString("status")));
                    order.put("canonical", row.getString("canonical"));
                    return order;
                }, Timestamp.from(since), Timestamp.from(until));
    }

    /** What an ops request is answered: the window and how many orders were offered again. */
    public Map<String, Object> report(@Header(SINCE) Instant since, @Header(UNTIL) Instant until,
            @Header("republished") Integer count) {
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("since", since.toString());
        report.put("until", until.toString());
        report.put("ordersOffered", count == null ? 0 : count);
        report.put("note", "the broker drops the orders that are on kanaal.orders.unified or were consumed already"
                + " (duplicate detection on each order's accept key)");
        return report;
    }
}
