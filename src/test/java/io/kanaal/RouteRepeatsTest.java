package io.kanaal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Shared steps belong in one template: at most 5% of all route lines (comments and blank lines aside) may sit in
 * runs of six or more lines (of at least 80 characters together) that appear again elsewhere in {@code routes/}.
 * A channel type that copies another's skeleton instead of filling the channel contract fails here, with the
 * runs that repeat.
 */
class RouteRepeatsTest {

    private static final int RUN = 6;
    private static final int MIN_CHARACTERS = 80;
    private static final double MAX_SHARE = 5.0;

    @Test
    void underFivePercentOfRouteLinesSitInRepeatedRuns() throws IOException {
        Map<Path, List<String>> files = new TreeMap<>();
        try (Stream<Path> paths = Files.walk(Path.of("routes"))) {
            for (Path file : paths.filter(p -> p.toString().endsWith(".camel.yaml")).toList()) {
                files.put(file, Files.readAllLines(file).stream().map(String::strip)
                        .filter(line -> !line.isEmpty() && !line.startsWith("#")).toList());
            }
        }
        Map<List<String>, Integer> seen = new HashMap<>();
        files.values().forEach(lines -> runs(lines).forEach(run -> seen.merge(run, 1, Integer::sum)));

        int total = 0;
        int repeated = 0;
        List<String> where = new ArrayList<>();
        for (Map.Entry<Path, List<String>> file : files.entrySet()) {
            List<String> lines = file.getValue();
            TreeSet<Integer> covered = new TreeSet<>();
            for (int start = 0; start + RUN <= lines.size(); start++) {
                if (seen.getOrDefault(lines.subList(start, start + RUN), 0) > 1) {
                    for (int i = start; i < start + RUN; i++) {
                        covered.add(i);
                    }
                    where.add(file.getKey() + ": " + lines.get(start));
                }
            }
            total += lines.size();
            repeated += covered.size();
        }
        assertThat(files).as("route files under routes/").isNotEmpty();
        assertThat(100.0 * repeated / total)
                .as("%% of %d route lines in repeated runs of %d lines; runs start at %s", total, RUN, where)
                .isLessThan(MAX_SHARE);
    }

    private static List<List<String>> runs(List<String> lines) {
        List<List<String>> runs = new ArrayList<>();
        for (int start = 0; start + RUN <= lines.size(); start++) {
            List<String> run = lines.subList(start, start + RUN);
            if (run.stream().mapToInt(String::length).sum() >= MIN_CHARACTERS) {
                runs.add(run);
            }
        }
        return runs;
    }
}
