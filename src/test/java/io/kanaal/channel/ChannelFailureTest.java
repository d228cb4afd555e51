package io.kanaal.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link ChannelFailureCases} with {@code kanaal.stock.delivery = direct} (the default): the fan-out hands each
 * channel's quantities to its senders in the process; a dead-lettered quantity is parked until it is replayed.
 */
class ChannelFailureTest extends ChannelFailureCases {

    /**
     * A sender takes the newest quantity waiting for its SKU, which may be newer than the message it was queued
     * with: the senders were stopped while twenty levels came in, so each SKU's message names the first level and
     * its sender takes the twentieth. When that one's retries run out, the SKU is parked at the newest version its
     * attempts had (not only at the message's older one, which left it neither delivered nor parked, with nothing
     * left to send it but the dead letter). The replay of its dead letter sends the newest level once.
     */
    @Test
    void aQuantityDeadLetteredAfterNewerOnesCameInIsParkedAtTheNewestOneItsAttemptsHad() throws Exception {
        List<String> skus = skusTheShopRefuses(3);
        camelContext.getRouteController().stopRoute(shopStockTaker());
        try {
            pushTwentyLevelsEach(skus);
        } finally {
            camelContext.getRouteController().startRoute(shopStockTaker());
        }

        await().atMost(Duration.ofSeconds(20)).until(() -> skus.stream().allMatch(this::parked));
        SHOP.reset();
        for (String sku : skus) {
            List<JsonNode> dead = deadLetters(SHOP_DLQ, sku);
            assertThat(dead).as("dead letters of %s", sku).hasSize(1);
            post("/api/v1/ops/dead-letters/" + SHOP_DLQ + "/replay?messageId=" + dead.get(0).get("messageId").asText(), "");
        }
        eachGetsOneCallWithTheNewestLevel(skus);
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
