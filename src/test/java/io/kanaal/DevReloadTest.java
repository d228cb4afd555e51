package io.kanaal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kanaal.support.LoopbackPorts;
import io.kanaal.support.TestData;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The development profile as an integration engineer uses it: Kanaal runs on a copy of routes/ and mappings/,
 * and a mapping saved while it runs shapes the next message; a route file saved while it runs is loaded
 * without a restart, and saved again replaces its routes while the others (channel routes included) run on.
 */
class DevReloadTest {

    @Test
    void anEditedMappingAndANewRouteFileApplyWithoutARestart() throws Exception {
        Path home = Path.of(TestData.directory("dev-reload"), "home");
        copy(Path.of("routes"), home.resolve("routes"));
        copy(Path.of("mappings"), home.resolve("mappings"));
        String key = "dev-" + UUID.randomUUID();
        HttpClient http = HttpClient.newHttpClient();
        // the shipped config's sandbox channel sends to Kanaal's own port, so it is fixed before the start
        int port = LoopbackPorts.free();
        try (ConfigurableApplicationContext kanaal = new SpringApplicationBuilder(KanaalApplication.class).run(
                "--spring.profiles.active=dev,demo",
                "--kanaal.home=" + home,
                "--server.port=" + port,
                "--kanaal.data-dir=" + TestData.directory("dev-reload") + "/data",
                "--kanaal.api.keys.erp=" + key,
                // the same key opens the ops endpoints (kanaal.api.ops-keys), which tests call too
                "--kanaal.api.ops-keys.ops=" + key,
                "--kanaal.broker.acceptor=",
                "--spring.artemis.embedded.server-id=112")) {
            URI sandbox = URI.create("http://127.0.0.1:" + port + "/sandbox/sandbox/stock");

            Files.writeString(home.resolve("mappings/rest/stock.jsonata"),
                    "{ \"sku\": sku, \"quantity\": quantity, \"edited\": true }");
            push(http, port, key, "DEV-1");
            await().atMost(Duration.ofSeconds(15)).until(() -> get(http, sandbox).contains("\\\"edited\\\":true"));

            Files.writeString(home.resolve("routes/probe.camel.yaml"), probeRoute("reloaded"));
            URI probe = URI.create("http://127.0.0.1:" + port + "/sandbox/dev-probe");
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                    .until(() -> get(http, probe).equals("reloaded"));

            // the same file saved again, changed: the route is replaced, the others run on
            Files.writeString(home.resolve("routes/probe.camel.yaml"), probeRoute("changed"));
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                    .until(() -> get(http, probe).equals("changed"));
            push(http, port, key, "DEV-2");
            await().atMost(Duration.ofSeconds(15)).until(() -> get(http, sandbox).contains("DEV-2"));
        }
    }

    /** A route file with one route, dev-probe, that answers GET /sandbox/dev-probe with {@code answer}. */
    private static String probeRoute(String answer) {
        return """
                - route:
                    id: dev-probe
                    from:
                      uri: servlet:/sandbox/dev-probe
                      steps:
                        - setBody:
                            constant: %s
                """.formatted(answer);
    }

    private static void push(HttpClient http, int port, String key, String sku) throws Exception {
        HttpResponse<String> pushed = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/stock"))
                .header("X-API-Key", key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"items\":[{\"sku\":\"" + sku + "\",\"quantity\":12,\"sequence\":1}]}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(pushed.statusCode()).isEqualTo(202);
    }

    private static String get(HttpClient http, URI uri) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : files.toList()) {
                Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target);
                }
            }
        }
    }
}
