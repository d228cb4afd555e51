package io.kanaal.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Mappings bean: a compiled mapping serves many and concurrent messages, and a changed file applies. */
class MappingsTest {

    @TempDir
    Path directory;

    @Test
    void oneCompiledMappingMapsConcurrentMessagesEachFromItsOwnInput() throws Exception {
        // $$ is the message's root: bound per evaluation, never shared between messages
        Files.writeString(directory.resolve("echo.jsonata"), "{\"sku\": $$.sku, \"items\": [1, 2, 3].($$.sku)}");
        Mappings mappings = new Mappings(java.util.List.of(directory), true);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < 40_000; i++) {
                String sku = "SKU-" + i;
                results.add(pool.submit(() -> mappings.apply("echo.jsonata", "{\"sku\":\"" + sku + "\"}")
                        .equals("{\"sku\":\"" + sku + "\",\"items\":[\"" + sku + "\",\"" + sku + "\",\"" + sku + "\"]}")));
            }
            for (Future<Boolean> result : results) {
                assertThat(result.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aMappingMapsEveryMessageOfALongRun() throws Exception {
        // JSONata 0.9.9 chained each evaluation onto the last one's variable frame: every message made the
        // next one slower, and after about 20,000 messages the mapping failed with StackOverflowError
        Files.writeString(directory.resolve("stock.jsonata"), "( $q := quantity; {\"sku\": sku, \"quantity\": $q} )");
        Mappings mappings = new Mappings(java.util.List.of(directory), true);
        for (int i = 0; i < 60_000; i++) {
            assertThat(mappings.apply("stock.jsonata", "{\"sku\":\"S" + i + "\",\"quantity\":" + i + "}"))
                    .isEqualTo("{\"sku\":\"S" + i + "\",\"quantity\":" + i + "}");
        }
    }

    @Test
    void withoutTheCacheAChangedFileAppliesToTheNextMessage() throws Exception {
        Path file = directory.resolve("m.jsonata");
        Files.writeString(file, "{\"v\": 1}");
        Mappings mappings = new Mappings(java.util.List.of(directory), false);
        assertThat(mappings.apply("m.jsonata", "{}")).isEqualTo("{\"v\":1}");

        Files.writeString(file, "{\"v\": 2}");
        Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 2_000));

        assertThat(mappings.apply("m.jsonata", "{}")).isEqualTo("{\"v\":2}");
    }
}
