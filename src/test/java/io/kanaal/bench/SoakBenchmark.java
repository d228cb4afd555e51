package io.kanaal.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.kanaal.broker.BrokerQueues;
import io.kanaal.support.ClusterHarness;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.jms.Connection;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.stream.Collectors;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;

/**
 * Soak run (not a test, not CI): three Kanaal instances on the cluster of {@code scripts/cluster/} (an Artemis
 * primary/backup pair, PostgreSQL, profile {@code cluster}), for {@code bench.soak-minutes} (30) at
 * {@code bench.soak-stock-rate} (200) stock updates/s and {@code bench.soak-order-rate} (20) orders/s, open loop,
 * spread over the three instances. Three REST channels in this process record when each update arrives; orders
 * come by webhook (one SKU of their own each), and a consumer here drains kanaal.orders.unified as the ERP would.
 *
 * <p>Every {@code bench.soak-sample-seconds} (10) it samples each instance's heap (actuator metric
 * {@code jvm.memory.used}, area heap) and the broker's queue depths. At the end it prints, side by side, the first and
 * the last {@code bench.soak-window-seconds} (300; a third of the run when the run is shorter than two windows):
 * p50/p99/max of a stock update's time to every channel and of an order webhook's answer (the order is on the
 * unified queue when it is answered), the heap's floor (lowest sample) per instance and the deepest queues.
 *
 * <p>Run: {@code ./mvnw -B -Pbench package exec:exec -DskipTests -Dbench.main=io.kanaal.bench.SoakBenchmark}
 * (add {@code -Dbench.soak-minutes=3} for a shortened run). The cluster lives in {@code target/cluster-soak/}.
 */
public final class SoakBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int CHANNELS = 3;
    private static final int INSTANCES = 3;
    private static final int STOCK_SKUS = 10_000;
    /** Ports apart from the harness's defaults, the tests' and ClusterFaultIT's. */
    private static final ClusterHarness CLUSTER = new ClusterHarness("cluster-soak", INSTANCES,
            new ClusterHarness.Ports(38081, 39081, 63716, 63717, 57432));

    private final int minutes = Integer.getInteger("bench.soak-minutes", 30);
    private final int stockRate = Integer.getInteger("bench.soak-stock-rate", 200);
    private final int orderRate = Integer.getInteger("bench.soak-order-rate", 20);
    private final int sampleSeconds = Integer.getInteger("bench.soak-sample-seconds", 10);
    private final int windowSeconds;
    private final int updates;
    private final int orders;

    private final String secret = "soak-webhook-secret-" + UUID.randomUUID();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .executor(Executors.newFixedThreadPool(4)).connectTimeout(Duration.ofSeconds(5)).build();
    /** per channel, per update number: when it first arrived (nanoTime), 0 until then */
    private final List<AtomicLongArray> receivedAt = new ArrayList<>();
    private final AtomicLongArray orderAnswered;
    private final AtomicInteger refused = new AtomicInteger();
    private final AtomicInteger unified = new AtomicInteger();
    private final Map<String, Boolean> unifiedRefs = new ConcurrentHashMap<>();
    private final AtomicInteger unifiedDuplicates = new AtomicInteger();
    private final List<Sample> samples = new ArrayList<>();

    private record Sample(long at, long[] heap, Map<String, Long> queues) {
    }

    /** Each instance's heap in use right after a full collection (jcmd GC.run): what it holds, not its garbage. */
    private record Live(long at, long[] heap) {
    }

    private final int liveSeconds = Integer.getInteger("bench.soak-live-seconds", 300);
    private final List<Live> live = new ArrayList<>();

    private SoakBenchmark() {
        updates = minutes * 60 * stockRate;
        orders = minutes * 60 * orderRate;
        int window = Integer.getInteger("bench.soak-window-seconds", 300);
        windowSeconds = 2 * window > minutes * 60 ? minutes * 60 / 3 : window;
        for (int c = 0; c < CHANNELS; c++) {
            receivedAt.add(new AtomicLongArray(updates + 1));
        }
        orderAnswered = new AtomicLongArray(orders);
    }

    public static void main(String[] args) {
        BenchMain.run(() -> new SoakBenchmark().run());
    }

    private void run() throws Exception {
        HttpServer channels = ReceiptStub.serve(this::channel);
        System.out.printf("Kanaal soak: %d instances, %d min at %d stock updates/s and %d orders/s, %d cores; windows of %d s%n",
                INSTANCES, minutes, stockRate, orderRate, Runtime.getRuntime().availableProcessors(), windowSeconds);
        // as Kanaal ships (Dockerfile): the throughput collector; 512 MB each on a small machine
        CLUSTER.with("KANAAL_CLUSTER_JAVA_OPTS", System.getProperty("bench.soak-java-opts", "-Xmx512m -XX:+UseParallelGC"))
                .fresh(channelsYaml(ReceiptStub.baseUrl(channels)));
        AtomicBoolean running = new AtomicBoolean(true);
        try (ActiveMQConnectionFactory broker = new ActiveMQConnectionFactory(CLUSTER.brokerUrl(), CLUSTER.brokerUser(),
                CLUSTER.brokerPassword())) {
            CLUSTER.script(Duration.ofMinutes(15), "up");
            Thread erp = erp(broker, running);
            ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
            BrokerQueues queues = new BrokerQueues(broker, new SimpleMeterRegistry());
            long start = System.nanoTime();
            sampler.scheduleAtFixedRate(() -> sample(queues), 0, sampleSeconds, TimeUnit.SECONDS);
            // the live heap after the first minute (warmed up), then every bench.soak-live-seconds
            sampler.scheduleAtFixedRate(this::sampleLive, 60, liveSeconds, TimeUnit.SECONDS);

            ExecutorService senders = Executors.newFixedThreadPool(48);
            ExecutorService orderSenders = Executors.newFixedThreadPool(16);
            long[][] intended = new long[2][];
            Thread orderLoop = new Thread(() -> {
                try {
                    intended[1] = OpenLoop.run(orderRate, orders, orderSenders, this::order).intended();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            orderLoop.start();
            intended[0] = OpenLoop.run(stockRate, updates, senders, this::stock).intended();
            orderLoop.join();
            // the last updates' way to the channels
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (System.nanoTime() < deadline && !delivered(updates)) {
                TimeUnit.MILLISECONDS.sleep(200);
            }
            sampler.shutdown();
            sampler.awaitTermination(30, TimeUnit.SECONDS);
            running.set(false);
            erp.join(10_000);
            report(start, intended[0], intended[1]);
            reportLive(start);
            senders.shutdownNow();
            orderSenders.shutdownNow();
        } finally {
            CLUSTER.script(Duration.ofMinutes(3), "down");
            channels.stop(0);
        }
    }

    // ---- load ------------------------------------------------------------------------------------------------------

    /** Update u (1..): SKU S-(u mod 10,000) to quantity u, version u, to instance u mod 3. */
    private void stock(int item) {
        int u = item + 1;
        String body = "{\"items\":[{\"sku\":\"S-" + (u % STOCK_SKUS) + "\",\"quantity\":" + u + ",\"sequence\":" + u + "}]}";
        send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + CLUSTER.httpPort(1 + u % INSTANCES) + "/api/v1/stock"))
                .header("X-API-Key", CLUSTER.erpKey()).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    /** Order o on channel o mod 3, its own SKU, posted to instance (o / 3) mod 3; answered once on the unified queue. */
    private void order(int o) {
        String body = "{\"id\":\"S-" + o + "\",\"createdAt\":\"2026-12-07T10:00:00Z\",\"status\":\"paid\","
                + "\"items\":[{\"id\":\"1\",\"sku\":\"SOAK-" + o + "\",\"quantity\":1,\"price\":10}],\"total\":10}";
        if (send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + CLUSTER.httpPort(1 + (o / CHANNELS) % INSTANCES)
                        + "/webhooks/soak" + (o % CHANNELS) + "/orders"))
                .header("Content-Type", "application/json").header("X-Kanaal-Signature", ClusterHarness.signature(secret, body))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build())) {
            orderAnswered.set(o, System.nanoTime());
        }
    }

    private boolean send(HttpRequest request) {
        try {
            HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() == 202) {
                return true;
            }
        } catch (IOException e) {
            // counted below
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        refused.incrementAndGet();
        return false;
    }

    /** The channels: /soak<c>/stock/<sku> with {"sku","quantity"}; the quantity of an S- SKU is its update number. */
    private void channel(HttpExchange exchange) throws IOException {
        long now = System.nanoTime();
        String body;
        try (InputStream in = exchange.getRequestBody()) {
            body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String path = exchange.getRequestURI().getPath();
        if (path.startsWith("/soak") && path.contains("/stock/S-")) {
            int channel = path.charAt(5) - '0';
            int quantity = quantity(body);
            AtomicLongArray times = receivedAt.get(channel);
            if (quantity > 0 && quantity < times.length()) {
                times.compareAndSet(quantity, 0, now);
            }
        }
        exchange.sendResponseHeaders(204, -1);
        exchange.close();
    }

    private static int quantity(String body) {
        int at = body.indexOf("\"quantity\"");
        if (at < 0) {
            return -1;
        }
        int from = body.indexOf(':', at) + 1;
        int to = from;
        while (to < body.length() && (Character.isDigit(body.charAt(to)) || body.charAt(to) == ' ')) {
            to++;
        }
        try {
            return Integer.parseInt(body.substring(from, to).trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The ERP: takes kanaal.orders.unified, counting orders and repeats. */
    private Thread erp(ActiveMQConnectionFactory broker, AtomicBoolean running) {
        Thread thread = new Thread(() -> {
            try (Connection connection = broker.createConnection();
                 Session session = connection.createSession(Session.AUTO_ACKNOWLEDGE)) {
                connection.start();
                MessageConsumer consumer = session.createConsumer(session.createQueue("kanaal.orders.unified"));
                while (running.get()) {
                    var message = consumer.receive(500);
                    if (message != null) {
                        unified.incrementAndGet();
                        if (unifiedRefs.put(message.getStringProperty("kanaalOrderRef"), true) != null) {
                            unifiedDuplicates.incrementAndGet();
                        }
                    }
                }
            } catch (Exception e) {
                System.out.println("ERP consumer stopped: " + e);
            }
        }, "soak-erp");
        thread.start();
        return thread;
    }

    private boolean delivered(int update) {
        return receivedAt.stream().allMatch(times -> times.get(update) != 0);
    }

    // ---- samples and report ------------------------------------------------------------------------------------

    private void sample(BrokerQueues queues) {
        long[] heap = new long[INSTANCES];
        for (int i = 0; i < INSTANCES; i++) {
            heap[i] = heapUsed(i);
        }
        Map<String, Long> depths;
        try {
            depths = queues.messageCounts();
        } catch (RuntimeException e) {
            depths = Map.of();
        }
        synchronized (samples) {
            samples.add(new Sample(System.nanoTime(), heap, depths));
        }
    }

    private void sampleLive() {
        long[] heap = new long[INSTANCES];
        for (int i = 0; i < INSTANCES; i++) {
            heap[i] = fullCollection(i) ? heapUsed(i) : -1;
        }
        synchronized (live) {
            live.add(new Live(System.nanoTime(), heap));
        }
    }

    /** A full collection in instance {@code instance} (0..), by the JDK's jcmd and the pid the harness keeps. */
    private static boolean fullCollection(int instance) {
        try {
            String pid = Files.readString(CLUSTER.directory().resolve("pids/kanaal-" + (instance + 1) + ".pid")).trim();
            Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    pid, "GC.run").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return jcmd.waitFor(60, TimeUnit.SECONDS) && jcmd.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private long heapUsed(int instance) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                            + CLUSTER.managementPort(instance + 1) + "/actuator/metrics/jvm.memory.used?tag=area:heap"))
                    .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(response.body()).path("measurements").path(0).path("value").asLong(-1);
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private void report(long start, long[] stockIntended, long[] orderIntended) {
        long window = Duration.ofSeconds(windowSeconds).toNanos();
        long firstEnd = stockIntended[0] + window;
        long lastFrom = stockIntended[stockIntended.length - 1] - window;
        int lost = 0;
        List<Long> firstStock = new ArrayList<>();
        List<Long> lastStock = new ArrayList<>();
        for (int i = 0; i < stockIntended.length; i++) {
            int u = i + 1;
            long at = 0;
            for (AtomicLongArray times : receivedAt) {
                at = times.get(u) == 0 || at < 0 ? -1 : Math.max(at, times.get(u));
            }
            if (at < 0) {
                lost++; // never arrived as itself: replaced by a newer level of its SKU (last value), or lost
                continue;
            }
            long latency = at - stockIntended[i];
            if (stockIntended[i] < firstEnd) {
                firstStock.add(latency);
            } else if (stockIntended[i] >= lastFrom) {
                lastStock.add(latency);
            }
        }
        List<Long> firstOrders = new ArrayList<>();
        List<Long> lastOrders = new ArrayList<>();
        for (int o = 0; o < orderIntended.length; o++) {
            long answered = orderAnswered.get(o);
            if (answered == 0) {
                continue;
            }
            if (orderIntended[o] < orderIntended[0] + window) {
                firstOrders.add(answered - orderIntended[o]);
            } else if (orderIntended[o] >= orderIntended[orderIntended.length - 1] - window) {
                lastOrders.add(answered - orderIntended[o]);
            }
        }
        System.out.printf("%nlatency (ms, p50 / p99 / max)    first %d s                 last %d s%n", windowSeconds, windowSeconds);
        System.out.printf("stock update at every channel    %-25s %s%n", percentiles(firstStock), percentiles(lastStock));
        System.out.printf("order webhook answered (unified) %-25s %s%n", percentiles(firstOrders), percentiles(lastOrders));
        System.out.printf("stock updates: %d sent, %d not seen at every channel as themselves; orders: %d sent, %d on the unified queue "
                + "(%d distinct, %d repeats); calls refused or failed: %d%n", updates, lost, orders, unified.get(),
                unifiedRefs.size(), unifiedDuplicates.get(), refused.get());

        System.out.printf("%n%-9s %-38s %s%n", "minute", "heap used MB, lowest sample (1/2/3)", "deepest queues (messages)");
        List<Sample> all;
        synchronized (samples) {
            all = new ArrayList<>(samples);
        }
        int minutesRun = (int) Math.ceil((all.get(all.size() - 1).at() - start) / 60e9);
        for (int m = 0; m < minutesRun; m++) {
            long from = start + m * 60_000_000_000L;
            long to = from + 60_000_000_000L;
            List<Sample> in = all.stream().filter(s -> s.at() >= from && s.at() < to).toList();
            if (in.isEmpty()) {
                continue;
            }
            String heap = Arrays.stream(new int[] {0, 1, 2}).mapToObj(i -> Long.toString(in.stream()
                    .mapToLong(s -> s.heap()[i]).filter(v -> v >= 0).min().orElse(-1) / 1_048_576)).collect(Collectors.joining(" / "));
            Map<String, Long> deepest = new java.util.TreeMap<>();
            in.forEach(s -> s.queues().forEach((q, n) -> deepest.merge(q, n, Math::max)));
            String queues = deepest.entrySet().stream().filter(e -> e.getValue() > 0)
                    .sorted((a, b) -> Long.compare(b.getValue(), a.getValue())).limit(4)
                    .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
            System.out.printf("%-9s %-38s %s%n", LocalTime.MIN.plus(m, ChronoUnit.MINUTES).toString().substring(0, 5), heap,
                    queues.isEmpty() ? "all empty" : queues);
        }
    }

    private void reportLive(long start) {
        System.out.printf("%n%-9s %s%n", "at", "heap in use after a full collection, MB (1/2/3): what each instance holds");
        synchronized (live) {
            for (Live sample : live) {
                long seconds = (sample.at() - start) / 1_000_000_000L;
                System.out.printf("%-9s %s%n", LocalTime.MIN.plusSeconds(seconds).toString().substring(0, 5),
                        Arrays.stream(sample.heap()).mapToObj(b -> b < 0 ? "-" : Long.toString(b / 1_048_576))
                                .collect(Collectors.joining(" / ")));
            }
        }
    }

    private static String percentiles(List<Long> nanos) {
        if (nanos.isEmpty()) {
            return "-";
        }
        long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
        return String.format("%d / %d / %d (n=%d)", sorted[sorted.length / 2] / 1_000_000,
                sorted[(int) Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)] / 1_000_000,
                sorted[sorted.length - 1] / 1_000_000, sorted.length);
    }

    // ---- the cluster -------------------------------------------------------------------------------------------

    private String channelsYaml(String baseUrl) {
        StringBuilder yaml = new StringBuilder("""
                management:
                  endpoints:
                    web:
                      exposure:
                        include: health,metrics
                logging:
                  level:
                    root: WARN
                kanaal:
                  channels:
                """);
        for (int c = 0; c < CHANNELS; c++) {
            yaml.append("""
                        soak%d:
                          type: rest
                          enabled: true
                          base-url: %s/soak%d
                          rate-limit: 100000
                          consumers: 8
                          max-listed: 10000000
                          settings:
                            webhook-secret: %s
                    """.formatted(c, baseUrl, c, secret));
        }
        return yaml.toString();
    }
}
