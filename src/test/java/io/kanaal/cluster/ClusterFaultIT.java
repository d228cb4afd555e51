package io.kanaal.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kanaal.support.ChannelStub;
import io.kanaal.support.ClusterHarness;
import io.kanaal.support.ChannelStub.Reply;
import jakarta.jms.Connection;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Kanaal on the cluster of {@code scripts/cluster/} (a standalone Artemis primary/backup pair with replication, a
 * standalone PostgreSQL, three Kanaal instances of the built jar with the {@code cluster} profile), under load and
 * faults, on loopback. While the ERP pushes 10,000 stock levels and three REST channels take 2,000 orders (two polled,
 * one by webhook): one channel goes down (503 on every call) for {@code cluster.outage} (5 minutes), one Kanaal
 * instance is killed with SIGKILL, the broker's primary is killed with SIGKILL (its backup takes over) and started
 * again (it takes over again: failback). The ERP and the webhook channel retry a refused or failed call on another
 * instance, as they would behind a load balancer.
 *
 * <p>Afterwards: every order once on {@code kanaal.orders.unified} (drained and counted by order), every channel at the
 * ERP's stock minus the open reservations for every SKU (the last quantity each channel was sent), each ordered unit
 * reserved once, and every dead letter with its reason. It prints the counts.
 *
 * <p>Runs in the Maven profile {@code cluster} ({@code ./mvnw -B -Pcluster -Dcluster.only=true verify}); needs the
 * PostgreSQL server binaries (Debian's {@code postgresql}) and fails, naming them, without.
 */
class ClusterFaultIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path ROOT = Path.of("").toAbsolutePath();

    private static final int UPDATES = Integer.getInteger("cluster.updates", 10_000);
    private static final int ORDERS = Integer.getInteger("cluster.orders", 2_000);
    private static final int SKUS = 500;
    private static final int LEVELS_PER_CALL = 10;
    private static final Duration OUTAGE = Duration.parse(System.getProperty("cluster.outage", "PT5M"));
    /** The load runs until the channel is back, and a little beyond. */
    private static final Duration LOAD = OUTAGE.plusSeconds(40).compareTo(Duration.ofSeconds(150)) < 0
            ? Duration.ofSeconds(150) : OUTAGE.plusSeconds(40);
    private static final Duration OUTAGE_FROM = Duration.ofSeconds(5);
    private static final Duration KILL_KANAAL_AT = Duration.ofSeconds(30);
    private static final Duration KILL_PRIMARY_AT = Duration.ofSeconds(60);
    private static final Duration RESTART_PRIMARY_AT = Duration.ofSeconds(100);
    /** How long a call is retried (on the other instances) before the test gives up on it. */
    private static final Duration CALL_PATIENCE = Duration.ofMinutes(3);
    private static final Duration CONVERGENCE = Duration.ofMinutes(6);

    private static final int INSTANCES = 3;
    /** Ports apart from the harness's defaults and from the tests' free ports. */
    private static final ClusterHarness CLUSTER = new ClusterHarness("cluster-fault", INSTANCES,
            new ClusterHarness.Ports(28081, 29081, 62716, 62717, 56432));
    private static final String WEBHOOK_SECRET = "webhook-secret-" + UUID.randomUUID();

    /** alpha and gamma are polled, beta posts its orders; gamma is the one that goes down. */
    private static final List<String> CHANNELS = List.of("alpha", "beta", "gamma");
    private static final String DOWN = "gamma";

    private static final ChannelStub STUB = new ChannelStub();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** The polled channels' order lists, oldest change first. */
    private static final Map<String, List<JsonNode>> LISTED = new ConcurrentHashMap<>();
    private static final Map<String, Integer> counts = new ConcurrentHashMap<>();

    @BeforeAll
    static void startCluster() throws Exception {
        prerequisites();
        for (String channel : List.of("alpha", "gamma")) {
            LISTED.put(channel, new CopyOnWriteArrayList<>());
            STUB.serve("/" + channel + "/orders", request -> orderList(channel, request));
        }
        CLUSTER.fresh(channels()).script(Duration.ofMinutes(15), "up");
    }

    @AfterAll
    static void stopCluster() throws Exception {
        try {
            CLUSTER.script(Duration.ofMinutes(3), "down");
        } finally {
            STUB.close();
        }
    }

    @Test
    void underLoadAndFaultsEveryOrderReachesTheErpOnceAndEveryChannelShowsErpStockMinusReservations() throws Exception {
        Random random = new Random(26);
        List<String> skus = Stream.iterate(1, i -> i + 1).limit(SKUS).map(i -> String.format("CF-%04d", i)).toList();
        // the ERP's levels, in calls of 10; the version of each is its number
        List<int[]> levels = new ArrayList<>(); // {sku index, quantity, sequence}
        for (int u = 0; u < UPDATES; u++) {
            levels.add(new int[] {random.nextInt(SKUS), 100 + random.nextInt(100), u + 1});
        }
        // the orders: one line each, 1 to 3 units, each channel in turn
        List<Order> orders = new ArrayList<>();
        for (int o = 0; o < ORDERS; o++) {
            orders.add(new Order(CHANNELS.get(o % CHANNELS.size()), "CF-" + o, skus.get(random.nextInt(SKUS)),
                    1 + random.nextInt(3)));
        }

        // the load, spread evenly over LOAD: each call at its time (a call that is retried holds a thread meanwhile)
        ScheduledExecutorService pool = Executors.newScheduledThreadPool(32);
        long start = System.nanoTime();
        List<Future<?>> calls = new ArrayList<>();
        int stockCalls = UPDATES / LEVELS_PER_CALL;
        for (int c = 0; c < stockCalls; c++) {
            List<int[]> call = levels.subList(c * LEVELS_PER_CALL, (c + 1) * LEVELS_PER_CALL);
            calls.add(pool.schedule(() -> pushStock(call, skus), LOAD.toNanos() * c / stockCalls, TimeUnit.NANOSECONDS));
        }
        for (int o = 0; o < ORDERS; o++) {
            Order order = orders.get(o);
            calls.add(pool.schedule(() -> placeOrder(order), LOAD.toNanos() * o / ORDERS, TimeUnit.NANOSECONDS));
        }

        // the faults, while the load runs
        waitUntil(start + OUTAGE_FROM.toNanos());
        STUB.always("/" + DOWN + "/", Reply.of(503, "{\"error\":\"maintenance\"}"));
        log("channel " + DOWN + " down (503 on every call) for " + OUTAGE);
        waitUntil(start + KILL_KANAAL_AT.toNanos());
        CLUSTER.script(Duration.ofMinutes(1), "kill-kanaal", "2");
        log("kanaal-2 killed (SIGKILL)");
        waitUntil(start + KILL_PRIMARY_AT.toNanos());
        CLUSTER.script(Duration.ofMinutes(1), "kill-broker", "primary");
        log("artemis primary killed (SIGKILL)");
        await("the backup broker active").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1))
                .until(() -> portOpen(CLUSTER.backupPort()));
        log("artemis backup active");
        waitUntil(start + RESTART_PRIMARY_AT.toNanos());
        CLUSTER.script(Duration.ofMinutes(1), "start-broker", "primary");
        await("the primary broker active again (failback)").atMost(Duration.ofMinutes(4))
                .pollInterval(Duration.ofSeconds(1)).until(() -> portOpen(CLUSTER.primaryPort()) && !portOpen(CLUSTER.backupPort()));
        log("artemis primary active again, the backup passive (failback)");
        waitUntil(start + OUTAGE_FROM.plus(OUTAGE).toNanos());
        STUB.answerAsUsual("/" + DOWN + "/");
        log("channel " + DOWN + " up again");

        for (Future<?> call : calls) {
            call.get(LOAD.plus(CALL_PATIENCE).toSeconds() + 60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        log("load done: " + counts);

        // what each SKU must show: the ERP's newest level less the units ordered (no order acknowledged, none cancelled)
        Map<String, Integer> erp = new TreeMap<>();
        Map<String, Integer> newest = new TreeMap<>();
        for (int[] level : levels) {
            String sku = skus.get(level[0]);
            if (level[2] > newest.getOrDefault(sku, 0)) {
                newest.put(sku, level[2]);
                erp.put(sku, level[1]);
            }
        }
        Map<String, Integer> ordered = orders.stream().collect(Collectors.groupingBy(Order::sku, TreeMap::new,
                Collectors.summingInt(Order::quantity)));
        Map<String, Integer> expected = new TreeMap<>();
        erp.forEach((sku, quantity) -> expected.put(sku, Math.max(0, quantity - ordered.getOrDefault(sku, 0))));

        long loadEnd = System.nanoTime();
        await("every channel at ERP stock minus open reservations for every SKU").atMost(CONVERGENCE)
                .pollInterval(Duration.ofSeconds(5))
                .until(() -> CHANNELS.stream().allMatch(channel -> mismatches(channel, expected).isEmpty()));
        log("channels converged " + (System.nanoTime() - loadEnd) / 1_000_000_000 + " s after the load");
        for (String channel : CHANNELS) {
            assertThat(mismatches(channel, expected)).as("SKUs where %s shows another quantity", channel).isEmpty();
        }

        // each ordered unit reserved once: one open reservation per order line, summing to the units ordered per SKU
        Map<String, Integer> reserved = new TreeMap<>();
        int reservations = 0;
        try (var db = DriverManager.getConnection(CLUSTER.jdbcUrl(), CLUSTER.databaseUser(), CLUSTER.databasePassword());
             var query = db.createStatement();
             ResultSet rows = query.executeQuery("SELECT sku, quantity FROM reservation WHERE released_at IS NULL")) {
            while (rows.next()) {
                reserved.merge(rows.getString(1), rows.getInt(2), Integer::sum);
                reservations++;
            }
        }
        assertThat(reservations).as("open reservations (one per order line)").isEqualTo(ORDERS);
        assertThat(reserved).as("units reserved per SKU").isEqualTo(ordered);

        // the ERP drains the unified queue: every order once
        Map<String, Integer> unified = drainUnified();
        Map<String, Integer> expectedRefs = orders.stream().collect(Collectors.toMap(Order::ref, o -> 1));
        List<String> lost = expectedRefs.keySet().stream().filter(ref -> !unified.containsKey(ref)).sorted().toList();
        Map<String, Integer> duplicated = unified.entrySet().stream().filter(e -> e.getValue() > 1)
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        List<String> unknown = unified.keySet().stream().filter(ref -> !expectedRefs.containsKey(ref)).toList();

        // every dead letter with its reason
        Map<String, List<String>> deadLetters = deadLetters();
        long unexplained = deadLetters.values().stream().flatMap(List::stream).filter(String::isBlank).count();

        System.out.printf("""
                ==== ClusterFaultIT ====
                stock levels pushed: %d in %d calls; calls refused or failed and sent again elsewhere: %d
                orders placed: %d (alpha %d polled, beta %d by webhook, gamma %d polled); webhook calls sent again: %d
                faults: channel %s down %s from +%ss; kanaal-2 SIGKILL at +%ss; artemis primary SIGKILL at +%ss, restarted at +%ss (failback)
                kanaal.orders.unified: %d messages, %d orders; lost %d, duplicated %d, unknown %d
                open reservations: %d rows, %d units; SKUs checked per channel: %d
                dead letters: %s
                """, UPDATES, stockCalls, counts.getOrDefault("stock-retries", 0), ORDERS,
                count(orders, "alpha"), count(orders, "beta"), count(orders, "gamma"), counts.getOrDefault("webhook-retries", 0),
                DOWN, OUTAGE, OUTAGE_FROM.toSeconds(), KILL_KANAAL_AT.toSeconds(), KILL_PRIMARY_AT.toSeconds(),
                RESTART_PRIMARY_AT.toSeconds(),
                unified.values().stream().mapToInt(Integer::intValue).sum(), unified.size(), lost.size(), duplicated.size(),
                unknown.size(), reservations, reserved.values().stream().mapToInt(Integer::intValue).sum(), expected.size(),
                deadLetters.isEmpty() ? "none" : deadLetters);

        assertThat(lost).as("orders never on kanaal.orders.unified").isEmpty();
        assertThat(duplicated).as("orders more than once on kanaal.orders.unified").isEmpty();
        assertThat(unknown).as("orders on kanaal.orders.unified that no channel took").isEmpty();
        assertThat(unexplained).as("dead letters without a reason: %s", deadLetters).isZero();
    }

    private record Order(String channel, String id, String sku, int quantity) {
        String ref() {
            return channel + "/" + id;
        }

        String json(Instant updatedAt) {
            return """
                    {"id":"%s","createdAt":"%s","updatedAt":"%s","status":"paid",
                     "items":[{"id":"1","sku":"%s","quantity":%d,"price":10}],"total":%d}"""
                    .formatted(id, updatedAt, updatedAt, sku, quantity, 10 * quantity);
        }
    }

    private static long count(List<Order> orders, String channel) {
        return orders.stream().filter(o -> o.channel().equals(channel)).count();
    }

    // ---- the ERP and the channels -----------------------------------------------------------------------------------

    /** The ERP's call: sent again, to the next instance, until an instance accepts it (as behind a load balancer). */
    private static void pushStock(List<int[]> levels, List<String> skus) {
        String body = levels.stream().map(l -> "{\"sku\":\"%s\",\"quantity\":%d,\"sequence\":%d}"
                .formatted(skus.get(l[0]), l[1], l[2])).collect(Collectors.joining(",", "{\"items\":[", "]}"));
        sendUntilAccepted("/api/v1/stock", body, Map.of("X-API-Key", CLUSTER.erpKey()), "stock-retries", levels.get(0)[2]);
    }

    /** A polled channel lists the order from now on; the webhook channel posts it. */
    private static void placeOrder(Order order) {
        if (LISTED.containsKey(order.channel())) {
            synchronized (LISTED) {
                List<JsonNode> listed = LISTED.get(order.channel());
                Instant at = Instant.now();
                if (!listed.isEmpty()) {
                    Instant last = Instant.parse(listed.get(listed.size() - 1).path("updatedAt").asText());
                    if (!at.isAfter(last)) {
                        at = last.plusMillis(1);
                    }
                }
                try {
                    listed.add(JSON.readTree(order.json(at)));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            return;
        }
        String body = order.json(Instant.now());
        sendUntilAccepted("/webhooks/" + order.channel() + "/orders", body,
                Map.of("X-Kanaal-Signature", ClusterHarness.signature(WEBHOOK_SECRET, body)), "webhook-retries", order.id().hashCode());
    }

    private static void sendUntilAccepted(String path, String body, Map<String, String> headers, String retries, int spread) {
        long deadline = System.nanoTime() + CALL_PATIENCE.toNanos();
        int instance = Math.floorMod(spread, INSTANCES);
        String last = "";
        while (System.nanoTime() < deadline) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + CLUSTER.httpPort(instance + 1) + path))
                    .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body));
            headers.forEach(request::header);
            try {
                HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 202) {
                    if (path.startsWith("/api/v1/stock") && JSON.readTree(response.body()).path("rejected").asInt() != 0) {
                        throw new AssertionError("levels rejected: " + response.body());
                    }
                    return;
                }
                if (response.statusCode() != 503 && response.statusCode() < 500) {
                    throw new AssertionError(path + " answered " + response.statusCode() + ": " + response.body());
                }
                last = response.statusCode() + " " + response.body();
            } catch (IOException e) {
                last = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            counts.merge(retries, 1, Integer::sum);
            instance = (instance + 1) % INSTANCES;
            pause(Duration.ofMillis(200));
        }
        throw new AssertionError(path + " not accepted by any instance in " + CALL_PATIENCE + "; last: " + last);
    }

    /** The order list: changed at or after updated_since, oldest first, 100 at most. */
    private static Reply orderList(String channel, ChannelStub.Request request) {
        String since = request.query().get("updated_since");
        Instant from = since == null || since.isBlank() ? Instant.EPOCH : Instant.parse(since);
        List<JsonNode> page = LISTED.get(channel).stream()
                .filter(o -> !Instant.parse(o.path("updatedAt").asText()).isBefore(from)).limit(100).toList();
        return Reply.of(200, page.toString());
    }

    /** The three channels, as every instance gets them (KANAAL_CLUSTER_CONFIG). */
    private static String channels() {
        StringBuilder yaml = new StringBuilder("""
                kanaal:
                  delivery:
                    # retries at most 5 s apart (not 5 minutes): the channel's outage ends within the test
                    maximum-delay: 5000
                  channels:
                """);
        for (String channel : CHANNELS) {
            yaml.append("""
                        %s:
                          type: rest
                          enabled: true
                          base-url: %s/%s
                          safety-buffer: 0
                          max-listed: 100000
                          rate-limit: 1000
                          settings:
                    """.formatted(channel, STUB.baseUrl(), channel));
            if (channel.equals("beta")) {
                yaml.append("        webhook-secret: ").append(WEBHOOK_SECRET).append('\n');
            } else {
                yaml.append("        poll-cron: \"0/2 * * * * ?\"\n");
            }
        }
        return yaml.toString();
    }

    /** SKU -> "shown/expected" where the channel's last quantity received differs from the expected one. */
    private static Map<String, String> mismatches(String channel, Map<String, Integer> expected) {
        Map<String, Integer> shown = new TreeMap<>();
        String prefix = "/" + channel + "/stock/";
        for (ChannelStub.Request request : STUB.succeeded(prefix)) {
            try {
                JsonNode body = JSON.readTree(request.body());
                shown.put(body.path("sku").asText(), body.path("quantity").asInt());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        Map<String, String> wrong = new TreeMap<>();
        expected.forEach((sku, quantity) -> {
            Integer actual = shown.get(sku);
            if (!quantity.equals(actual)) {
                wrong.put(sku, actual + "/" + quantity);
            }
        });
        return wrong;
    }

    // ---- the broker and Kanaal's ops endpoints ----------------------------------------------------------------------

    /** Receives every message on kanaal.orders.unified, as the ERP would; order ref -> messages. */
    private static Map<String, Integer> drainUnified() throws Exception {
        Map<String, Integer> refs = new TreeMap<>();
        try (ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(CLUSTER.brokerUrl(), CLUSTER.brokerUser(), CLUSTER.brokerPassword());
             Connection connection = factory.createConnection();
             Session session = connection.createSession(Session.CLIENT_ACKNOWLEDGE)) {
            connection.start();
            MessageConsumer consumer = session.createConsumer(session.createQueue("kanaal.orders.unified"));
            for (Message message = consumer.receive(10_000); message != null; message = consumer.receive(5_000)) {
                refs.merge(message.getStringProperty("kanaalOrderRef"), 1, Integer::sum);
                message.acknowledge();
            }
        }
        return refs;
    }

    /** Queue -> the reasons of its dead letters (blank: none given), through the ops endpoints. */
    private static Map<String, List<String>> deadLetters() throws Exception {
        Map<String, List<String>> reasons = new LinkedHashMap<>();
        JsonNode queues = ops("/api/v1/ops/dead-letters");
        for (JsonNode queue : queues.isArray() ? queues : queues.path("queues")) {
            String name = queue.path("queue").asText(queue.path("name").asText());
            if (queue.path("messages").asInt(queue.path("count").asInt()) == 0) {
                continue;
            }
            JsonNode messages = ops("/api/v1/ops/dead-letters/" + URLEncoder.encode(name, StandardCharsets.UTF_8) + "?limit=1000");
            List<String> why = new ArrayList<>();
            for (JsonNode message : messages.isArray() ? messages : messages.path("messages")) {
                why.add(message.path("reason").asText(""));
            }
            reasons.put(name, why);
        }
        return reasons;
    }

    private static JsonNode ops(String path) throws Exception {
        for (int instance : List.of(0, 2, 1)) {
            try {
                HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + CLUSTER.httpPort(instance + 1) + path))
                        .header("X-API-Key", CLUSTER.opsKey()).timeout(Duration.ofSeconds(30)).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).as("%s: %s", path, response.body()).isEqualTo(200);
                return JSON.readTree(response.body());
            } catch (IOException e) {
                log(path + " on instance " + (instance + 1) + ": " + e);
            }
        }
        throw new AssertionError("no instance answered " + path);
    }

    // ---- the harness --------------------------------------------------------------------------------------------

    /** What the harness needs besides the JDK: fails (not skips) and says what to install. */
    private static void prerequisites() throws IOException {
        Path jar;
        try (Stream<Path> files = Files.list(ROOT.resolve("target"))) {
            jar = files.filter(f -> f.getFileName().toString().matches("kanaal-.*\\.jar")).findFirst().orElse(null);
        }
        if (jar == null) {
            fail("No Kanaal jar in target/: run the test through Maven's verify (-Pcluster), which packages it first");
        }
        boolean postgres;
        try (Stream<Path> versions = Files.exists(Path.of("/usr/lib/postgresql")) ? Files.list(Path.of("/usr/lib/postgresql")) : Stream.empty()) {
            postgres = versions.anyMatch(v -> Files.isExecutable(v.resolve("bin/initdb")) && Files.isExecutable(v.resolve("bin/pg_ctl")));
        }
        if (!postgres) {
            fail("PostgreSQL server binaries not found under /usr/lib/postgresql/<version>/bin: install Debian's "
                    + "postgresql (sudo apt-get update && sudo apt-get install -y postgresql); .ci/run does it");
        }
        for (String tool : List.of("curl", "runuser", "setsid")) {
            if (Stream.of(System.getenv("PATH").split(":")).noneMatch(p -> Files.isExecutable(Path.of(p, tool)))) {
                fail(tool + " not found on the PATH: install it (Debian: curl, util-linux)");
            }
        }
    }

    private static boolean portOpen(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The fault timeline: on to the next step at its time. */
    private static void waitUntil(long nanoTime) {
        await().atMost(Duration.ofNanos(Math.max(0, nanoTime - System.nanoTime())).plusSeconds(5))
                .pollInterval(Duration.ofMillis(100)).until(() -> System.nanoTime() >= nanoTime);
    }

    /** The ERP's and the webhook channel's pause before sending a failed call again. */
    private static void pause(Duration duration) {
        waitUntil(System.nanoTime() + duration.toNanos());
    }

    private static void log(String line) {
        System.out.printf("%s ClusterFaultIT: %s%n", Instant.now(), line);
    }
}
