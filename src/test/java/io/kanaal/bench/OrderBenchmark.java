package io.kanaal.bench;

import com.sun.management.OperatingSystemMXBean;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.kanaal.KanaalApplication;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSException;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Order benchmark (not a test): an open-loop driver posts orders to the webhooks of three channels at fixed
 * rates (order n to channel n % 3, every order on a SKU of its own, one in ten sent twice), each order's
 * intended send time recorded. A consumer in this process takes kanaal.orders.unified and records when each
 * order arrives (and counts duplicates); the three channel endpoints record when each SKU's reduced stock
 * arrives. Printed per phase: accepted and unified orders/s, duplicates that got through, and the time
 * from an order's intake to its reduced stock at every OTHER channel (p50/p99/max), CPU per order.
 *
 * <p>Run: {@code ./mvnw -B -Pbench test-compile exec:exec -Dbench.main=io.kanaal.bench.OrderBenchmark}.
 * Options: {@code bench.order-rates} (default 250,500), {@code bench.order-max-rate} (default 1000),
 * {@code bench.seconds} (per phase, default 20), {@code bench.warmup-seconds} (default 120) at
 * {@code bench.warmup-rate} (default 40) orders/s, then {@code bench.warmup-burst-seconds} (default 60; 0: none)
 * at the highest of {@code bench.order-rates}, {@code bench.kanaal-args} (extra Kanaal arguments).
 */
public final class OrderBenchmark {

    private static final int CHANNELS = 3;
    private static final int ERP_STOCK = 1_000;

    private final int seconds = Integer.getInteger("bench.seconds", 20);
    private final int[] rates = Arrays.stream(System.getProperty("bench.order-rates", "250,500").split(","))
            .mapToInt(Integer::parseInt).toArray();
    private final int maxRate = Integer.getInteger("bench.order-max-rate", 1000);
    /** the same warm-up options as the stock benchmark: the JIT needs minutes on 2 cores */
    private final int warmup = Integer.getInteger("bench.warmup-seconds", 120);
    private final int warmupRate = Integer.getInteger("bench.warmup-rate", 40);
    /** then, as in the stock benchmark, this long at the highest of the fixed rates, so the JIT is done before the phases */
    private final int warmupBurst = Integer.getInteger("bench.warmup-burst-seconds", 60);
    private final int totalOrders;
    private final AtomicInteger nextOrder = new AtomicInteger();
    /** CPU of the embedded PostgreSQL, which runs outside this JVM */
    private DatabaseCpu database;
    private final StageCpu stageCpu = new StageCpu();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .executor(Executors.newFixedThreadPool(4)).build();
    private final ExecutorService senders = Executors.newFixedThreadPool(64);
    private final List<StockReceipts> channels = new ArrayList<>();
    private final String[] secrets = new String[CHANNELS];
    private AtomicLongArray unifiedAt;
    private final AtomicInteger unifiedDuplicates = new AtomicInteger();

    private OrderBenchmark() {
        int total = warmupRate * warmup + burstRate() * warmupBurst + maxRate * seconds;
        for (int rate : rates) {
            total += rate * seconds;
        }
        totalOrders = total + 10;
        unifiedAt = new AtomicLongArray(totalOrders);
    }

    public static void main(String[] args) {
        BenchMain.run(() -> new OrderBenchmark().run());
    }

    private void run() throws Exception {
        String data = Path.of("target", "bench-data",
                "orders-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))).toAbsolutePath().toString();
        database = new DatabaseCpu(data);
        List<String> args = new ArrayList<>(List.of("--server.port=0", "--kanaal.data-dir=" + data,
                "--kanaal.broker.acceptor=",
                "--logging.level.root=WARN", "--logging.level.io.kanaal=WARN",
                "--logging.level.order-accept=WARN"));
        for (int c = 0; c < CHANNELS; c++) {
            StockReceipts stub = new StockReceipts(totalOrders);
            channels.add(stub);
            secrets[c] = "bench-" + UUID.randomUUID();
            String ch = "--kanaal.channels.shop" + c + ".";
            args.addAll(List.of(ch + "type=rest", ch + "base-url=" + stub.baseUrl(), ch + "rate-limit=100000",
                    ch + "consumers=8", ch + "settings.webhook-secret=" + secrets[c]));
        }
        System.out.printf("Kanaal order benchmark: %d channels, %d s per phase, open loop, %d cores%n",
                CHANNELS, seconds, Runtime.getRuntime().availableProcessors());
        try (ConfigurableApplicationContext kanaal = new SpringApplicationBuilder(KanaalApplication.class)
                .run(KanaalArgs.withExtras(args))) {
            int port = Integer.parseInt(kanaal.getEnvironment().getProperty("local.server.port"));
            // the ERP's stock for every SKU the run will order, straight into the ledger
            kanaal.getBean(JdbcTemplate.class).update("""
                    INSERT INTO erp_stock (sku, warehouse, quantity, version)
                    SELECT 'ORD-' || n, '', ?, 1 FROM generate_series(0, ?) AS n
                    """, ERP_STOCK, totalOrders);
            AtomicBoolean running = new AtomicBoolean(true);
            Thread consumer = unifiedConsumer(kanaal.getBean(ConnectionFactory.class), running);
            System.out.printf("%-7s %10s %8s %10s %11s %10s %12s %12s %12s %11s %10s%n", "offered", "accepted/s", "refused",
                    "unified/s", "duplicates", "missing", "others p50", "others p99", "others max", "cpu us/ord", "db us/ord");
            phase(port, warmupRate, warmup, " (warm-up)");
            if (warmupBurst > 0) {
                phase(port, burstRate(), warmupBurst, " (warm-up, busy)");
            }
            for (int rate : rates) {
                phase(port, rate, seconds, "");
            }
            if (maxRate > 0) {
                phase(port, maxRate, seconds, " (overload: max throughput)");
            }
            running.set(false);
            consumer.join(2000);
        }
    }

    /** The highest fixed rate (the overload phase's when there is none) */
    private int burstRate() {
        return Arrays.stream(rates).max().orElse(maxRate);
    }

    private Thread unifiedConsumer(ConnectionFactory factory, AtomicBoolean running) {
        Thread thread = new Thread(() -> {
            try (Connection connection = factory.createConnection()) {
                Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                MessageConsumer consumer = session.createConsumer(session.createQueue("kanaal.orders.unified"));
                connection.start();
                while (running.get()) {
                    var message = consumer.receive(200);
                    if (message == null) {
                        continue;
                    }
                    String ref = message.getStringProperty("kanaalOrderRef");
                    int order = Integer.parseInt(ref.substring(ref.indexOf("/O-") + 3));
                    if (!unifiedAt.compareAndSet(order, 0, System.nanoTime())) {
                        unifiedDuplicates.incrementAndGet();
                    }
                }
            } catch (JMSException e) {
                throw new IllegalStateException(e);
            }
        }, "unified-consumer");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private void phase(int port, int rate, int duration, String note) throws Exception {
        int count = rate * duration;
        int first = nextOrder.getAndAdd(count);
        AtomicInteger accepted = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        int duplicatesBefore = unifiedDuplicates.get();
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpuBefore = os.getProcessCpuTime();
        StageCpu.Reading stagesBefore = stageCpu.read();
        long dbBefore = database.nanos();
        OpenLoop loop = OpenLoop.run(rate, count, senders, i -> {
            int order = first + i;
            HttpRequest request = webhook(port, order % CHANNELS, order);
            for (int s = 0, sends = order % 10 == 0 ? 2 : 1; s < sends; s++) {
                try {
                    if (http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 202) {
                        accepted.incrementAndGet();
                        continue;
                    }
                } catch (Exception e) {
                    // counted as refused
                }
                refused.incrementAndGet();
            }
        });
        long start = loop.start();
        long[] intended = loop.intended();
        long acceptedEnd = loop.end();
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline && !complete(first, count)) {
            LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
        }
        long cpu = os.getProcessCpuTime() - cpuBefore;
        StageCpu.Reading stagesAfter = stageCpu.read();
        long db = database.nanos() - dbBefore;

        long[] others = new long[count];
        int measured = 0;
        int missing = 0;
        long lastUnified = start;
        for (int i = 0; i < count; i++) {
            int order = first + i;
            long unified = unifiedAt.get(order);
            if (unified == 0) {
                missing++;
                continue;
            }
            lastUnified = Math.max(lastUnified, unified);
            long allOthers = 0;
            for (int c = 0; c < CHANNELS; c++) {
                if (c != order % CHANNELS) {
                    long at = channels.get(c).receivedAt(order);
                    allOthers = at == 0 ? Long.MAX_VALUE : Math.max(allOthers, at);
                }
            }
            if (allOthers != Long.MAX_VALUE) {
                others[measured++] = allOthers - intended[i];
            }
        }
        long[] sorted = Arrays.copyOf(others, measured);
        Arrays.sort(sorted);
        System.out.printf(Locale.ROOT, "%7d %10.0f %8d %10.0f %11d %10d %12.1f %12.1f %12.1f %11.0f %10.0f%s%n",
                rate, accepted.get() / ((acceptedEnd - start) / 1e9), refused.get(),
                (count - missing) / ((lastUnified - start) / 1e9), unifiedDuplicates.get() - duplicatesBefore, missing,
                percentile(sorted, 0.50), percentile(sorted, 0.99), sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1] / 1e6,
                accepted.get() == 0 ? 0 : cpu / 1e3 / count, accepted.get() == 0 ? 0 : db / 1e3 / count, note);
        if (accepted.get() > 0) {
            System.out.println("        cpu us/ord by stage: " + StageCpu.perUnit(stagesBefore, stagesAfter, count));
        }
    }

    private boolean complete(int first, int count) {
        for (int i = 0; i < count; i++) {
            int order = first + i;
            if (unifiedAt.get(order) == 0) {
                return false;
            }
            for (int c = 0; c < CHANNELS; c++) {
                if (c != order % CHANNELS && channels.get(c).receivedAt(order) == 0) {
                    return false;
                }
            }
        }
        return true;
    }

    private HttpRequest webhook(int port, int channel, int order) {
        String body = "{\"id\":\"O-" + order + "\",\"createdAt\":\"2026-11-23T10:00:00Z\",\"status\":\"paid\","
                + "\"items\":[{\"id\":\"1\",\"sku\":\"ORD-" + order + "\",\"quantity\":1,\"price\":10}],\"total\":10}";
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/webhooks/shop" + channel + "/orders"))
                .header("Content-Type", "application/json")
                .header("X-Kanaal-Signature", "sha256=" + hmac(secrets[channel], body))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private static String hmac(String secret, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1);
        return sorted[Math.max(0, index)] / 1e6;
    }

    /** A channel endpoint: records when each SKU ORD-n first gets a quantity below the ERP's stock. */
    private static final class StockReceipts {
        private final HttpServer server;
        private final AtomicLongArray receivedAt;

        StockReceipts(int orders) throws IOException {
            receivedAt = new AtomicLongArray(orders);
            server = ReceiptStub.serve(this::handle);
        }

        String baseUrl() {
            return ReceiptStub.baseUrl(server);
        }

        long receivedAt(int order) {
            return receivedAt.get(order);
        }

        private void handle(HttpExchange exchange) throws IOException {
            long now = System.nanoTime();
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            String path = exchange.getRequestURI().getPath();
            int at = path.indexOf("/stock/ORD-");
            int quantity = ReceiptStub.quantity(new String(body, StandardCharsets.UTF_8));
            if (at >= 0 && quantity >= 0 && quantity < ERP_STOCK) {
                int order = Integer.parseInt(path.substring(at + "/stock/ORD-".length()));
                if (order < receivedAt.length()) {
                    receivedAt.compareAndSet(order, 0, now);
                }
            }
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        }
    }
}
