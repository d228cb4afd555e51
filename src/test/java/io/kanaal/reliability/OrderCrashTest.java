package io.kanaal.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kanaal.support.ChannelStub;
import io.kanaal.support.ChannelStub.Reply;
import io.kanaal.support.ForkedKanaal;
import io.kanaal.support.LoopbackPorts;
import io.kanaal.support.TestData;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Kanaal, killed with SIGKILL after it took an order in and before the channel took the acknowledgement:
 * after the restart on the same data, the order is on kanaal.orders.unified exactly once and the channel
 * gets its acknowledgement, although the channel keeps listing the order on every poll. The embedded
 * PostgreSQL outlives the killed JVM; the restarted Kanaal stops that orphan and starts its own.
 */
class OrderCrashTest {

    private static final ChannelStub SHOP = new ChannelStub();
    private static final String DATA = TestData.directory("order-crash");
    private static final int BROKER_PORT = LoopbackPorts.free();

    private ForkedKanaal kanaal;

    @AfterAll
    static void stopStub() {
        SHOP.close();
    }

    @AfterEach
    void stopKanaal() {
        if (kanaal != null) {
            // SIGTERM: a graceful stop, which stops its PostgreSQL too
            kanaal.stop();
        }
    }

    @Test
    void anOrderTakenInBeforeTheCrashIsOnTheUnifiedQueueOnceAndAcknowledgedAfterTheRestart() {
        String id = "C-" + UUID.randomUUID();
        String orderRef = "shop/" + id;
        SHOP.always("/shop/orders/" + id + "/ack", Reply.of(503, "{\"error\":\"acknowledgements are down\"}"));
        SHOP.always("/shop/orders", Reply.of(200, """
                [{"id":"%s","createdAt":"2026-11-23T18:00:00Z","updatedAt":"2026-11-23T18:00:00Z","status":"paid",
                  "items":[{"id":"L1","sku":"CRASH-1","quantity":1,"price":10}],"total":10}]
                """.formatted(id)));

        kanaal = start("first");
        await().atMost(Duration.ofSeconds(90)).until(() -> kanaal.unified(orderRef) == 1
                && !SHOP.requests("/shop/orders/" + id + "/ack").isEmpty());
        assertThat(SHOP.succeeded("/shop/orders/" + id + "/ack")).isEmpty();

        kanaal.kill();
        SHOP.reset();
        SHOP.always("/shop/orders", Reply.of(200, """
                [{"id":"%s","createdAt":"2026-11-23T18:00:00Z","updatedAt":"2026-11-23T18:00:00Z","status":"paid",
                  "items":[{"id":"L1","sku":"CRASH-1","quantity":1,"price":10}],"total":10}]
                """.formatted(id)));

        kanaal = start("second");
        await().atMost(Duration.ofSeconds(90)).until(() -> !SHOP.succeeded("/shop/orders/" + id + "/ack").isEmpty());
        int polls = SHOP.requests("/shop/orders").size();
        await().atMost(Duration.ofSeconds(20)).until(() -> SHOP.requests("/shop/orders").size() >= polls + 3);
        assertThat(kanaal.unified(orderRef)).as("copies of %s on kanaal.orders.unified", orderRef).isEqualTo(1);
    }

    private static ForkedKanaal start(String name) {
        return ForkedKanaal.start(Path.of(DATA + "-" + name + ".log"), BROKER_PORT, List.of(
                "--spring.config.location=classpath:/application.yaml",
                "--kanaal.data-dir=" + DATA,
                "--logging.level.io.zonky.test.db.postgres=INFO",
                "--kanaal.delivery.initial-delay=200",
                "--kanaal.delivery.maximum-delay=1000",
                "--kanaal.delivery.maximum-redeliveries=50",
                "--kanaal.channels.shop.type=rest",
                "--kanaal.channels.shop.base-url=" + SHOP.baseUrl() + "/shop",
                "--kanaal.channels.shop.rate-limit=100",
                "--kanaal.channels.shop.settings.poll-cron=0/1 * * * * ?",
                "--kanaal.channels.shop.settings.ack-path=/orders/$simple{variable.order[channelOrderId]}/ack"));
    }
}
