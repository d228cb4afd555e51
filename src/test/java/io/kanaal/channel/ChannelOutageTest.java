package io.kanaal.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kanaal.support.ChannelStub.Reply;
import io.kanaal.support.KanaalIntegrationTest;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A channel that is down for longer than its retries last ({@code kanaal.delivery.outage-patience}, ChannelHealth):
 * its stock is not dead-lettered while it takes nothing, and reaches it, current, once it is back; a SKU that
 * fails while the channel takes others is dead-lettered as before. Two retries here, at most 300 ms apart: without
 * the patience the SKU below would be dead-lettered within a second.
 *
 * <p>A Kanaal of its own (its settings differ), closed after the class.
 */
@DirtiesContext
class ChannelOutageTest extends KanaalIntegrationTest {

    private static final String SHOP_DLQ = "DLQ.kanaal.channel.shop.stock";

    @DynamicPropertySource
    static void patience(DynamicPropertyRegistry registry) {
        registry.add("kanaal.test.context", () -> "outage");
        registry.add("kanaal.test.maximum-redeliveries", () -> "2");
        registry.add("kanaal.test.maximum-delay", () -> "300");
        registry.add("kanaal.test.outage-patience", () -> "2m");
    }

    @Test
    void stockForAChannelThatIsDownIsRetriedUntilItIsBackNotDeadLetteredAndArrivesCurrent() {
        String sku = newSku();
        SHOP.always("/shop/stock/" + sku, Reply.of(503, "{\"error\":\"down for maintenance\"}"));

        pushStock(batch(level(sku, 20, 1)));
        // far more attempts than the 1 + 2 retries, none dead-lettered
        await().atMost(Duration.ofSeconds(20)).until(() -> shopRequests(sku).size() >= 8);
        pushStock(batch(level(sku, 30, 2)));
        int attempts = shopRequests(sku).size();
        // still retried, and still nothing dead-lettered
        await().atMost(Duration.ofSeconds(10)).until(() -> shopRequests(sku).size() >= attempts + 3);
        assertThat(deadLetters(SHOP_DLQ, sku)).isEmpty();

        SHOP.always("/shop/stock/" + sku, Reply.of(200, "{}"));

        await().atMost(Duration.ofSeconds(10)).until(() -> !SHOP.succeeded("/shop/stock/" + sku).isEmpty());
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5))
                .until(() -> SHOP.succeeded("/shop/stock/" + sku).size() == 1);
        // the newest level, less the shop's buffer of 2
        assertThat(SHOP.succeeded("/shop/stock/" + sku).get(0).body()).contains("\"quantity\":28");
        assertThat(deadLetters(SHOP_DLQ, sku)).isEmpty();
    }

    @Test
    void aSkuThatFailsWhileTheChannelTakesOthersIsDeadLetteredOnceItsRetriesAreUsedUp() {
        String failing = newSku();
        String other = newSku();
        SHOP.always("/shop/stock/" + failing, Reply.of(500, "{\"error\":\"cannot store this one\"}"));

        pushStock(batch(level(failing, 20, 1)));
        await().atMost(Duration.ofSeconds(10)).until(() -> !shopRequests(failing).isEmpty());
        pushStock(batch(level(other, 20, 1)));
        await().atMost(Duration.ofSeconds(10)).until(() -> !SHOP.succeeded("/shop/stock/" + other).isEmpty());

        await().atMost(Duration.ofSeconds(15)).until(() -> deadLetters(SHOP_DLQ, failing).size() == 1);
        assertThat(deadLetters(SHOP_DLQ, failing).get(0).get("reason").asText()).contains("HTTP 500");
    }
}
