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

    @Test
    void aDocumentMapsAsItsJsonTextDoes() throws Exception {
        // the channel's view of a product is handed to its mapping as maps and values (BigDecimal prices, Long
        // versions): the mapping must see, and write, what it would have parsed from the view's JSON
        Files.writeString(directory.resolve("same.jsonata"), "{\"all\": $, \"sum\": price.amount + price.listPrice, \"v\": version * 2}");
        Mappings mappings = new Mappings(java.util.List.of(directory), true);
        java.util.Map<String, Object> price = new java.util.LinkedHashMap<>();
        price.put("amount", new java.math.BigDecimal("12.50"));
        price.put("listPrice", new java.math.BigDecimal("1200"));
        price.put("cost", new java.math.BigDecimal("1.2E+3"));
        price.put("regular", new java.math.BigDecimal("0.0000001"));
        price.put("onSale", false);
        java.util.Map<String, Object> view = new java.util.LinkedHashMap<>();
        view.put("sku", "A-1");
        view.put("version", 3_000_000_000L);
        view.put("small", 7L);
        view.put("huge", new java.math.BigInteger("123456789012345678901234567890"));
        view.put("ratio", 0.1f);
        view.put("images", List.of("b.jpg", "a.jpg"));
        view.put("attributes", java.util.Map.of("colour", java.util.Map.of("value", "red")));
        view.put("none", null);
        view.put("price", price);
        String text = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(view);

        assertThat(mappings.map("same.jsonata", view)).isEqualTo(mappings.apply("same.jsonata", text));
    }
}
