package io.kanaal.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kanaal.channel.ChannelException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.stereotype.Component;

/**
 * JSON-RPC 2.0 for the sources that speak it ({@code jsonrpc}, {@code odoo} over JSON-RPC): the envelope of a
 * call, and the login a source makes before its first page, outside any route (its result, a session or uid,
 * is kept by the caller until the source refuses it).
 */
@Component
public class JsonRpcCalls {

    private final ObjectMapper json;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final AtomicLong ids = new AtomicLong();

    public JsonRpcCalls(ObjectMapper json) {
        this.json = json;
    }

    /** {@code {"jsonrpc": "2.0", "method", "params", "id"}}, each call with an id of its own. */
    public ObjectNode envelope(String method, JsonNode params) {
        ObjectNode envelope = json.createObjectNode();
        envelope.put("jsonrpc", "2.0");
        envelope.put("method", method);
        envelope.set("params", params);
        envelope.put("id", ids.incrementAndGet());
        return envelope;
    }

    /**
     * The {@code result} of a login call posted to {@code url} (missing when the answer has none); a source that
     * cannot be reached or answers other than 200 is unavailable (the poll is tried again after its backoff).
     */
    public JsonNode login(String url, ObjectNode envelope, String who) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json; charset=utf-8").header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(envelope.toString())).build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw ChannelException.unavailable(who + ": login answered HTTP " + response.statusCode());
            }
            return json.readTree(response.body()).path("result");
        } catch (IOException e) {
            throw ChannelException.unavailable(who + ": login failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ChannelException.unavailable(who + ": login interrupted");
        }
    }
}
