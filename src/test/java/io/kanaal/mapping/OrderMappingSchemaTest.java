package io.kanaal.mapping;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.InputFormat;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every order mapping's expected golden document, once Kanaal has added channel and orderRef, is a valid
 * canonical order (src/main/resources/schema/order.schema.json): the golden files cannot drift from the schema.
 */
class OrderMappingSchemaTest {

    private static final Path CASES = Path.of("src/test/resources/mappings");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonSchema ORDER = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
            .getSchema(read(Path.of("src/main/resources/schema/order.schema.json")), InputFormat.JSON,
                    SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build());

    static Stream<Path> orders() throws IOException {
        try (Stream<Path> files = Files.walk(CASES)) {
            // a channel's order mapping gives a canonical order; mappings/erp/ gives the ERP its own format from one
            return files.filter(f -> f.getFileName().toString().matches("order-.*\\.expected\\.json"))
                    .filter(f -> !f.getParent().getFileName().toString().equals("erp")).sorted()
                    .toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("orders")
    void theMappedOrderIsACanonicalOrder(Path expected) throws IOException {
        ObjectNode order = (ObjectNode) JSON.readTree(expected.toFile());
        String channel = expected.getParent().getFileName() + "-test";
        order.put("channel", channel);
        order.put("orderRef", channel + "/" + order.path("channelOrderId").asText());

        assertThat(ORDER.validate(order)).as("%s", expected).isEmpty();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
