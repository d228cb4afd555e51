package io.kanaal.bench;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * CPU time of this JVM by stage of the pipeline, from the threads' own CPU clocks: which stage of Kanaal an
 * update's CPU goes to, without a profiler. A thread belongs to the first stage whose pattern its name
 * matches. What the JVM spends outside Java threads (the JIT compilers, the garbage collector) is the
 * process's CPU time less all threads'. A thread that ended between two readings drops out of its stage;
 * the stages' threads are pooled and live for the whole run.
 */
final class StageCpu {

    /** A stage and the thread names that belong to it, in the order they are printed. */
    private record Stage(String name, Pattern threads) {
    }

    private static final List<Stage> STAGES = List.of(
            new Stage("channel publishers", Pattern.compile("JmsConsumer\\[kanaal\\.channel\\.[^\\]]+\\.stock\\]")),
            new Stage("stock fan-out", Pattern.compile("JmsConsumer\\[kanaal\\.erp\\.stock\\]")),
            new Stage("order intake", Pattern.compile("JmsConsumer\\[kanaal\\.channel\\.[^\\]]+\\.orders\\]")),
            new Stage("Kanaal's other consumers", Pattern.compile("JmsConsumer\\[")),
            new Stage("HTTP API and webhooks", Pattern.compile("^http-nio-")),
            new Stage("broker", Pattern.compile("ActiveMQ|activemq|artemis", Pattern.CASE_INSENSITIVE)),
            new Stage("Kanaal, other", Pattern.compile("^(Camel|kanaal-|HikariPool|Quartz|Catalina)")),
            new Stage("driver and stubs", Pattern.compile("")));

    private static final String JVM = "JVM (JIT, GC)";

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    /** CPU nanoseconds so far per stage, with the JVM's own under {@value #JVM}. */
    Map<String, Long> read() {
        Map<String, Long> nanos = new LinkedHashMap<>();
        STAGES.forEach(stage -> nanos.put(stage.name(), 0L));
        long process = os.getProcessCpuTime();
        long javaThreads = 0;
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            long cpu = threads.getThreadCpuTime(info.getThreadId());
            if (cpu <= 0) {
                continue;
            }
            javaThreads += cpu;
            String name = info.getThreadName();
            Stage stage = STAGES.stream().filter(s -> s.threads().matcher(name).find()).findFirst().orElseThrow();
            nanos.merge(stage.name(), cpu, Long::sum);
        }
        nanos.put(JVM, Math.max(0, process - javaThreads));
        return nanos;
    }

    /**
     * The CPU between two readings per unit of work (an update, an order), in microseconds, for the stages
     * that used any: e.g. {@code channel publishers 2100, stock fan-out 1150, broker 1900, ...}.
     */
    static String perUnit(Map<String, Long> before, Map<String, Long> after, long units) {
        if (units == 0) {
            return "";
        }
        return after.entrySet().stream()
                .map(e -> Map.entry(e.getKey(), (e.getValue() - before.getOrDefault(e.getKey(), 0L)) / 1e3 / units))
                .filter(e -> e.getValue() >= 1)
                .map(e -> String.format(Locale.ROOT, "%s %.0f", e.getKey(), e.getValue()))
                .collect(Collectors.joining(", "));
    }
}
