package io.kanaal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kanaal.support.TestData;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The README's quick start, on the shipped config/application.yaml with the demo profile (config/application-demo.yaml): one curl pushes a stock level and the
 * sandbox channel shows what it received, through the same routes as a real REST channel; an order on the
 * sandbox's webhook is reserved (the sandbox shows the lower quantity) and a shipment from the ERP reaches it.
 */
class QuickstartTest {

    private static final String SECRET = "quickstart-" + UUID.randomUUID();

    @Test
    void aPushedStockLevelArrivesAtTheSandboxChannel() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String key = "quickstart-" + UUID.randomUUID();
        // the operators' key of the README's commands: the ERP's key does not open the ops endpoints
        String opsKey = "quickstart-ops-" + UUID.randomUUID();
        HttpClient http = HttpClient.newHttpClient();
        try (ConfigurableApplicationContext kanaal = new SpringApplicationBuilder(KanaalApplication.class).run(
                "--spring.profiles.active=demo",
                "--server.port=" + port,
                "--kanaal.data-dir=" + TestData.directory("quickstart"),
                "--kanaal.api.keys.erp=" + key,
                "--kanaal.api.ops-keys.ops=" + opsKey,
                "--kanaal.broker.acceptor=",
                "--spring.artemis.embedded.server-id=108",
                "--kanaal.channels.sandbox.settings.webhook-secret=" + SECRET)) {

            HttpResponse<String> pushed = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/stock"))
                    .header("X-API-Key", key).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(
                            "{\"items\":[{\"sku\":\"TSHIRT-RED-M\",\"quantity\":12,\"sequence\":1}]}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(pushed.statusCode()).isEqualTo(202);

            URI sandbox = URI.create("http://127.0.0.1:" + port + "/sandbox/sandbox/stock");
            await().atMost(Duration.ofSeconds(15)).until(() -> http.send(HttpRequest.newBuilder(sandbox).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).body().contains("TSHIRT-RED-M"));
            String received = http.send(HttpRequest.newBuilder(sandbox).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
            // config/application.yaml gives the sandbox a safety buffer of 2
            assertThat(received).contains("{\\\"sku\\\":\\\"TSHIRT-RED-M\\\",\\\"quantity\\\":10}");

            // the README's product: the sandbox gets its Dutch title and its price, and ops see it live there
            HttpResponse<String> product = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/products"))
                    .header("X-API-Key", key).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"items\":[{\"sku\":\"TSHIRT-RED-M\",\"sequence\":1,"
                            + "\"gtin\":\"8712345678906\",\"title\":{\"nl\":\"T-shirt rood\",\"en\":\"T-shirt red\"},"
                            + "\"price\":{\"amount\":19.95,\"currency\":\"EUR\"}}]}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(product.statusCode()).as(product.body()).isEqualTo(202);
            URI sandboxProducts = URI.create("http://127.0.0.1:" + port + "/sandbox/sandbox/products");
            await().atMost(Duration.ofSeconds(15)).until(() -> http.send(HttpRequest.newBuilder(sandboxProducts).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).body().contains("TSHIRT-RED-M"));
            String products = http.send(HttpRequest.newBuilder(sandboxProducts).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
            assertThat(products).contains("\\\"title\\\":\\\"T-shirt rood\\\"").contains("\\\"price\\\":19.95");
            URI productView = URI.create("http://127.0.0.1:" + port + "/api/v1/ops/products/TSHIRT-RED-M");
            await().atMost(Duration.ofSeconds(5)).until(() -> http.send(HttpRequest.newBuilder(productView).header("X-API-Key", opsKey)
                    .GET().build(), HttpResponse.BodyHandlers.ofString()).body().contains("{\"channel\":\"sandbox\",\"status\":\"live\""));

            // an order of 2 on the sandbox's webhook: on the unified queue, 2 reserved, the sandbox shows 8
            String order = "{\"id\":\"1001\",\"createdAt\":\"2026-11-23T10:00:00Z\",\"status\":\"paid\","
                    + "\"items\":[{\"id\":\"1\",\"sku\":\"TSHIRT-RED-M\",\"quantity\":2,\"price\":19.95}],\"total\":39.90}";
            // the demo's sandbox signs the time of the call with the body, as the README's curl does
            String timestamp = Long.toString(java.time.Instant.now().getEpochSecond());
            HttpResponse<String> taken = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/webhooks/sandbox/orders"))
                    .header("Content-Type", "application/json").header("X-Kanaal-Timestamp", timestamp)
                    .header("X-Kanaal-Signature", "sha256=" + hmac(timestamp + "." + order))
                    .POST(HttpRequest.BodyPublishers.ofString(order)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(taken.statusCode()).as(taken.body()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(15)).until(() -> http.send(HttpRequest.newBuilder(sandbox).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).body().contains("\\\"quantity\\\":8}"));
            URI ops = URI.create("http://127.0.0.1:" + port + "/api/v1/ops/orders/sandbox/1001");
            String overview = http.send(HttpRequest.newBuilder(ops).header("X-API-Key", opsKey).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertThat(overview).contains("\"orderRef\":\"sandbox/1001\"").contains("\"sku\":\"TSHIRT-RED-M\",\"quantity\":2");

            // the ERP ships it: the sandbox channel receives the shipment with its tracking code
            HttpResponse<String> shipped = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/shipments"))
                    .header("X-API-Key", key).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(
                            "{\"items\":[{\"orderRef\":\"sandbox/1001\",\"carrier\":\"PostNL\",\"trackingCode\":\"3SKAN1001\"}]}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(shipped.statusCode()).as(shipped.body()).isEqualTo(202);
            URI sandboxOrders = URI.create("http://127.0.0.1:" + port + "/sandbox/sandbox/orders");
            await().atMost(Duration.ofSeconds(15)).until(() -> http.send(HttpRequest.newBuilder(sandboxOrders).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).body().contains("3SKAN1001"));
        }
    }

    private static String hmac(String body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    }
}
