package io.kanaal.channel;

import static io.kanaal.support.KanaalIntegrationTest.awaitExactly;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kanaal.KanaalApplication;
import io.kanaal.support.ChannelStub;
import io.kanaal.support.ChannelStub.Reply;
import io.kanaal.support.KanaalIntegrationTest;
import io.kanaal.support.UnifiedQueue;
import jakarta.jms.ConnectionFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jms.core.JmsTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A channel type is one folder's worth of files: type "acme", which Kanaal's own code and routes have never seen,
 * is added from {@code src/test/resources/channel-types/acme} alone (its route templates and mappings, no Java)
 * and carries stock in batch calls, orders from a paged list, a shipment and a cancellation, through the
 * shared templates of the channel contract (docs/channels/README.md).
 */
@CamelSpringBootTest
@SpringBootTest(classes = KanaalApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ChannelTypeFromFilesTest {

    private static final String API_KEY = "test-" + UUID.randomUUID();
    private static final String ACME_KEY = "acme-" + UUID.randomUUID();
    private static final String TYPE_FOLDER = "src/test/resources/channel-types/acme";
    private static final ChannelStub ACME = new ChannelStub();
    private static final ObjectMapper JSON = new ObjectMapper();

    @DynamicPropertySource
    static void kanaal(DynamicPropertyRegistry registry) {
        KanaalIntegrationTest.embedded(registry, "channel-type-from-files", API_KEY);
        registry.add("spring.artemis.embedded.server-id", () -> "117");
        registry.add("camel.main.routes-include-pattern", () -> "file:${kanaal.home}/routes/*.camel.yaml,"
                + "file:${kanaal.home}/routes/channels/*.camel.yaml,"
                + "file:${kanaal.home}/routes/stock-delivery/${kanaal.stock.delivery}.camel.yaml,"
                + "file:" + TYPE_FOLDER + "/routes/*.camel.yaml");
        registry.add("kanaal.mappings.directories", () -> "${kanaal.home}/mappings," + TYPE_FOLDER + "/mappings");
        registry.add("kanaal.channels.acme-shop.type", () -> "acme");
        registry.add("kanaal.channels.acme-shop.base-url", () -> ACME.baseUrl() + "/acme");
        registry.add("kanaal.channels.acme-shop.safety-buffer", () -> "1");
        registry.add("kanaal.channels.acme-shop.rate-limit", () -> "1000");
        registry.add("kanaal.channels.acme-shop.settings.api-key", () -> ACME_KEY);
        registry.add("kanaal.channels.acme-shop.settings.poll-cron", () -> "0/1 * * * * ?");
        registry.add("kanaal.channels.acme-shop.settings.first-poll-from", () -> "2026-11-01T00:00:00Z");
    }

    private final HttpClient http = HttpClient.newHttpClient();

    @LocalServerPort
    int port;

    @Autowired
    JmsTemplate jms;

    @Autowired
    ConnectionFactory connectionFactory;

    @AfterAll
    static void stopStub() {
        ACME.close();
    }

    @Test
    void stockOrdersAndFulfilmentGoThroughATypeMadeOfFilesOnly() throws Exception {
        assertThat(post("/api/v1/stock", "{\"items\":[{\"sku\":\"SKU-1\",\"quantity\":5,\"sequence\":1},"
                + "{\"sku\":\"SKU-2\",\"quantity\":6,\"sequence\":1},{\"sku\":\"SKU-3\",\"quantity\":7,\"sequence\":1}]}")
                .statusCode()).isEqualTo(202);

        // stock: every SKU in POST /inventory calls, with Acme's key, less the safety buffer
        await().atMost(Duration.ofSeconds(15)).until(() -> levels().keySet().containsAll(List.of("SKU-1", "SKU-2", "SKU-3")));
        assertThat(levels()).containsEntry("SKU-1", 4).containsEntry("SKU-2", 5).containsEntry("SKU-3", 6);
        assertThat(ACME.requests("/acme/inventory")).allSatisfy(request -> {
            assertThat(request.method()).isEqualTo("POST");
            assertThat(request.header("x-acme-key")).isEqualTo(ACME_KEY);
        });

        // orders: both pages of the list, from the configured start, each order once on the unified queue
        ACME.serve("/acme/orders", request -> "1".equals(request.query().get("page"))
                ? Reply.of(200, page(true, order("A-1", "2026-12-01T10:00:00Z", "SKU-1", 2), order("A-2", "2026-12-01T10:05:00Z", "SKU-2", 1)))
                : Reply.of(200, page(false, order("A-3", "2026-12-01T10:10:00Z", "SKU-3", 1))));
        for (String number : List.of("A-1", "A-2", "A-3")) {
            JsonNode order = UnifiedQueue.receive(jms, "acme-shop/" + number, 15_000);
            assertThat(order.path("channel").asText()).isEqualTo("acme-shop");
            assertThat(order.path("lines").get(0).path("sku").asText()).startsWith("SKU-");
        }
        // their units are reserved: Acme's stock goes down at once
        await().atMost(Duration.ofSeconds(15)).until(() -> levels().equals(Map.of("SKU-1", 2, "SKU-2", 4, "SKU-3", 5)));
        assertThat(ACME.requests("/acme/orders?")).extracting(ChannelStub.Request::query)
                .contains(Map.of("changedSince", "2026-11-01T00:00:00.000000Z", "page", "1"),
                        Map.of("changedSince", "2026-11-01T00:00:00.000000Z", "page", "2"));

        // a shipment and a cancellation back to Acme
        assertThat(post("/api/v1/shipments", "{\"items\":[{\"orderRef\":\"acme-shop/A-1\",\"carrier\":\"PostNL\","
                + "\"trackingCode\":\"3SACME1\"}]}").statusCode()).isEqualTo(202);
        assertThat(post("/api/v1/cancellations", "{\"items\":[{\"orderRef\":\"acme-shop/A-2\"}]}").statusCode())
                .isEqualTo(202);
        await().atMost(Duration.ofSeconds(15)).until(() -> !ACME.succeeded("/acme/orders/A-1/shipment").isEmpty()
                && !ACME.succeeded("/acme/orders/A-2/cancel").isEmpty());
        ChannelStub.Request shipment = ACME.succeeded("/acme/orders/A-1/shipment").get(0);
        assertThat(JSON.readTree(shipment.body())).isEqualTo(JSON.readTree("{\"carrier\":\"PostNL\",\"tracking\":\"3SACME1\"}"));
        assertThat(ACME.succeeded("/acme/orders/A-2/cancel").get(0).body()).isEmpty();
        // each order once on the unified queue: none left after the one taken, held past the longest retry delay
        List<String> orders = List.of("acme-shop/A-1", "acme-shop/A-2", "acme-shop/A-3");
        awaitExactly(() -> assertThat(UnifiedQueue.copies(connectionFactory, orders)).as("copies on kanaal.orders.unified")
                .containsOnly(Map.entry("acme-shop/A-1", 0), Map.entry("acme-shop/A-2", 0), Map.entry("acme-shop/A-3", 0)));
    }

    /** The newest quantity Acme was sent for each SKU, from every POST /inventory so far. */
    private static Map<String, Integer> levels() throws Exception {
        Map<String, Integer> levels = new HashMap<>();
        for (ChannelStub.Request request : ACME.succeeded("/acme/inventory")) {
            for (JsonNode level : JSON.readTree(request.body()).path("levels")) {
                levels.put(level.path("sku").asText(), level.path("qty").asInt());
            }
        }
        return levels;
    }

    private static String page(boolean more, String... orders) {
        return "{\"orders\":[" + String.join(",", orders) + "],\"more\":" + more + "}";
    }

    private static String order(String number, String changed, String sku, int quantity) {
        return "{\"number\":\"" + number + "\",\"placed\":\"" + changed + "\",\"changed\":\"" + changed
                + "\",\"state\":\"paid\",\"lines\":[{\"line\":1,\"sku\":\"" + sku + "\",\"qty\":" + quantity
                + ",\"price\":10}],\"total\":" + (10 * quantity) + "}";
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("X-API-Key", API_KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
