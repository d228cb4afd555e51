package io.kanaal.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kanaal.support.KanaalIntegrationTest;
import io.kanaal.support.QueueCounts;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The same catalogue of bad bodies against every POST endpoint of the ERP API and the order webhook: every
 * answer is a 4xx with a reason (a problem document), never a 5xx, and nothing reaches the queues the endpoint
 * writes to (their count of messages ever added does not move). Also bad webhook signatures (hex and Base64),
 * and ops requests that cannot be answered (no such queue, letter or order; a bad limit).
 */
class BadInputTest extends KanaalIntegrationTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The endpoints and the queues each one writes to. */
    private static final Map<String, List<String>> ENDPOINTS = new LinkedHashMap<>();

    static {
        ENDPOINTS.put("/api/v1/stock", List.of("kanaal.erp.stock"));
        ENDPOINTS.put("/api/v1/shipments", List.of("kanaal.erp.fulfilment"));
        ENDPOINTS.put("/api/v1/cancellations", List.of("kanaal.erp.fulfilment"));
        ENDPOINTS.put("/api/v1/orders/acknowledgements", List.of("kanaal.erp.fulfilment"));
        ENDPOINTS.put("/webhooks/shop/orders", List.of("kanaal.orders.unified", "DLQ.kanaal.channel.shop.orders"));
    }

    /** Bodies that no endpoint can take, as raw bytes. */
    private static final Map<String, byte[]> BODIES = new LinkedHashMap<>();

    static {
        BODIES.put("empty", new byte[0]);
        BODIES.put("not JSON", utf8("items=1&sku=A"));
        BODIES.put("truncated", utf8("{\"items\":[{\"sku\":\"A\",\"quantity\":"));
        BODIES.put("nested 5,000 deep", utf8("[".repeat(5_000) + "]".repeat(5_000)));
        BODIES.put("a bare string", utf8("\"items\""));
        BODIES.put("a huge number alone", utf8("9".repeat(2_000)));
        BODIES.put("invalid UTF-8", new byte[] {'{', '"', 'i', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}'});
        BODIES.put("an unclosed string", utf8("{\"items\":\"" + "x".repeat(10_000)));
    }

    @Autowired
    EmbeddedActiveMQ broker;

    static Stream<Arguments> everyEndpointWithEveryBadBody() {
        List<Arguments> cases = new ArrayList<>();
        ENDPOINTS.keySet().forEach(path -> BODIES.keySet().forEach(body -> cases.add(Arguments.of(path, body))));
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} with {1}")
    @MethodSource("everyEndpointWithEveryBadBody")
    void aBadBodyGetsA4xxWithItsReasonAndNothingIsQueued(String path, String bodyName) throws Exception {
        byte[] body = BODIES.get(bodyName);
        Map<String, Long> before = added(ENDPOINTS.get(path));

        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (path.startsWith("/webhooks/")) {
            request.header("X-Kanaal-Signature", signature(SHOP_WEBHOOK_SECRET, body));
        } else {
            request.header("X-API-Key", API_KEY);
        }
        HttpResponse<String> response = send(request);

        assertThat(response.statusCode()).as("%s with %s: %s", path, bodyName, response.body()).isBetween(400, 499);
        JsonNode problem = JSON.readTree(response.body());
        assertThat(problem.path("title").asText()).as("the reason's title").isNotBlank();
        assertThat(problem.path("status").asInt()).isEqualTo(response.statusCode());
        assertThat(added(ENDPOINTS.get(path))).as("messages ever added to %s", ENDPOINTS.get(path)).isEqualTo(before);
    }

    static Stream<Arguments> badSignatures() throws Exception {
        byte[] body = utf8("[]");
        byte[] digest = HexFormat.of().parseHex(signature(SHOP_WEBHOOK_SECRET, body).substring("sha256=".length()));
        byte[] wrong = digest.clone();
        wrong[0] ^= 1;
        Base64.Encoder base64 = Base64.getEncoder();
        return Stream.of(
                Arguments.of("none", null),
                Arguments.of("empty", ""),
                Arguments.of("another secret's (hex)", signature("not-the-secret", body)),
                Arguments.of("one bit off (Base64)", base64.encodeToString(wrong)),
                Arguments.of("truncated (Base64)", base64.encodeToString(Arrays.copyOf(digest, 16))),
                Arguments.of("not hex nor Base64", "sha256=zz!"),
                Arguments.of("right digest of another body", signature(SHOP_WEBHOOK_SECRET, utf8("[{}]"))));
    }

    @ParameterizedTest(name = "signature {0}")
    @MethodSource("badSignatures")
    void aWebhookWithABadSignatureGets401AndNothingIsQueued(String name, String signature) throws Exception {
        List<String> queues = ENDPOINTS.get("/webhooks/shop/orders");
        Map<String, Long> before = added(queues);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri("/webhooks/shop/orders")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("[]"));
        if (signature != null) {
            request.header("X-Kanaal-Signature", signature);
        }
        HttpResponse<String> response = send(request);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(401);
        assertThat(added(queues)).isEqualTo(before);
    }

    @Test
    void aBase64SignatureAsShopifySendsItIsTaken() throws Exception {
        byte[] body = utf8("[]");
        byte[] digest = HexFormat.of().parseHex(signature(SHOP_WEBHOOK_SECRET, body).substring("sha256=".length()));
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/webhooks/shop/orders"))
                .header("Content-Type", "application/json")
                .header("X-Kanaal-Signature", Base64.getEncoder().encodeToString(digest))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    }

    /** Ops requests that cannot be answered as asked: method, path, the status and what the reason must say. */
    static Stream<Arguments> badOpsRequests() {
        return Stream.of(
                Arguments.of("GET", "/api/v1/ops/dead-letters/kanaal.erp.stock", 400, "not a dead-letter queue"),
                Arguments.of("GET", "/api/v1/ops/dead-letters/DLQ.nothing.here", 404, "DLQ.nothing.here"),
                Arguments.of("GET", "/api/v1/ops/dead-letters/DLQ.kanaal.erp.stock?limit=abc", 400, "limit"),
                Arguments.of("GET", "/api/v1/ops/dead-letters/DLQ.kanaal.erp.stock?limit=0", 400, "limit"),
                Arguments.of("GET", "/api/v1/ops/dead-letters/DLQ.kanaal.erp.stock?limit=-5", 400, "limit"),
                Arguments.of("GET", "/api/v1/ops/dead-letters/DLQ.kanaal.erp.stock?limit=99999999999999", 400, "limit"),
                Arguments.of("POST", "/api/v1/ops/dead-letters/DLQ.kanaal.erp.stock/replay?messageId=ID:none", 404, "ID:none"),
                Arguments.of("POST", "/api/v1/ops/dead-letters/kanaal.orders.unified/replay", 400, "not a dead-letter queue"),
                Arguments.of("DELETE", "/api/v1/ops/dead-letters/DLQ.kanaal.erp.stock?messageId=ID:gone", 404, "ID:gone"),
                Arguments.of("DELETE", "/api/v1/ops/dead-letters/DLQ.nothing.here", 404, "DLQ.nothing.here"),
                Arguments.of("GET", "/api/v1/ops/orders/shop/never-taken-in", 404, "never-taken-in"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("badOpsRequests")
    void anOpsRequestThatCannotBeAnsweredGetsA4xxWithItsReasonAndMovesNothing(String method, String path, int status,
            String reason) throws Exception {
        List<String> queues = List.of("kanaal.erp.stock", "DLQ.kanaal.erp.stock", "kanaal.orders.unified");
        Map<String, Long> before = added(queues);

        HttpResponse<String> response = send(HttpRequest.newBuilder(uri(path)).header("X-API-Key", API_KEY)
                .method(method, HttpRequest.BodyPublishers.noBody()));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonNode problem = JSON.readTree(response.body());
        assertThat(problem.path("status").asInt()).isEqualTo(status);
        assertThat(problem.path("title").asText() + " " + problem.path("errors")).as("the reason").contains(reason);
        assertThat(added(queues)).isEqualTo(before);
    }

    private Map<String, Long> added(List<String> queues) {
        return QueueCounts.added(broker, queues);
    }

    private static String signature(String secret, byte[] body) throws Exception {
        return QueueCounts.signature(secret, body);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
