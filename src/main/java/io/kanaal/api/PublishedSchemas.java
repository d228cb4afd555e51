package io.kanaal.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.apache.camel.Header;
import org.springframework.stereotype.Component;

/** The JSON Schemas Kanaal publishes under {@code /api/v1/schemas/<name>}. */
@Component("publishedSchemas")
public class PublishedSchemas {

    static final Set<String> NAMES = Set.of("stock-batch.schema.json", "shipment-batch.schema.json",
            "cancellation-batch.schema.json", "acknowledgement-batch.schema.json", "order.schema.json",
            "product-batch.schema.json");

    /**
     * The schema's text.
     *
     * @throws InvalidRequestException 404 for a name Kanaal does not publish, naming those it does
     */
    public String text(@Header("name") String name) {
        if (name == null || !NAMES.contains(name)) {
            throw new InvalidRequestException(404, "No such schema",
                    List.of("Kanaal publishes " + String.join(", ", new java.util.TreeSet<>(NAMES))));
        }
        try (InputStream in = getClass().getClassLoader().getResourceAsStream("schema/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
