package io.kanaal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kanaal.support.TestData;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The README's quick start, on the shipped config/application.yaml: one curl pushes a stock level and the
 * sandbox channel shows what it received, through the same routes as a real REST channel.
 */
class QuickstartTest {

    @Test
    void aPushedStockLevelArrivesAtTheSandboxChannel() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String key = "quickstart-" + UUID.randomUUID();
        HttpClient http = HttpClient.newHttpClient();
        try (ConfigurableApplicationContext kanaal = new SpringApplicationBuilder(KanaalApplication.class).run(
                "--server.port=" + port,
                "--kanaal.data-dir=" + TestData.directory("quickstart"),
                "--kanaal.api.keys.erp=" + key,
                "--kanaal.broker.acceptor=",
                "--spring.artemis.embedded.server-id=8")) {

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
        }
    }
}
