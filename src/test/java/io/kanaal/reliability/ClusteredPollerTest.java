package io.kanaal.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kanaal.support.ChannelStub;
import io.kanaal.support.ChannelStub.Reply;
import io.kanaal.support.StandaloneKanaal;
import io.kanaal.support.TestData;
import io.kanaal.support.TestSftp;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.component.quartz.QuartzComponent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.quartz.Scheduler;
import org.quartz.utils.ConnectionProvider;
import org.quartz.utils.DBConnectionManager;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceUtils;

/**
 * Two Kanaal instances on one PostgreSQL in this JVM, both with the same channel polling for orders every second,
 * the same ERP source polled every second (kanaal.sources: Quartz too), and the stock reconciliation, set to run
 * every second here, which is a Quartz trigger too. With the
 * {@code cluster} profile the channel and the ERP each see one poll a second in total, and when the instance that polled stops,
 * the other one polls on. Without it, the same two instances poll once a second each: the channel sees twice as
 * many polls in the same window, which shows that the count can tell one poller from two.
 * <p>
 * The instances reach the channel under base URLs of their own ({@code /<instance>/shop}), so the channel's stub
 * counts each one's polls. Each instance also names the in-memory scheduler camel-quartz makes when the profile is
 * off ({@code org.quartz.scheduler.instanceName}): Quartz keeps one scheduler per name in a JVM, and camel-quartz
 * names it after the Camel context (kanaal on every instance), so two instances in one JVM would share one
 * scheduler and poll once a second together, profile or not. In JVMs of their own, as deployed, each has its own.
 * With the profile the name is not used (camel-quartz runs on Spring Boot's clustered scheduler), so the two cases
 * differ in the profile alone.
 * <p>
 * Further cases: two instances with the profile and one source of type {@code file} on one shared folder (local,
 * or on one SFTP server), looked into every second on its Quartz cron (the file consumer on camel-quartz's
 * scheduler, trigger {@code kanaal-sources/drop}): each file dropped there is read once in all, and when the
 * instance that read stops, the other one reads the files dropped after.
 */
class ClusteredPollerTest {

    private static final ChannelStub SHOP = new ChannelStub();
    private static final Duration WINDOW = Duration.ofSeconds(6);
    /** The fires of a cron of every second in {@link #WINDOW}, per scheduler that runs it. */
    private static final int SECONDS = (int) WINDOW.toSeconds();
    /**
     * The most stock reconciliations (every second, a Quartz simple trigger) one scheduler runs while they are
     * counted: from just before {@link #WINDOW} until the first poll after it, about a second more, so about
     * {@link #SECONDS} + 1, and 2 for the edges. Two schedulers run about twice as many.
     */
    private static final long ONE_RECONCILER = SECONDS + 3;
    /** The stock files dropped at a time into the shared folder of the file source. */
    private static final int FILES = 6;
    private static final String API_KEY = "cluster-key";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static EmbeddedPostgres postgres;

    @BeforeAll
    static void startPostgres() throws Exception {
        postgres = TestData.postgres("cluster-postgres");
    }

    @AfterAll
    static void stop() throws Exception {
        SHOP.close();
        postgres.close();
    }

    @Test
    void withTheClusterProfileEachPollRunsOnOneInstanceAndMovesToTheOtherWhenItsInstanceStops() throws Exception {
        ConfigurableApplicationContext a = start("cluster-a", 121, true, null);
        ConfigurableApplicationContext b = start("cluster-b", 122, true, null);
        try {
            assertThat(scheduler(a).getMetaData().isJobStoreClustered()).isTrue();
            // the scheduler stops before the database pool closes (QuartzShutdownOrder): without it, a stopping
            // instance could leave its acquired trigger behind and the other waited as if it had crashed
            assertThat(a.getBeanFactory().getBeanDefinition("quartzScheduler").getDependsOn()).contains("dataSource");
            assertThat(scheduler(b).getSchedulerInstanceId()).isNotEqualTo(scheduler(a).getSchedulerInstanceId());
            Together together = together("cluster profile", a, b, "cluster-a", "cluster-b");
            assertPollsOfSchedulers(1, together.polls());
            assertPollsOfSchedulers(1, together.sourcePolls());
            // the same for the reconciliation
            assertThat(together.reconciliations()).as("stock reconciliations in about %s by both instances", WINDOW)
                    .isBetween(SECONDS - 2L, ONE_RECONCILER);

            boolean aPolled = together.polls().get("cluster-a") >= together.polls().get("cluster-b");
            ConfigurableApplicationContext polling = aPolled ? a : b;
            ConfigurableApplicationContext other = aPolled ? b : a;
            String otherName = aPolled ? "cluster-b" : "cluster-a";
            long otherReconcilesBefore = reconciles(other);
            quartzConnectsThrough(other);
            long closed = System.nanoTime();
            polling.close();
            long stopped = System.nanoTime();
            int alone = pollsDuring(WINDOW, otherName).get(otherName);
            long first = polls(otherName).stream().mapToLong(ChannelStub.Request::atNanos).filter(t -> t >= stopped).min().orElseThrow();
            System.out.printf("close took %d ms; first poll %d ms after; %d polls in %s%n", (stopped - closed) / 1_000_000,
                    (first - stopped) / 1_000_000, alone, WINDOW);
            // as one scheduler, and one fire more may go in the handover (the instance left looks for due
            // triggers every second, idleWaitTime)
            assertThat(alone).as("polls in %s after the polling instance stopped", WINDOW).isBetween(SECONDS - 3, SECONDS + 1);
            // whichever instance held the reconciliation's trigger, the one left runs it now
            assertThat(reconciles(other) - otherReconcilesBefore).as("stock reconciliations by the instance left")
                    .isGreaterThanOrEqualTo(SECONDS - 2L);
        } finally {
            a.close();
            b.close();
        }
    }

    /**
     * The contrast: the same two instances without the profile, each with camel-quartz's own in-memory scheduler,
     * as they would be in JVMs of their own. The same count sees two polls a second.
     */
    @Test
    void withoutTheClusterProfileEachInstancePollsOnItsOwn() throws Exception {
        ConfigurableApplicationContext a = start("single-a", 123, false, null);
        ConfigurableApplicationContext b = start("single-b", 124, false, null);
        try {
            assertThat(scheduler(a).getMetaData().isJobStoreClustered()).isFalse();
            assertThat(scheduler(b)).isNotSameAs(scheduler(a));
            Together together = together("no cluster profile", a, b, "single-a", "single-b");
            assertPollsOfSchedulers(2, together.polls());
            assertPollsOfSchedulers(2, together.sourcePolls());
            assertThat(together.reconciliations()).as("stock reconciliations in about %s by both instances", WINDOW)
                    .isGreaterThan(ONE_RECONCILER);
        } finally {
            a.close();
            b.close();
        }
    }

    /**
     * Two instances with the profile, one file source each on one shared local folder: {@link #FILES} stock files
     * (one SKU each) are read once in all (the reads of each instance's route, the reports and files in
     * {@code .done}, {@code files} of GET /api/v1/ops/sources, held for 3 s), and after the instance that read them
     * stops, the other one reads the next {@link #FILES}.
     */
    @Test
    void withTheClusterProfileEachFileOfASharedFolderIsReadOnceAndTheOtherInstanceReadsOnWhenItsReaderStops()
            throws Exception {
        Path folder = Files.createDirectories(Path.of(TestData.directory("cluster-files")));
        readOnceAndOnByTheOther("files", 125, folder, Map.of("directory", folder.toString()));
    }

    /** The same with the folder on one SFTP server, where camel-ftp keeps no marker beside a file it reads. */
    @Test
    void withTheClusterProfileEachFileOnOneSftpServerIsReadOnceAndTheOtherInstanceReadsOnWhenItsReaderStops()
            throws Exception {
        try (TestSftp sftp = TestSftp.start(Path.of(TestData.directory("cluster-sftp")), "outgoing")) {
            readOnceAndOnByTheOther("sftp", 127, sftp.root().resolve("outgoing"), sftp.sourceSettings("outgoing"));
        }
    }

    /**
     * The contrast on one SFTP server: without the profile each instance looks into the folder every second, both
     * at the same moments, and camel-ftp leaves no marker beside a file it reads: files are read by both (the
     * second move of a file then fails, and in one run a file was gone from the server, moved by neither).
     */
    @Test
    void withoutTheClusterProfileBothInstancesReadTheFilesOfOneSftpServer() throws Exception {
        try (TestSftp sftp = TestSftp.start(Path.of(TestData.directory("single-sftp")), "outgoing")) {
            Path folder = sftp.root().resolve("outgoing");
            ConfigurableApplicationContext a = start("single-sftp-a", 129, false, sftp.sourceSettings("outgoing"));
            ConfigurableApplicationContext b = start("single-sftp-b", 130, false, sftp.sourceSettings("outgoing"));
            try {
                long before = fileSourceStatus(a).path("files").asLong();
                // three rounds of files, each dropped once the round before was read: both instances must meet on
                // one file in one of them (with one round, runs at low load had them take turns and read each file
                // once; rounds dropped back to back were one chance of meeting, not three)
                int dropped = 0;
                for (String round : List.of("single-sftp", "single-sftp-second", "single-sftp-third")) {
                    dropped += drop(folder, round).size();
                    int expected = dropped;
                    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                            .until(() -> fileSourceStatus(a).path("files").asLong() - before >= expected);
                }
                int files = dropped;
                Path done = folder.resolve(".done");
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                        assertThat(fileSourceStatus(a).path("files").asLong() - before)
                                .as("files read by both instances together (%d dropped)", files).isGreaterThan(files));
                System.out.printf("file source without the profile: reads %d + %d; %d reports, %d files in .done; ops status files %d%n",
                        fileReads(a), fileReads(b), reports(done).size(), moved(done).size(),
                        fileSourceStatus(a).path("files").asLong() - before);
            } finally {
                a.close();
                b.close();
            }
        }
    }

    /**
     * Instances {@code <prefix>-a} and {@code -b} with the profile and file source {@code drop} of {@code source}'s
     * settings, whose files are in {@code folder}: the first {@link #FILES} files read once, and the next ones by
     * the other instance after the one that read stops.
     */
    private static void readOnceAndOnByTheOther(String prefix, int serverId, Path folder, Map<String, String> source)
            throws Exception {
        String aName = prefix + "-a";
        String bName = prefix + "-b";
        ConfigurableApplicationContext a = start(aName, serverId, true, source);
        ConfigurableApplicationContext b = start(bName, serverId + 1, true, source);
        try {
            // the database is the test class's: files of another case may be counted already
            long before = fileSourceStatus(a).path("files").asLong();
            List<String> skus = drop(folder, prefix + "-first");
            Map<String, Long> reads = readOnce(folder, FILES, FILES, before, Map.of(aName, a, bName, b));
            assertThat(stock(a, skus)).as("the levels of the files' SKUs").containsOnlyKeys(skus).doesNotContainValue(null);

            boolean aRead = reads.get(aName) >= reads.get(bName);
            ConfigurableApplicationContext reader = aRead ? a : b;
            ConfigurableApplicationContext other = aRead ? b : a;
            String otherName = aRead ? bName : aName;
            long otherBefore = reads.get(otherName);
            quartzConnectsThrough(other);
            reader.close();
            List<String> later = drop(folder, prefix + "-later");
            Map<String, Long> after = readOnce(folder, 2 * FILES, otherBefore + FILES, before, Map.of(otherName, other));
            assertThat(after.get(otherName) - otherBefore).as("files read by the instance left").isEqualTo(FILES);
            assertThat(stock(other, later)).as("the levels of the later files' SKUs").containsOnlyKeys(later).doesNotContainValue(null);
        } finally {
            a.close();
            b.close();
        }
    }

    /**
     * Waits until the folder's {@code .done} holds {@code total} files and their reports, then holds for 3 s: the
     * reports stay at {@code total}, the reads of the instances (the file route's exchanges) at {@code readsHere};
     * then {@code files} and {@code taken} (a line a file) of the ops status are {@code total} more than
     * {@code statusBefore}. The reads per instance.
     */
    private static Map<String, Long> readOnce(Path folder, int total, long readsHere, long statusBefore,
                                              Map<String, ConfigurableApplicationContext> instances) throws Exception {
        Path done = folder.resolve(".done");
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> reports(done).size() >= total && moved(done).size() >= total);
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> reports(done).size() == total && moved(done).size() == total
                        && instances.values().stream().mapToLong(ClusteredPollerTest::fileReads).sum() == readsHere);
        Map<String, Long> reads = new TreeMap<>();
        instances.forEach((name, kanaal) -> reads.put(name, fileReads(kanaal)));
        JsonNode status = fileSourceStatus(instances.values().iterator().next());
        System.out.printf("file source: reads %s; %d reports, %d files in .done; ops status files %d, taken %d%n", reads,
                reports(done).size(), moved(done).size(), status.path("files").asLong(), status.path("taken").asLong());
        assertThat(reads.values().stream().mapToLong(Long::longValue).sum()).as("files read by the instances %s", reads)
                .isEqualTo(readsHere);
        assertThat(status.path("files").asLong()).as("files of GET /api/v1/ops/sources").isEqualTo(statusBefore + total);
        assertThat(status.path("taken").asLong()).as("lines taken, one per file").isEqualTo(statusBefore + total);
        for (Path report : reports(done)) {
            assertThat(JSON.readTree(report.toFile()).path("taken").asInt()).as("lines taken of %s", report).isEqualTo(1);
        }
        return reads;
    }

    /** {@link #FILES} stock files in the folder, each with one line of a SKU of its own; the SKUs. */
    private static List<String> drop(Path folder, String name) throws IOException {
        List<String> skus = new ArrayList<>();
        for (int i = 1; i <= FILES; i++) {
            String sku = "FILE-" + name.toUpperCase() + "-" + i;
            Path part = folder.resolve(name + "-" + i + ".part");
            Files.writeString(part, "sku,quantity,warehouse,updated_at\n" + sku + "," + (10 + i) + ",,\n", StandardCharsets.UTF_8);
            // written under another name and renamed into the folder, as docs/sources/file.md asks of exporters
            Files.move(part, folder.resolve(name + "-" + i + ".csv"));
            skus.add(sku);
        }
        return skus;
    }

    private static List<Path> reports(Path done) throws IOException {
        return list(done, true);
    }

    private static List<Path> moved(Path done) throws IOException {
        return list(done, false);
    }

    private static List<Path> list(Path done, boolean reports) throws IOException {
        if (!Files.isDirectory(done)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(done)) {
            return files.filter(f -> f.toString().endsWith(".report.json") == reports).toList();
        }
    }

    /** The files the instance read: the exchanges of the file source's route, done or failed. */
    private static long fileReads(ConfigurableApplicationContext kanaal) {
        MeterRegistry meters = kanaal.getBean(MeterRegistry.class);
        return Stream.of("camel.exchanges.succeeded", "camel.exchanges.failed")
                .map(name -> meters.find(name).tag("routeId", "drop-read").counter())
                .mapToLong(counter -> counter == null ? 0 : (long) counter.count()).sum();
    }

    /** The quantities Kanaal holds (erp_stock, in the shared database) of the SKUs. */
    private static Map<String, Integer> stock(ConfigurableApplicationContext kanaal, List<String> skus) {
        Map<String, Integer> levels = new TreeMap<>();
        kanaal.getBean(JdbcTemplate.class).query("SELECT sku, quantity FROM erp_stock WHERE sku = ANY (?)",
                row -> {
                    levels.put(row.getString("sku"), row.getInt("quantity"));
                }, (Object) skus.toArray(String[]::new));
        return levels;
    }

    /** The file source's entry of GET /api/v1/ops/sources. */
    private static JsonNode fileSourceStatus(ConfigurableApplicationContext kanaal) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(StandaloneKanaal.uri(kanaal, "/api/v1/ops/sources"))
                .header("X-API-Key", API_KEY).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        for (JsonNode source : JSON.readTree(response.body())) {
            if ("drop".equals(source.path("source").asText())) {
                return source;
            }
        }
        throw new AssertionError("no source drop in " + response.body());
    }

    /**
     * What two instances did in {@link #WINDOW}: each one's polls as the channel saw them, each one's polls of the
     * ERP source (a rest source, a Quartz cron of every second too), and their reconciliations.
     */
    private record Together(Map<String, Integer> polls, Map<String, Integer> sourcePolls, long reconciliations) {
    }

    private static Together together(String label, ConfigurableApplicationContext a, ConfigurableApplicationContext b,
                                     String... instances) {
        long before = reconciles(a) + reconciles(b);
        long from = System.nanoTime();
        Map<String, Integer> polls = pollsDuring(WINDOW, instances);
        Map<String, Integer> sourcePolls = new TreeMap<>();
        for (String instance : instances) {
            sourcePolls.put(instance, (int) SHOP.requests(sourcePath(instance)).stream()
                    .filter(r -> r.atNanos() >= from && r.atNanos() < from + WINDOW.toNanos()).count());
        }
        long reconciliations = reconciles(a) + reconciles(b) - before;
        System.out.printf("%s: polls in %s %s; source polls %s; %d reconciliations%n", label, WINDOW, polls, sourcePolls,
                reconciliations);
        return new Together(polls, sourcePolls, reconciliations);
    }

    /**
     * The polls the channel saw in {@link #WINDOW} (per instance) are what {@code schedulers} schedulers firing
     * every second make: {@link #SECONDS} each, less 2 or plus 1. Each second of the window has one fire time; a
     * poll fired near either edge of the window can reach the channel on the other side of it, and on two busy
     * cores a scheduler held up for more than the misfire threshold runs the fire it missed once, late, and drops
     * the fires in between instead of making them up. One scheduler: 4 to 7 polls in 6 s; two: 8 to 14.
     */
    private static void assertPollsOfSchedulers(int schedulers, Map<String, Integer> polls) {
        int total = polls.values().stream().mapToInt(Integer::intValue).sum();
        assertThat(total).as("polls in %s of %s (%d poller(s) firing every second)", WINDOW, polls, schedulers)
                .isBetween(schedulers * (SECONDS - 2), schedulers * (SECONDS + 1));
    }

    /**
     * Both instances run in this JVM, where Quartz keeps one connection provider per scheduler name
     * ({@code springTxDataSource.kanaal}, {@code springNonTxDataSource.kanaal}, registered by Spring's
     * LocalDataSourceJobStore): the instance started last registered its pool for both. When that instance
     * stopped, the other one's scheduler fired and checked in through the closed pool and never polled again
     * (no poll in the 23 s after the polling instance stopped, whenever the second one started was polling).
     * Before an instance stops, the other's pool is registered again, as it would be in a JVM of its own.
     */
    private static void quartzConnectsThrough(ConfigurableApplicationContext kanaal) {
        DataSource dataSource = kanaal.getBean(DataSource.class);
        DBConnectionManager.getInstance().addConnectionProvider("springTxDataSource.kanaal",
                provider(() -> DataSourceUtils.doGetConnection(dataSource)));
        DBConnectionManager.getInstance().addConnectionProvider("springNonTxDataSource.kanaal",
                provider(dataSource::getConnection));
    }

    private interface ConnectionSource {
        Connection get() throws SQLException;
    }

    private static ConnectionProvider provider(ConnectionSource source) {
        return new ConnectionProvider() {
            @Override
            public Connection getConnection() throws SQLException {
                return source.get();
            }

            @Override
            public void shutdown() {
            }

            @Override
            public void initialize() {
            }
        };
    }

    /**
     * How many polls of each instance the channel receives in the next {@code window}: waits for the first poll
     * after it.
     */
    private static Map<String, Integer> pollsDuring(Duration window, String... instances) {
        long from = System.nanoTime();
        long to = from + window.toNanos();
        await().atMost(window.plusSeconds(15)).pollInterval(Duration.ofMillis(200))
                .until(() -> Stream.of(instances).anyMatch(instance -> polls(instance).stream().anyMatch(r -> r.atNanos() >= to)));
        Map<String, Integer> counts = new TreeMap<>();
        for (String instance : instances) {
            counts.put(instance, (int) polls(instance).stream().filter(r -> r.atNanos() >= from && r.atNanos() < to).count());
        }
        return counts;
    }

    private static List<ChannelStub.Request> polls(String instance) {
        return SHOP.requests(ordersPath(instance));
    }

    private static String ordersPath(String instance) {
        return "/" + instance + "/shop/orders";
    }

    private static String sourcePath(String instance) {
        return "/" + instance + "/erp/stock";
    }

    /** How many times the instance ran the stock reconciliation (route stock-reconcile-timer). */
    private static long reconciles(ConfigurableApplicationContext kanaal) {
        Counter runs = kanaal.getBean(MeterRegistry.class).find("camel.exchanges.succeeded").tag("routeId", "stock-reconcile-timer").counter();
        return runs == null ? 0 : (long) runs.count();
    }

    /** The scheduler the quartz: endpoints run on. */
    private static Scheduler scheduler(ConfigurableApplicationContext kanaal) {
        return kanaal.getBean(CamelContext.class).getComponent("quartz", QuartzComponent.class).getScheduler();
    }

    /**
     * An instance; with {@code fileSource} (its settings: a directory, or one on an SFTP server), a file source
     * {@code drop} of stock files, looked into every second.
     */
    private static ConfigurableApplicationContext start(String name, int serverId, boolean clustered,
                                                        Map<String, String> fileSource) {
        SHOP.always(ordersPath(name), Reply.of(200, "[]"));
        SHOP.always(sourcePath(name), Reply.of(200, "[]"));
        List<String> settings = new ArrayList<>(List.of(
                "--spring.datasource.url=" + postgres.getJdbcUrl("postgres", "postgres"),
                "--spring.datasource.username=postgres",
                // camel-quartz's own scheduler (without the profile): one per instance, as in a JVM of its own
                "--camel.component.quartz.properties[org.quartz.scheduler.instanceName]=" + name,
                "--camel.component.quartz.properties[org.quartz.threadPool.threadCount]=4",
                "--kanaal.channels.shop.type=rest",
                "--kanaal.channels.shop.base-url=" + SHOP.baseUrl() + "/" + name + "/shop",
                "--kanaal.channels.shop.rate-limit=1000",
                "--kanaal.channels.shop.settings.poll-cron=0/1 * * * * ?",
                "--kanaal.sources.erp.type=rest",
                "--kanaal.sources.erp.base-url=" + SHOP.baseUrl() + "/" + name + "/erp",
                "--kanaal.sources.erp.settings.poll-cron=0/1 * * * * ?",
                "--kanaal.sources.erp.settings.provides=stock",
                "--kanaal.sources.erp.settings.path=/stock",
                "--kanaal.sources.erp.settings.mapping=sources/rest-stock.jsonata",
                "--kanaal.stock.reconcile-every=1000"));
        if (fileSource != null) {
            fileSource.forEach((key, value) -> settings.add("--kanaal.sources.drop.settings." + key + "=" + value));
            settings.addAll(List.of(
                    "--kanaal.sources.drop.type=file",
                    "--kanaal.sources.drop.settings.provides=stock",
                    "--kanaal.sources.drop.settings.mapping=sources/file-stock-csv.jsonata",
                    "--kanaal.sources.drop.settings.poll-cron=0/1 * * * * ?",
                    "--kanaal.sources.drop.settings.read-lock-interval=200"));
        }
        if (clustered) {
            settings.add("--spring.profiles.active=cluster");
        }
        return StandaloneKanaal.start(name, serverId, API_KEY, settings);
    }
}
