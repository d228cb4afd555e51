package io.kanaal.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kanaal.support.KanaalIntegrationTest;
import io.kanaal.support.QueueCounts;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Hostile requests against every HTTP endpoint of a Kanaal as shipped: every body endpoint (the ERP API's five, the
 * order webhooks of both REST channels and of a Bol channel, which has none) gets a corpus of hostile bodies and, from
 * a fixed seed, valid bodies cut off at random places; every endpoint with path or query values (ops, feeds, schemas)
 * gets hostile values. Every answer comes within the client's timeout, is never a 5xx and carries no internal text
 * (exception names, stack frames, package names) and echoes no request header or parameter; a body refused is a 4xx
 * problem document with its reason (or, for an ERP batch, 202 with every item rejected with its reasons: the API's
 * per-item report); nothing is added to any of Kanaal's queues the endpoints write to (Artemis' count of messages
 * added).
 */
class HostileInputTest extends KanaalIntegrationTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long SEED = 26L;

    /** The queues any endpoint below writes to. */
    private static final List<String> QUEUES = List.of("kanaal.erp.stock", "kanaal.erp.products", "kanaal.products.changed", "kanaal.erp.inbound",
            "kanaal.erp.fulfilment", "kanaal.orders.unified", "kanaal.channel.shop.orders", "kanaal.channel.market.orders",
            "DLQ.kanaal.channel.shop.orders", "DLQ.kanaal.channel.market.orders", "kanaal.channel.shop.products",
            "kanaal.channel.market.products", "kanaal.channel.bol-test.products");

    /** Body endpoints and a valid body of each (which the fuzzing cuts). */
    private static final Map<String, String> BODY_ENDPOINTS = new LinkedHashMap<>();

    static {
        String order = "{\"id\":\"H-1\",\"createdAt\":\"2026-11-23T10:00:00Z\",\"status\":\"paid\","
                + "\"items\":[{\"id\":\"1\",\"sku\":\"HOSTILE-1\",\"quantity\":1,\"price\":1.00}],\"total\":1.00}";
        BODY_ENDPOINTS.put("/api/v1/stock", "{\"items\":[{\"sku\":\"HOSTILE-1\",\"quantity\":3,\"sequence\":1}]}");
        BODY_ENDPOINTS.put("/api/v1/products", "{\"items\":[{\"sku\":\"HOSTILE-1\",\"sequence\":1,\"title\":{\"nl\":\"T\"},"
                + "\"price\":{\"amount\":1.00,\"currency\":\"EUR\"}}]}");
        BODY_ENDPOINTS.put("/api/v1/shipments", "{\"items\":[{\"orderRef\":\"shop/H-1\",\"carrier\":\"PostNL\",\"trackingCode\":\"X\"}]}");
        BODY_ENDPOINTS.put("/api/v1/cancellations", "{\"items\":[{\"orderRef\":\"shop/H-1\",\"reason\":\"x\"}]}");
        BODY_ENDPOINTS.put("/api/v1/orders/acknowledgements", "{\"items\":[{\"orderRef\":\"shop/H-1\"}]}");
        BODY_ENDPOINTS.put("/webhooks/shop/orders", order);
        BODY_ENDPOINTS.put("/webhooks/market/orders", order);
        BODY_ENDPOINTS.put("/webhooks/bol-test/orders", order);
    }

    /** Bodies no endpoint can take. */
    private static final Map<String, byte[]> HOSTILE = new LinkedHashMap<>();

    static {
        HOSTILE.put("empty", new byte[0]);
        HOSTILE.put("whitespace", utf8(" \n\t "));
        HOSTILE.put("null", utf8("null"));
        HOSTILE.put("an empty object", utf8("{}"));
        HOSTILE.put("items not a list", utf8("{\"items\":\"x\"}"));
        HOSTILE.put("items of numbers", utf8("{\"items\":[1,2,3]}"));
        HOSTILE.put("items of nulls", utf8("{\"items\":[null]}"));
        HOSTILE.put("objects nested 3,000 deep", utf8("{\"a\":".repeat(3_000) + "1" + "}".repeat(3_000)));
        HOSTILE.put("arrays nested 100,000 deep", utf8("[".repeat(100_000)));
        HOSTILE.put("a quantity of 1e999999", utf8("{\"items\":[{\"sku\":\"A\",\"quantity\":1e999999,\"sequence\":1,\"orderRef\":1e999999}]}"));
        HOSTILE.put("a 5,000-digit number", utf8("{\"items\":[{\"sku\":\"A\",\"quantity\":" + "9".repeat(5_000) + ",\"sequence\":1}]}"));
        HOSTILE.put("a quantity beyond a long", utf8("{\"items\":[{\"sku\":\"A\",\"quantity\":9223372036854775808,\"sequence\":1}]}"));
        HOSTILE.put("NaN", utf8("{\"items\":[{\"sku\":\"A\",\"quantity\":NaN,\"sequence\":1}]}"));
        HOSTILE.put("UTF-16", "{\"items\":[{\"sku\":\"A\",\"quantity\":1,\"sequence\":1}]}".getBytes(StandardCharsets.UTF_16));
        HOSTILE.put("Latin-1 bytes", "{\"items\":[{\"sku\":\"Ä\",\"quantity\":1,\"sequence\":1}]}".getBytes(StandardCharsets.ISO_8859_1));
        HOSTILE.put("an overlong UTF-8 slash", new byte[] {'{', '"', (byte) 0xC0, (byte) 0xAF, '"', ':', '1', '}'});
        HOSTILE.put("NUL bytes", new byte[] {'{', 0, 0, '}'});
        HOSTILE.put("a key 1 MB long", utf8("{\"" + "k".repeat(1_000_000) + "\":1}"));
        HOSTILE.put("an XML document", utf8("<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><x>&e;</x>"));
        HOSTILE.put("a form", utf8("items=1&sku=A&X-Kanaal-Client=evil"));
        HOSTILE.put("oversized (3 MB)", utf8("{\"items\":[\"" + "x".repeat(3 * 1024 * 1024) + "\"]}"));
    }

    @Autowired
    EmbeddedActiveMQ broker;

    /**
     * JSON that is an order object or list, only not a good one: a webhook takes such an order in as a dead letter
     * with its reason (202, DLQ.kanaal.channel.<channel>.orders; WebhookIntakeTest), so it is not hostile there.
     */
    private static final List<String> ORDER_SHAPED = List.of("an empty object", "items not a list", "items of numbers",
            "items of nulls", "a quantity of 1e999999", "a quantity beyond a long");

    static Stream<Arguments> hostileBodies() {
        List<Arguments> cases = new ArrayList<>();
        BODY_ENDPOINTS.keySet().forEach(path -> HOSTILE.forEach((name, body) -> {
            if (!(path.startsWith("/webhooks/") && ORDER_SHAPED.contains(name))) {
                cases.add(Arguments.of(path, name, body));
            }
        }));
        // valid bodies cut off at random places (a proper prefix of a JSON object is never JSON), the same every run
        Random random = new Random(SEED);
        BODY_ENDPOINTS.forEach((path, valid) -> {
            for (int i = 0; i < 8; i++) {
                int cut = 1 + random.nextInt(valid.length() - 1);
                cases.add(Arguments.of(path, "cut at " + cut, utf8(valid.substring(0, cut))));
            }
        });
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} with {1}")
    @MethodSource("hostileBodies")
    void aHostileBodyGetsA4xxProblemWithItsReasonAndNothingIsQueued(String path, String name, byte[] body) throws Exception {
        Map<String, Long> before = added();
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (path.startsWith("/webhooks/shop/")) {
            request.header("X-Kanaal-Signature", signature(SHOP_WEBHOOK_SECRET, body));
        } else if (path.startsWith("/webhooks/")) {
            request.header("X-Kanaal-Signature", signature(MARKET_WEBHOOK_SECRET, body));
        } else {
            request.header("X-API-Key", API_KEY);
        }
        HttpResponse<String> response = send(request);

        JsonNode answer = JSON.readTree(response.body());
        if (response.statusCode() == 202 && path.startsWith("/api/v1/")) {
            // a batch of the ERP API whose every item is refused: its report names each item's reasons
            assertThat(answer.path("accepted").asInt()).as("%s with %s: %s", path, name, response.body()).isZero();
            assertThat(answer.path("items")).isNotEmpty().allSatisfy(item -> {
                assertThat(item.path("status").asText()).isEqualTo("rejected");
                assertThat(item.path("errors")).isNotEmpty();
            });
        } else {
            assertThat(response.statusCode()).as("%s with %s: %s", path, name, response.body()).isBetween(400, 499);
            assertThat(answer.path("title").asText()).as("the reason").isNotBlank();
            assertThat(answer.path("status").asInt()).isEqualTo(response.statusCode());
        }
        assertNoInternalText(response);
        assertThat(added()).as("messages ever added").isEqualTo(before);
    }

    /** Values for path segments and query parameters. */
    private static final List<String> HOSTILE_VALUES = List.of("..%2F..%2Fetc%2Fpasswd", "%00", "%27%20OR%201%3D1--",
            "%24%7Bbody%7D", "%24%7Bsys%3Auser.home%7D", "%23%7B1%2B1%7D", "x".repeat(4_000), "%C3%28", "%E2%80%AE",
            "-1", "99999999999999999999", "NaN", "%20");

    static Stream<Arguments> hostileValues() {
        List<String> templates = List.of("GET /api/v1/ops/dead-letters/{v}", "GET /api/v1/ops/dead-letters/DLQ.kanaal.erp.stock?limit={v}",
                "GET /api/v1/ops/stock/{v}", "GET /api/v1/ops/reservations/{v}", "GET /api/v1/ops/orders/{v}/{v}",
                "GET /api/v1/ops/products/{v}", "GET /api/v1/ops/channels/{v}/rejects", "GET /api/v1/ops/channels/shop/rejects?limit={v}",
                "GET /api/v1/ops/channels/{v}/products", "POST /api/v1/ops/channels/{v}/resync",
                "POST /api/v1/ops/dead-letters/{v}/replay", "POST /api/v1/ops/dead-letters/DLQ.kanaal.erp.stock/replay?messageId={v}",
                "DELETE /api/v1/ops/dead-letters/{v}", "DELETE /api/v1/ops/dead-letters/DLQ.kanaal.erp.stock?messageId={v}",
                "GET /api/v1/schemas/{v}", "GET /feeds/{v}?token={v}", "GET /api/v1/openapi.json?{v}={v}");
        List<Arguments> cases = new ArrayList<>();
        templates.forEach(template -> HOSTILE_VALUES.forEach(value -> cases.add(Arguments.of(template, value))));
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} with {1}")
    @MethodSource("hostileValues")
    void aHostilePathOrQueryValueIsNeverA5xxAndMovesNothing(String template, String value) throws Exception {
        String method = template.substring(0, template.indexOf(' '));
        String path = template.substring(template.indexOf(' ') + 1).replace("{v}", value);
        Map<String, Long> before = added();

        HttpResponse<String> response = send(HttpRequest.newBuilder(uri(path)).header("X-API-Key", API_KEY)
                .method(method, HttpRequest.BodyPublishers.noBody()));

        assertThat(response.statusCode()).as("%s: %s", path, response.body()).isLessThan(500);
        assertNoInternalText(response);
        if (response.statusCode() >= 400 && response.headers().firstValue("Content-Type").orElse("").contains("json")) {
            // a problem document's title, or Spring Boot's error answer for a path no route serves
            JsonNode answer = JSON.readTree(response.body());
            assertThat(answer.path("title").asText() + answer.path("error").asText()).as("the reason of %s: %s", path,
                    response.body()).isNotBlank();
        }
        assertThat(response.headers().map().keySet()).as("headers of the answer to %s", path)
                .noneMatch(name -> name.equalsIgnoreCase("X-API-Key") || name.equalsIgnoreCase(java.net.URLDecoder.decode(value, StandardCharsets.UTF_8)));
        assertThat(added()).as("messages ever added").isEqualTo(before);
    }

    private static void assertNoInternalText(HttpResponse<String> response) {
        assertThat(response.body()).as("internal text in the answer")
                .doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("org.apache")
                .doesNotContain("io.kanaal").doesNotContain("com.fasterxml").doesNotContain("java.");
    }

    private Map<String, Long> added() {
        return QueueCounts.added(broker, QUEUES);
    }

    private static String signature(String secret, byte[] body) throws Exception {
        return QueueCounts.signature(secret, body);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
