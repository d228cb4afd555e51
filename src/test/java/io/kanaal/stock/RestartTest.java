package io.kanaal.stock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kanaal.KanaalApplication;
import io.kanaal.support.ChannelStub;
import io.kanaal.support.ChannelStub.Reply;
import io.kanaal.support.TestData;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.camel.CamelContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Kanaal stops with stock levels still queued and deliveries still being retried; when it starts again
 * on the same data directory, every level reaches the channel. Nothing is lost across a restart.
 */
class RestartTest {

    private static final ChannelStub SHOP = new ChannelStub();
    private static final String KEY = "restart-" + UUID.randomUUID();
    private static final String DATA = TestData.directory("restart");

    private final HttpClient http = HttpClient.newHttpClient();

    @AfterAll
    static void stopStub() {
        SHOP.close();
    }

    /**
     * With kanaal.stock.delivery = queue (each channel's stock queue), and with direct (what waited for the
     * channel's senders in the process is gone with it; channel_stock is not).
     */
    @ParameterizedTest
    @ValueSource(strings = {"queue", "direct"})
    void levelsQueuedOrInFlightAtShutdownAreDeliveredAfterTheRestart(String delivery) throws Exception {
        List<String> inFlight = skus(4);
        List<String> queued = skus(4);
        SHOP.always("/shop/stock/", Reply.of(503, "{\"error\":\"down\"}"));

        try (ConfigurableApplicationContext first = start(delivery)) {
            push(first, inFlight, 40);
            await().atMost(Duration.ofSeconds(15)).until(() -> inFlight.stream().allMatch(s -> !requests(s).isEmpty()));
            first.getBean(CamelContext.class).getRouteController().stopRoute("stock-fanout");
            push(first, queued, 60);
        }

        SHOP.reset();
        try (ConfigurableApplicationContext second = start(delivery)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> inFlight.stream().allMatch(s -> delivered(s, 38))
                    && queued.stream().allMatch(s -> delivered(s, 58)));
            // and once only: no late duplicate (the retries here are 200 ms apart at first)
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(6)).until(() -> inFlight.stream()
                    .allMatch(s -> delivered(s, 38)) && queued.stream().allMatch(s -> delivered(s, 58)));
        }
    }

    private boolean delivered(String sku, int quantity) {
        List<ChannelStub.Request> requests = requests(sku);
        return requests.size() == 1
                && requests.get(0).body().equals("{\"sku\":\"" + sku + "\",\"quantity\":" + quantity + "}");
    }

    private static List<ChannelStub.Request> requests(String sku) {
        return SHOP.requests("/shop/stock/" + sku);
    }

    private void push(ConfigurableApplicationContext kanaal, List<String> skus, int quantity) throws Exception {
        int port = ((WebServerApplicationContext) kanaal).getWebServer().getPort();
        String items = String.join(",", skus.stream()
                .map(s -> "{\"sku\":\"" + s + "\",\"quantity\":" + quantity + ",\"sequence\":1}").toList());
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/stock"))
                .header("X-API-Key", KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"items\":[" + items + "]}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    }

    private static ConfigurableApplicationContext start(String delivery) {
        return new SpringApplicationBuilder(KanaalApplication.class).run(
                "--server.port=0",
                "--kanaal.data-dir=" + DATA + "-" + delivery,
                "--kanaal.stock.delivery=" + delivery,
                "--kanaal.api.keys.erp=" + KEY,
                // the same key opens the ops endpoints (kanaal.api.ops-keys), which tests call too
                "--kanaal.api.ops-keys.ops=" + KEY,
                "--kanaal.broker.acceptor=",
                "--spring.artemis.embedded.server-id=" + switch (delivery) {
                    case "queue" -> 107;
                    default -> 116;
                },
                "--camel.main.shutdown-timeout=5",
                "--kanaal.delivery.initial-delay=200",
                "--kanaal.delivery.maximum-redeliveries=50",
                "--kanaal.channels.shop.type=rest",
                "--kanaal.channels.shop.base-url=" + SHOP.baseUrl() + "/shop",
                "--kanaal.channels.shop.safety-buffer=2",
                "--kanaal.channels.shop.rate-limit=1000");
    }

    private static List<String> skus(int n) {
        List<String> skus = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            skus.add("R-" + UUID.randomUUID().toString().substring(0, 8));
        }
        return skus;
    }
}
