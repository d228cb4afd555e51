package io.kanaal.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * An open-loop load phase: item i is handed to the senders at its intended time, start + i / rate, however
 * slow the system under test is, so its queueing shows in the latencies measured from those times.
 *
 * @param start    when item 0 was due ({@link System#nanoTime()})
 * @param intended when each item was due
 * @param sendEnd  when the last item was handed over (its lag behind its intended time is the driver's own)
 * @param end      when the last send completed
 */
record OpenLoop(long start, long[] intended, long sendEnd, long end) {

    static OpenLoop run(int rate, int count, ExecutorService senders, IntConsumer send) throws Exception {
        long[] intended = new long[count];
        long interval = 1_000_000_000L / rate;
        long start = System.nanoTime() + 10_000_000L;
        List<CompletableFuture<?>> inFlight = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            intended[i] = start + i * interval;
            long wait = intended[i] - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            int item = i;
            inFlight.add(CompletableFuture.runAsync(() -> send.accept(item), senders));
        }
        long sendEnd = System.nanoTime();
        CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).get();
        return new OpenLoop(start, intended, sendEnd, System.nanoTime());
    }
}
