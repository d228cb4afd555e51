package io.kanaal.stock;

import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * {@link StockDeliveryTest} with {@code kanaal.stock.delivery = outbox}: every channel gets its own quantity in its
 * own format, current and never stale, when the publishers take the quantities from channel_stock.
 *
 * <p>Closed after the class: its channels poll the same order stubs as the shared Kanaal of the other tests, and
 * kept running beside that one it polled them too (BolOrderTest saw an order's detail fetched twice).
 */
@DirtiesContext
class StockDeliveryOutboxTest extends StockDeliveryTest {

    @DynamicPropertySource
    static void outbox(DynamicPropertyRegistry registry) {
        registry.add("kanaal.test.context", () -> "outbox-delivery");
        registry.add("kanaal.stock.delivery", () -> "outbox");
    }
}
