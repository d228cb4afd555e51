package io.kanaal.channel;

import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * {@link ChannelFailureTest} with {@code kanaal.stock.delivery = direct}: the fan-out hands the channels' quantities
 * to their senders in the process, with the same retries, backoff, dead letters and replays as from the stock
 * queues, and a channel that was down still gets one current level per SKU.
 *
 * <p>Closed after the class: its channels poll the same order stubs as the shared Kanaal of the other tests.
 */
@DirtiesContext
class ChannelFailureDirectTest extends ChannelFailureTest {

    @DynamicPropertySource
    static void direct(DynamicPropertyRegistry registry) {
        registry.add("kanaal.test.context", () -> "direct-failures");
        registry.add("kanaal.stock.delivery", () -> "direct");
    }

    @Override
    protected String shopStockTaker() {
        return "shop-stock-direct";
    }

    @Override
    protected String shopStockSender() {
        return "shop-stock-direct";
    }
}
