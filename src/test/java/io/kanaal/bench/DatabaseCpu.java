package io.kanaal.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

/**
 * CPU time of the embedded PostgreSQL: its postmaster (named in {@code postmaster.pid} of Kanaal's data
 * directory) and the backends under it run as processes of their own, outside the JVM whose CPU time the
 * benchmarks report. A backend that ended between two readings drops out of the sum; Kanaal's pooled
 * connections keep theirs for the whole run.
 */
final class DatabaseCpu {

    private final Path pidFile;

    /** @param dataDir Kanaal's {@code kanaal.data-dir} */
    DatabaseCpu(String dataDir) {
        this.pidFile = Path.of(dataDir, "postgres", "postmaster.pid");
    }

    /**
     * Total CPU time of the postmaster and its descendants, in nanoseconds; 0 where the platform does not tell,
     * and when Kanaal runs on an external database ({@code -Dbench.kanaal-args=--spring.datasource.url=...}).
     */
    long nanos() {
        if (!Files.exists(pidFile)) {
            return 0;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(pidFile);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + pidFile, e);
        }
        return ProcessHandle.of(Long.parseLong(lines.get(0).trim()))
                .map(postmaster -> Stream.concat(Stream.of(postmaster), postmaster.descendants())
                        .mapToLong(p -> p.info().totalCpuDuration().map(Duration::toNanos).orElse(0L)).sum())
                .orElse(0L);
    }
}
