package io.kanaal.support;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;

/** Data directories for test contexts: fresh for each test run, so no journal of an earlier run replays. */
public final class TestData {

    private static final String RUN = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS"));

    private TestData() {
    }

    public static String directory(String name) {
        return Path.of("target", "test-data", RUN, name).toAbsolutePath().toString();
    }
}
