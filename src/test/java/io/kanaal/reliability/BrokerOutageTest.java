package io.kanaal.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kanaal.KanaalApplication;
import io.kanaal.support.ChannelStub;
import io.kanaal.support.ChannelStub.Reply;
import io.kanaal.support.StandaloneArtemis;
import io.kanaal.support.TestData;
import jakarta.jms.Connection;
import jakarta.jms.Message;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import jakarta.jms.TemporaryQueue;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.apache.activemq.artemis.api.core.management.ResourceNames;
import org.apache.activemq.artemis.api.jms.management.JMSManagementHelper;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Kanaal on a real, standalone Artemis broker (the Apache distribution, run as its own process) that is
 * killed with {@code kill -9} and started again on the same journal, while levels are in every stage:
 * delivered, in retry at a failing channel, queued behind those retries, and caught in the fan-out between
 * its database commit and its broker commit. While the broker is down the ERP API answers 503 at once and
 * accepts nothing; afterwards every level that was answered 202 reaches the channel with its quantity, and
 * none that was answered 503 ever does.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class BrokerOutageTest {

    private static final String SHOP_PATH = "/shop/stock/";
    private static final int SAFETY_BUFFER = 2;
    /** How long the ERP may wait for its answer while the broker is down. */
    private static final Duration ANSWER_WHILE_DOWN = Duration.ofSeconds(10);

    private static final ChannelStub SHOP = new ChannelStub();
    private static final String KEY = "outage-" + UUID.randomUUID();
    private static final Path DATA = Path.of(TestData.directory("broker-outage"));

    private static StandaloneArtemis broker;
    private static ConfigurableApplicationContext kanaal;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();

    /** SKU -> the quantity the channel must end up showing, for every level answered 202. */
    private final Map<String, Integer> accepted = new LinkedHashMap<>();
    /** SKUs only ever pushed in batches answered 503. */
    private final List<String> refused = new ArrayList<>();

    @BeforeAll
    static void startBrokerAndKanaal() {
        broker = StandaloneArtemis.create(DATA.resolve("artemis"));
        broker.start();
        kanaal = new SpringApplicationBuilder(KanaalApplication.class).run(
                "--server.port=0",
                "--kanaal.data-dir=" + DATA.resolve("kanaal"),
                "--kanaal.api.keys.erp=" + KEY,
                // the same key opens the ops endpoints (kanaal.api.ops-keys), which tests call too
                "--kanaal.api.ops-keys.ops=" + KEY,
                "--kanaal.broker.acceptor=",
                // the broker URL alone turns the embedded broker off (ExternalBrokerSwitch)
                "--spring.artemis.broker-url=" + broker.url(),
                "--spring.artemis.user=" + broker.user(),
                "--spring.artemis.password=" + broker.password(),
                "--camel.main.shutdown-timeout=5",
                "--kanaal.delivery.initial-delay=200",
                "--kanaal.delivery.maximum-delay=1000",
                "--kanaal.delivery.maximum-redeliveries=40",
                "--kanaal.channels.shop.type=rest",
                "--kanaal.channels.shop.base-url=" + SHOP.baseUrl() + "/shop",
                "--kanaal.channels.shop.safety-buffer=" + SAFETY_BUFFER,
                "--kanaal.channels.shop.rate-limit=1000");
    }

    @AfterAll
    static void stopAll() {
        try {
            if (kanaal != null) {
                kanaal.close();
            }
        } finally {
            try {
                if (broker != null) {
                    broker.close();
                }
            } finally {
                SHOP.close();
            }
        }
    }

    @Test
    @Order(1)
    void kanaalCreatedTheChannelsLastValueStockQueueAndTheBrokerItsDeadLetterQueueOnTheStandaloneBroker() throws Exception {
        // not in the broker's configuration: Kanaal creates each enabled channel's queue when it starts (ChannelStockQueues)
        String queue = "kanaal.channel.shop.stock";
        assertThat(queueAttribute(queue, "address")).isEqualTo("kanaal.channel.stock");
        assertThat(queueAttribute(queue, "routingType")).isEqualTo("MULTICAST");
        assertThat(queueAttribute(queue, "filter")).isEqualTo("kanaalChannels LIKE '%,shop,%'");
        assertThat(queueAttribute(queue, "lastValue")).isEqualTo(true);
        assertThat(queueAttribute(queue, "durable")).isEqualTo(true);
        // from config/artemis/broker.properties: where the broker dead-letters a message itself
        assertThat(queueAttribute("DLQ.broker", "routingType")).isEqualTo("ANYCAST");
        assertThat(queueAttribute("DLQ.broker", "durable")).isEqualTo(true);
    }

    @Test
    @Order(2)
    void everyLevelAnswered202ReachesTheChannelAcrossAKill9OfTheBroker() throws Exception {
        // (a) broker and channel up: delivered
        List<String> beforeOutage = skus("A", 4);
        accept(beforeOutage, 30, 1);
        await("levels delivered before the outage").atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(channelShows(beforeOutage)).isEqualTo(expected(beforeOutage)));

        // (b) the channel fails: deliveries in retry, and more levels queued behind them
        SHOP.always(SHOP_PATH, Reply.of(503, "{\"error\":\"maintenance\"}"));
        List<String> inRetry = skus("B", 4);
        accept(inRetry, 40, 1);
        await("deliveries in retry at the failing channel").atMost(Duration.ofSeconds(30))
                .until(() -> inRetry.stream().allMatch(s -> !SHOP.requests(SHOP_PATH + s).isEmpty()));
        List<String> queued = skus("C", 4);
        accept(queued, 50, 1);
        await("levels fanned out to the channel's queue").atMost(Duration.ofSeconds(30))
                .until(() -> fannedOut(queued, 50 - SAFETY_BUFFER));

        // a level caught in the fan-out: the test holds the channel_stock row, so the fan-out's database
        // statement waits; once the broker is killed the test lets it go, the level is recorded and committed,
        // and the broker transaction that should queue its channel message fails: the level comes again after
        // the restart, at the version the ledger already has, and must still reach the channel
        String caught = beforeOutage.get(0);
        DataSource dataSource = kanaal.getBean(DataSource.class);
        try (java.sql.Connection lock = dataSource.getConnection()) {
            lock.setAutoCommit(false);
            try (PreparedStatement rowLock = lock.prepareStatement(
                    "SELECT 1 FROM channel_stock WHERE channel = 'shop' AND sku = ? FOR UPDATE")) {
                rowLock.setString(1, caught);
                rowLock.executeQuery().close();
            }
            accept(List.of(caught), 70, 2);
            await("fan-out of " + caught + " waiting between its two commits").atMost(Duration.ofSeconds(30))
                    .until(() -> fanOutsWaitingOnTheTestsLock(dataSource) == 1);

            // (c) kill -9 of the broker
            broker.kill();
            lock.rollback();
        }

        // while the broker is down: a bounded 503 for every batch, nothing accepted
        for (int batch = 0; batch < 3; batch++) {
            List<String> skus = skus("D" + batch, 2);
            long started = System.nanoTime();
            HttpResponse<String> response = push(skus, 80, 1);
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            assertThat(response.statusCode()).as("push while the broker is down: %s", response.body()).isEqualTo(503);
            assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
            assertThat(json.readTree(response.body()).get("title").asText()).contains("nothing was accepted");
            assertThat(took).as("time to answer while the broker is down").isLessThan(ANSWER_WHILE_DOWN);
            refused.addAll(skus);
        }

        // (d) the broker comes back on the same journal, and so does the channel
        broker.start();
        SHOP.always(SHOP_PATH, Reply.of(204));
        // the ERP retries until Kanaal takes levels again
        List<String> afterRestart = skus("E", 4);
        await("Kanaal accepting levels again after the restart").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> push(afterRestart, 60, 1).statusCode() == 202);
        afterRestart.forEach(s -> accepted.put(s, 60 - SAFETY_BUFFER));

        // (e) every level answered 202 reaches the channel with its quantity
        await("every level answered 202 at the channel, with its quantity").atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> assertThat(channelShows(accepted.keySet())).isEqualTo(accepted));
        assertThat(accepted).as("levels answered 202").hasSize(16).containsEntry(caught, 70 - SAFETY_BUFFER);
        // nothing left anywhere that could still arrive, nothing dead-lettered
        await("Kanaal's queues drained").atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(messageCount("kanaal.erp.stock")).as("kanaal.erp.stock").isZero();
            assertThat(messageCount("kanaal.channel.shop.stock")).as("kanaal.channel.shop.stock").isZero();
        });
        for (JsonNode deadLetters : json.readTree(get("/api/v1/ops/dead-letters").body())) {
            assertThat(deadLetters.get("messages").asInt()).as(deadLetters.toString()).isZero();
        }
        // Kanaal's own view agrees: in sync on the channel
        for (String sku : accepted.keySet()) {
            JsonNode status = json.readTree(get("/api/v1/ops/stock/" + sku).body());
            assertThat(status).as("ops status of %s", sku).hasSize(1);
            assertThat(status.get(0).get("in_sync").asBoolean()).as("%s in sync: %s", sku, status).isTrue();
        }
        // and what was answered 503 never reached the channel, nor Kanaal's state
        assertThat(refused).hasSize(6);
        for (String sku : refused) {
            assertThat(SHOP.requests(SHOP_PATH + sku)).as("requests for refused %s", sku).isEmpty();
            assertThat(json.readTree(get("/api/v1/ops/stock/" + sku).body())).as("ops status of refused %s", sku).isEmpty();
        }
    }

    // --- the channel's view

    /** SKU -> the quantity in the channel's last successful (2xx) request for it; SKUs never delivered are left out. */
    private Map<String, Integer> channelShows(Iterable<String> skus) throws Exception {
        Map<String, Integer> shows = new LinkedHashMap<>();
        for (String sku : skus) {
            List<ChannelStub.Request> delivered = SHOP.succeeded(SHOP_PATH + sku);
            if (!delivered.isEmpty()) {
                JsonNode body = json.readTree(delivered.get(delivered.size() - 1).body());
                assertThat(body.get("sku").asText()).isEqualTo(sku);
                shows.put(sku, body.get("quantity").asInt());
            }
        }
        return shows;
    }

    private Map<String, Integer> expected(List<String> skus) {
        Map<String, Integer> expected = new LinkedHashMap<>();
        skus.forEach(s -> expected.put(s, accepted.get(s)));
        return expected;
    }

    // --- the ERP's side

    private void accept(List<String> skus, int quantity, int sequence) throws Exception {
        HttpResponse<String> response = push(skus, quantity, sequence);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        assertThat(json.readTree(response.body()).get("accepted").asInt()).as(response.body()).isEqualTo(skus.size());
        skus.forEach(s -> accepted.put(s, quantity - SAFETY_BUFFER));
    }

    private HttpResponse<String> push(List<String> skus, int quantity, int sequence) throws Exception {
        String items = String.join(",", skus.stream()
                .map(s -> "{\"sku\":\"" + s + "\",\"quantity\":" + quantity + ",\"sequence\":" + sequence + "}").toList());
        return http.send(HttpRequest.newBuilder(api("/api/v1/stock")).timeout(Duration.ofSeconds(30))
                        .header("X-API-Key", KEY).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"items\":[" + items + "]}")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(api(path)).timeout(Duration.ofSeconds(30))
                .header("X-API-Key", KEY).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
        return response;
    }

    private static URI api(String path) {
        return URI.create("http://127.0.0.1:" + ((WebServerApplicationContext) kanaal).getWebServer().getPort() + path);
    }

    /** Kanaal's ops view: the channel should show this quantity for every one of these SKUs. */
    private boolean fannedOut(List<String> skus, int quantity) throws Exception {
        for (String sku : skus) {
            JsonNode status = json.readTree(get("/api/v1/ops/stock/" + sku).body());
            if (status.isEmpty() || status.get(0).get("desired_quantity").asInt() != quantity) {
                return false;
            }
        }
        return true;
    }

    private static int fanOutsWaitingOnTheTestsLock(DataSource dataSource) throws Exception {
        try (java.sql.Connection connection = dataSource.getConnection();
             PreparedStatement waiting = connection.prepareStatement("""
                     SELECT count(*) FROM pg_stat_activity
                      WHERE wait_event_type = 'Lock' AND query LIKE '%channel stock fan-out%'
                        AND pid <> pg_backend_pid()
                     """);
             var rows = waiting.executeQuery()) {
            rows.next();
            return rows.getInt(1);
        }
    }

    private static List<String> skus(String prefix, int n) {
        List<String> skus = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            skus.add(prefix + "-" + UUID.randomUUID().toString().substring(0, 8));
        }
        return skus;
    }

    // --- the broker's side, through its own client

    /** Messages on a queue, those being delivered included, from the broker's management. */
    private static long messageCount(String queueName) throws Exception {
        return ((Number) queueAttribute(queueName, "messageCount")).longValue();
    }

    /** An attribute of a queue, from the broker's management. */
    private static Object queueAttribute(String queueName, String attribute) throws Exception {
        try (ActiveMQConnectionFactory factory = broker.connectionFactory();
             Connection connection = factory.createConnection()) {
            connection.start();
            Session session = connection.createSession(false, Session.AUTO_ACKNOWLEDGE);
            TemporaryQueue replies = session.createTemporaryQueue();
            Message request = session.createMessage();
            JMSManagementHelper.putAttribute(request, ResourceNames.QUEUE + queueName, attribute);
            request.setJMSReplyTo(replies);
            session.createProducer(session.createQueue("activemq.management")).send(request);
            try (MessageConsumer consumer = session.createConsumer(replies)) {
                Message reply = consumer.receive(5_000);
                assertThat(reply).as("management reply for " + queueName).isNotNull();
                assertThat(JMSManagementHelper.hasOperationSucceeded(reply))
                        .as("management: " + attribute + " of " + queueName + ": " + JMSManagementHelper.getResult(reply)).isTrue();
                return JMSManagementHelper.getResult(reply);
            }
        }
    }
}
