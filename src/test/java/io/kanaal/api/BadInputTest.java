package io.kanaal.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kanaal.support.KanaalIntegrationTest;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.server.Queue;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The same catalogue of bad bodies against every POST endpoint of the ERP API and the order webhook: every
 * answer is a 4xx with a reason (a problem document), never a 5xx, and nothing reaches the queues the endpoint
 * writes to (their count of messages ever added does not move).
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

    /** Per queue, how many messages were ever added to it (0 for a queue that does not exist yet). */
    private Map<String, Long> added(List<String> queues) {
        Map<String, Long> added = new LinkedHashMap<>();
        for (String name : queues) {
            Queue queue = broker.getActiveMQServer().locateQueue(SimpleString.of(name));
            added.put(name, queue == null ? 0L : queue.getMessagesAdded());
        }
        return added;
    }

    private static String signature(String secret, byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
