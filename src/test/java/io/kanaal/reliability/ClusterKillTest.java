package io.kanaal.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kanaal.support.ChannelStub;
import io.kanaal.support.ChannelStub.Reply;
import io.kanaal.support.ForkedKanaal;
import io.kanaal.support.LoopbackPorts;
import io.kanaal.support.StandaloneArtemis;
import io.kanaal.support.TestData;
import io.kanaal.support.UnifiedQueue;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import jakarta.jms.JMSException;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two Kanaal instances with the {@code cluster} profile, each in a JVM of its own, on one PostgreSQL and one
 * standalone Artemis broker (as the profile has them run), both with the same channel polling for orders every
 * second. While both run, the channel sees one poll a second between them, not one each. The instance that polls
 * is killed with SIGKILL in the middle of a poll (no shutdown: its Quartz scheduler never says goodbye, and the
 * poll's trigger is left blocked by the poll that never ends): the other instance takes the polls over once Quartz
 * sees the dead one's check-in overdue, and goes on at the cron's pace.
 * <p>
 * The ERP reads kanaal.orders.unified on the shared broker, and there, across the kill, each order is once: one
 * the channel listed before the kill and lists on every poll after it (taken in by whichever instance polled then,
 * perhaps the one killed), and one it lists after the kill; held while the survivor polls both again and again.
 * <p>
 * The two instances reach the channel under two base URLs ({@code /a/shop}, {@code /b/shop}), so the channel
 * sees which instance polls.
 */
class ClusterKillTest {

    private static final ChannelStub SHOP = new ChannelStub();
    private static final String API_KEY = "cluster-kill-key";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * The cluster profile's org.quartz.jobStore.clusterCheckinInterval (config/application-cluster.yaml): Quartz takes
     * a dead instance's triggers over once its check-in is overdue by the interval plus 7.5 s, checked every interval.
     */
    private static final int CHECKIN_INTERVAL_MILLIS = 5000;
    /**
     * Check-in overdue (interval + 7.5 s), seen at the survivor's next check-in (one interval later), the misfire
     * handler's next round (the profile's misfireThreshold, 1 s), and slack for 2 busy cores.
     */
    private static final Duration TAKEOVER_BOUND = Duration.ofMillis(2L * CHECKIN_INTERVAL_MILLIS + 7_500 + 1_000 + 10_000);
    /** How long after the takeover the polls' pace is counted. */
    private static final Duration PACE_WINDOW = Duration.ofSeconds(4);
    /**
     * While both instances run, the polls are counted for this long: a cron of every second fires 5 times in it,
     * one scheduler for both instances makes 3 to 6 polls (a poll near an edge on the other side of it, a fire
     * lost to a stall of more than the misfire threshold); the instances' own schedulers would make about 10
     * (ClusteredPollerTest shows both).
     */
    private static final Duration SPLIT_WINDOW = Duration.ofSeconds(5);
    /** How long each order must stay on kanaal.orders.unified once: the survivor polls both orders every second. */
    private static final Duration HELD = Duration.ofSeconds(3);
    private static EmbeddedPostgres postgres;
    private static StandaloneArtemis broker;

    /** What the channel lists on a poll. */
    private static volatile String listed = "[]";
    /** While set, a poll is held (not answered) until it is counted down. */
    private static volatile CountDownLatch hold;
    /** The path of the poll being held. */
    private static final AtomicReference<String> held = new AtomicReference<>();

    private ForkedKanaal a;
    private ForkedKanaal b;

    @BeforeAll
    static void startPostgresAndBroker() throws Exception {
        postgres = TestData.postgres("cluster-kill-postgres");
        broker = StandaloneArtemis.create(Path.of(TestData.directory("cluster-kill-artemis")));
        broker.start();
        SHOP.serve("/a/shop/orders", ClusterKillTest::orders);
        SHOP.serve("/b/shop/orders", ClusterKillTest::orders);
    }

    @AfterAll
    static void stop() throws Exception {
        SHOP.close();
        broker.close();
        postgres.close();
    }

    @AfterEach
    void stopInstances() {
        Stream.of(a, b).filter(k -> k != null && k.isAlive()).forEach(ForkedKanaal::stop);
    }

    @Test
    void whenThePollingInstanceIsKilledMidPollTheOtherTakesThePollsOverAndEachOrderReachesTheErpOnce() {
        a = start("a");
        b = start("b");
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> healthy(a) && healthy(b));

        // both running: one poll a second between them; meanwhile the channel lists an order
        String beforeId = "K-before-" + UUID.randomUUID();
        listed = listing(beforeId);
        long from = System.nanoTime();
        long to = from + SPLIT_WINDOW.toNanos();
        await().atMost(SPLIT_WINDOW.plusSeconds(15)).pollInterval(Duration.ofMillis(100)).until(() -> !polls(to).isEmpty());
        int byA = polls("a", from).size() - polls("a", to).size();
        int byB = polls("b", from).size() - polls("b", to).size();
        System.out.printf("both running: a polled %d times, b %d times in %s%n", byA, byB, SPLIT_WINDOW);
        int seconds = (int) SPLIT_WINDOW.toSeconds();
        assertThat(byA + byB).as("polls in %s by both instances (a: %d, b: %d)", SPLIT_WINDOW, byA, byB)
                .isBetween(seconds - 2, seconds + 1);
        await().atMost(Duration.ofSeconds(20)).until(() -> unified("shop/" + beforeId) == 1);
        String takenInBy = polls(from).get(0).path().substring(1, 2);

        // the next poll is held: the instance that sent it is the polling one, and it dies in the middle of it
        CountDownLatch holding = new CountDownLatch(1);
        hold = holding;
        await().atMost(Duration.ofSeconds(15)).until(() -> held.get() != null);
        boolean aPolls = held.get().startsWith("/a/");
        ForkedKanaal polling = aPolls ? a : b;
        String survivor = aPolls ? "b" : "a";
        polling.kill();
        long killed = System.nanoTime();
        hold = null;
        holding.countDown();
        String afterId = "K-after-" + UUID.randomUUID();
        listed = listing(beforeId, afterId);

        await().atMost(TAKEOVER_BOUND).pollInterval(Duration.ofMillis(100)).until(() -> !polls(killed).isEmpty());
        long first = polls(killed).get(0).atNanos();
        System.out.printf("killed %s mid-poll (%s had taken the first order in); first poll %d ms after the kill%n",
                aPolls ? "a" : "b", takenInBy, (first - killed) / 1_000_000);
        ForkedKanaal surviving = aPolls ? b : a;
        await().atMost(Duration.ofSeconds(20)).until(() -> unified("shop/" + afterId) == 1);
        // where the ERP reads: each order once, and no late copy while the survivor lists both again and again
        Map<String, Integer> once = Map.of("shop/" + beforeId, 1, "shop/" + afterId, 1);
        await().during(HELD).atMost(HELD.plusSeconds(10)).pollInterval(Duration.ofMillis(250))
                .untilAsserted(() -> assertThat(once.keySet().stream().collect(Collectors.toMap(ref -> ref, ClusterKillTest::unified)))
                        .as("copies on kanaal.orders.unified of the shared broker").isEqualTo(once));

        // on at the cron's pace, one poll a second: the polls missed while no instance polled are not made up
        // for in a burst (every poll asks for all changes since the last one)
        long settled = first + PACE_WINDOW.toNanos();
        await().atMost(PACE_WINDOW.plusSeconds(10)).until(() -> !polls(settled).isEmpty());
        List<Long> offsets = polls(killed).stream().map(r -> (r.atNanos() - killed) / 1_000_000).toList();
        System.out.printf("polls after the kill, ms after it: %s%n", offsets);
        assertThat(polls(first).size() - polls(settled).size())
                .as("polls in the first %s after the takeover (ms after the kill: %s)", PACE_WINDOW, offsets)
                .isLessThanOrEqualTo((int) PACE_WINDOW.toSeconds() + 2);
        assertThat(polls(survivor, killed)).as("polls by the survivor").hasSameSizeAs(polls(killed));
        assertThat(order(surviving, afterId).path("orderRef").asText()).isEqualTo("shop/" + afterId);
    }

    /** The channel's order list of these orders (paid, one unit each). */
    private static String listing(String... ids) {
        return Stream.of(ids).map("""
                {"id":"%s","createdAt":"2026-11-23T18:00:00Z","updatedAt":"2026-11-23T18:00:00Z","status":"paid",
                  "items":[{"id":"L1","sku":"KILL-1","quantity":1,"price":10}],"total":10}"""::formatted)
                .collect(Collectors.joining(",", "[", "]"));
    }

    /** Copies of the order on kanaal.orders.unified of the shared broker, where the ERP reads. */
    private static int unified(String orderRef) {
        try (ActiveMQConnectionFactory factory = broker.connectionFactory()) {
            return UnifiedQueue.copies(factory, orderRef);
        } catch (JMSException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean healthy(ForkedKanaal kanaal) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(kanaal.managementUri("/actuator/health")).GET().build(),
                HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    }

    /** The channel's order list; while a poll is held, the first one to come waits for the test to let it go. */
    private static Reply orders(ChannelStub.Request request) {
        CountDownLatch waiting = hold;
        if (waiting != null && held.compareAndSet(null, request.path())) {
            try {
                waiting.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return Reply.of(200, listed);
    }

    /** The polls (of either instance) that reached the channel since the time given ({@link System#nanoTime()}). */
    private static List<ChannelStub.Request> polls(long since) {
        return Stream.of("a", "b").flatMap(instance -> polls(instance, since).stream())
                .sorted((x, y) -> Long.compare(x.atNanos(), y.atNanos())).toList();
    }

    private static List<ChannelStub.Request> polls(String instance, long since) {
        return SHOP.requests("/" + instance + "/shop/orders").stream().filter(r -> r.atNanos() >= since).toList();
    }

    /** The order as the ops endpoint shows it. */
    private static JsonNode order(ForkedKanaal kanaal, String id) {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(kanaal.uri("/api/v1/ops/orders/shop/" + id))
                    .header("X-API-Key", API_KEY).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * An instance as ClusteredPollerTest starts one (the cluster profile as shipped), in a JVM of its own, on the
     * shared broker (its embedded one off).
     */
    private static ForkedKanaal start(String instance) {
        String data = TestData.directory("cluster-kill-" + instance);
        return ForkedKanaal.start(Path.of(data + ".log"), LoopbackPorts.free(), List.of(
                "--kanaal.data-dir=" + data,
                "--kanaal.api.keys.erp=" + API_KEY,
                // the same key opens the ops endpoints (kanaal.api.ops-keys), which tests call too
                "--kanaal.api.ops-keys.ops=" + API_KEY,
                "--camel.main.shutdown-timeout=5",
                "--spring.profiles.active=cluster",
                "--spring.datasource.url=" + postgres.getJdbcUrl("postgres", "postgres"),
                "--spring.datasource.username=postgres",
                "--spring.artemis.broker-url=" + broker.url(),
                "--spring.artemis.user=" + broker.user(),
                "--spring.artemis.password=" + broker.password(),
                "--kanaal.channels.shop.type=rest",
                "--kanaal.channels.shop.base-url=" + SHOP.baseUrl() + "/" + instance + "/shop",
                "--kanaal.channels.shop.rate-limit=1000",
                "--kanaal.channels.shop.settings.poll-cron=0/1 * * * * ?"));
    }
}
