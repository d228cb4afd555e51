package io.kanaal.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kanaal.support.KanaalIntegrationTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.ConsumerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.Test;

/**
 * Kanaal's queue consumers are transacted with the JMS session's own transaction (the jms component as
 * configured in application.yaml): what a consumer route sends is committed together with the message it
 * took, so an attempt that fails and is rolled back leaves nothing of its sends behind.
 */
class ConsumerTransactionTest extends KanaalIntegrationTest {

    @Test
    void aRolledBackAttemptLeavesNoneOfItsSends() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        camelContext.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("jms:queue:kanaal.test.tx-in?transacted=true&cacheLevelName=CACHE_CONSUMER").routeId("tx-probe")
                        .errorHandler(noErrorHandler())
                        .to("jms:queue:kanaal.test.tx-out?transacted=true")
                        .process(exchange -> {
                            if (attempts.incrementAndGet() == 1) {
                                throw new IllegalStateException("the first attempt fails after its send");
                            }
                        });
            }
        });
        try {
            camelContext.createProducerTemplate().sendBody("jms:queue:kanaal.test.tx-in", "level-1");

            await().atMost(Duration.ofSeconds(30)).until(() -> attempts.get() >= 2);
            ConsumerTemplate consumer = camelContext.createConsumerTemplate();
            List<String> sent = new ArrayList<>();
            for (String body; (body = consumer.receiveBody("jms:queue:kanaal.test.tx-out", 2_000, String.class)) != null; ) {
                sent.add(body);
            }
            assertThat(sent).as("the failed attempt's send was rolled back with it; the second attempt's committed")
                    .containsExactly("level-1");
        } finally {
            camelContext.getRouteController().stopRoute("tx-probe");
            camelContext.removeRoute("tx-probe");
        }
    }
}
