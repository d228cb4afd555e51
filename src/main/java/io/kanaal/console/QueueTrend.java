package io.kanaal.console;

import io.kanaal.broker.BrokerQueues;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * The console's queue depths with their recent trend: the message counts of each Kanaal queue and dead-letter queue
 * that route {@code queue-depths} reads for the gauges every {@code kanaal.ops.queue-depths-period}, the last
 * {@value #SAMPLES} of them kept in memory (not across restarts).
 */
@Component("queueTrend")
public class QueueTrend {

    static final int SAMPLES = 30;
    private static final char[] BARS = "▁▂▃▄▅▆▇█".toCharArray();

    private final BrokerQueues queues;
    private final Map<String, Deque<Long>> samples = new ConcurrentHashMap<>();

    public QueueTrend(BrokerQueues queues) {
        this.queues = queues;
    }

    /** One queue's depth now and its trend as a sparkline, oldest sample first. */
    public record Depth(String queue, long messages, String trend) {
    }

    /** Keeps one sample of every queue's message count (the counts the gauges were just given). */
    public void sample(Map<String, Long> counts) {
        counts.forEach((queue, count) -> {
            Deque<Long> queueSamples = samples.computeIfAbsent(queue, q -> new ArrayDeque<>());
            synchronized (queueSamples) {
                queueSamples.addLast(count);
                while (queueSamples.size() > SAMPLES) {
                    queueSamples.removeFirst();
                }
            }
        });
    }

    /** Every queue's depth now (from the broker), with the trend of the samples so far. */
    public List<Depth> depths() {
        return queues.messageCounts().entrySet().stream()
                .map(entry -> new Depth(entry.getKey(), entry.getValue(), sparkline(samples.get(entry.getKey()), entry.getValue())))
                .toList();
    }

    static String sparkline(Deque<Long> queueSamples, long now) {
        List<Long> values;
        if (queueSamples == null) {
            values = List.of(now);
        } else {
            synchronized (queueSamples) {
                values = new java.util.ArrayList<>(queueSamples);
            }
            values.add(now);
        }
        long max = values.stream().mapToLong(Long::longValue).max().orElse(0);
        StringBuilder line = new StringBuilder();
        for (long value : values) {
            line.append(BARS[max == 0 ? 0 : (int) Math.round((double) value * (BARS.length - 1) / max)]);
        }
        return line.toString();
    }
}
