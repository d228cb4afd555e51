package io.kanaal.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import io.kanaal.support.JsonataMappings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden files for every mapping in mappings/: each {@code src/test/resources/mappings/<type>/<kind>-<case>.input.json}
 * is run through {@code mappings/<type>/<kind>.jsonata} by the Mappings bean, as the routes run it,
 * and the whole result must equal {@code <kind>-<case>.expected.json}.
 */
class MappingGoldenTest {

    private static final Path CASES = Path.of("src/test/resources/mappings");
    private static final ObjectMapper JSON = new ObjectMapper();

    static Stream<Arguments> cases() throws IOException {
        try (Stream<Path> files = Files.walk(CASES)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".input.json")).sorted()
                    .map(input -> Arguments.of(CASES.relativize(input).toString().replace(".input.json", ""), input))
                    .toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void mappingGivesTheExpectedDocument(String name, Path input) throws IOException {
        String type = input.getParent().getFileName().toString();
        String file = input.getFileName().toString();
        // the longest <kind> that names a mapping: stock-batch-two.input.json is a case of stock-batch.jsonata
        Path mapping = null;
        for (int dash = file.indexOf('-'); dash > 0; dash = file.indexOf('-', dash + 1)) {
            Path candidate = Path.of("mappings", type, file.substring(0, dash) + ".jsonata");
            if (Files.exists(candidate)) {
                mapping = candidate;
            }
        }
        assertThat(mapping).as("a mapping in mappings/%s for %s", type, file).isNotNull();
        Path expected = input.resolveSibling(file.replace(".input.json", ".expected.json"));

        String actual = JsonataMappings.run(mapping, Files.readString(input));

        JsonNode want = JSON.readTree(expected.toFile());
        assertThat(JSON.readTree(actual)).as("%s -> %s", input, mapping).isEqualTo(want);
    }

    @Test
    void everyMappingHasGoldenCases() throws IOException {
        try (Stream<Path> mappings = Files.walk(Path.of("mappings"))) {
            for (Path mapping : mappings.filter(f -> f.toString().endsWith(".jsonata")).toList()) {
                String type = mapping.getParent().getFileName().toString();
                String kind = mapping.getFileName().toString().replace(".jsonata", "");
                try (Stream<Path> cases = Files.list(CASES.resolve(type))) {
                    assertThat(cases.map(p -> p.getFileName().toString()))
                            .as("golden cases for %s", mapping)
                            .anyMatch(name -> name.startsWith(kind + "-") && name.endsWith(".input.json"));
                }
            }
        }
    }
}
