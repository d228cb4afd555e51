package io.kanaal.erp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kanaal.support.KanaalIntegrationTest;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The ERP's view of POST /api/v1/stock: clear answers, bad input never queued, good input always. */
class StockApiTest extends KanaalIntegrationTest {

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void acceptedLevelsReachTheChannelAndTheReportSaysSoPerItem() throws Exception {
        String a = newSku();
        String b = newSku();

        HttpResponse<String> response = pushStock(batch(level(a, 10, 1), level(b, 4, 1)));

        JsonNode report = json.readTree(response.body());
        assertThat(report.get("accepted").asInt()).isEqualTo(2);
        assertThat(report.get("rejected").asInt()).isZero();
        assertThat(report.get("items").findValuesAsText("status")).containsExactly("accepted", "accepted");
        awaitExactly(() -> shopRequests(a).size() == 1 && shopRequests(b).size() == 1);
        assertThat(shopRequests(a).get(0).header("X-Shop-Token")).as("the channel's configured header").isEqualTo(SHOP_TOKEN);
    }

    @Test
    void badItemsAreRejectedWithTheirReasonAndTheOthersGoOn() throws Exception {
        String good = newSku();
        String negative = newSku();
        String unknownField = newSku();
        String noVersion = newSku();

        HttpResponse<String> response = pushStock(batch(
                level(good, 7, 1),
                level(negative, -3, 1),
                "{\"quantity\":5,\"sequence\":1}",
                "{\"sku\":\"" + unknownField + "\",\"quantity\":5,\"sequence\":1,\"colour\":\"red\"}",
                "{\"sku\":\"" + noVersion + "\",\"quantity\":5}"));

        JsonNode report = json.readTree(response.body());
        assertThat(report.get("accepted").asInt()).isEqualTo(1);
        assertThat(report.get("rejected").asInt()).isEqualTo(4);
        JsonNode items = report.get("items");
        assertThat(items.get(0).get("status").asText()).isEqualTo("accepted");
        assertThat(items.get(1).get("errors").toString()).contains("quantity").contains("minimum");
        assertThat(items.get(2).get("errors").toString()).contains("sku").contains("required");
        assertThat(items.get(3).get("errors").toString()).contains("colour");
        assertThat(items.get(4).get("errors").toString()).contains("sequence").contains("timestamp");

        await().atMost(Duration.ofSeconds(15)).until(() -> shopRequests(good).size() == 1);
        assertThat(shopRequests(good).get(0).body()).isEqualTo("{\"sku\":\"" + good + "\",\"quantity\":5}");
        assertNeverRecorded(negative, unknownField, noVersion);
    }

    @Test
    void malformedJsonIsRefusedWhole() throws Exception {
        String sku = newSku();

        HttpResponse<String> response = post("/api/v1/stock", "{\"items\": [" + level(sku, 3, 1) + ",");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(json.readTree(response.body()).get("title").asText()).isEqualTo("The body is not valid JSON");
        assertNothingQueuedFor(sku);
    }

    @Test
    void aBodyThatIsNoStockBatchIsRefusedWhole() throws Exception {
        String sku = newSku();

        HttpResponse<String> response = post("/api/v1/stock", "{\"levels\": [" + level(sku, 3, 1) + "]}");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("items").contains("levels");
        assertNothingQueuedFor(sku);
    }

    @Test
    void noKeyOrAWrongKeyGets401AndNothingIsQueued() {
        String sku = newSku();
        String body = batch(level(sku, 3, 1));

        HttpResponse<String> noKey = send(HttpRequest.newBuilder(uri("/api/v1/stock"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)));
        HttpResponse<String> wrongKey = send(HttpRequest.newBuilder(uri("/api/v1/stock"))
                .header("X-API-Key", API_KEY + "x")
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)));

        assertThat(noKey.statusCode()).isEqualTo(401);
        assertThat(wrongKey.statusCode()).isEqualTo(401);
        assertThat(wrongKey.body()).contains("API key");
        assertNothingQueuedFor(sku);
    }

    /**
     * The key is checked on the path the request is served by, not on the path as sent: a path that only
     * looks like a webhook's, or hides the API's prefix behind a path parameter or a double slash, still
     * reaches the stock API and is refused there like any other request without a key.
     */
    @Test
    void aPathWrittenDifferentlyNeedsTheKeyToo() throws Exception {
        String sku = newSku();
        String body = batch(level(sku, 3, 1));

        for (String path : List.of("/webhooks/../api/v1/stock", "/api;x=1/v1/stock", "//api/v1/stock",
                "/api/v1/./stock", "/sandbox/../api/v1/ops/dead-letters")) {
            assertThat(rawPost(path, body)).as("status line for %s", path).startsWith("HTTP/1.1 401");
        }
        assertThat(rawPost("/api;x=1/v1/stock", body, "X-API-Key: " + API_KEY))
                .as("the same path with the key is served by the stock API").startsWith("HTTP/1.1 202");
        await().atMost(Duration.ofSeconds(15)).until(() -> shopRequests(sku).size() == 1);
    }

    @Test
    void aHugeBodyGets413AndNothingIsQueued() {
        String sku = newSku();
        StringBuilder body = new StringBuilder("{\"items\":[").append(level(sku, 3, 1));
        for (int i = 0; body.length() < 3 * 1024 * 1024; i++) {
            body.append(',').append(level("FILLER-" + i, 1, 1));
        }
        body.append("]}");

        byte[] bytes = body.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);

        HttpResponse<String> declared = post("/api/v1/stock", body.toString());
        HttpResponse<String> chunked = send(HttpRequest.newBuilder(uri("/api/v1/stock"))
                .header("X-API-Key", API_KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(bytes))));

        assertThat(declared.statusCode()).isEqualTo(413);
        assertThat(chunked.statusCode()).as("a body without Content-Length is counted as it is read").isEqualTo(413);
        assertNothingQueuedFor(sku);
    }

    @Test
    void aClientThatWritesAWholeHugeBodyBeforeReadingGetsThe413() throws IOException {
        String sku = newSku();
        StringBuilder body = new StringBuilder("{\"items\":[").append(level(sku, 3, 1));
        while (body.length() < 40 * 1024 * 1024) {
            body.append(',').append(level("FILLER-" + body.length(), 1, 1));
        }
        body.append("]}");

        assertThat(rawPost("/api/v1/stock", body.toString(), "X-API-Key: " + API_KEY))
                .as("the status line read after the whole body was written").startsWith("HTTP/1.1 413");
        assertNothingQueuedFor(sku);
    }

    @Test
    void aBodyNestedDeeperThanTheParserTakesGets400WithTheReason() throws Exception {
        String nested = "[".repeat(2_000) + "]".repeat(2_000);

        HttpResponse<String> response = post("/api/v1/stock", "{\"items\":" + nested + "}");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        JsonNode problem = json.readTree(response.body());
        assertThat(problem.path("title").asText()).isEqualTo("The body is not valid JSON");
        assertThat(problem.path("errors").get(0).asText()).containsIgnoringCase("nesting depth");
    }

    @Test
    void theApiDescribesItselfForClientGenerators() throws Exception {
        HttpResponse<String> openapi = send(HttpRequest.newBuilder(uri("/api/v1/openapi.json")).GET());
        HttpResponse<String> schema = send(HttpRequest.newBuilder(uri("/api/v1/schemas/stock-batch.schema.json")).GET());

        assertThat(openapi.statusCode()).isEqualTo(200);
        JsonNode description = json.readTree(openapi.body());
        assertThat(description.at("/paths/~1api~1v1~1stock/post").isMissingNode()).as("POST /api/v1/stock described").isFalse();
        assertThat(description.at("/paths/~1api~1v1~1stock/post/responses").has("202")).isTrue();
        assertThat(schema.statusCode()).isEqualTo(200);
        assertThat(json.readTree(schema.body()).at("/$defs/stockLevel/required").toString()).contains("sku", "quantity");
    }

    /** The status line of a POST sent as written, byte for byte (an HTTP client would normalise the path). */
    private String rawPost(String path, String body, String... headers) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        StringBuilder request = new StringBuilder("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Content-Type: application/json\r\nConnection: close\r\nContent-Length: " + bytes.length + "\r\n");
        for (String header : headers) {
            request.append(header).append("\r\n");
        }
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(15_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.flush();
            return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII)).readLine();
        }
    }

    /** A good level pushed after the refused request gets through; the refused SKU never reaches anything. */
    private void assertNothingQueuedFor(String sku) {
        String marker = newSku();
        pushStock(batch(level(marker, 1, 1)));
        await().atMost(Duration.ofSeconds(15)).until(() -> shopRequests(marker).size() == 1);
        assertNeverRecorded(sku);
    }

    private void assertNeverRecorded(String... skus) {
        for (String sku : skus) {
            assertThat(jdbc.queryForObject("SELECT count(*) FROM erp_stock WHERE sku = ?", Integer.class, sku))
                    .as("ERP stock recorded for %s", sku).isZero();
            assertThat(shopRequests(sku)).as("requests for %s", sku).isEmpty();
        }
    }
}
