package io.kanaal.bench;

import com.dashjoin.jsonata.Jsonata;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.sun.management.GarbageCollectionNotificationInfo;
import com.sun.management.OperatingSystemMXBean;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.kanaal.KanaalApplication;
import io.kanaal.broker.BrokerQueues;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.IntFunction;
import java.util.function.IntPredicate;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Product benchmark (not a test): 100,000 products through {@code POST /api/v1/products} to three REST channels
 * whose product endpoints are stubs in this same process (loopback), in four parts:
 * <ol>
 *   <li><b>Intake</b>: products/s from the first POST (batches of 500, a few connections at a time) until every
 *       product is stored. The channels' product publishers are stopped meanwhile, so the SKUs wait on their
 *       product queues and intake has the machine to itself.</li>
 *   <li><b>Send</b>: the publishers started; the time until every channel has received every product (the initial
 *       send after intake), calls/s, against a hand-written pipeline in the same run that reads the same products
 *       from the same PostgreSQL, makes each channel's view of them, maps it with the same JSONata file through
 *       the same library and makes the same PUTs to the same stubs, as many at a time per channel as Kanaal's
 *       consumers. A sample of the bodies of both is compared.</li>
 *   <li>{@code bench.resync=true}: {@code POST /api/v1/ops/channels/{channel}/resync} for the three channels, the
 *       time until each has every stored product again.</li>
 *   <li><b>Incremental</b>: 1% of the products get a new version with a new price and 1% one with new dimensions
 *       only (which the REST mapping does not carry); the calls each channel receives are counted: they must be
 *       exactly the 1% with a new price.</li>
 * </ol>
 * Before these, a warm-up takes {@code bench.warmup-products} other products through intake and send (the
 * publishers running) and the hand-written pipeline over them. Printed per part: wall time, rate, the process's
 * CPU per product or call (and by stage), PostgreSQL's, the peak heap and the most heap left after a collection
 * (the process: Kanaal, the driver and the stubs), and the machine's load.
 *
 * <p>Run: {@code ./mvnw -B -Pbench test-compile exec:exec -Dbench.main=io.kanaal.bench.ProductBenchmark}. Options:
 * {@code bench.products} (default 100000), {@code bench.warmup-products} (default 10000; 0: none),
 * {@code bench.product-batch} (products per POST, default 500), {@code bench.product-connections} (POSTs at a
 * time, default 4), {@code bench.channel-consumers} (each channel's, and the hand-written pipeline's senders per
 * channel, default 8), {@code bench.resync} (default false), {@code bench.kanaal-args} (extra Kanaal arguments).
 */
public final class ProductBenchmark {

    private static final int CHANNELS = 3;
    private static final String MAPPING = "rest/product.jsonata";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** the SKU of product n: fixed width, so that SKU order is number order */
    private static final String SKU_FORMAT = "P-%07d";
    private static final Duration QUIET = Duration.ofSeconds(3);

    private final int products = Integer.getInteger("bench.products", 100_000);
    private final int warmup = Integer.getInteger("bench.warmup-products", 10_000);
    private final int batchSize = Integer.getInteger("bench.product-batch", 500);
    private final int connections = Integer.getInteger("bench.product-connections", 4);
    private final int consumers = Integer.getInteger("bench.channel-consumers", 8);
    private final boolean resync = Boolean.getBoolean("bench.resync");

    private final OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private final StageCpu stageCpu = new StageCpu();
    private final List<MemoryPoolMXBean> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(p -> p.getType() == MemoryType.HEAP).toList();
    /** the most heap in use right after a collection since the phase began: what the process keeps */
    private final AtomicLong heapAfterGc = new AtomicLong();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final List<ChannelStub> stubs = new ArrayList<>();
    private DatabaseCpu database;
    private String apiKey;
    private String api;
    private long peakHeap;
    private long peakHeapAfterGc;

    public static void main(String[] args) {
        BenchMain.run(() -> new ProductBenchmark().run());
    }

    private void run() throws Exception {
        watchCollections();
        for (int c = 0; c < CHANNELS; c++) {
            stubs.add(new ChannelStub("/ch" + c + "/products/", products + warmup));
        }
        apiKey = "bench-" + UUID.randomUUID();
        String data = Path.of("target", "bench-data",
                "products-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))).toAbsolutePath().toString();
        database = new DatabaseCpu(data);
        List<String> args = new ArrayList<>(List.of("--server.port=0", "--kanaal.data-dir=" + data,
                "--kanaal.api.keys.bench=" + apiKey, "--kanaal.api.ops-keys.bench=" + apiKey, "--kanaal.broker.acceptor=",
                "--logging.level.root=WARN", "--logging.level.io.kanaal=WARN"));
        for (int c = 0; c < CHANNELS; c++) {
            String ch = "--kanaal.channels." + channel(c) + ".";
            args.addAll(List.of(ch + "type=rest", ch + "base-url=" + stubs.get(c).baseUrl() + "/ch" + c,
                    ch + "rate-limit=100000", ch + "consumers=" + consumers));
        }
        System.out.printf(Locale.ROOT, "Kanaal product benchmark: %d products (+%d warm-up) to %d REST channels, %d per POST, "
                        + "%d POSTs at a time, %d senders per channel, %d cores, load %s%n",
                products, warmup, CHANNELS, batchSize, connections, consumers, Runtime.getRuntime().availableProcessors(), load());
        try (ConfigurableApplicationContext kanaal = new SpringApplicationBuilder(KanaalApplication.class)
                .run(KanaalArgs.withExtras(args))) {
            api = "http://127.0.0.1:" + kanaal.getEnvironment().getProperty("local.server.port") + "/api/v1";
            JdbcTemplate jdbc = kanaal.getBean(JdbcTemplate.class);
            BrokerQueues queues = kanaal.getBean(BrokerQueues.class);
            CamelContext camel = kanaal.getBean(CamelContext.class);
            Ceiling ceiling = new Ceiling(kanaal.getBean(DataSource.class),
                    Files.readString(Path.of(kanaal.getEnvironment().getProperty("kanaal.home", "."), "mappings", MAPPING)));
            IntFunction<String> first = n -> product(n, 1, cents(n), false);
            Result.header();

            if (warmup > 0) {
                // Kanaal's intake and send together, then the hand-written pipeline over the same products
                resetStubs(n -> false);
                Measure measure = new Measure();
                post(IntStream.range(products, products + warmup).toArray(), first);
                awaitReceipts(warmup);
                long lastCall = lastCall();
                awaitIdle(queues);
                measure.end("intake + send (warm-up)", "kanaal", warmup, warmup * CHANNELS, lastCall).print();
                resetStubs(n -> false);
                ceiling.run(products, products + warmup).print();
            }

            // intake, the publisher stopped: the SKUs wait on kanaal.products.changed
            camel.getRouteController().stopRoute("product-publisher");
            Measure intake = new Measure();
            long accepted = post(IntStream.range(0, products).toArray(), first);
            await("every product stored", () -> count(jdbc, "SELECT count(*) FROM product") == products + warmup, Duration.ofMinutes(15));
            Result intakeResult = intake.end("intake", "kanaal", products, 0, System.nanoTime());
            intakeResult.print();
            System.out.printf(Locale.ROOT, "         POSTs answered after %.1f s (%.0f products/s accepted)%n",
                    (accepted - intake.start) / 1e9, products / ((accepted - intake.start) / 1e9));

            // the initial send after intake: Kanaal's publishers, then the hand-written pipeline
            IntPredicate sample = n -> n < products && n % 1000 == 7;
            resetStubs(sample);
            Measure send = new Measure();
            camel.getRouteController().startRoute("product-publisher");
            awaitReceipts(products);
            long lastCall = lastCall();
            awaitIdle(queues);
            Result kanaalSend = send.end("initial send", "kanaal", products, totalRequests(), lastCall);
            kanaalSend.print();
            List<Map<Integer, String>> kanaalBodies = stubs.stream().map(s -> Map.copyOf(s.bodies)).toList();
            resetStubs(sample);
            Result ceilingSend = ceiling.run(0, products);
            ceilingSend.print();
            System.out.printf(Locale.ROOT, "%nSend: Kanaal %.1f s, %.0f calls/s; hand-written %.1f s, %.0f calls/s: Kanaal took %.2fx "
                            + "the hand-written pipeline's time (target: within 1.5x). Sample bodies identical: %s%n%n",
                    kanaalSend.wallSeconds, kanaalSend.callsPerSecond(), ceilingSend.wallSeconds, ceilingSend.callsPerSecond(),
                    kanaalSend.wallSeconds / ceilingSend.wallSeconds, sameBodies(kanaalBodies));

            if (resync) {
                resync(queues);
            }
            incremental(jdbc, queues);
            System.out.printf(Locale.ROOT, "%nPeak heap of the process (Kanaal, driver, stubs; -Xmx as the bench profile sets it): "
                    + "%.0f MB; most heap in use after a collection: %.0f MB. Load at the end: %s%n",
                    peakHeap / 1048576.0, peakHeapAfterGc / 1048576.0, load());
        }
    }

    private static String channel(int c) {
        return "bench" + c;
    }

    private static String sku(int n) {
        return String.format(Locale.ROOT, SKU_FORMAT, n);
    }

    /** product n's price in cents: 10.00 to 99.99 EUR */
    private static int cents(int n) {
        return 1000 + n % 9000;
    }

    private static final String[] SIZES = {"XS", "S", "M", "L", "XL", "XXL"};
    private static final String[] COLOURS = {"red", "blue", "green", "black", "white", "grey", "navy"};
    private static final String TEXT_NL = "Zacht T-shirt van biologisch katoen met een ronde hals en korte mouwen. De stof is "
            + "voorgewassen, zodat het shirt na het wassen zijn vorm houdt. Geschikt voor dagelijks gebruik, onder een "
            + "colbert of los gedragen. Wassen op 30 graden, binnenstebuiten, niet in de droger. ";
    private static final String TEXT_EN = "Soft T-shirt of organic cotton with a crew neck and short sleeves. The fabric is "
            + "pre-washed, so the shirt keeps its shape after washing. Made for every day, under a jacket or on its own. "
            + "Wash at 30 degrees, inside out, do not tumble dry. ";

    /**
     * Product n as a PIM would send it (about 2 KB: two locales, long descriptions, three images, attributes):
     * version {@code sequence}, its price in cents, with dimensions or without.
     */
    static String product(int n, int sequence, int cents, boolean dimensions) {
        String sku = sku(n);
        String colour = COLOURS[n % COLOURS.length];
        return "{\"sku\":\"" + sku + "\",\"sequence\":" + sequence + ",\"gtin\":\"" + gtin(n) + "\",\"brand\":\"Kanaal Wear\","
                + "\"category\":\"Kleding > Shirts > " + (n % 20) + "\",\"variantAxes\":{\"size\":\"" + SIZES[n % SIZES.length] + "\"},"
                + "\"title\":{\"nl\":\"T-shirt " + colour + " " + n + "\",\"en\":\"T-shirt " + colour + " " + n + "\"},"
                + "\"description\":{\"nl\":\"" + TEXT_NL + TEXT_NL + "Artikel " + n + ".\",\"en\":\"" + TEXT_EN + TEXT_EN + "Item " + n + ".\"},"
                + "\"attributes\":{\"material\":{\"value\":\"cotton\"},\"colour\":{\"value\":\"" + colour + "\"},\"fit\":{\"value\":\"regular\"}},"
                + "\"images\":[{\"url\":\"https://img.example.com/" + sku + "-back.jpg\",\"role\":\"extra\",\"position\":2},"
                + "{\"url\":\"https://img.example.com/" + sku + "-front.jpg\",\"role\":\"main\",\"position\":1},"
                + "{\"url\":\"https://img.example.com/" + sku + "-side.jpg\",\"role\":\"extra\",\"position\":3}],"
                + "\"weight\":{\"value\":180,\"unit\":\"g\"},"
                + (dimensions ? "\"dimensions\":{\"length\":30,\"width\":20,\"height\":2,\"unit\":\"cm\"}," : "")
                + "\"price\":{\"amount\":" + decimal(cents) + ",\"currency\":\"EUR\",\"listPrice\":" + decimal(cents + 500)
                + ",\"cost\":" + decimal(cents / 2) + "}}";
    }

    private static String decimal(int cents) {
        return String.format(Locale.ROOT, "%d.%02d", cents / 100, cents % 100);
    }

    /** An EAN-13 of product n, check digit included */
    private static String gtin(int n) {
        String digits = String.format(Locale.ROOT, "871%09d", n);
        int sum = 0;
        for (int i = 0; i < 12; i++) {
            sum += (digits.charAt(i) - '0') * (i % 2 == 0 ? 1 : 3);
        }
        return digits + (10 - sum % 10) % 10;
    }

    /**
     * Posts the products (by number) in batches, {@code bench.product-connections} at a time, each answered 202
     * with every product accepted. Returns when the last answer came.
     */
    private long post(int[] numbers, IntFunction<String> product) throws Exception {
        AtomicInteger next = new AtomicInteger();
        int batches = (numbers.length + batchSize - 1) / batchSize;
        ExecutorService posters = Executors.newFixedThreadPool(connections);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int p = 0; p < connections; p++) {
                done.add(posters.submit(() -> {
                    for (int b = next.getAndIncrement(); b < batches; b = next.getAndIncrement()) {
                        int from = b * batchSize;
                        int to = Math.min(numbers.length, from + batchSize);
                        String body = IntStream.range(from, to).mapToObj(i -> product.apply(numbers[i]))
                                .collect(Collectors.joining(",", "{\"items\":[", "]}"));
                        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(api + "/products"))
                                .header("X-API-Key", apiKey).header("Content-Type", "application/json")
                                .timeout(Duration.ofMinutes(5)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                                HttpResponse.BodyHandlers.ofString());
                        if (response.statusCode() != 202 || JSON.readTree(response.body()).path("accepted").asInt() != to - from) {
                            throw new IllegalStateException("batch " + b + " not all accepted: " + response.statusCode() + " "
                                    + response.body().substring(0, Math.min(1000, response.body().length())));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            return System.nanoTime();
        } finally {
            posters.shutdownNow();
        }
    }

    /** Waits until every channel has had a call for {@code count} products since its reset. */
    private void awaitReceipts(int count) {
        await(count + " products at every channel",
                () -> stubs.stream().allMatch(s -> s.firstCalls.get() >= count), Duration.ofMinutes(30));
    }

    /** Waits until nothing waits on Kanaal's product queues (in delivery included) and the channels had no call for a while. */
    private void awaitIdle(BrokerQueues queues) {
        await("product queues empty", () -> {
            Map<String, Long> counts = queues.messageCounts();
            return counts.getOrDefault("kanaal.erp.products", 0L) == 0
                    && counts.getOrDefault("kanaal.products.changed", 0L) == 0 && IntStream.range(0, CHANNELS)
                    .allMatch(c -> counts.getOrDefault("kanaal.channel." + channel(c) + ".products", 0L) == 0);
        }, Duration.ofMinutes(30));
        await("no more calls", () -> System.nanoTime() - lastCall() > QUIET.toNanos(), Duration.ofMinutes(5));
    }

    private static void await(String what, BooleanSupplier done, Duration atMost) {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not within " + atMost + ": " + what);
            }
            LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
        }
    }

    private static long count(JdbcTemplate jdbc, String sql) {
        return jdbc.queryForObject(sql, Long.class);
    }

    private void resetStubs(IntPredicate keepBodies) {
        stubs.forEach(s -> s.reset(keepBodies));
    }

    private long lastCall() {
        return stubs.stream().mapToLong(s -> s.lastAt.get()).max().orElse(0);
    }

    private long totalRequests() {
        return stubs.stream().mapToLong(s -> s.requests.get()).sum();
    }

    /** How many of the sampled bodies the hand-written pipeline sent are the same JSON as Kanaal's, of how many. */
    private String sameBodies(List<Map<Integer, String>> kanaal) throws IOException {
        int same = 0;
        int all = 0;
        for (int c = 0; c < CHANNELS; c++) {
            for (Map.Entry<Integer, String> body : kanaal.get(c).entrySet()) {
                all++;
                String ceiling = stubs.get(c).bodies.get(body.getKey());
                if (ceiling != null && JSON.readTree(ceiling).equals(JSON.readTree(body.getValue()))) {
                    same++;
                } else if (all - same == 1) {
                    System.out.println("         differ, " + sku(body.getKey()) + ": Kanaal " + body.getValue() + " / hand-written " + ceiling);
                }
            }
        }
        return same + " of " + all;
    }

    /** A resync of the three channels at once: every stored product to each again. */
    private void resync(BrokerQueues queues) throws Exception {
        resetStubs(n -> false);
        Measure measure = new Measure();
        ExecutorService callers = Executors.newFixedThreadPool(CHANNELS);
        List<Future<String>> answers = new ArrayList<>();
        for (int c = 0; c < CHANNELS; c++) {
            String channel = channel(c);
            answers.add(callers.submit(() -> {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(api + "/ops/channels/" + channel + "/resync"))
                        .header("X-API-Key", apiKey).timeout(Duration.ofMinutes(30)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                        HttpResponse.BodyHandlers.ofString());
                return String.format(Locale.ROOT, "%s %d after %.1f s", channel, response.statusCode(), (System.nanoTime() - measure.start) / 1e9);
            }));
        }
        awaitReceipts(products + warmup);
        long lastCall = lastCall();
        List<String> answered = new ArrayList<>();
        for (Future<String> answer : answers) {
            answered.add(answer.get());
        }
        callers.shutdown();
        awaitIdle(queues);
        measure.end("resync", "kanaal", products + warmup, totalRequests(), lastCall).print();
        System.out.println("         resync requests answered: " + String.join(", ", answered));
    }

    /**
     * 1% of the products get a new version with a new price (a euro more), another 1% a new version with new
     * dimensions only; every channel must receive exactly the first 1%, each once, at its new price.
     */
    private void incremental(JdbcTemplate jdbc, BrokerQueues queues) throws Exception {
        IntPredicate priced = n -> n < products && n % 100 == 0;
        IntPredicate dimensioned = n -> n < products && n % 100 == 50;
        int[] numbers = IntStream.range(0, products).filter(n -> priced.test(n) || dimensioned.test(n)).toArray();
        resetStubs(priced);
        Measure measure = new Measure();
        post(numbers, n -> priced.test(n) ? product(n, 2, cents(n) + 100, false) : product(n, 2, cents(n), true));
        await("every new version stored", () -> count(jdbc, "SELECT count(*) FROM product WHERE version = 2") == numbers.length,
                Duration.ofMinutes(5));
        awaitIdle(queues);
        long changed = IntStream.of(numbers).filter(priced).count();
        measure.end("incremental", "kanaal", numbers.length, totalRequests(), lastCall()).print();
        System.out.printf(Locale.ROOT, "         %d products with a new price, %d with new dimensions only; calls each channel received:%n",
                changed, numbers.length - changed);
        boolean exact = true;
        for (int c = 0; c < CHANNELS; c++) {
            ChannelStub stub = stubs.get(c);
            int pricedOnce = 0;
            int newPrice = 0;
            long toPriced = 0;
            long toDimensioned = 0;
            for (int n : numbers) {
                int calls = stub.calls.get(n);
                if (priced.test(n)) {
                    toPriced += calls;
                    pricedOnce += calls == 1 ? 1 : 0;
                    String body = stub.bodies.get(n);
                    newPrice += body != null && JSON.readTree(body).path("price").decimalValue()
                            .compareTo(new java.math.BigDecimal(decimal(cents(n) + 100))) == 0 ? 1 : 0;
                } else {
                    toDimensioned += calls;
                }
            }
            long total = stub.requests.get();
            System.out.printf(Locale.ROOT, "         %s: %d calls: %d for new prices (%d products once, %d at the new price), "
                    + "%d for new dimensions, %d for other products%n", channel(c), total, toPriced, pricedOnce, newPrice,
                    toDimensioned, total - toPriced - toDimensioned);
            exact &= total == changed && toPriced == changed && pricedOnce == changed && newPrice == changed;
        }
        System.out.println("         exactly the changed ones on every channel: " + (exact ? "yes" : "NO"));
    }

    private void watchCollections() {
        Set<String> heapNames = heapPools.stream().map(MemoryPoolMXBean::getName).collect(Collectors.toSet());
        for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
            ((NotificationEmitter) collector).addNotificationListener((notification, handback) -> {
                if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
                    long used = GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData()).getGcInfo()
                            .getMemoryUsageAfterGc().entrySet().stream().filter(e -> heapNames.contains(e.getKey()))
                            .mapToLong(e -> e.getValue().getUsed()).sum();
                    heapAfterGc.accumulateAndGet(used, Math::max);
                }
            }, null, null);
        }
    }

    /** The machine's load averages (1, 5, 15 minutes), as uptime shows them. */
    private String load() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (IOException e) {
            return String.format(Locale.ROOT, "%.2f", os.getSystemLoadAverage());
        }
    }

    /** What a phase used from its start: the process's CPU by stage, PostgreSQL's, the heap. */
    private final class Measure {
        final long start = System.nanoTime();
        final long cpu = os.getProcessCpuTime();
        final StageCpu.Reading stages = stageCpu.read();
        final long db = database.nanos();

        Measure() {
            heapPools.forEach(MemoryPoolMXBean::resetPeakUsage);
            heapAfterGc.set(0);
        }

        /** @param units products taken in (intake) or channel calls (a send): what CPU is counted per */
        Result end(String phase, String target, long productCount, long calls, long lastAt) {
            Result result = new Result();
            result.phase = phase;
            result.target = target;
            result.products = productCount;
            result.calls = calls;
            result.wallSeconds = (lastAt - start) / 1e9;
            long units = calls == 0 ? productCount : calls;
            result.per = calls == 0 ? "product" : "call";
            result.cpuMicros = (os.getProcessCpuTime() - cpu) / 1e3 / units;
            result.dbMicros = (database.nanos() - db) / 1e3 / units;
            result.stages = StageCpu.perUnit(stages, stageCpu.read(), units);
            long peak = heapPools.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
            result.heapMb = peak / 1048576.0;
            result.heapAfterGcMb = heapAfterGc.get() / 1048576.0;
            peakHeap = Math.max(peakHeap, peak);
            peakHeapAfterGc = Math.max(peakHeapAfterGc, heapAfterGc.get());
            result.load = load();
            return result;
        }
    }

    private static final class Result {
        String phase;
        String target;
        long products;
        long calls;
        double wallSeconds;
        String per;
        double cpuMicros;
        double dbMicros;
        String stages;
        double heapMb;
        double heapAfterGcMb;
        String load;

        double callsPerSecond() {
            return calls / wallSeconds;
        }

        static void header() {
            System.out.printf("%-24s %-11s %9s %8s %8s %10s %8s %-8s %8s %7s %8s %11s  %s%n", "phase", "target", "products", "calls",
                    "wall s", "products/s", "calls/s", "per", "cpu us", "db us", "heap MB", "after GC MB", "load (1, 5, 15 min)");
        }

        void print() {
            System.out.printf(Locale.ROOT, "%-24s %-11s %9d %8d %8.1f %10.0f %8.0f %-8s %8.0f %7.0f %8.0f %11.0f  %s%n", phase, target,
                    products, calls, wallSeconds, products / wallSeconds, callsPerSecond(), per, cpuMicros, dbMicros, heapMb,
                    heapAfterGcMb, load);
            if (!stages.isEmpty()) {
                System.out.println("         cpu us/" + per + " by stage: " + stages);
            }
        }
    }

    /**
     * The hand-written pipeline: one reader pages the products out of PostgreSQL (SKU order, 1,000 at a time, as
     * Kanaal's resync does) and parses each once; per channel {@code bench.channel-consumers} senders make the
     * channel's view of it (title and description in locale nl, images main first, the price: these channels
     * have no price rule and no rules), map it with the same JSONata file through the same library (compiled
     * once per thread, as Kanaal's Mappings) and PUT it to the channel's product resource.
     */
    private final class Ceiling {
        private static final JsonNode END = JsonNodeFactory.instance.objectNode();
        private final DataSource dataSource;
        private final String mapping;

        Ceiling(DataSource dataSource, String mapping) {
            this.dataSource = dataSource;
            this.mapping = mapping;
        }

        /** Sends products {@code from} (inclusive) to {@code to} (exclusive) to every channel. */
        Result run(int from, int to) throws Exception {
            Measure measure = new Measure();
            ExecutorService http = Executors.newFixedThreadPool(4, named("ceiling-http"));
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(http).build();
            List<BlockingQueue<JsonNode>> queues = new ArrayList<>();
            ExecutorService senders = Executors.newFixedThreadPool(CHANNELS * consumers, named("ceiling-sender"));
            List<Future<?>> done = new ArrayList<>();
            AtomicInteger failed = new AtomicInteger();
            ThreadLocal<Jsonata> expressions = ThreadLocal.withInitial(() -> Jsonata.jsonata(mapping));
            for (int c = 0; c < CHANNELS; c++) {
                BlockingQueue<JsonNode> queue = new ArrayBlockingQueue<>(2_000);
                queues.add(queue);
                String base = stubs.get(c).baseUrl() + "/ch" + c + "/products/";
                for (int s = 0; s < consumers; s++) {
                    done.add(senders.submit(() -> {
                        Jsonata expression = expressions.get();
                        for (JsonNode product = queue.take(); product != END; product = queue.take()) {
                            String body = JSON.writeValueAsString(expression.evaluate(view(product, "nl"), expression.createFrame()));
                            HttpResponse<Void> response = client.send(HttpRequest.newBuilder(URI.create(base + product.path("sku").asText()))
                                    .header("Content-Type", "application/json").header("Accept", "application/json")
                                    .PUT(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding());
                            if (response.statusCode() / 100 != 2) {
                                failed.incrementAndGet();
                            }
                        }
                        return null;
                    }));
                }
            }
            Thread reader = named("ceiling-reader").newThread(() -> read(from, to, queues));
            reader.start();
            reader.join();
            for (Future<?> f : done) {
                f.get();
            }
            // measured before the pools let their threads go: an ended thread's CPU counts as the JVM's own
            Result result = measure.end(warmup > 0 && from >= products ? "send (warm-up)" : "send", "hand-written",
                    to - from, totalRequests(), lastCall());
            senders.shutdown();
            http.shutdown();
            if (failed.get() > 0 || result.calls != (long) (to - from) * CHANNELS) {
                throw new IllegalStateException("hand-written pipeline: " + result.calls + " calls, " + failed.get() + " failed");
            }
            return result;
        }

        private void read(int from, int to, List<BlockingQueue<JsonNode>> queues) {
            try (Connection connection = dataSource.getConnection();
                 PreparedStatement page = connection.prepareStatement("SELECT sku, content FROM product "
                         + "WHERE sku COLLATE \"C\" > ? AND sku COLLATE \"C\" < ? ORDER BY sku COLLATE \"C\" LIMIT 1000")) {
                String after = from == 0 ? "P-" : sku(from - 1);
                for (int read = 1000; read == 1000; ) {
                    page.setString(1, after);
                    page.setString(2, sku(to));
                    read = 0;
                    try (ResultSet rows = page.executeQuery()) {
                        while (rows.next()) {
                            after = rows.getString(1);
                            JsonNode product = JSON.readTree(rows.getString(2));
                            for (BlockingQueue<JsonNode> queue : queues) {
                                queue.put(product);
                            }
                            read++;
                        }
                    }
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            } finally {
                end(queues);
            }
        }

        /** Each sender stops at an END of its queue. */
        private void end(List<BlockingQueue<JsonNode>> queues) {
            try {
                for (BlockingQueue<JsonNode> queue : queues) {
                    for (int s = 0; s < consumers; s++) {
                        queue.put(END);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A channel's view of a product as the REST mapping reads it, for a channel without overrides, price rule or rules. */
    static Map<String, Object> view(JsonNode product, String locale) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("sku", product.path("sku").asText());
        for (String field : List.of("gtin", "parentSku", "brand", "category")) {
            view.put(field, product.path(field).asText(null));
        }
        view.put("condition", product.path("condition").asText("new"));
        view.put("status", product.path("status").asText("active"));
        view.put("variantAxes", tree(product.path("variantAxes")));
        view.put("title", localized(product.path("title"), locale));
        view.put("description", localized(product.path("description"), locale));
        view.put("attributes", tree(product.path("attributes")));
        List<JsonNode> images = new ArrayList<>();
        product.path("images").forEach(images::add);
        images.sort(Comparator.comparing((JsonNode image) -> !"main".equals(image.path("role").asText()))
                .thenComparing(image -> image.path("position").asInt(Integer.MAX_VALUE)));
        view.put("images", images.stream().map(image -> image.path("url").asText()).toList());
        JsonNode price = product.path("price");
        Map<String, Object> amounts = new HashMap<>();
        amounts.put("amount", price.path("amount").doubleValue());
        amounts.put("currency", price.path("currency").asText());
        amounts.put("listPrice", price.path("listPrice").isNumber() ? price.path("listPrice").doubleValue() : null);
        amounts.values().removeIf(Objects::isNull);
        view.put("price", amounts);
        view.values().removeIf(Objects::isNull);
        return view;
    }

    private static Object tree(JsonNode node) {
        return node.isMissingNode() ? Map.of() : JSON.convertValue(node, Object.class);
    }

    /** The text in the channel's locale, else in English (the benchmark's products have both). */
    private static String localized(JsonNode texts, String locale) {
        return (texts.hasNonNull(locale) ? texts.get(locale) : texts.path("en")).asText(null);
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger next = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + next.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /**
     * A channel's product endpoint (PUT {base}/products/{sku}) in this process: answers 204 at once and counts the
     * calls per product, when the last came, and keeps the bodies of the products it is told to.
     */
    private static final class ChannelStub {
        private final HttpServer server;
        private final String path;
        private final int size;
        private volatile AtomicIntegerArray calls;
        private final AtomicLong requests = new AtomicLong();
        /** products called at least once since the reset */
        private final AtomicLong firstCalls = new AtomicLong();
        private final AtomicLong lastAt = new AtomicLong();
        private final Map<Integer, String> bodies = new ConcurrentHashMap<>();
        private volatile IntPredicate keepBodies = n -> false;

        ChannelStub(String path, int size) throws IOException {
            this.path = path;
            this.size = size;
            this.calls = new AtomicIntegerArray(size);
            server = ReceiptStub.serve(this::handle);
        }

        String baseUrl() {
            return ReceiptStub.baseUrl(server);
        }

        void reset(IntPredicate keep) {
            calls = new AtomicIntegerArray(size);
            requests.set(0);
            firstCalls.set(0);
            lastAt.set(0);
            bodies.clear();
            keepBodies = keep;
        }

        private void handle(HttpExchange exchange) throws IOException {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            String uri = exchange.getRequestURI().getPath();
            int n = uri.startsWith(path + "P-") ? Integer.parseInt(uri.substring(path.length() + 2)) : -1;
            if (n >= 0 && n < size) {
                if (calls.getAndIncrement(n) == 0) {
                    firstCalls.incrementAndGet();
                }
                if (keepBodies.test(n)) {
                    bodies.put(n, new String(body, StandardCharsets.UTF_8));
                }
            }
            requests.incrementAndGet();
            lastAt.accumulateAndGet(System.nanoTime(), Math::max);
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        }
    }
}
