package io.kanaal.support;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/**
 * Data directories for test contexts: fresh for each test run, so no journal of an earlier run replays.
 * Earlier runs' directories are removed when the first one is asked for.
 */
public final class TestData {

    private static final Path ROOT = Path.of("target", "test-data");
    private static final String RUN = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS"));

    static {
        if (Files.isDirectory(ROOT)) {
            try (Stream<Path> paths = Files.walk(ROOT)) {
                paths.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private TestData() {
    }

    public static String directory(String name) {
        return ROOT.resolve(RUN).resolve(name).toAbsolutePath().toString();
    }

    /** A PostgreSQL of the test's own on 127.0.0.1 (for several Kanaal instances to share), its data in {@link #directory}. */
    public static EmbeddedPostgres postgres(String name) throws IOException {
        Path data = Path.of(directory(name));
        Files.createDirectories(data);
        return EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(true)
                .setServerConfig("listen_addresses", "127.0.0.1").start();
    }
}
