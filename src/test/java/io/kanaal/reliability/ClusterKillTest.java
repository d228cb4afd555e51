package io.kanaal.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kanaal.support.ChannelStub;
import io.kanaal.support.ChannelStub.Reply;
import io.kanaal.support.ForkedKanaal;
import io.kanaal.support.LoopbackPorts;
import io.kanaal.support.TestData;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two Kanaal instances with the {@code cluster} profile, each in a JVM of its own with its own embedded broker,
 * on one PostgreSQL, both with the same channel polling for orders every second. The instance that polls is
 * killed with SIGKILL in the middle of a poll (no shutdown: its Quartz scheduler never says goodbye, and the
 * poll's trigger is left blocked by the poll that never ends): the other instance takes the polls over once Quartz
 * sees the dead one's check-in overdue, goes on at the cron's pace, and an order the channel offers after the kill
 * reaches the surviving instance's kanaal.orders.unified exactly once.
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
    private static EmbeddedPostgres postgres;

    /** What the channel lists on a poll. */
    private static volatile String listed = "[]";
    /** While set, a poll is held (not answered) until it is counted down. */
    private static volatile CountDownLatch hold;
    /** The path of the poll being held. */
    private static final AtomicReference<String> held = new AtomicReference<>();

    private ForkedKanaal a;
    private ForkedKanaal b;

    @BeforeAll
    static void startPostgres() throws Exception {
        postgres = TestData.postgres("cluster-kill-postgres");
        SHOP.serve("/a/shop/orders", ClusterKillTest::orders);
        SHOP.serve("/b/shop/orders", ClusterKillTest::orders);
    }

    @AfterAll
    static void stop() throws Exception {
        SHOP.close();
        postgres.close();
    }

    @AfterEach
    void stopInstances() {
        Stream.of(a, b).filter(k -> k != null && k.isAlive()).forEach(ForkedKanaal::stop);
    }

    @Test
    void whenThePollingInstanceIsKilledMidPollTheOtherTakesThePollsOverAndAnOrderArrivesOnce() {
        a = start("a");
        b = start("b");
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(() -> polls(0).size() >= 3);
        System.out.printf("before the kill: a polled %d times, b %d times%n", polls("a", 0).size(), polls("b", 0).size());

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
        String id = "K-" + UUID.randomUUID();
        String orderRef = "shop/" + id;
        listed = """
                [{"id":"%s","createdAt":"2026-11-23T18:00:00Z","updatedAt":"2026-11-23T18:00:00Z","status":"paid",
                  "items":[{"id":"L1","sku":"KILL-1","quantity":1,"price":10}],"total":10}]
                """.formatted(id);

        await().atMost(TAKEOVER_BOUND).pollInterval(Duration.ofMillis(100)).until(() -> !polls(killed).isEmpty());
        long first = polls(killed).get(0).atNanos();
        System.out.printf("killed %s mid-poll; first poll %d ms after the kill%n", aPolls ? "a" : "b",
                (first - killed) / 1_000_000);
        ForkedKanaal surviving = aPolls ? b : a;
        await().atMost(Duration.ofSeconds(20)).until(() -> surviving.unified(orderRef) == 1);

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
        assertThat(surviving.unified(orderRef)).as("copies of %s on kanaal.orders.unified", orderRef).isEqualTo(1);
        assertThat(order(surviving, id).path("orderRef").asText()).isEqualTo(orderRef);
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

    /** An instance as ClusteredPollerTest starts one (the cluster profile as shipped), in a JVM of its own. */
    private static ForkedKanaal start(String instance) {
        String data = TestData.directory("cluster-kill-" + instance);
        return ForkedKanaal.start(Path.of(data + ".log"), LoopbackPorts.free(), List.of(
                "--kanaal.data-dir=" + data,
                "--kanaal.api.keys.erp=" + API_KEY,
                "--kanaal.channels.sandbox.enabled=false",
                "--camel.main.shutdown-timeout=5",
                "--spring.profiles.active=cluster",
                "--spring.datasource.url=" + postgres.getJdbcUrl("postgres", "postgres"),
                "--spring.datasource.username=postgres",
                "--kanaal.channels.shop.type=rest",
                "--kanaal.channels.shop.base-url=" + SHOP.baseUrl() + "/" + instance + "/shop",
                "--kanaal.channels.shop.rate-limit=1000",
                "--kanaal.channels.shop.settings.poll-cron=0/1 * * * * ?"));
    }
}
