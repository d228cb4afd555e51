package io.kanaal.erp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kanaal.support.KanaalIntegrationTest;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
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
        await().atMost(Duration.ofSeconds(15)).until(() -> shopRequests(a).size() == 1 && shopRequests(b).size() == 1);
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
    void theApiDescribesItselfForClientGenerators() throws Exception {
        HttpResponse<String> openapi = send(HttpRequest.newBuilder(uri("/api/v1/openapi.json")).GET());
        HttpResponse<String> schema = send(HttpRequest.newBuilder(uri("/api/v1/schemas/stock-batch.schema.json")).GET());

        assertThat(openapi.statusCode()).isEqualTo(200);
        JsonNode description = json.readTree(openapi.body());
        assertThat(description.at("/paths/~1api~1v1~1stock/post")).isNotNull();
        assertThat(description.at("/paths/~1api~1v1~1stock/post/responses").has("202")).isTrue();
        assertThat(schema.statusCode()).isEqualTo(200);
        assertThat(json.readTree(schema.body()).at("/$defs/stockLevel/required").toString()).contains("sku", "quantity");
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
