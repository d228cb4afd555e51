package io.kanaal.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kanaal.channel.ChannelException;
import io.kanaal.polling.TimeFormat;
import java.io.IOException;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.springframework.stereotype.Component;

/**
 * Sources of type {@code jsonrpc}: a JSON-RPC 2.0 API ({@code POST {base-url}{path}}, {@code {"jsonrpc": "2.0",
 * "method", "params", "id"}}) whose list is one method with parameters written in configuration, with placeholders
 * that each page fills: {@code "{since}"} (the watermark in the source's time format), {@code "{offset}"} and
 * {@code "{limit}"} (paging), {@code "{session}"} (what the login method answered, kept until the source answers
 * an error). The call style of Odoo-like ERPs ({@code method: call}, {@code params: {service, method, args}}) is
 * one such configuration. Settings: docs/sources/jsonrpc.md.
 */
@Component("jsonRpcSources")
public class JsonRpcSources {

    private final SourcesProperties sources;
    private final ObjectMapper json;
    private final JsonRpcCalls calls;
    private final Map<String, JsonNode> sessions = new ConcurrentHashMap<>();

    public JsonRpcSources(SourcesProperties sources, ObjectMapper json, JsonRpcCalls calls) {
        this.sources = sources;
        this.json = json;
        this.calls = calls;
    }

    /** The request of the poll's current page: the list method with its parameters filled in. */
    public void request(Exchange exchange, String source) throws IOException {
        Map<String, String> settings = settings(source);
        String since = exchange.getVariable("since", String.class);
        Map<String, JsonNode> values = Map.of(
                "{since}", json.getNodeFactory().textNode(TimeFormat.of(settings.get("since-format"), settings.get("since-zone"))
                        .write(since == null ? settings.getOrDefault("since-initial", "1970-01-01T00:00:00Z") : since)),
                "{offset}", json.getNodeFactory().numberNode(exchange.getVariable("offset", 0, Integer.class)),
                "{limit}", json.getNodeFactory().numberNode(Integer.parseInt(settings.getOrDefault("page-size", "100").strip())),
                "{session}", settings.containsKey("login-method") ? session(source, settings) : json.nullNode());
        Message message = exchange.getIn();
        message.setHeader(Exchange.HTTP_METHOD, "POST");
        message.setHeader(Exchange.HTTP_PATH, settings.getOrDefault("path", ""));
        message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        message.setHeader("Accept", "application/json");
        message.setBody(calls.envelope(required(source, settings, "method"), filled(read(source, settings, "params"), values)).toString());
    }

    /** The answer's {@code result} (the body), or the call fails with the source's error (and its session is dropped). */
    public String result(String answer, String source) throws IOException {
        JsonNode document = json.readTree(answer);
        if (document.has("error") && !document.path("error").isNull()) {
            sessions.remove(source);
            throw ChannelException.rejected("source " + source + " answered a JSON-RPC error: " + document.path("error"));
        }
        return json.writeValueAsString(document.path("result"));
    }

    /** The login method's result, kept per source. */
    private JsonNode session(String source, Map<String, String> settings) throws IOException {
        JsonNode session = sessions.get(source);
        if (session != null) {
            return session;
        }
        JsonNode result = calls.login(sources.sources().get(source).baseUrl() + settings.getOrDefault("path", ""),
                calls.envelope(settings.get("login-method"), read(source, settings, "login-params")), "source " + source);
        if (result.isMissingNode() || result.isNull() || result.isBoolean() && !result.asBoolean()) {
            throw ChannelException.rejected("source " + source + " refused the login: " + result);
        }
        sessions.put(source, result);
        return result;
    }

    /** A copy of the parameters with every string that is a placeholder replaced by its value. */
    private JsonNode filled(JsonNode node, Map<String, JsonNode> values) {
        if (node.isTextual() && values.containsKey(node.asText())) {
            return values.get(node.asText());
        }
        if (node.isArray()) {
            ArrayNode copy = json.createArrayNode();
            node.forEach(element -> copy.add(filled(element, values)));
            return copy;
        }
        if (node.isObject()) {
            ObjectNode copy = json.createObjectNode();
            for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
                Map.Entry<String, JsonNode> field = fields.next();
                copy.set(field.getKey(), filled(field.getValue(), values));
            }
            return copy;
        }
        return node;
    }

    private JsonNode read(String source, Map<String, String> settings, String key) throws IOException {
        try {
            return json.readTree(required(source, settings, key));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("kanaal.sources." + source + ".settings." + key + " is not JSON: " + e.getOriginalMessage());
        }
    }

    private static String required(String source, Map<String, String> settings, String key) {
        String value = settings.get(key);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("kanaal.sources." + source + ".settings." + key + " is missing");
        }
        return value;
    }

    private Map<String, String> settings(String source) {
        return sources.sources().get(source).settings();
    }
}
