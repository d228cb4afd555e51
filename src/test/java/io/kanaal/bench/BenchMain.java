package io.kanaal.bench;

/**
 * A benchmark's {@code main}: its run, then the JVM's exit, 1 after a failure (printed). Without the exit the
 * driver's and the stubs' thread pools would keep the JVM, and Kanaal's embedded PostgreSQL, running.
 */
final class BenchMain {

    /** A benchmark's run. */
    interface Run {
        void run() throws Exception;
    }

    private BenchMain() {
    }

    static void run(Run benchmark) {
        System.setProperty("sun.net.httpserver.nodelay", "true");
        try {
            benchmark.run();
        } catch (Throwable failure) {
            failure.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }
}
