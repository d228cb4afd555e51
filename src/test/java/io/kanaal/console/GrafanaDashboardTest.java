package io.kanaal.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kanaal.order.OrderTests;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboard (config/grafana/kanaal.json) shows only metrics Kanaal exposes: every metric its queries name
 * is in /actuator/prometheus once an order and a stock update went through.
 */
class GrafanaDashboardTest extends OrderTests {

    /** The actuator's own port (management.server.port). */
    @org.springframework.boot.test.web.server.LocalManagementPort
    int managementPort;


    private static final Pattern METRIC = Pattern.compile("\\b(?:kanaal|camel|jvm|process|system|http)_[a-z_]+\\b");

    @Test
    void everyMetricOfTheDashboardIsExposed() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(Path.of("config/grafana/kanaal.json").toFile());
        Set<String> named = new TreeSet<>();
        for (JsonNode target : dashboard.findValues("targets")) {
            for (JsonNode query : target) {
                Matcher m = METRIC.matcher(query.path("expr").asText());
                while (m.find()) {
                    named.add(m.group());
                }
            }
        }
        assertThat(named).contains("kanaal_queue_messages", "kanaal_orders_taken_total", "camel_exchanges_succeeded_total");

        String body = shopOrder("GRAFANA-" + System.nanoTime(), newSku(), 1, Instant.now().toString());
        assertThat(webhook("shop", body, sign(SHOP_WEBHOOK_SECRET, body)).statusCode()).isBetween(200, 299);
        String sku = newSku();
        pushStock(batch(level(sku, 5, 1)));

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            String exposed = send(HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + managementPort + "/actuator/prometheus"))).body();
            Set<String> missing = new TreeSet<>();
            for (String metric : named) {
                if (!Pattern.compile("(?m)^" + metric + "[{ ]").matcher(exposed).find()) {
                    missing.add(metric);
                }
            }
            assertThat(missing).as("metrics the dashboard names but Kanaal does not expose").isEmpty();
        });
    }
}
