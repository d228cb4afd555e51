package io.kanaal.channel;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.Body;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * GraphQL over HTTP for the channel types whose API is GraphQL (Vendure, Shopify): the request body from a document
 * under mappings/ and its variables, and values read from an answer's {@code data}. Each type reads errors its own way.
 */
@Component("graphqlRequests")
public class GraphqlRequests {

    private final ObjectMapper json;
    private final Path mappings;
    private final boolean cache;
    private final Map<String, String> documents = new ConcurrentHashMap<>();

    public GraphqlRequests(ObjectMapper json, @Value("${kanaal.home}") String home,
            @Value("${kanaal.mappings.cache:true}") boolean cache) {
        this.json = json;
        this.mappings = Path.of(home, "mappings");
        this.cache = cache;
    }

    /** GraphQL variables with one value, e.g. {@code variables('sku', ${variable.stock.sku})}. */
    public Map<String, Object> variables(String name, Object value) {
        Map<String, Object> variables = new HashMap<>();
        variables.put(name, value);
        return variables;
    }

    /**
     * The HTTP body of a GraphQL call: {@code {"query": <document>, "variables": ...}}.
     *
     * @param document  the document's file, relative to mappings/ (e.g. vendure/orders.graphql)
     * @param variables a Map, JSON text, or null for none
     */
    public String request(String document, Object variables) throws JsonProcessingException {
        ObjectNode body = json.createObjectNode();
        body.put("query", document(document));
        if (variables instanceof String text) {
            body.set("variables", text.isBlank() ? json.createObjectNode() : json.readTree(text));
        } else if (variables != null) {
            body.set("variables", json.valueToTree(variables));
        } else {
            body.putObject("variables");
        }
        return body.toString();
    }

    /** The text at a dotted path of a {@code data} document (e.g. order.state); null when missing or null. */
    public String value(@Body String data, String path) {
        JsonNode node = parse(data);
        for (String name : path.split("\\.")) {
            node = node == null ? null : node.get(name);
        }
        return node == null || node.isNull() ? null : node.asText();
    }

    /** A JSON text as a tree; null for no text or text that is not JSON. */
    public JsonNode parse(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return json.readTree(text);
        } catch (IOException e) {
            return null;
        }
    }

    private String document(String name) {
        if (!cache) {
            return read(name);
        }
        return documents.computeIfAbsent(name, this::read);
    }

    private String read(String name) {
        Path file = mappings.resolve(name).normalize();
        if (!file.startsWith(mappings.normalize())) {
            throw new IllegalArgumentException("GraphQL document outside mappings/: " + name);
        }
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the GraphQL document " + file, e);
        }
    }
}
