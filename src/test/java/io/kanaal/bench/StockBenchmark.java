package io.kanaal.bench;

import com.sun.management.OperatingSystemMXBean;
import com.sun.net.httpserver.HttpServer;
import io.kanaal.KanaalApplication;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.DeliveryMode;
import jakarta.jms.JMSException;
import jakarta.jms.MessageConsumer;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import jakarta.jms.TextMessage;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.InetAddress;
import java.net.InetSocketAddress;
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
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Stock benchmark (not a test): an open-loop load driver pushes stock updates for 10,000 SKUs to Kanaal at
 * fixed rates, each update's intended send time recorded, and three channel endpoints in this same process
 * record when each update arrives, so one clock measures push to channel receipt. The same run measures a
 * minimal hand-written pipeline (HTTP ingress, durable JMS send, consumer, the same three POSTs) on the same
 * broker and stubs: the ceiling Kanaal's figures are read against.
 *
 * <p>Run: {@code ./mvnw -B -Pbench test-compile exec:exec}. Options (system properties):
 * {@code bench.rates} (default 250,500), {@code bench.max-rate} (offered load for the throughput phase,
 * default 2500), {@code bench.seconds} (per phase, default 20), {@code bench.skus} (default 10000),
 * {@code bench.channels} (default 3), {@code bench.channel-consumers} (each channel's consumers, default 8),
 * {@code bench.connections} (driver connections, default 64),
 * {@code bench.watch} (print per-route exchange counts every 2 s), {@code bench.kanaal-args} (extra Kanaal arguments),
 * {@code bench.channel-batch=true} (the channels take several SKUs per call: {@code settings.batch-path}; the
 * ceiling still sends one POST per update and channel),
 * {@code bench.warmup-seconds} (default 120) at {@code bench.warmup-rate} (default 40), then
 * {@code bench.warmup-burst-seconds} (default 60; 0: none) at the highest of {@code bench.rates}, {@code bench.ceiling=false} (Kanaal only, no ratio) and
 * {@code bench.max-rate=0} (no overload phase), for quicker comparisons of Kanaal with itself.
 */
public final class StockBenchmark {

    private static final int CHANNELS = Integer.getInteger("bench.channels", 3);

    private final int skus = Integer.getInteger("bench.skus", 10_000);
    private final int seconds = Integer.getInteger("bench.seconds", 20);
    private final int[] rates = Arrays.stream(System.getProperty("bench.rates", "250,500").split(","))
            .mapToInt(Integer::parseInt).toArray();
    private final int maxRate = Integer.getInteger("bench.max-rate", 2500);
    private final int warmup = Integer.getInteger("bench.warmup-seconds", 120);
    private final int warmupRate = Integer.getInteger("bench.warmup-rate", 40);
    /**
     * The warm-up's last part, at the run's highest fixed rate: the JIT compiles the paths a busy Kanaal takes
     * (queues backed up, every consumer busy) here rather than in the measured phases. After 120 s at 40/s
     * the compilers still used about a core for the first 45 s at 400/s (jstat -compiler, 2026-12-01)
     */
    private final int warmupBurst = Integer.getInteger("bench.warmup-burst-seconds", 60);
    /** false: Kanaal's phases only, for a quicker comparison of Kanaal with itself (no ratio printed) */
    private final boolean withCeiling = !"false".equals(System.getProperty("bench.ceiling"));
    private final int totalUpdates;
    private final AtomicInteger nextUpdate = new AtomicInteger();
    /** CPU of the embedded PostgreSQL, which runs outside this JVM */
    private DatabaseCpu database;
    private final StageCpu stageCpu = new StageCpu();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .executor(Executors.newFixedThreadPool(4)).build();
    private final List<ReceiptStub> stubs = new ArrayList<>();
    /**
     * Senders: a fixed number of connections, like a real ERP client; an update waits here when all are
     * busy, and its latency still counts from its intended send time, so queueing is not hidden.
     */
    private final ExecutorService senders = Executors.newFixedThreadPool(Integer.getInteger("bench.connections", 64));

    private StockBenchmark() {
        int total = 0;
        for (int rate : rates) {
            total += rate * seconds;
        }
        // twice: the ceiling's phases and Kanaal's (500 ceiling updates for its fixed phase), each with its warm-up
        totalUpdates = 2 * (total + maxRate * seconds + warmupRate * warmup + burstRate() * warmupBurst + 500 * seconds) + 10;
    }

    public static void main(String[] args) {
        BenchMain.run(() -> new StockBenchmark().run());
    }

    private void run() throws Exception {
        for (int i = 0; i < CHANNELS; i++) {
            ReceiptStub stub = new ReceiptStub();
            stub.reset(totalUpdates);
            stubs.add(stub);
        }
        String key = "bench-" + UUID.randomUUID();
        String data = Path.of("target", "bench-data",
                LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))).toAbsolutePath().toString();
        database = new DatabaseCpu(data);
        List<String> args = new ArrayList<>(List.of("--server.port=0", "--kanaal.data-dir=" + data,
                "--kanaal.api.keys.bench=" + key, "--kanaal.broker.acceptor=",
                "--logging.level.root=WARN", "--logging.level.io.kanaal=WARN"));
        for (int i = 0; i < CHANNELS; i++) {
            String ch = "--kanaal.channels.bench" + i + ".";
            args.addAll(List.of(ch + "type=rest", ch + "base-url=" + stubs.get(i).baseUrl() + "/ch" + i,
                    ch + "rate-limit=100000", ch + "consumers=" + Integer.getInteger("bench.channel-consumers", 8)));
            if (Boolean.getBoolean("bench.channel-batch")) {
                args.add(ch + "settings.batch-path=/stock-levels");
            }
        }
        System.out.printf("Kanaal stock benchmark: %d SKUs, %d channels, %d s per phase, open loop, %d cores%n",
                skus, CHANNELS, seconds, Runtime.getRuntime().availableProcessors());
        try (ConfigurableApplicationContext kanaal = new SpringApplicationBuilder(KanaalApplication.class)
                .run(KanaalArgs.withExtras(args))) {
            int port = Integer.parseInt(kanaal.getEnvironment().getProperty("local.server.port"));
            URI push = URI.create("http://127.0.0.1:" + port + "/api/v1/stock");
            IntFunction<HttpRequest> kanaalRequest = u -> HttpRequest.newBuilder(push)
                    .header("X-API-Key", key).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"items\":[{\"sku\":\"" + sku(u) + "\",\"quantity\":" + u
                            + ",\"sequence\":" + u + "}]}")).build();

            Phase.header();
            Phase ceilingMax = null;
            if (withCeiling) {
                try (Ceiling ceiling = new Ceiling(kanaal.getBean(ConnectionFactory.class), stubs)) {
                    IntFunction<HttpRequest> ceilingRequest = u -> HttpRequest.newBuilder(ceiling.uri())
                            .POST(HttpRequest.BodyPublishers.ofString(sku(u) + " " + u)).build();
                    warmUp("ceiling", ceilingRequest);
                    phase("ceiling", 500, seconds, ceilingRequest).print("");
                    ceilingMax = phase("ceiling", maxRate, seconds, ceilingRequest);
                    ceilingMax.print(" (overload: max throughput)");
                }
            }
            io.micrometer.core.instrument.MeterRegistry meters = kanaal.getBean(io.micrometer.core.instrument.MeterRegistry.class);
            Thread watcher = new Thread(() -> {
                while (true) {
                    LockSupport.parkNanos(Duration.ofSeconds(2).toNanos());
                    StringBuilder line = new StringBuilder("routes:");
                    meters.find("camel.exchanges.succeeded").counters().stream()
                            .sorted(java.util.Comparator.comparing(c -> c.getId().getTag("routeId")))
                            .filter(c -> c.getId().getTag("routeId").matches(".*(fanout|publisher|sender|inbound)"))
                            .forEach(c -> line.append(' ').append(c.getId().getTag("routeId")).append('=').append((long) c.count()));
                    System.out.println(line);
                }
            });
            watcher.setDaemon(true);
            if (Boolean.getBoolean("bench.watch")) {
                watcher.start();
            }
            warmUp("kanaal", kanaalRequest);
            Phase kanaalMax = null;
            for (int rate : rates) {
                phase("kanaal", rate, seconds, kanaalRequest).print("");
            }
            if (maxRate <= 0) {
                return;
            }
            kanaalMax = phase("kanaal", maxRate, seconds, kanaalRequest);
            kanaalMax.print(" (overload: max throughput)");
            if (ceilingMax == null) {
                return;
            }

            System.out.printf(Locale.ROOT, "%nKanaal max delivered %.0f updates/s = %.0f%% of the hand-written ceiling (%.0f updates/s)%n",
                    kanaalMax.deliveredPerSecond, 100 * kanaalMax.deliveredPerSecond / ceilingMax.deliveredPerSecond,
                    ceilingMax.deliveredPerSecond);
        }
    }

    private void warmUp(String target, IntFunction<HttpRequest> request) throws Exception {
        phase(target, warmupRate, warmup, request).print(" (warm-up)");
        if (warmupBurst > 0) {
            phase(target, burstRate(), warmupBurst, request).print(" (warm-up, busy)");
        }
    }

    /**
     * The run's highest fixed rate (the overload phase's when there is none): high enough to keep Kanaal busy,
     * not so high that its backlog outlasts the phase's wait for the channels
     */
    private int burstRate() {
        return Arrays.stream(rates).max().orElse(maxRate);
    }

    private String sku(int update) {
        return "BENCH-" + (update % skus);
    }

    /** Sends {@code rate} updates per second for {@code duration} seconds at their intended times, then waits for the channels. */
    private Phase phase(String target, int rate, int duration, IntFunction<HttpRequest> request) throws Exception {
        int count = rate * duration;
        int first = nextUpdate.getAndAdd(count);
        AtomicInteger accepted = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        long[] requestsBefore = stubs.stream().mapToLong(ReceiptStub::requests).toArray();
        long receiptsBefore = stubs.stream().mapToLong(ReceiptStub::firstReceipts).sum();
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        List<MemoryPoolMXBean> heap = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP).toList();
        heap.forEach(MemoryPoolMXBean::resetPeakUsage);
        long cpuBefore = os.getProcessCpuTime();
        StageCpu.Reading stagesBefore = stageCpu.read();
        long dbBefore = database.nanos();
        OpenLoop loop = OpenLoop.run(rate, count, senders, i -> {
            try {
                HttpResponse<String> response = http.send(request.apply(first + i), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 202
                        && (response.body().isEmpty() || response.body().contains("\"accepted\":1"))) {
                    accepted.incrementAndGet();
                    return;
                }
            } catch (Exception e) {
                // counted as refused
            }
            refused.incrementAndGet();
        });
        long start = loop.start();
        long[] intended = loop.intended();
        long sendEnd = loop.sendEnd();
        long acceptedEnd = loop.end();
        // wait until every channel has every update, or nothing new arrived for 3 s (coalesced), at most 120 s;
        // polled by counters (scanning every update's receipt here took a tenth of the CPU the run is measuring)
        long lastChange = System.nanoTime();
        long lastSeen = -1;
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            long seen = stubs.stream().mapToLong(ReceiptStub::firstReceipts).sum() - receiptsBefore;
            if (seen >= (long) count * CHANNELS) {
                break;
            }
            if (seen != lastSeen) {
                lastSeen = seen;
                lastChange = System.nanoTime();
            } else if (System.nanoTime() - lastChange > Duration.ofSeconds(3).toNanos()) {
                break;
            }
            LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
        }
        boolean drained = received(first, count) == count * CHANNELS || System.nanoTime() < deadline;
        long cpu = os.getProcessCpuTime() - cpuBefore;
        StageCpu.Reading stagesAfter = stageCpu.read();
        long db = database.nanos() - dbBefore;
        long peakHeap = heap.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();

        long[] latencies = new long[count * CHANNELS];
        int n = 0;
        long lastReceipt = start;
        for (ReceiptStub stub : stubs) {
            for (int i = 0; i < count; i++) {
                long at = stub.receivedAt(first + i);
                if (at != 0) {
                    latencies[n++] = at - intended[i];
                    lastReceipt = Math.max(lastReceipt, at);
                }
            }
        }
        long channelCalls = 0;
        for (int c = 0; c < CHANNELS; c++) {
            channelCalls += stubs.get(c).requests() - requestsBefore[c];
        }
        long[] sorted = Arrays.copyOf(latencies, n);
        Arrays.sort(sorted);
        Phase phase = new Phase();
        phase.target = target;
        phase.rate = rate;
        phase.acceptedPerSecond = accepted.get() / ((acceptedEnd - start) / 1e9);
        phase.refused = refused.get();
        phase.deliveredPerSecond = (n / (double) CHANNELS) / ((lastReceipt - start) / 1e9);
        phase.p50 = percentile(sorted, 0.50);
        phase.p99 = percentile(sorted, 0.99);
        phase.p999 = percentile(sorted, 0.999);
        phase.max = sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1e6;
        phase.saved = (long) accepted.get() * CHANNELS - channelCalls;
        phase.cpuMicrosPerUpdate = accepted.get() == 0 ? 0 : cpu / 1e3 / accepted.get();
        phase.dbMicrosPerUpdate = accepted.get() == 0 ? 0 : db / 1e3 / accepted.get();
        // the ceiling's threads are the driver's kind (pool-*): only Kanaal's phases split by stage
        phase.stages = target.equals("kanaal") ? StageCpu.perUnit(stagesBefore, stagesAfter, accepted.get()) : "";
        phase.peakHeapMb = peakHeap / 1024.0 / 1024.0;
        phase.sendLagMs = (sendEnd - intended[count - 1]) / 1e6;
        phase.drained = drained;
        return phase;
    }

    private int received(int first, int count) {
        int seen = 0;
        for (ReceiptStub stub : stubs) {
            for (int i = 0; i < count; i++) {
                if (stub.receivedAt(first + i) != 0) {
                    seen++;
                }
            }
        }
        return seen;
    }

    private static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1);
        return sorted[Math.max(0, index)] / 1e6;
    }

    private static final class Phase {
        String target;
        int rate;
        double acceptedPerSecond;
        int refused;
        double deliveredPerSecond;
        double p50;
        double p99;
        double p999;
        double max;
        long saved;
        double cpuMicrosPerUpdate;
        double dbMicrosPerUpdate;
        double peakHeapMb;
        double sendLagMs;
        boolean drained;
        String stages;

        static void header() {
            System.out.printf("%-8s %7s %10s %8s %11s %9s %9s %9s %9s %10s %10s %9s %9s %9s%n", "target", "offered", "accepted/s",
                    "refused", "delivered/s", "p50 ms", "p99 ms", "p99.9 ms", "max ms", "calls saved", "cpu us/upd",
                    "db us/upd", "heap MB", "send lag");
        }

        void print(String note) {
            System.out.printf(Locale.ROOT, "%-8s %7d %10.0f %8d %11.0f %9.1f %9.1f %9.1f %9.1f %10d %10.0f %9.0f %9.0f %9.1f%s%n",
                    target, rate, acceptedPerSecond, refused, deliveredPerSecond, p50, p99, p999, max, saved,
                    cpuMicrosPerUpdate, dbMicrosPerUpdate, peakHeapMb, sendLagMs,
                    note + (drained ? "" : " (still delivering after 120 s: calls saved includes the backlog)"));
            if (!stages.isEmpty()) {
                System.out.println("         cpu us/upd by stage: " + stages);
            }
        }
    }

    /**
     * The hand-written ceiling: JDK HTTP server ingress, a durable JMS send per update on Kanaal's broker,
     * eight transacted consumers, each sending the three channel POSTs concurrently.
     */
    private static final class Ceiling implements AutoCloseable {
        private static final String QUEUE = "bench.ceiling";
        private final HttpServer server;
        private final ExecutorService ingress = Executors.newFixedThreadPool(8);
        private final ExecutorService consumers = Executors.newFixedThreadPool(8);
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final ConnectionFactory factory;
        private final ThreadLocal<Session> sessions = new ThreadLocal<>();
        private final List<Connection> connections = new ArrayList<>();
        private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

        Ceiling(ConnectionFactory factory, List<ReceiptStub> stubs) throws Exception {
            this.factory = factory;
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1000);
            server.setExecutor(ingress);
            server.createContext("/ceiling", exchange -> {
                String body;
                try (InputStream in = exchange.getRequestBody()) {
                    body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
                try {
                    Session session = session();
                    MessageProducer producer = session.createProducer(session.createQueue(QUEUE));
                    producer.setDeliveryMode(DeliveryMode.PERSISTENT);
                    producer.send(session.createTextMessage(body));
                    producer.close();
                    exchange.sendResponseHeaders(202, -1);
                } catch (JMSException e) {
                    exchange.sendResponseHeaders(503, -1);
                }
                exchange.close();
            });
            server.start();
            for (int i = 0; i < 8; i++) {
                Connection connection = factory.createConnection();
                connection.start();
                connections.add(connection);
                consumers.submit(() -> consume(connection, stubs));
            }
        }

        URI uri() {
            return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/ceiling");
        }

        private Session session() throws JMSException {
            Session session = sessions.get();
            if (session == null) {
                Connection connection = factory.createConnection();
                synchronized (connections) {
                    connections.add(connection);
                }
                session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
                sessions.set(session);
            }
            return session;
        }

        private Void consume(Connection connection, List<ReceiptStub> stubs) throws Exception {
            Session session = connection.createSession(true, Session.SESSION_TRANSACTED);
            MessageConsumer consumer = session.createConsumer(session.createQueue(QUEUE));
            while (running.get()) {
                TextMessage message = (TextMessage) consumer.receive(200);
                if (message == null) {
                    continue;
                }
                String[] parts = message.getText().split(" ");
                String body = "{\"sku\":\"" + parts[0] + "\",\"quantity\":" + parts[1] + "}";
                List<CompletableFuture<HttpResponse<Void>>> calls = new ArrayList<>();
                for (int c = 0; c < stubs.size(); c++) {
                    calls.add(client.sendAsync(HttpRequest.newBuilder(URI.create(stubs.get(c).baseUrl() + "/ceiling/" + parts[0]))
                            .PUT(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json").build(),
                            HttpResponse.BodyHandlers.discarding()));
                }
                CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).join();
                session.commit();
            }
            return null;
        }

        @Override
        public void close() throws Exception {
            running.set(false);
            server.stop(0);
            ingress.shutdownNow();
            consumers.shutdown();
            for (Connection connection : connections) {
                connection.close();
            }
        }
    }
}
