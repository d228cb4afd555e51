package io.kanaal.stock;

import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * {@link StockDeliveryTest} with {@code kanaal.stock.delivery = queue} (the {@code cluster} profile's): every
 * channel gets its own quantity in its own format, current and never stale, from its last-value stock queue.
 *
 * <p>Closed after the class: its channels poll the same order stubs as the shared Kanaal of the other tests.
 */
@DirtiesContext
class StockDeliveryQueueTest extends StockDeliveryTest {

    @DynamicPropertySource
    static void queue(DynamicPropertyRegistry registry) {
        registry.add("kanaal.test.context", () -> "queue-delivery");
        registry.add("kanaal.stock.delivery", () -> "queue");
    }
}
