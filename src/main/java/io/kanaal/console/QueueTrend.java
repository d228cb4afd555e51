package io.kanaal.console;

import io.kanaal.broker.BrokerQueues;
import jakarta.annotation.PreDestroy;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The console's queue depths with their recent trend: every {@code kanaal.console.trend-every} the message count of
 * each Kanaal queue and dead-letter queue, the last {@value #SAMPLES} samples kept in memory (not across restarts).
 */
@Component
public class QueueTrend {

    static final int SAMPLES = 30;
    private static final Logger LOG = LoggerFactory.getLogger(QueueTrend.class);
    private static final char[] BARS = "▁▂▃▄▅▆▇█".toCharArray();

    private final BrokerQueues queues;
    private final Map<String, Deque<Long>> samples = new ConcurrentHashMap<>();
    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "console-queue-trend");
        thread.setDaemon(true);
        return thread;
    });

    public QueueTrend(BrokerQueues queues, @Value("${kanaal.console.trend-every:15s}") Duration every) {
        this.queues = queues;
        sampler.scheduleWithFixedDelay(this::sample, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One queue's depth now and its trend as a sparkline, oldest sample first. */
    public record Depth(String queue, long messages, String trend) {
    }

    void sample() {
        try {
            Map<String, Long> counts = queues.messageCounts();
            counts.forEach((queue, count) -> {
                Deque<Long> queueSamples = samples.computeIfAbsent(queue, q -> new ArrayDeque<>());
                synchronized (queueSamples) {
                    queueSamples.addLast(count);
                    while (queueSamples.size() > SAMPLES) {
                        queueSamples.removeFirst();
                    }
                }
            });
        } catch (RuntimeException e) {
            LOG.debug("Queue depths not sampled: {}", e.getMessage());
        }
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

    @PreDestroy
    void stop() {
        sampler.shutdownNow();
    }
}
