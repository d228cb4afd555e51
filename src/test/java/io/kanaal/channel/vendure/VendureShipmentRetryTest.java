package io.kanaal.channel.vendure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kanaal.support.ChannelStub;
import io.kanaal.support.ChannelStub.Reply;
import io.kanaal.support.StandaloneKanaal;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jms.core.JmsTemplate;

/**
 * The Vendure shipment sender against a scripted Admin API (no Node needed): an attempt that fails half-way
 * (the fulfillment made, its transition to Shipped not) is retried from the start without a second
 * fulfillment, and a session Vendure refuses is replaced by a new login. The real Vendure runs in
 * io.kanaal.vendure.VendureEndToEndIT.
 */
class VendureShipmentRetryTest {

    private static final String KEY = "vendure-retry-" + UUID.randomUUID();
    private static final String SECRET = "vendure-webhook-" + UUID.randomUUID();
    private static final ChannelStub VENDURE = new ChannelStub();
    private static ConfigurableApplicationContext kanaal;

    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        List<String> settings = new ArrayList<>(StandaloneKanaal.vendureChannel("vshop", VENDURE.baseUrl(),
                "kanaal", "secret", "webhook-secret=" + SECRET));
        settings.add("--kanaal.delivery.initial-delay=100");
        kanaal = StandaloneKanaal.start("vendure-retry", 12, KEY, settings);
    }

    @AfterAll
    static void stop() {
        if (kanaal != null) {
            kanaal.close();
        }
        VENDURE.close();
    }

    @Test
    void aShipmentRetriedAfterAFailureHalfWayMakesOneFulfillmentAndARefusedSessionLogsInAgain() throws Exception {
        String code = "R" + UUID.randomUUID().toString().substring(0, 8).toUpperCase();
        takeOrder(code);
        VENDURE.script("/admin-api",
                loggedIn("token-1"),
                graphql("{\"errors\":[{\"message\":\"You are not currently authorized to perform this action\","
                        + "\"extensions\":{\"code\":\"FORBIDDEN\"}}],\"data\":null}"),
                loggedIn("token-2"),
                graphql("{\"data\":{\"order\":{\"id\":\"77\",\"code\":\"" + code + "\",\"state\":\"PaymentSettled\",\"fulfillments\":[]}}}"),
                graphql("{\"data\":{\"addFulfillmentToOrder\":{\"id\":\"5\",\"state\":\"Pending\",\"method\":\"PostNL\",\"trackingCode\":\"3S42\"}}}"),
                Reply.of(503, "{\"error\":\"restarting\"}"),
                graphql("{\"data\":{\"order\":{\"id\":\"77\",\"code\":\"" + code + "\",\"state\":\"PaymentSettled\",\"fulfillments\":["
                        + "{\"id\":\"5\",\"state\":\"Pending\",\"method\":\"PostNL\",\"trackingCode\":\"3S42\"}]}}}"),
                graphql("{\"data\":{\"transitionFulfillmentToState\":{\"id\":\"5\",\"state\":\"Shipped\"}}}"));

        post("/api/v1/shipments", "{\"items\":[{\"orderRef\":\"vshop/" + code
                + "\",\"carrier\":\"PostNL\",\"trackingCode\":\"3S42\"}]}");

        await().atMost(Duration.ofSeconds(20)).until(() -> VENDURE.succeeded("/admin-api").stream()
                .anyMatch(r -> r.body().contains("transitionFulfillmentToState")));
        List<ChannelStub.Request> calls = VENDURE.requests("/admin-api");
        assertThat(calls).hasSize(8);
        assertThat(count(calls, "login(")).isEqualTo(2);
        assertThat(count(calls, "addFulfillmentToOrder")).as("one fulfillment").isEqualTo(1);
        assertThat(count(calls, "transitionFulfillmentToState")).isEqualTo(2);
        ChannelStub.Request fulfil = calls.get(4);
        assertThat(fulfil.body()).contains("\"orderLineId\":\"12\"").contains("\"quantity\":2")
                .contains("{\"name\":\"method\",\"value\":\"PostNL\"}").contains("{\"name\":\"trackingCode\",\"value\":\"3S42\"}");
        assertThat(calls.get(3).body()).as("the order by Vendure's id").contains("\"variables\":{\"id\":\"77\"}");
        assertThat(calls.get(1).header("Authorization")).isEqualTo("Bearer token-1");
        assertThat(calls.get(7).header("Authorization")).isEqualTo("Bearer token-2");
        assertThat(calls.get(7).body()).contains("\"variables\":{\"id\":\"5\"}");
    }

    private static long count(List<ChannelStub.Request> calls, String text) {
        return calls.stream().filter(r -> r.body().contains(text)).count();
    }

    private static Reply loggedIn(String token) {
        return graphql("{\"data\":{\"login\":{\"id\":\"1\",\"identifier\":\"kanaal\"}}}").withHeader("vendure-auth-token", token);
    }

    private static Reply graphql(String body) {
        return Reply.of(200, body);
    }

    /** A Vendure order taken in through the channel's webhook, as the poller would have taken it. */
    private void takeOrder(String code) throws Exception {
        String order = """
                {"id":"77","code":"%s","state":"PaymentSettled","orderPlacedAt":"2026-11-23T15:04:05.123Z",
                 "updatedAt":"2026-11-23T15:04:05.123Z","currencyCode":"EUR","totalWithTax":9990,"shippingWithTax":0,
                 "lines":[{"id":"12","quantity":2,"unitPriceWithTax":4995,"productVariant":{"sku":"SKU-%s","name":"Sneaker"}}]}
                """.formatted(code, code).replace("\n", "");
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String signature = "sha256=" + HexFormat.of().formatHex(mac.doFinal(order.getBytes(StandardCharsets.UTF_8)));
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(StandaloneKanaal.uri(kanaal, "/webhooks/vshop/orders"))
                        .header("Content-Type", "application/json").header("X-Kanaal-Signature", signature)
                        .POST(HttpRequest.BodyPublishers.ofString(order)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        JmsTemplate jms = kanaal.getBean(JmsTemplate.class);
        jms.setReceiveTimeout(15_000);
        assertThat(jms.receiveSelected("kanaal.orders.unified", "kanaalOrderRef = 'vshop/" + code + "'")).isNotNull();
    }

    private static void post(String path, String body) throws Exception {
        HttpResponse<String> response = StandaloneKanaal.post(kanaal, KEY, path, body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    }
}
