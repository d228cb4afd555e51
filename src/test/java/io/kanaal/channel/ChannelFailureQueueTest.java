package io.kanaal.channel;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * {@link ChannelFailureCases} with {@code kanaal.stock.delivery = queue} (the {@code cluster} profile's): the
 * channels' publishers take their quantities from their last-value stock queues, with the same retries, backoff,
 * dead letters and replays, and a channel that was down still gets one current level per SKU.
 *
 * <p>Closed after the class: its channels poll the same order stubs as the shared Kanaal of the other tests.
 */
@DirtiesContext
class ChannelFailureQueueTest extends ChannelFailureCases {

    @DynamicPropertySource
    static void queue(DynamicPropertyRegistry registry) {
        registry.add("kanaal.test.context", () -> "queue-failures");
        registry.add("kanaal.stock.delivery", () -> "queue");
    }

    /**
     * The stock queue keeps each level as a message with attempts of its own, and the broker hands them to the
     * publishers ahead of time: the outage's levels queue up behind the failing one, and when the channel is back
     * the first of a SKU's waiting messages reads and sends the current level; the older ones are skipped.
     */
    @Override
    @Test
    void aChannelThatFailsWhileItsPublishersRunGetsOneCurrentLevelPerSkuWhenItRecovers() throws Exception {
        // the publishers keep running, retrying what they hold, while more levels queue up behind it (the
        // broker hands queued messages to its consumers ahead of time, out of the last-value queue's reach)
        List<String> skus = skusTheShopRefuses(5);
        pushTwentyLevelsEach(skus);
        await("each SKU refused and retried").atMost(Duration.ofSeconds(10))
                .until(() -> skus.stream().allMatch(s -> shopRequests(s).size() >= 2));

        SHOP.reset();

        // no more calls after the first: the older levels that waited behind it are skipped
        eachGetsOneCallWithTheNewestLevel(skus);
    }

    @Override
    protected String shopStockTaker() {
        return "shop-stock-publisher";
    }

    @Override
    protected String shopStockSender() {
        return "shop-stock-publisher";
    }
}
