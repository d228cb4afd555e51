package io.kanaal.support;

import io.kanaal.KanaalApplication;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A Kanaal of a test's own, outside the shared test context: its own data directory and embedded broker,
 * a random port, no sandbox channel, one ERP API key (also the operators' key); the test adds its channels as {@code --key=value}.
 */
public final class StandaloneKanaal {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private StandaloneKanaal() {
    }

    /**
     * @param name     names the data directory (fresh per test run)
     * @param serverId the embedded broker's server id, distinct per test class and above 100 (Spring Boot numbers
     *                 the brokers of the contexts that set none from 0 up, and a context the test cache keeps
     *                 holds its id)
     * @param apiKey   the ERP's API key
     * @param settings further {@code --key=value} arguments (channels, delivery settings)
     */
    public static ConfigurableApplicationContext start(String name, int serverId, String apiKey, List<String> settings) {
        List<String> args = new ArrayList<>(List.of(
                "--server.port=0",
                "--kanaal.data-dir=" + TestData.directory(name),
                "--kanaal.api.keys.erp=" + apiKey,
                // the same key opens the ops endpoints (kanaal.api.ops-keys), which tests call too
                "--kanaal.api.ops-keys.ops=" + apiKey,
                "--kanaal.broker.acceptor=",
                "--spring.artemis.embedded.server-id=" + serverId,
                "--camel.main.shutdown-timeout=5"));
        args.addAll(settings);
        return new SpringApplicationBuilder(KanaalApplication.class).run(args.toArray(String[]::new));
    }

    /** The arguments of an enabled Vendure channel (counts-own-orders, as Vendure needs) with an administrator's login. */
    public static List<String> vendureChannel(String id, String baseUrl, String username, String password,
                                              String... settings) {
        String prefix = "--kanaal.channels." + id + ".";
        List<String> args = new ArrayList<>(List.of(prefix + "type=vendure", prefix + "enabled=true",
                prefix + "base-url=" + baseUrl, prefix + "counts-own-orders=true", prefix + "rate-limit=1000",
                prefix + "settings.username=" + username, prefix + "settings.password=" + password));
        for (String setting : settings) {
            args.add(prefix + "settings." + setting);
        }
        return args;
    }

    public static URI uri(ConfigurableApplicationContext kanaal, String path) {
        return URI.create("http://127.0.0.1:" + ((WebServerApplicationContext) kanaal).getWebServer().getPort() + path);
    }

    /** POSTs JSON to Kanaal's ERP API with the key. */
    public static HttpResponse<String> post(ConfigurableApplicationContext kanaal, String apiKey, String path, String body)
            throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(uri(kanaal, path))
                        .header("X-API-Key", apiKey).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** GETs from Kanaal's API (an ops endpoint) with the key. */
    public static HttpResponse<String> get(ConfigurableApplicationContext kanaal, String apiKey, String path)
            throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(uri(kanaal, path)).header("X-API-Key", apiKey).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
