package io.kanaal.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kanaal.KanaalApplication;
import io.kanaal.support.ChannelStub;
import io.kanaal.support.ChannelStub.Reply;
import io.kanaal.support.LoopbackPorts;
import io.kanaal.support.TestData;
import jakarta.jms.Connection;
import jakarta.jms.JMSException;
import jakarta.jms.Queue;
import jakarta.jms.QueueBrowser;
import jakarta.jms.Session;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
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

    private Process kanaal;

    @AfterAll
    static void stopStub() {
        SHOP.close();
    }

    @AfterEach
    void stopKanaal() {
        if (kanaal != null) {
            // SIGTERM: a graceful stop, which stops its PostgreSQL too
            kanaal.destroy();
            await().atMost(Duration.ofSeconds(60)).until(() -> !kanaal.isAlive());
        }
    }

    @Test
    void anOrderTakenInBeforeTheCrashIsOnTheUnifiedQueueOnceAndAcknowledgedAfterTheRestart() throws Exception {
        String id = "C-" + UUID.randomUUID();
        String orderRef = "shop/" + id;
        SHOP.always("/shop/orders/" + id + "/ack", Reply.of(503, "{\"error\":\"acknowledgements are down\"}"));
        SHOP.always("/shop/orders", Reply.of(200, """
                [{"id":"%s","createdAt":"2026-11-23T18:00:00Z","updatedAt":"2026-11-23T18:00:00Z","status":"paid",
                  "items":[{"id":"L1","sku":"CRASH-1","quantity":1,"price":10}],"total":10}]
                """.formatted(id)));

        kanaal = start("first");
        await().atMost(Duration.ofSeconds(90)).until(() -> unified(orderRef) == 1
                && !SHOP.requests("/shop/orders/" + id + "/ack").isEmpty());
        assertThat(SHOP.succeeded("/shop/orders/" + id + "/ack")).isEmpty();

        kill(kanaal);
        SHOP.reset();
        SHOP.always("/shop/orders", Reply.of(200, """
                [{"id":"%s","createdAt":"2026-11-23T18:00:00Z","updatedAt":"2026-11-23T18:00:00Z","status":"paid",
                  "items":[{"id":"L1","sku":"CRASH-1","quantity":1,"price":10}],"total":10}]
                """.formatted(id)));

        kanaal = start("second");
        await().atMost(Duration.ofSeconds(90)).until(() -> !SHOP.succeeded("/shop/orders/" + id + "/ack").isEmpty());
        int polls = SHOP.requests("/shop/orders").size();
        await().atMost(Duration.ofSeconds(20)).until(() -> SHOP.requests("/shop/orders").size() >= polls + 3);
        assertThat(unified(orderRef)).as("copies of %s on kanaal.orders.unified", orderRef).isEqualTo(1);
    }

    private Process start(String name) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-cp", System.getProperty("java.class.path"), KanaalApplication.class.getName(),
                "--spring.config.location=classpath:/application.yaml",
                "--kanaal.data-dir=" + DATA,
                "--server.port=0", "--logging.level.io.zonky.test.db.postgres=INFO",
                "--kanaal.broker.acceptor=tcp://127.0.0.1:" + BROKER_PORT,
                "--kanaal.delivery.initial-delay=200",
                "--kanaal.delivery.maximum-delay=1000",
                "--kanaal.delivery.maximum-redeliveries=50",
                "--kanaal.channels.shop.type=rest",
                "--kanaal.channels.shop.base-url=" + SHOP.baseUrl() + "/shop",
                "--kanaal.channels.shop.rate-limit=100",
                "--kanaal.channels.shop.settings.poll-cron=0/1 * * * * ?",
                "--kanaal.channels.shop.settings.ack-path=/orders/$simple{variable.order[channelOrderId]}/ack"));
        File log = Path.of(DATA + "-" + name + ".log").toFile();
        log.getParentFile().mkdirs();
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
    }

    /** kill -9 of Kanaal's JVM. */
    private static void kill(Process process) {
        process.destroyForcibly();
        await().atMost(Duration.ofSeconds(20)).until(() -> !process.isAlive());
    }

    /** Messages for the order on the unified queue, browsed over Kanaal's broker acceptor (0 while it is down). */
    private static int unified(String orderRef) {
        ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory("tcp://127.0.0.1:" + BROKER_PORT
                + "?reconnectAttempts=0&initialConnectAttempts=1");
        try (factory; Connection connection = factory.createConnection()) {
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            Queue queue = session.createQueue("kanaal.orders.unified");
            connection.start();
            try (QueueBrowser browser = session.createBrowser(queue, "kanaalOrderRef = '" + orderRef + "'")) {
                return Collections.list(browser.getEnumeration()).size();
            }
        } catch (JMSException e) {
            return 0;
        }
    }
}
