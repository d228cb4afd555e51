package io.kanaal.erp;

import io.kanaal.api.Batch;
import io.kanaal.stock.StockBuckets;
import io.kanaal.stock.StockLevel;
import io.kanaal.stock.StockLevels;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.Variable;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Group commit for the ERP API's stock requests: the requests that arrive while a broker transaction of
 * their client is being committed go on {@code kanaal.erp.stock} together, in the next transaction, as
 * messages of up to {@code kanaal.api.stock-message-levels} levels each, one SKU bucket a message
 * ({@link StockBuckets}; see {@link #group}). A client's
 * requests may spread over several such transactions committing at once ({@code kanaal.api.stock-transactions},
 * 1). A request is answered once the transaction that holds its levels has committed, so its accepted levels
 * are on the queue before the answer, as before; when that transaction fails, every request in it is answered 503 and none of their
 * levels is queued. A request that finds nothing being sent goes at once, on its own: grouping costs a
 * request no time, it only fills the transactions while they are busy. Under load this turns many durable
 * sends and fan-out deliveries of one level each into a few of many levels.
 *
 * <p>The transaction itself is the route {@code erp-stock-group-send}: this bean only decides which
 * requests share it, and runs it in the thread of the first of them.
 */
@Component("stockGroupCommit")
public class StockGroupCommit {

    /** The route that queues a group's levels in one broker transaction. */
    static final String SEND = "direct:erp-stock-group-send";

    private final ProducerTemplate producer;
    private final int messageLevels;
    private final StockBuckets buckets;
    private final DistributionSummary groupRequests;
    private final int transactions;
    private final Map<String, Lane[]> lanes = new ConcurrentHashMap<>();
    private final AtomicInteger next = new AtomicInteger();

    public StockGroupCommit(ProducerTemplate producer, MeterRegistry meters,
            @Value("${kanaal.api.stock-message-levels:100}") int messageLevels,
            StockBuckets buckets,
            @Value("${kanaal.api.stock-transactions:1}") int transactions) {
        this.producer = producer;
        this.messageLevels = messageLevels;
        this.buckets = buckets;
        this.transactions = transactions;
        this.groupRequests = DistributionSummary.builder("kanaal.erp.stock.group.requests")
                .description("ERP stock requests whose levels went onto kanaal.erp.stock in one broker transaction")
                .register(meters);
    }

    /**
     * Queues a batch's accepted levels, with those of the client's other requests waiting at the same
     * moment, and returns once they are on the queue.
     *
     * @throws Exception why the broker did not take them (nothing of this request was queued)
     */
    public void enqueue(@Variable("batch") Batch<?> batch, @Variable("client") String client) throws Exception {
        if (batch.accepted().isEmpty()) {
            return;
        }
        Lane[] clientLanes = lanes.computeIfAbsent(client == null ? "" : client, this::lanes);
        Lane lane = clientLanes[Math.floorMod(next.getAndIncrement(), clientLanes.length)];
        Request request = new Request(batch.accepted());
        lane.waiting.add(request);
        lane.sending.lock();
        try {
            if (!request.done) {
                lane.send();
            }
        } finally {
            lane.sending.unlock();
        }
        if (request.failure != null) {
            throw request.failure;
        }
    }

    /**
     * A group's levels as the messages that carry them: per SKU bucket ({@link #group}) the bucket's levels in
     * order, up to {@code kanaal.api.stock-message-levels} a message.
     */
    public List<StockLevels> messages(@Body List<StockLevel> levels) {
        Map<Integer, List<StockLevel>> byBucket = new LinkedHashMap<>();
        for (StockLevel level : levels) {
            byBucket.computeIfAbsent(buckets.bucket(level.sku()), b -> new ArrayList<>()).add(level);
        }
        List<StockLevels> messages = new ArrayList<>();
        for (List<StockLevel> bucket : byBucket.values()) {
            for (int from = 0; from < bucket.size(); from += messageLevels) {
                messages.add(new StockLevels(bucket.subList(from, Math.min(bucket.size(), from + messageLevels))));
            }
        }
        return messages;
    }

    /**
     * Sets JMSXGroupID to the message's SKU bucket: the fan-out's consumers take one bucket's messages one
     * after the other, so a SKU's quantities are never computed twice at once ({@link StockBuckets}).
     */
    public void group(@Body StockLevels message, Message jms) {
        jms.setHeader("JMSXGroupID", buckets.group(message.levels().get(0).sku()));
    }

    private Lane[] lanes(String client) {
        Lane[] created = new Lane[transactions];
        for (int i = 0; i < transactions; i++) {
            created[i] = new Lane(client);
        }
        return created;
    }

    private static final class Request {
        final List<?> levels;
        boolean done;
        Exception failure;

        Request(List<?> levels) {
            this.levels = levels;
        }
    }

    /**
     * Requests of one client taken in turn by {@code kanaal.api.stock-transactions} lanes (1), each one broker
     * transaction at a time, for everything waiting in it when it starts. More lanes commit at once (for a
     * broker far away); on the benchmark's machine 4 lanes cost more CPU per level than 1, in smaller groups.
     */
    private final class Lane {
        final String client;
        final Queue<Request> waiting = new ConcurrentLinkedQueue<>();
        final ReentrantLock sending = new ReentrantLock();

        Lane(String client) {
            this.client = client;
        }

        /** Sends every waiting request's levels in one transaction (called holding {@link #sending}). */
        void send() {
            List<Request> group = new ArrayList<>();
            List<Object> levels = new ArrayList<>();
            for (Request request = waiting.poll(); request != null; request = waiting.poll()) {
                group.add(request);
                levels.addAll(request.levels);
            }
            Exception failure;
            try {
                Exchange sent = producer.send(SEND, exchange -> {
                    exchange.getMessage().setBody(levels);
                    exchange.setVariable("client", client);
                });
                failure = sent.getException();
            } catch (RuntimeException e) {
                // every request of the group hears of it, not only the one whose thread sent it
                failure = e;
            }
            for (Request request : group) {
                request.failure = failure;
                request.done = true;
            }
            groupRequests.record(group.size());
        }
    }
}
