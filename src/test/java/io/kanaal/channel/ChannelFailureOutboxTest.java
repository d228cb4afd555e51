package io.kanaal.channel;

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

    @Override
    protected String shopStockTaker() {
        return "shop-stock-outbox";
    }

    @Override
    protected String shopStockSender() {
        return "shop-stock-outbox-send";
    }
}
