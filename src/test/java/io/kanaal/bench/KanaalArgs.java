package io.kanaal.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * Kanaal's command line in a benchmark: the benchmark's own arguments, then {@code bench.kanaal-args}
 * (space-separated, as on Kanaal's command line). An extra argument replaces the benchmark's argument of the
 * same name: Spring Boot would read an option given twice as both values, comma-separated.
 */
final class KanaalArgs {

    private KanaalArgs() {
    }

    static String[] withExtras(List<String> defaults) {
        String extra = System.getProperty("bench.kanaal-args", "");
        List<String> extras = extra.isBlank() ? List.of() : List.of(extra.trim().split("\\s+"));
        List<String> args = new ArrayList<>();
        for (String arg : defaults) {
            if (extras.stream().noneMatch(e -> name(e).equals(name(arg)))) {
                args.add(arg);
            }
        }
        args.addAll(extras);
        return args.toArray(String[]::new);
    }

    private static String name(String arg) {
        int eq = arg.indexOf('=');
        return eq < 0 ? arg : arg.substring(0, eq);
    }
}
