package io.kanaal.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.kanaal.support.ChannelStub;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * {@link ChannelFailureTest} with {@code kanaal.stock.delivery = outbox}: the channels' publishers take their
 * quantities from channel_stock instead of their stock queues, with the same retries, backoff, dead letters and
 * replays, and a channel that was down still gets one current level per SKU.
 *
 * <p>Closed after the class: its channels poll the same order stubs as the shared Kanaal of the other tests, and
 * kept running beside that one it polled them too (BolOrderTest saw an order's detail fetched twice).
 */
@DirtiesContext
class ChannelFailureOutboxTest extends ChannelFailureTest {

    @DynamicPropertySource
    static void outbox(DynamicPropertyRegistry registry) {
        registry.add("kanaal.test.context", () -> "outbox-failures");
        registry.add("kanaal.stock.delivery", () -> "outbox");
    }

    /**
     * With the outbox, what waits for a SKU is its current quantity, not a queue of older messages that each get
     * attempts of their own: a quantity whose retries run out during the outage is dead-lettered and parked
     * instead of sent when the channel is back (how many do depends on how long the outage outlasts the retries).
     * Its dead letter's replay sends the current level. Either way each SKU gets the newest level exactly once,
     * never the outage's history, and none is lost.
     */
    @Override
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

        await().atMost(Duration.ofSeconds(15)).until(() -> skus.stream().allMatch(s -> !shopRequests(s).isEmpty()));
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                .until(() -> skus.stream().allMatch(s -> shopRequests(s).size() == 1));
        for (String sku : skus) {
            assertThat(shopRequests(sku)).as("calls for %s after the outage", sku)
                    .extracting(ChannelStub.Request::body)
                    .containsExactly("{\"sku\":\"" + sku + "\",\"quantity\":28}");
        }
    }

    private boolean parked(String sku) {
        return Boolean.TRUE.equals(jdbc.queryForObject(
                "SELECT claimed_until = 'infinity' FROM channel_stock WHERE channel = 'shop' AND sku = ?", Boolean.class, sku));
    }

    @Override
    protected String shopStockTaker() {
        return "shop-stock-outbox";
    }

    @Override
    protected String shopStockSender() {
        return "shop-stock-outbox-send";
    }
}
