package io.kanaal.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kanaal.support.ChannelStub;
import io.kanaal.support.ChannelStub.Reply;
import io.kanaal.support.KanaalIntegrationTest;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Channels that fail, throttle or go down: retried with backoff, coalesced, dead-lettered with the reason. The
 * cases every stock delivery mode passes: {@link ChannelFailureTest} runs them with {@code direct},
 * {@link ChannelFailureQueueTest} with {@code queue}, each with the cases of its own mode.
 */
abstract class ChannelFailureCases extends KanaalIntegrationTest {

    protected static final String SHOP_DLQ = "DLQ.kanaal.channel.shop.stock";

    protected final ObjectMapper json = new ObjectMapper();

    @Autowired
    MeterRegistry meters;

    @Test
    void aChannelThatFailsThenThrottlesThenRecoversGetsTheNewestValueOnce() {
        String sku = newSku();
        SHOP.script("/shop/stock/" + sku, Reply.of(500, "{\"error\":\"boom\"}"),
                Reply.of(429, "{\"title\":\"Too Many Requests\"}").withHeader("Retry-After", "3"));

        // the newer level comes while the first is in its retries (the 429 holds them 3 s: time enough on a busy machine)
        pushStock(batch(level(sku, 10, 1)));
        await().atMost(Duration.ofSeconds(10)).until(() -> shopRequests(sku).size() >= 1);
        pushStock(batch(level(sku, 20, 2)));

        // three attempts (500, 429, the delivery) and no more, held past the longest retry delay
        awaitExactly(() -> assertThat(shopRequests(sku)).as("attempts").hasSize(3));
        ChannelStub.Request throttled = assertThat(SHOP.answered("/shop/stock/" + sku, 429)).singleElement().actual();
        ChannelStub.Request delivered = assertThat(SHOP.succeeded("/shop/stock/" + sku)).singleElement().actual();
        assertThat(delivered.body()).as("the one delivery has the newest value")
                .isEqualTo("{\"sku\":\"" + sku + "\",\"quantity\":18}");
        assertThat(delivered.atNanos() - throttled.atNanos())
                .as("the attempt after the 429 waited for Retry-After")
                .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(2_950));
        assertThat(deadLetters(SHOP_DLQ, sku)).isEmpty();
    }

    @Test
    void aChannelThatNeverRecoversDeadLettersWithTheReasonAndTheOtherChannelIsNotDelayed() throws Exception {
        String sku = newSku();
        SHOP.always("/shop/stock/" + sku, Reply.of(503, "{\"error\":\"maintenance\"}"));

        pushStock(batch(level(sku, 10, 1)));

        await().atMost(Duration.ofSeconds(20)).until(() -> deadLetters(SHOP_DLQ, sku).size() == 1);
        List<ChannelStub.Request> shopAttempts = shopRequests(sku);
        assertThat(shopAttempts).hasSize(4);
        assertThat(bolRequests(sku)).hasSize(1);
        assertThat(bolRequests(sku).get(0).atNanos()).as("Bol served while the shop was still being retried")
                .isLessThan(shopAttempts.stream().mapToLong(ChannelStub.Request::atNanos).max().orElseThrow());
        JsonNode dead = deadLetters(SHOP_DLQ, sku).get(0);
        assertThat(dead.get("reason").asText()).contains("HTTP 503").contains("maintenance");
        assertThat(dead.get("attempts").asInt()).isEqualTo(4);
        assertThat(dead.get("failedRoute").asText()).isEqualTo(shopStockSender());
        // the message as it was queued: the SKU's update for each channel, the shop's among them
        JsonNode original = json.readTree(dead.get("body").asText());
        assertThat(original.findValuesAsText("channel")).contains("shop");
        for (JsonNode update : original) {
            assertThat(update.get("sku").asText()).isEqualTo(sku);
            if (update.get("channel").asText().equals("shop")) {
                assertThat(update.get("quantity").asInt()).isEqualTo(8);
            }
        }
        assertThat(shopRequests(sku)).hasSize(4);

        SHOP.reset();
        HttpResponse<String> replay = post("/api/v1/ops/dead-letters/" + SHOP_DLQ + "/replay?messageId="
                + dead.get("messageId").asText(), "");

        assertThat(replay.statusCode()).as(replay.body()).isEqualTo(200);
        assertThat(json.readTree(replay.body()).get("replayed").asInt()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> shopRequests(sku).size() == 1);
        assertThat(shopRequests(sku).get(0).body()).contains("\"quantity\":8");
        assertThat(deadLetters(SHOP_DLQ, sku)).isEmpty();
    }

    @Test
    void aRequestTheChannelRefusesIsDeadLetteredWithoutRetrying() {
        String sku = newSku();
        SHOP.always("/shop/stock/" + sku, Reply.of(400, "{\"error\":\"unknown product\"}"));

        pushStock(batch(level(sku, 10, 1)));

        await().atMost(Duration.ofSeconds(10)).until(() -> deadLetters(SHOP_DLQ, sku).size() == 1);
        assertThat(deadLetters(SHOP_DLQ, sku).get(0).get("reason").asText()).contains("HTTP 400").contains("unknown product");
        assertThat(shopRequests(sku)).hasSize(1);
    }

    @Test
    void aDeadLetterReplayedAfterTheChannelGotANewerLevelDoesNotSendTheOldOne() throws Exception {
        String sku = newSku();
        SHOP.always("/shop/stock/" + sku, Reply.of(400, "{\"error\":\"unknown product\"}"));
        pushStock(batch(level(sku, 10, 1)));
        await().atMost(Duration.ofSeconds(10)).until(() -> deadLetters(SHOP_DLQ, sku).size() == 1);
        SHOP.reset();
        pushStock(batch(level(sku, 30, 2)));
        await().atMost(Duration.ofSeconds(10)).until(() -> shopRequests(sku).size() == 1);
        assertThat(shopRequests(sku).get(0).body()).contains("\"quantity\":28");

        HttpResponse<String> replay = post("/api/v1/ops/dead-letters/" + SHOP_DLQ + "/replay?messageId="
                + deadLetters(SHOP_DLQ, sku).get(0).get("messageId").asText(), "");

        assertThat(json.readTree(replay.body()).get("replayed").asInt()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> deadLetters(SHOP_DLQ, sku).isEmpty());
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                .until(() -> shopRequests(sku).size() == 1);
    }

    @Test
    void aSkuWithoutABolOfferIdIsDeadLetteredForBolOnly() {
        String sku = "NO-OFFER-" + System.nanoTime();

        pushStock(batch(level(sku, 10, 1)));

        await().atMost(Duration.ofSeconds(10)).until(() -> deadLetters("DLQ.kanaal.channel.bol-test.stock", sku).size() == 1);
        assertThat(deadLetters("DLQ.kanaal.channel.bol-test.stock", sku).get(0).get("reason").asText())
                .contains("no listing id for SKU '" + sku + "'");
        await().atMost(Duration.ofSeconds(10)).until(() -> shopRequests(sku).size() == 1);
    }

    @Test
    void aChannelThatCarriesPartOfTheRangeSkipsTheSkusItHasNoListingForWithoutDeadLetters() {
        String unlisted = "NO-OFFER-" + System.nanoTime();
        String listed = newSku();
        String offer = UUID.randomUUID().toString();
        jdbc.update("INSERT INTO channel_listing (channel, sku, listing_id) VALUES ('bol-range', ?, ?)", listed, offer);
        double skipped = skippedUnlisted("bol-range");

        pushStock(batch(level(unlisted, 10, 1), level(listed, 10, 1)));

        await().atMost(Duration.ofSeconds(10)).until(() -> BOL.requests("/retailer/offers/" + offer).size() == 1);
        assertThat(BOL.requests("/retailer/offers/" + offer).get(0).body()).contains("\"amount\":10");
        await().atMost(Duration.ofSeconds(10)).until(() -> shopRequests(unlisted).size() == 1
                && deadLetters("DLQ.kanaal.channel.bol-test.stock", unlisted).size() == 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> skippedUnlisted("bol-range") >= skipped + 1);
        assertThat(deadLetters("DLQ.kanaal.channel.bol-range.stock", unlisted)).isEmpty();
    }

    private double skippedUnlisted(String channel) {
        Counter counter = meters.find("kanaal.channel.stock.skipped").tags("channel", channel, "reason", "unlisted").counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void aChannelThatWasDownGetsOneCurrentLevelPerSkuNotTheHistory() throws Exception {
        List<String> skus = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            skus.add(newSku());
        }
        camelContext.getRouteController().stopRoute(shopStockTaker());
        try {
            pushTwentyLevelsEach(skus);
        } finally {
            camelContext.getRouteController().startRoute(shopStockTaker());
        }

        awaitExactly(() -> skus.stream().allMatch(s -> shopRequests(s).size() == 1));
        for (String sku : skus) {
            assertThat(shopRequests(sku).get(0).body()).isEqualTo("{\"sku\":\"" + sku + "\",\"quantity\":28}");
        }
    }

    /**
     * What waits for a SKU is its current quantity, not a queue of older messages that each get attempts of their
     * own (direct delivery): a quantity whose retries run out during the outage (the tests run
     * without outage patience) is dead-lettered and parked instead of sent when the channel is back (how many are
     * depends on how long the outage outlasts the retries). Its dead letter's replay sends the current level.
     * Either way each SKU gets the newest level exactly once, never the outage's history, and none is lost.
     */
    @Test
    void aChannelThatFailsWhileItsPublishersRunGetsOneCurrentLevelPerSkuWhenItRecovers() throws Exception {
        List<String> skus = skusTheShopRefuses(5);
        pushTwentyLevelsEach(skus);
        SHOP.reset();

        // each SKU at rest: delivered, or parked with its dead letter
        await().atMost(Duration.ofSeconds(20)).until(() -> skus.stream().allMatch(s -> !shopRequests(s).isEmpty() || parked(s)));
        for (String sku : skus) {
            if (parked(sku)) {
                List<JsonNode> dead = deadLetters(SHOP_DLQ, sku);
                assertThat(dead).as("dead letters of parked %s", sku).isNotEmpty();
                for (JsonNode letter : dead) {
                    // one at a time: a replay sends the current level once, the next finds it delivered
                    post("/api/v1/ops/dead-letters/" + SHOP_DLQ + "/replay?messageId=" + letter.get("messageId").asText(), "");
                    await().atMost(Duration.ofSeconds(10)).until(() -> deadLetters(SHOP_DLQ, sku).stream()
                            .noneMatch(d -> d.get("messageId").equals(letter.get("messageId"))));
                }
            }
        }

        eachGetsOneCallWithTheNewestLevel(skus);
    }

    /** Each SKU (pushed by {@link #pushTwentyLevelsEach}) gets one call, with its newest level, and no more. */
    protected void eachGetsOneCallWithTheNewestLevel(List<String> skus) {
        await().atMost(Duration.ofSeconds(15)).until(() -> skus.stream().allMatch(s -> !shopRequests(s).isEmpty()));
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                .until(() -> skus.stream().allMatch(s -> shopRequests(s).size() == 1));
        for (String sku : skus) {
            assertThat(shopRequests(sku)).as("calls for %s after the outage", sku)
                    .extracting(ChannelStub.Request::body)
                    .containsExactly("{\"sku\":\"" + sku + "\",\"quantity\":28}");
        }
    }

    /** Whether the shop's quantity of the SKU is parked with its dead letter (neither resent nor reconciled). */
    protected boolean parked(String sku) {
        return Boolean.TRUE.equals(jdbc.queryForObject(
                "SELECT claimed_until = 'infinity' FROM channel_stock WHERE channel = 'shop' AND sku = ?", Boolean.class, sku));
    }

    /** The route that takes the shop's stock updates (stopped while the shop is "down"). */
    protected abstract String shopStockTaker();

    /** The route in which a shop stock update is retried and dead-lettered. */
    protected abstract String shopStockSender();

    /** New SKUs whose stock the shop answers with 503 until {@code SHOP.reset()}. */
    protected List<String> skusTheShopRefuses(int count) {
        List<String> skus = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            skus.add(newSku());
            SHOP.always("/shop/stock/" + skus.get(i), Reply.of(503, "{\"error\":\"maintenance\"}"));
        }
        return skus;
    }

    /** Levels 11 to 30 (sequence 1 to 20) for each SKU, one batch per sequence; returns once Bol has the last. */
    protected void pushTwentyLevelsEach(List<String> skus) {
        for (int sequence = 1; sequence <= 20; sequence++) {
            final int q = sequence;
            pushStock(batch(skus.stream().map(s -> level(s, 10 + q, q)).toArray(String[]::new)));
        }
        await().atMost(Duration.ofSeconds(15)).until(() -> skus.stream().allMatch(s -> {
            List<ChannelStub.Request> bol = bolRequests(s);
            return !bol.isEmpty() && bol.get(bol.size() - 1).body().contains("\"amount\":29");
        }));
    }
}
