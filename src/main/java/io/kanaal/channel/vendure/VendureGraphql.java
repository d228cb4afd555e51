package io.kanaal.channel.vendure;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.kanaal.channel.ChannelException;
import io.kanaal.channel.ChannelListings;
import io.kanaal.channel.ChannelResponses;
import io.kanaal.channel.GraphqlRequests;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.camel.Body;
import org.apache.camel.Header;
import org.apache.camel.Headers;
import org.springframework.stereotype.Component;

/**
 * GraphQL over HTTP with Vendure's Admin API, for routes/vendure-channel.camel.yaml: the request body from a
 * document under mappings/ and its variables, and the answer read into its {@code data} or a
 * {@link ChannelException}:
 * <ul>
 *   <li>HTTP 429, 5xx, 408 and unreadable answers go the way of every channel ({@link ChannelResponses});</li>
 *   <li>GraphQL errors: FORBIDDEN (the session expired or was refused) drops the session, so the retry logs in
 *       again, and is retried; INTERNAL_SERVER_ERROR and errors without a code are retried; the others
 *       (invalid query or input, unknown entity) are rejected;</li>
 *   <li>a mutation's ErrorResult in {@code data} ({@code errorCode}) is rejected, except the ones a later
 *       attempt can pass (a state transition not allowed yet, e.g. shipping before the payment is settled;
 *       too little stock on hand).</li>
 * </ul>
 */
@Component("vendureGraphql")
public class VendureGraphql {

    /** GraphQL error codes that a later attempt may not get. */
    private static final Set<String> TRANSIENT_ERRORS = Set.of("INTERNAL_SERVER_ERROR", "UNKNOWN_ERROR", "");
    private static final Set<String> SESSION_ERRORS = Set.of("FORBIDDEN", "UNAUTHORIZED", "UNAUTHENTICATED");
    /** ErrorResult codes that a later attempt can pass. */
    private static final Set<String> RETRYABLE_RESULTS = Set.of("ORDER_STATE_TRANSITION_ERROR",
            "FULFILLMENT_STATE_TRANSITION_ERROR", "INSUFFICIENT_STOCK_ON_HAND_ERROR");

    private final GraphqlRequests requests;
    private final VendureSessions sessions;
    private final ChannelResponses responses;
    private final ChannelListings listings;

    public VendureGraphql(GraphqlRequests requests, VendureSessions sessions, ChannelResponses responses,
                          ChannelListings listings) {
        this.requests = requests;
        this.sessions = sessions;
        this.responses = responses;
        this.listings = listings;
    }

    /** GraphQL variables with one value, e.g. {@code variables('sku', ${variable.stock.sku})}. */
    public Map<String, Object> variables(String name, Object value) {
        return requests.variables(name, value);
    }

    /** The HTTP body of a GraphQL call ({@link GraphqlRequests#request}). */
    public String request(String document, Object variables) throws JsonProcessingException {
        return requests.request(document, variables);
    }

    /**
     * The HTTP body of a GraphQL call, as {@link #request(String, Object)}; with an image to upload, a multipart request
     * as the GraphQL multipart request spec has it (Vendure's createAssets): part {@code operations} (that body, the
     * file null), part {@code map} (the file goes to {@code variables.input.0.file}), part {@code 0} (the file).
     */
    public Object request(String document, Object variables, VendureAssets.Image upload) throws JsonProcessingException {
        String operations = request(document, variables);
        if (upload == null) {
            return operations;
        }
        return org.apache.hc.client5.http.entity.mime.MultipartEntityBuilder.create()
                .addTextBody("operations", operations, org.apache.hc.core5.http.ContentType.APPLICATION_JSON)
                .addTextBody("map", "{\"0\":[\"variables.input.0.file\"]}",
                        org.apache.hc.core5.http.ContentType.APPLICATION_JSON)
                .addBinaryBody("0", upload.bytes(), org.apache.hc.core5.http.ContentType.create(upload.contentType()),
                        upload.fileName())
                .build();
    }

    /** The Content-Type of a request body {@link #request(String, Object, VendureAssets.Image)} made. */
    public String contentType(@Body Object body) {
        return body instanceof org.apache.hc.core5.http.HttpEntity entity ? entity.getContentType() : "application/json";
    }

    /** The {@code data} of a GraphQL answer as JSON text; a ChannelException for an answer with errors. */
    public String data(String channel, @Header("CamelHttpResponseCode") int status,
                       @Headers Map<String, Object> headers, @Body String body) {
        JsonNode answer = parse(body);
        boolean graphql = answer != null && (answer.has("data") || answer.has("errors"));
        if (status == 401 || status == 403) {
            sessions.evict(channel);
            throw ChannelException.unavailable("channel " + channel + ": Vendure answered HTTP " + status
                    + ", logging in again: " + abbreviate(body));
        }
        if (!graphql || status == 429 || status == 408 || status >= 500) {
            responses.check(channel, status, headers, body);
            throw ChannelException.rejected("channel " + channel + ": Vendure's answer (HTTP " + status
                    + ") is not a GraphQL answer: " + abbreviate(body));
        }
        JsonNode errors = answer.path("errors");
        if (errors.isArray() && !errors.isEmpty()) {
            throw errors(channel, errors);
        }
        if (status < 200 || status >= 300) {
            responses.check(channel, status, headers, body);
        }
        JsonNode data = answer.path("data");
        data.fields().forEachRemaining(field -> {
            JsonNode result = field.getValue();
            if (result.hasNonNull("errorCode")) {
                String code = result.path("errorCode").asText();
                String reason = "channel " + channel + ": Vendure's " + field.getKey() + " answered " + code + ": "
                        + abbreviate(result.path("message").asText(""));
                throw RETRYABLE_RESULTS.contains(code) ? ChannelException.unavailable(reason)
                        : ChannelException.rejected(reason);
            }
        });
        return data.toString();
    }

    private ChannelException errors(String channel, JsonNode errors) {
        List<String> codes = new ArrayList<>();
        for (JsonNode error : errors) {
            codes.add(error.path("extensions").path("code").asText(""));
        }
        String reason = "channel " + channel + ": Vendure answered GraphQL errors " + codes + ": " + abbreviate(errors.toString());
        if (codes.stream().anyMatch(SESSION_ERRORS::contains)) {
            sessions.evict(channel);
            return ChannelException.unavailable(reason + " (logging in again)");
        }
        if (codes.stream().allMatch(TRANSIENT_ERRORS::contains)) {
            return ChannelException.unavailable(reason);
        }
        return ChannelException.rejected(reason);
    }

    /** The text at a dotted path of a {@code data} document (e.g. order.state); null when missing or null. */
    public String value(@Body String data, String path) {
        return requests.value(data, path);
    }

    /**
     * The order's fulfillment that carries this tracking code ({@code data} of vendure/order.graphql), as
     * {@code {id, state}}; null when it has none yet. Rejected when Vendure has no such order.
     */
    public Map<String, String> fulfillment(@Body String data, String trackingCode) {
        JsonNode order = parse(data).path("order");
        if (order.isMissingNode() || order.isNull()) {
            throw ChannelException.rejected("Vendure has no such order: " + abbreviate(data));
        }
        String wanted = trackingCode == null ? "" : trackingCode;
        for (JsonNode fulfillment : order.path("fulfillments")) {
            if (wanted.equals(fulfillment.path("trackingCode").asText(""))
                    && !"Cancelled".equals(fulfillment.path("state").asText())) {
                return result(fulfillment);
            }
        }
        return null;
    }

    /** A mutation's result in {@code data}, as {@code {id, state}}. */
    public Map<String, String> result(@Body String data, String field) {
        return result(parse(data).path(field));
    }

    private static Map<String, String> result(JsonNode node) {
        Map<String, String> result = new HashMap<>();
        result.put("id", node.path("id").asText(null));
        result.put("state", node.path("state").asText(null));
        return result;
    }

    /**
     * Saves the id of the SKU's variant ({@code data} of vendure/variant-by-sku.graphql) as the channel's
     * listing of the SKU, so it is looked up once. Rejected when Vendure has no variant with this SKU (null when the channel skips unlisted SKUs).
     */
    public String saveVariant(String channel, String sku, @Body String data) {
        String id = null;
        for (JsonNode variant : parse(data).path("productVariants").path("items")) {
            if (sku.equals(variant.path("sku").asText())) {
                id = variant.path("id").asText();
            }
        }
        return listings.found(channel, sku, id, "Vendure has no product variant with SKU '" + sku
                + "': create it in Vendure (Kanaal sets stock on existing variants only)");
    }

    private JsonNode parse(String text) {
        return requests.parse(text);
    }

    static String abbreviate(String text) {
        return ChannelResponses.abbreviate(text);
    }
}
