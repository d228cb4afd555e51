package io.kanaal.bench;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * CPU time of this JVM by stage of the pipeline, from the threads' own CPU clocks: which stage of Kanaal an
 * update's CPU goes to, without a profiler. A thread belongs to the first stage whose pattern its name
 * matches. Each thread counts what it used between two readings (a thread started in between, all of its
 * time). What is left of the process's CPU time is the JVM's own (the JIT compilers, the garbage collector)
 * and that of threads that ended in between (pools let idle threads go).
 */
final class StageCpu {

    /** A stage and the thread names that belong to it, in the order they are printed. */
    private record Stage(String name, Pattern threads) {
    }

    private static final List<Stage> STAGES = List.of(
            // the stock queues' consumers; with kanaal.stock.delivery = direct the senders the fan-out hands the
            // quantities to
            new Stage("channel publishers", Pattern.compile(
                    "JmsConsumer\\[kanaal\\.channel\\.[^\\]]+\\.stock\\]|seda://[^ ]+-stock-direct")),
            new Stage("stock fan-out", Pattern.compile("JmsConsumer\\[kanaal\\.erp\\.stock\\]")),
            new Stage("order intake", Pattern.compile("JmsConsumer\\[kanaal\\.channel\\.[^\\]]+\\.orders\\]")),
            new Stage("product publishers", Pattern.compile("JmsConsumer\\[kanaal\\.(channel\\.[^\\]]+\\.products|products\\.changed)\\]")),
            new Stage("product intake", Pattern.compile("JmsConsumer\\[kanaal\\.erp\\.products\\]")),
            new Stage("Kanaal's other consumers", Pattern.compile("JmsConsumer\\[")),
            new Stage("HTTP API and webhooks", Pattern.compile("^http-nio-")),
            new Stage("broker", Pattern.compile("ActiveMQ|activemq|artemis", Pattern.CASE_INSENSITIVE)),
            new Stage("Kanaal, other", Pattern.compile("^(camel|kanaal-|HikariPool|Quartz|Catalina)", Pattern.CASE_INSENSITIVE)),
            // the product benchmark's hand-written pipeline
            new Stage("hand-written pipeline", Pattern.compile("^ceiling-")),
            new Stage("driver and stubs", Pattern.compile("")));

    private static final String REST = "JVM (JIT, GC) and ended threads";

    /** The CPU nanoseconds of the process, and of each live thread with the stage it belongs to. */
    record Reading(long process, Map<Long, Long> threadNanos, Map<Long, String> threadStages) {
    }

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    Reading read() {
        Map<Long, Long> nanos = new HashMap<>();
        Map<Long, String> stages = new HashMap<>();
        long process = os.getProcessCpuTime();
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            long cpu = threads.getThreadCpuTime(info.getThreadId());
            if (cpu < 0) {
                continue;
            }
            String name = info.getThreadName();
            nanos.put(info.getThreadId(), cpu);
            stages.put(info.getThreadId(),
                    STAGES.stream().filter(s -> s.threads().matcher(name).find()).findFirst().orElseThrow().name());
        }
        return new Reading(process, nanos, stages);
    }

    /**
     * The CPU between two readings per unit of work (an update, an order), in microseconds, for the stages
     * that used any: e.g. {@code channel publishers 1016, stock fan-out 704, ...}.
     */
    static String perUnit(Reading before, Reading after, long units) {
        if (units == 0) {
            return "";
        }
        Map<String, Long> nanos = new LinkedHashMap<>();
        STAGES.forEach(stage -> nanos.put(stage.name(), 0L));
        long threadsTotal = 0;
        for (Map.Entry<Long, Long> thread : after.threadNanos().entrySet()) {
            long used = thread.getValue() - before.threadNanos().getOrDefault(thread.getKey(), 0L);
            threadsTotal += used;
            nanos.merge(after.threadStages().get(thread.getKey()), used, Long::sum);
        }
        nanos.put(REST, after.process() - before.process() - threadsTotal);
        return nanos.entrySet().stream()
                .filter(e -> e.getValue() / 1e3 / units >= 1)
                .map(e -> String.format(Locale.ROOT, "%s %.0f", e.getKey(), e.getValue() / 1e3 / units))
                .collect(Collectors.joining(", "));
    }
}
