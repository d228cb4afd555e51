package io.kanaal.stock;

import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * {@link StockDeliveryTest} with {@code kanaal.stock.delivery = direct}: every channel gets its own quantity in its
 * own format, current and never stale, when the fan-out hands the quantities to the channels' senders in the
 * process instead of queuing them.
 *
 * <p>Closed after the class: its channels poll the same order stubs as the shared Kanaal of the other tests.
 */
@DirtiesContext
class StockDeliveryDirectTest extends StockDeliveryTest {

    @DynamicPropertySource
    static void direct(DynamicPropertyRegistry registry) {
        registry.add("kanaal.test.context", () -> "direct-delivery");
        registry.add("kanaal.stock.delivery", () -> "direct");
    }
}
