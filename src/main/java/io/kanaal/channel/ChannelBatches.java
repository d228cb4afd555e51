package io.kanaal.channel;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.support.DefaultExchange;
import org.springframework.stereotype.Component;

/**
 * One call for the stock of several SKUs, for a channel whose API takes them together (a REST channel with
 * {@code batch-path}). Each of the channel's publishers hands its SKU's update here and waits for the answer
 * to the call it went out with; the call goes to {@code direct:<channel>-stock-batch-call} with the updates
 * as a list.
 *
 * <p>Group commit, as a database journal does it: when no call of the channel is under way, the caller sends
 * at once, with whatever else is waiting (so one quiet update goes out alone, without waiting for company);
 * updates that arrive while a call is under way wait and go out together in the next, up to {@code maxSize}
 * per call. One call per channel at a time. Every update of a call gets its outcome: on success each
 * publisher records its delivery; on failure each gets the failure, and its own error handler retries or
 * dead-letters its own message, as it does for a single call. A call whose answer says how each update fared (a
 * 207 Multi-Status) sets variable {@value #FAILURES}: the failures of some updates, by their position in the list;
 * the others succeeded. A SKU is in at most one call at a time: its messages are delivered one at a time (message groups).
 */
@Component("channelBatches")
public class ChannelBatches {

    /** An update waiting for its call: completed with null (sent), the failure, or {@link #LEAD}. */
    private record Waiting(Object update, CompletableFuture<Object> outcome) {
    }

    /** Variable of a batch call: {@code Map<Integer, Exception>}, the failures of single updates by their position. */
    public static final String FAILURES = "batchFailures";

    /** The outcome that makes a waiting publisher send the next call, for itself and those behind it. */
    private static final Object LEAD = new Object();

    private final CamelContext camelContext;
    private final ConcurrentMap<String, Channel> channels = new ConcurrentHashMap<>();
    private volatile ProducerTemplate producer;

    public ChannelBatches(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    /**
     * Sends the update (the body) with the others waiting for the channel, and returns once the call it went
     * out with was answered.
     *
     * @throws Exception the call's failure (what {@code direct:<channel>-call} threw)
     */
    public void send(String channel, int maxSize, Exchange exchange) throws Exception {
        channels.computeIfAbsent(channel, Channel::new).send(exchange.getIn().getBody(), Math.max(1, maxSize));
    }

    private ProducerTemplate producer() {
        if (producer == null) {
            synchronized (this) {
                if (producer == null) {
                    producer = camelContext.createProducerTemplate();
                }
            }
        }
        return producer;
    }

    private final class Channel {

        private final String id;
        private final ArrayDeque<Waiting> queue = new ArrayDeque<>();
        private boolean calling;

        Channel(String id) {
            this.id = id;
        }

        void send(Object update, int maxSize) throws Exception {
            Waiting self = new Waiting(update, new CompletableFuture<>());
            boolean lead;
            synchronized (this) {
                queue.add(self);
                lead = !calling;
                calling = true;
            }
            Object outcome = lead ? LEAD : await(self);
            if (outcome == LEAD) {
                // this publisher's update is the first of the call (it was handed the call at the head of the queue)
                outcome = call(take(maxSize));
            }
            if (outcome instanceof Exception failure) {
                throw failure;
            }
        }

        private Object await(Waiting self) throws InterruptedException {
            try {
                return self.outcome().get();
            } catch (InterruptedException e) {
                synchronized (this) {
                    // still waiting: leave, and pass on the next call if it had just been handed over
                    if (queue.remove(self) && self.outcome().getNow(null) == LEAD) {
                        handOn();
                    }
                }
                throw e;
            } catch (ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            }
        }

        /** The next call to the first publisher waiting, or none under way. Holding the lock. */
        private void handOn() {
            Waiting next = queue.peek();
            calling = next != null;
            if (next != null) {
                next.outcome().complete(LEAD);
            }
        }

        private synchronized List<Waiting> take(int maxSize) {
            List<Waiting> batch = new ArrayList<>(Math.min(maxSize, queue.size()));
            while (batch.size() < maxSize && !queue.isEmpty()) {
                batch.add(queue.poll());
            }
            return batch;
        }

        /**
         * One call for the batch, its outcome to each of the others, then the next waiting publisher calls.
         *
         * @return the outcome: null when the call succeeded, else its failure
         */
        private Object call(List<Waiting> batch) {
            // what the batch gets if the call ends in something other than an answer or an exception (an Error)
            Object outcome = new IllegalStateException("the call for channel " + id + " did not complete");
            Map<?, ?> failures = Map.of();
            try {
                Exchange request = new DefaultExchange(camelContext);
                request.getIn().setBody(batch.stream().map(Waiting::update).toList());
                Exchange answered = producer().send("direct:" + id + "-stock-batch-call", request);
                outcome = answered.getException();
                if (outcome == null && answered.getVariable(FAILURES) instanceof Map<?, ?> some) {
                    failures = some;
                }
            } catch (RuntimeException e) {
                outcome = e;
            } finally {
                for (int i = 0; i < batch.size(); i++) {
                    // the caller's own entry was completed with LEAD already and keeps it
                    batch.get(i).outcome().complete(failures.containsKey(i) ? failures.get(i) : outcome);
                }
                synchronized (this) {
                    handOn();
                }
            }
            // the caller's update is the first of the batch
            return failures.containsKey(0) ? failures.get(0) : outcome;
        }
    }
}
