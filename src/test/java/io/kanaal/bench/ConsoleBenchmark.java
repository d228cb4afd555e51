package io.kanaal.bench;

import io.kanaal.console.OrderList;
import io.kanaal.support.StandaloneKanaal;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;

/**
 * How fast the ops console's pages answer with many orders in the database (goal: within 200 ms): the order list's
 * first page, a filtered page, a page deep in the list (by its key), a search by e-mail, by SKU and by order id, and
 * an order's page; then the lists' database queries alone ({@code OrderList.page} in-process). Kanaal runs in this JVM on its embedded PostgreSQL with {@code bench.console-orders} orders
 * (default 100,000) written straight into its tables; a signed-in viewer asks for each page one at a time.
 *
 * <p>{@code ./mvnw -B -Pbench test-compile exec:exec -Dbench.main=io.kanaal.bench.ConsoleBenchmark}
 */
public final class ConsoleBenchmark {

    private static final int ORDERS = Integer.getInteger("bench.console-orders", 100_000);
    private static final int WARMUP = 50;
    private static final int SAMPLES = 200;
    private static final List<String> CHANNELS = List.of("bol-nl", "webshop", "vendure");

    private ConsoleBenchmark() {
    }

    public static void main(String[] args) {
        BenchMain.run(ConsoleBenchmark::run);
    }

    private static void run() throws Exception {
        String password = UUID.randomUUID().toString();
        List<String> settings = new ArrayList<>(List.of(
                "--kanaal.console.users.bench.password-hash=" + new BCryptPasswordEncoder().encode(password),
                "--kanaal.console.users.bench.roles=viewer"));
        settings.addAll(Arrays.asList(KanaalArgs.withExtras(List.of())));
        ConfigurableApplicationContext kanaal = StandaloneKanaal.start("console-bench", 151, "bench-" + UUID.randomUUID(), settings);
        JdbcTemplate jdbc = kanaal.getBean(JdbcTemplate.class);
        long start = System.nanoTime();
        insertOrders(jdbc);
        System.out.printf("%,d orders written in %.1f s%n", ORDERS, (System.nanoTime() - start) / 1e9);

        HttpClient http = HttpClient.newBuilder().cookieHandler(new CookieManager()).build();
        signIn(http, kanaal, password);
        ThreadLocalRandom random = ThreadLocalRandom.current();
        Map<String, Object> deep = jdbc.queryForMap("""
                SELECT received_at, channel, channel_order_id FROM channel_order
                 ORDER BY received_at DESC, channel DESC, channel_order_id DESC OFFSET ? LIMIT 1""", ORDERS * 9 / 10);
        String deepKey = Base64.getUrlEncoder().withoutPadding().encodeToString((jdbc.queryForObject(
                "SELECT received_at FROM channel_order WHERE channel = ? AND channel_order_id = ?", OffsetDateTime.class,
                deep.get("channel"), deep.get("channel_order_id")) + "\n" + deep.get("channel") + "\n" + deep.get("channel_order_id"))
                .getBytes(StandardCharsets.UTF_8));

        System.out.printf("%-44s %8s %8s %8s %8s%n", "page (" + SAMPLES + " requests each)", "p50 ms", "p95 ms", "p99 ms", "max ms");
        measure(http, kanaal, "order list, first page", () -> "/console/orders");
        measure(http, kanaal, "order list, channel + status filter", () -> "/console/orders?channel="
                + CHANNELS.get(random.nextInt(CHANNELS.size())) + "&status=open");
        measure(http, kanaal, "order list, date filter", () -> "/console/orders?from=2026-02-01&to=2026-02-07");
        measure(http, kanaal, "order list, page 90% deep (by key)", () -> "/console/orders?after=" + deepKey);
        measure(http, kanaal, "order list, search by e-mail", () -> "/console/orders?q=buyer" + random.nextInt(ORDERS) + "%40example.com");
        measure(http, kanaal, "order list, search by SKU", () -> "/console/orders?q=SKU-" + random.nextInt(ORDERS / 4));
        measure(http, kanaal, "order list, search by order id", () -> "/console/orders?q=B-" + random.nextInt(ORDERS));
        measure(http, kanaal, "order page", () -> {
            int i = random.nextInt(ORDERS);
            return "/console/orders/" + CHANNELS.get(i % CHANNELS.size()) + "/B-" + i;
        });

        // the same lists without HTTP and the page's rendering: the database's part
        OrderList list = kanaal.getBean(OrderList.class);
        System.out.printf("%-44s %8s %8s %8s %8s%n", "query alone (OrderList.page, in-process)", "p50 ms", "p95 ms", "p99 ms", "max ms");
        time("first page", () -> list.page(new OrderList.Filter(null, null, null, null, null), null));
        time("channel + status filter", () -> list.page(new OrderList.Filter(CHANNELS.get(random.nextInt(CHANNELS.size())),
                "open", null, null, null), null));
        time("date filter", () -> list.page(new OrderList.Filter(null, null, LocalDate.of(2026, 2, 1), LocalDate.of(2026, 2, 7), null), null));
        time("page 90% deep (by key)", () -> list.page(new OrderList.Filter(null, null, null, null, null), deepKey));
        time("search by e-mail", () -> list.page(new OrderList.Filter(null, null, null, null,
                "buyer" + random.nextInt(ORDERS) + "@example.com"), null));
        time("search by SKU", () -> list.page(new OrderList.Filter(null, null, null, null, "SKU-" + random.nextInt(ORDERS / 4)), null));
        kanaal.close();
    }

    private static void time(String name, Runnable query) {
        long[] times = new long[SAMPLES];
        for (int i = -WARMUP; i < SAMPLES; i++) {
            long begin = System.nanoTime();
            query.run();
            if (i >= 0) {
                times[i] = System.nanoTime() - begin;
            }
        }
        Arrays.sort(times);
        System.out.printf("%-44s %8.1f %8.1f %8.1f %8.1f%n", name, times[SAMPLES / 2] / 1e6, times[SAMPLES * 95 / 100] / 1e6,
                times[SAMPLES * 99 / 100] / 1e6, times[SAMPLES - 1] / 1e6);
    }

    /** Orders over 100 days up to 1 March 2026, three channels, a fifth shipped, each with one reservation. */
    private static void insertOrders(JdbcTemplate jdbc) {
        jdbc.update("""
                INSERT INTO channel_order (channel, channel_order_id, ordered_at, received_at, status, canonical)
                SELECT (ARRAY['bol-nl','webshop','vendure'])[i % 3 + 1], 'B-' || i, at, at,
                       CASE WHEN i % 5 = 0 THEN 'shipped' ELSE 'open' END,
                       jsonb_build_object('channel', (ARRAY['bol-nl','webshop','vendure'])[i % 3 + 1], 'channelOrderId', 'B-' || i,
                           'orderedAt', at, 'currency', 'EUR', 'customer', jsonb_build_object('name', 'Buyer ' || i,
                           'email', 'Buyer' || i || '@example.com'),
                           'lines', jsonb_build_array(jsonb_build_object('sku', 'SKU-' || (i / 4), 'quantity', 1, 'unitPrice', 19.95)),
                           'totals', jsonb_build_object('total', 19.95))
                  FROM (SELECT i, timestamptz '2026-03-01' - (i * interval '100 days' / ?) AS at FROM generate_series(0, ? - 1) i) o
                """, ORDERS, ORDERS);
        jdbc.update("""
                INSERT INTO reservation (channel, channel_order_id, sku, quantity)
                SELECT channel, channel_order_id, canonical -> 'lines' -> 0 ->> 'sku', 1 FROM channel_order WHERE channel_order_id LIKE 'B-%'
                """);
        jdbc.execute("ANALYZE channel_order");
        jdbc.execute("ANALYZE reservation");
    }

    private static void signIn(HttpClient http, ConfigurableApplicationContext kanaal, String password) throws Exception {
        String login = http.send(HttpRequest.newBuilder(StandaloneKanaal.uri(kanaal, "/console/login")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher token = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"").matcher(login);
        if (!token.find()) {
            throw new IllegalStateException("no CSRF token on the sign-in page");
        }
        HttpResponse<String> signedIn = http.send(HttpRequest.newBuilder(StandaloneKanaal.uri(kanaal, "/console/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("username=bench&password=" + URLEncoder.encode(password, StandardCharsets.UTF_8)
                        + "&_csrf=" + URLEncoder.encode(token.group(1), StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString());
        if (signedIn.headers().firstValue("Location").filter(l -> l.endsWith("/console")).isEmpty()) {
            throw new IllegalStateException("sign-in failed: " + signedIn.statusCode() + " " + signedIn.headers().map());
        }
    }

    private static void measure(HttpClient http, ConfigurableApplicationContext kanaal, String name, Supplier<String> path)
            throws Exception {
        long[] times = new long[SAMPLES];
        for (int i = -WARMUP; i < SAMPLES; i++) {
            URI uri = StandaloneKanaal.uri(kanaal, path.get());
            long begin = System.nanoTime();
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
            long took = System.nanoTime() - begin;
            if (response.statusCode() != 200 || !response.body().contains("</html>")) {
                throw new IllegalStateException(uri + " answered " + response.statusCode());
            }
            if (i >= 0) {
                times[i] = took;
            }
        }
        Arrays.sort(times);
        System.out.printf("%-44s %8.1f %8.1f %8.1f %8.1f%n", name, times[SAMPLES / 2] / 1e6, times[SAMPLES * 95 / 100] / 1e6,
                times[SAMPLES * 99 / 100] / 1e6, times[SAMPLES - 1] / 1e6);
    }
}
