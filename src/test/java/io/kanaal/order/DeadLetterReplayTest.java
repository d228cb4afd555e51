package io.kanaal.order;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.kanaal.support.BolFake;
import io.kanaal.support.BolFake.Item;
import io.kanaal.support.ChannelStub.Reply;
import jakarta.jms.Connection;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.MessageConsumer;
import jakarta.jms.Session;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Every kind of dead letter, as ops meet it: something fails, the dead letter shows why, the cause is fixed, the
 * replay (POST /api/v1/ops/dead-letters/{queue}/replay) delivers it exactly once and leaves its queue empty. Also
 * replay-all and discard (DELETE), and a replay-all whose letters fail again at once, which must end.
 *
 * <p>A Kanaal of its own: the unified queue is delivered to an ERP endpoint on the stub (so its dead letters are
 * real), the market channel reads its orders with a mapping under a folder the test writes, and the broker
 * dead-letters a message after 3 rolled-back deliveries.
 */
class DeadLetterReplayTest extends OrderTests {

    private static final Path MAPPINGS = folder();
    private static final String MARKET_MAPPING = "replay/order.jsonata";
    /** Order ids the ERP stub refuses (422) when they are delivered to it. */
    private static final Set<String> ERP_REFUSES = ConcurrentHashMap.newKeySet();

    @DynamicPropertySource
    static void replayKanaal(DynamicPropertyRegistry registry) {
        registry.add("kanaal.test.context", () -> "dead-letter-replay");
        registry.add("kanaal.test.maximum-redeliveries", () -> "2");
        registry.add("kanaal.broker.max-delivery-attempts", () -> "3");
        registry.add("kanaal.erp.order-delivery.enabled", () -> "true");
        registry.add("kanaal.erp.order-delivery.url", () -> SHOP.baseUrl() + "/erp/orders");
        registry.add("kanaal.mappings.directories", () -> MAPPINGS + "," + Path.of("mappings").toAbsolutePath());
        registry.add("kanaal.mappings.cache", () -> "false");
        registry.add("kanaal.channels.market.settings.order-mapping", () -> MARKET_MAPPING);
        SHOP.serve("/erp/orders", request -> ERP_REFUSES.stream().anyMatch(request.body()::contains)
                ? Reply.of(422, "{\"error\":\"customer unknown in the ERP\"}") : Reply.of(200, "{}"));
    }

    @Autowired
    ConnectionFactory connectionFactory;

    enum Kind { STOCK, ORDER, FULFILMENT, ORDER_ACKNOWLEDGEMENT, ERP_DELIVERY, BOL_PROCESS_STATUS, BROKER }

    /**
     * One kind of failure: what breaks its cause and sends what will fail (giving a text its dead letter's body
     * contains), where its dead letter lands and what its reason says, how the cause is fixed, and how often it
     * has reached its destination.
     */
    private record Failure(Step<String> provoke, String queue, String reason, Step<Void> fix, IntSupplier delivered) {
    }

    @FunctionalInterface
    private interface Step<T> {
        T run() throws Exception;
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aDeadLetterIsReplayedOnceItsCauseIsFixedAndDeliveredExactlyOnce(Kind kind) throws Exception {
        Failure failure = failure(kind);
        String token = failure.provoke().run();

        JsonNode letter = awaitLetter(failure.queue(), token);
        assertThat(letter.path("reason").asText()).as("the dead letter's reason").contains(failure.reason());
        assertThat(failure.delivered().getAsInt()).as("delivered before the replay").isZero();

        failure.fix().run();
        HttpResponse<String> replay = ops("POST", failure.queue() + "/replay?messageId=" + letter.path("messageId").asText());
        assertThat(replay.statusCode()).as(replay.body()).isEqualTo(200);
        assertThat(json(replay.body()).path("replayed").asInt()).isEqualTo(1);

        awaitExactly(() -> failure.delivered().getAsInt() == 1 && letters(failure.queue(), token).isEmpty());
    }

    @Test
    void replayAllSendsBackEveryLetterOfTheQueue() throws Exception {
        List<String> skus = List.of(newSku(), newSku(), newSku());
        for (String sku : skus) {
            SHOP.always("/shop/stock/" + sku, Reply.of(400, "{\"error\":\"no such product\"}"));
            pushStock(batch(level(sku, 11, 1)));
        }
        String queue = "DLQ.kanaal.channel.shop.stock";
        await().atMost(Duration.ofSeconds(20)).until(() -> skus.stream().allMatch(sku -> letters(queue, sku).size() == 1));
        skus.forEach(sku -> SHOP.answerAsUsual("/shop/stock/" + sku));

        HttpResponse<String> replay = ops("POST", queue + "/replay");

        assertThat(replay.statusCode()).as(replay.body()).isEqualTo(200);
        assertThat(json(replay.body()).path("replayed").asInt()).isEqualTo(3);
        // 11 less the shop's safety buffer of 2
        awaitExactly(() -> skus.stream().allMatch(sku -> SHOP.succeeded("/shop/stock/" + sku).size() == 1
                && lastQuantity("/shop/stock/" + sku) == 9) && letters(queue, "").isEmpty());
    }

    @Test
    void replayAllEndsWhenItsLettersFailAgainAtOnceAndDiscardDeletesThem() throws Exception {
        List<String> skus = List.of(newSku(), newSku(), newSku());
        String queue = "DLQ.kanaal.channel.market.stock";
        for (String sku : skus) {
            SHOP.always("/market/stock/" + sku, Reply.of(400, "{\"error\":\"listing closed\"}"));
            pushStock(batch(level(sku, 4, 1)));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> skus.stream().allMatch(sku -> letters(queue, sku).size() == 1));
        int before = letters(queue, "").size();

        // the channel still refuses them: each replayed letter is back at once, and replay-all takes each once
        HttpResponse<String> replay = ops("POST", queue + "/replay");

        assertThat(replay.statusCode()).as(replay.body()).isEqualTo(200);
        assertThat(json(replay.body()).path("replayed").asInt()).isEqualTo(before);
        await().atMost(Duration.ofSeconds(20)).until(() -> skus.stream().allMatch(sku -> letters(queue, sku).size() == 1));
        skus.forEach(sku -> assertThat(SHOP.requests("/market/stock/" + sku)).as(sku).hasSize(2));

        // discard one by its id, then the rest
        String first = letters(queue, skus.get(0)).get(0).path("messageId").asText();
        HttpResponse<String> one = ops("DELETE", queue + "?messageId=" + first);
        assertThat(one.statusCode()).as(one.body()).isEqualTo(200);
        assertThat(json(one.body()).path("discarded").asInt()).isEqualTo(1);
        assertThat(letters(queue, skus.get(0))).isEmpty();
        assertThat(letters(queue, skus.get(1))).hasSize(1);
        HttpResponse<String> again = ops("DELETE", queue + "?messageId=" + first);
        assertThat(again.statusCode()).as("a letter discarded already: " + again.body()).isEqualTo(404);

        HttpResponse<String> rest = ops("DELETE", queue);
        assertThat(rest.statusCode()).as(rest.body()).isEqualTo(200);
        assertThat(json(rest.body()).path("discarded").asInt()).isEqualTo(before - 1);
        assertThat(letters(queue, "")).isEmpty();
        skus.forEach(sku -> assertThat(SHOP.succeeded("/market/stock/" + sku)).as("discarded, never delivered").isEmpty());
    }

    private Failure failure(Kind kind) throws Exception {
        return switch (kind) {
            case STOCK -> stock();
            case ORDER -> order();
            case FULFILMENT -> shipment("market", MARKET_WEBHOOK_SECRET, "/market/orders/%s/shipments");
            case ORDER_ACKNOWLEDGEMENT -> acknowledgement();
            case ERP_DELIVERY -> erpDelivery();
            case BOL_PROCESS_STATUS -> bolProcessStatus();
            case BROKER -> brokerDeadLettered();
        };
    }

    /** A stock level the market refuses (400), until the listing is fixed. */
    private Failure stock() {
        String sku = newSku();
        String path = "/market/stock/" + sku;
        return new Failure(() -> {
            SHOP.always(path, Reply.of(400, "{\"error\":\"listing incomplete\"}"));
            pushStock(batch(level(sku, 6, 1)));
            return sku;
        }, "DLQ.kanaal.channel.market.stock", "400", answerAsUsual(path),
                () -> lastQuantity(path) == 6 ? SHOP.succeeded(path).size() : 0);
    }

    /** A market order its order mapping cannot read, until the integration engineer fixes the mapping. */
    private Failure order() {
        String id = "R-" + UUID.randomUUID();
        return new Failure(() -> {
            writeMapping("{\"channelOrderId\": id}");
            String body = shopOrder(id, newSku(), 1, Instant.now().toString());
            HttpResponse<String> answer = webhook("market", body, sign(MARKET_WEBHOOK_SECRET, body));
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
            assertThat(json(answer.body()).path("orders").get(0).path("outcome").asText()).isEqualTo("dead-lettered");
            return id;
        }, "DLQ.kanaal.channel.market.orders", "canonical order schema", () -> {
            writeMapping(null);
            return null;
        }, () -> erpDeliveries(id));
    }

    /** A shipment the channel refuses (400), until its order is fixed at the channel. */
    private Failure shipment(String channel, String secret, String pathFormat) throws Exception {
        String id = takeOrder(channel, secret);
        String path = pathFormat.formatted(id);
        return new Failure(() -> {
            SHOP.always(path, Reply.of(400, "{\"error\":\"order on hold\"}"));
            shipped(channel + "/" + id);
            return id;
        }, "DLQ.kanaal.channel." + channel + ".fulfilment", "400", answerAsUsual(path), () -> SHOP.succeeded(path).size());
    }

    /** The shop's acknowledgement of an order taken in, refused (409) until the shop is fixed. */
    private Failure acknowledgement() {
        String id = "A-" + UUID.randomUUID();
        String path = "/shop/orders/" + id + "/ack";
        return new Failure(() -> {
            SHOP.always(path, Reply.of(409, "{\"error\":\"order locked\"}"));
            takeOrder("shop", SHOP_WEBHOOK_SECRET, id);
            return id;
        }, "DLQ.kanaal.channel.shop.order-acks", "409", answerAsUsual(path), () -> SHOP.succeeded(path).size());
    }

    /** An order the ERP refuses (422), until the customer is known there. */
    private Failure erpDelivery() {
        String id = "E-" + UUID.randomUUID();
        return new Failure(() -> {
            ERP_REFUSES.add(id);
            takeOrder("shop", SHOP_WEBHOOK_SECRET, id);
            return id;
        }, "DLQ.kanaal.orders.unified", "422", () -> {
            ERP_REFUSES.remove(id);
            return null;
        }, () -> erpDeliveries(id));
    }

    /**
     * A Bol shipment whose process stays PENDING longer than its retries last; once Bol has carried it out, the
     * replay reads SUCCESS and the order is shipped, without a second POST.
     */
    private Failure bolProcessStatus() {
        String item = Long.toString(ThreadLocalRandom.current().nextLong(1_000_000_000L, 9_999_999_999L));
        String id = Long.toString(ThreadLocalRandom.current().nextLong(1_000_000_000L, 9_999_999_999L));
        BOL_API.open(BolFake.order(id, new Item(item, newSku(), "8718846038683", 1)), Instant.now());
        await().atMost(Duration.ofSeconds(20)).until(() -> erpDeliveries(id) == 1);
        return new Failure(() -> {
            BOL_API.nextProcess(null, "PENDING");
            shipped("bol-test/" + id);
            return item;
        }, "DLQ.kanaal.channel.bol-test.process-status", "PENDING", () -> {
            BOL_API.settle(BOL_API.processOf(item), "SUCCESS");
            return null;
        }, () -> {
            int posts = BOL.requests("/retailer/shipments").size();
            assertThat(posts).as("Bol's shipment POSTed once").isEqualTo(1);
            return "shipped".equals(orderStatus("bol-test", id)) ? posts : 0;
        });
    }

    /**
     * A shop shipment whose consumer rolls it back on every delivery (here: the test's own consumer, while
     * Kanaal's is stopped), so the broker dead-letters it, without a reason of Kanaal's, on DLQ.broker.
     */
    private Failure brokerDeadLettered() throws Exception {
        Failure shipment = shipment("shop", SHOP_WEBHOOK_SECRET, "/shop/orders/%s/shipments");
        String queue = "kanaal.channel.shop.fulfilment";
        String consumer = camelContext.getRoutes().stream()
                .filter(route -> route.getEndpoint().getEndpointUri().contains(queue)).findFirst().orElseThrow().getRouteId();
        return new Failure(() -> {
            camelContext.getRouteController().stopRoute(consumer);
            String token = shipment.provoke().run();
            rollBackUntilTheBrokerGivesUp(queue);
            return token;
        }, "DLQ.broker", "dead-lettered by the broker", () -> {
            shipment.fix().run();
            camelContext.getRouteController().startRoute(consumer);
            return null;
        }, shipment.delivered());
    }

    private static Step<Void> answerAsUsual(String path) {
        return () -> {
            SHOP.answerAsUsual(path);
            return null;
        };
    }

    private void rollBackUntilTheBrokerGivesUp(String queue) throws Exception {
        try (Connection connection = connectionFactory.createConnection()) {
            connection.start();
            try (Session session = connection.createSession(true, Session.SESSION_TRANSACTED);
                 MessageConsumer consumer = session.createConsumer(session.createQueue(queue))) {
                int deliveries = 0;
                // each rollback redelivers it, after the broker's redelivery delay (1 s, then 2 s), until the broker
                // gives up after max-delivery-attempts (3)
                while (deliveries < 10 && consumer.receive(5_000) != null) {
                    deliveries++;
                    session.rollback();
                }
                assertThat(deliveries).as("deliveries rolled back before the broker dead-lettered it").isEqualTo(3);
            }
        }
    }

    private String takeOrder(String channel, String secret) throws Exception {
        String id = "O-" + UUID.randomUUID();
        takeOrder(channel, secret, id);
        return id;
    }

    private void takeOrder(String channel, String secret, String id) throws Exception {
        String body = shopOrder(id, newSku(), 1, Instant.now().toString());
        HttpResponse<String> answer = webhook(channel, body, sign(secret, body));
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
        assertThat(json(answer.body()).path("orders").get(0).path("outcome").asText()).as(answer.body()).isEqualTo("taken");
    }

    private void shipped(String orderRef) {
        HttpResponse<String> response = post("/api/v1/shipments", """
                {"items":[{"orderRef":"%s","carrier":"PostNL","trackingCode":"3SKAN%d"}]}
                """.formatted(orderRef, ThreadLocalRandom.current().nextInt(100_000)));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    }

    private static int erpDeliveries(String id) {
        return (int) SHOP.succeeded("/erp/orders").stream().filter(request -> request.body().contains(id)).count();
    }

    /** The market's order mapping: this text, or (null) the shipped REST order mapping. */
    private static void writeMapping(String text) {
        try {
            Path file = MAPPINGS.resolve(MARKET_MAPPING);
            Files.createDirectories(file.getParent());
            Files.writeString(file, text != null ? text : Files.readString(Path.of("mappings/rest/order.jsonata")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path folder() {
        try {
            Path folder = Files.createTempDirectory("kanaal-replay-mappings");
            Files.createDirectories(folder.resolve("replay"));
            Files.copy(Path.of("mappings/rest/order.jsonata"), folder.resolve(MARKET_MAPPING));
            return folder;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private JsonNode awaitLetter(String queue, String token) {
        List<JsonNode> found = new ArrayList<>();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            found.clear();
            found.addAll(letters(queue, token));
            return found.size() == 1;
        });
        return found.get(0);
    }

    /** The letters of a dead-letter queue whose body contains the text (all of them for ""). */
    private List<JsonNode> letters(String queue, String text) {
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/api/v1/ops/dead-letters/" + queue + "?limit=100000"))
                .header("X-API-Key", API_KEY).GET());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        List<JsonNode> found = new ArrayList<>();
        json(response.body()).forEach(letter -> {
            if (letter.path("body").asText().contains(text)) {
                found.add(letter);
            }
        });
        return found;
    }

    private HttpResponse<String> ops(String method, String path) {
        return send(HttpRequest.newBuilder(uri("/api/v1/ops/dead-letters/" + path)).header("X-API-Key", API_KEY)
                .method(method, HttpRequest.BodyPublishers.noBody()));
    }

    private String orderStatus(String channel, String id) {
        HttpResponse<String> overview = send(HttpRequest.newBuilder(uri("/api/v1/ops/orders/" + channel + "/" + id))
                .header("X-API-Key", API_KEY).GET());
        return overview.statusCode() == 200 ? json(overview.body()).path("status").asText() : "";
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
