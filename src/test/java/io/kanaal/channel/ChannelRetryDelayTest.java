package io.kanaal.channel;

import static org.assertj.core.api.Assertions.assertThat;

import io.kanaal.support.ChannelStub;
import io.kanaal.support.ChannelStub.Reply;
import io.kanaal.support.KanaalIntegrationTest;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The queue consumers' retries as shipped (route configuration {@code queue-consumer} in
 * {@code routes/error-handling.camel.yaml}, with its {@link ChannelRetryDelay}), on a shop stock update: after a 429
 * whose Retry-After is longer than Kanaal waits inside a call ({@code kanaal.delivery.max-throttle-wait}, 1 s here),
 * the next attempt comes after that wait, not after the backoff's short first step (100 ms), and the wait does not
 * use up the retries: nothing is dead-lettered. After any other failure the backoff's delay applies again (going on
 * from the last wait, capped at {@code kanaal.delivery.maximum-delay}, 1 s), not the Retry-After again.
 *
 * <p>A Kanaal of its own (its settings differ), closed after the class.
 */
@DirtiesContext
class ChannelRetryDelayTest extends KanaalIntegrationTest {

    private static final Duration RETRY_AFTER = Duration.ofSeconds(3);

    @DynamicPropertySource
    static void shortThrottleWait(DynamicPropertyRegistry registry) {
        registry.add("kanaal.test.context", () -> "retry-delay");
        // a wait the channel asks for beyond this is left to the redelivery (ChannelRetryDelay), not waited out in the call
        registry.add("kanaal.delivery.max-throttle-wait", () -> "1s");
    }

    @Test
    void theAttemptAfterARetryAfterWaitsThatLongAndTheOneAfterAnotherFailureTheBackoffsStep() {
        String sku = newSku();
        String path = "/shop/stock/" + sku;
        SHOP.script(path, Reply.of(429, "{\"title\":\"Too Many Requests\"}")
                        .withHeader("Retry-After", Long.toString(RETRY_AFTER.toSeconds())),
                Reply.of(500, "{\"error\":\"boom\"}"));

        pushStock(batch(level(sku, 10, 1)));

        // three calls (429, 500, the delivery) and no more, nothing dead-lettered; held past the longest retry delay
        awaitExactly(() -> {
            assertThat(shopRequests(sku)).as("calls").hasSize(3);
            assertThat(deadLetters("DLQ.kanaal.channel.shop.stock", sku)).as("dead letters").isEmpty();
        });
        ChannelStub.Request throttled = assertThat(SHOP.answered(path, 429)).singleElement().actual();
        ChannelStub.Request failed = assertThat(SHOP.answered(path, 500)).singleElement().actual();
        ChannelStub.Request delivered = assertThat(SHOP.succeeded(path)).singleElement().actual();
        assertThat(delivered.body()).isEqualTo("{\"sku\":\"" + sku + "\",\"quantity\":8}");
        long afterThrottle = Duration.ofNanos(failed.atNanos() - throttled.atNanos()).toMillis();
        long afterError = Duration.ofNanos(delivered.atNanos() - failed.atNanos()).toMillis();
        assertThat(afterThrottle).as("waited for Retry-After").isGreaterThanOrEqualTo(RETRY_AFTER.toMillis());
        // the backoff goes on from the last wait, capped at its maximum: 1 s, not Retry-After again
        assertThat(afterError).as("the backoff's step, not Retry-After again")
                .isGreaterThanOrEqualTo(1_000).isLessThan(RETRY_AFTER.toMillis());
    }
}
