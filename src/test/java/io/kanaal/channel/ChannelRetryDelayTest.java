package io.kanaal.channel;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.Test;

/**
 * With Camel's own redelivery (as the queue consumers' error handler has it): after a 429 whose Retry-After says
 * how long to wait, the next attempt comes after that wait, not after the backoff's short first step; after any
 * other failure the backoff's delay applies again (going on from the last wait, capped at its maximum).
 */
class ChannelRetryDelayTest extends CamelTestSupport {

    private final List<Long> attempts = Collections.synchronizedList(new ArrayList<>());

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                // the shape of kanaal.delivery.*: exponential backoff, capped (here at 200 ms)
                errorHandler(deadLetterChannel("mock:dead").maximumRedeliveries(3).redeliveryDelay(20)
                        .useExponentialBackOff().backOffMultiplier(2).maximumRedeliveryDelay(200)
                        .onExceptionOccurred(new ChannelRetryDelay()));
                from("direct:send").process(exchange -> {
                    attempts.add(System.nanoTime());
                    switch (attempts.size()) {
                        case 1 -> throw ChannelException.throttled("HTTP 429 (retry after 1 s)", Duration.ofMillis(1500));
                        case 2 -> throw ChannelException.unavailable("HTTP 500");
                        default -> { }
                    }
                }).to("mock:sent");
            }
        };
    }

    @Test
    void theAttemptAfterARetryAfterWaitsThatLongAndTheOneAfterAnotherFailureTheBackoffsStep() throws Exception {
        MockEndpoint sent = getMockEndpoint("mock:sent");
        sent.expectedMessageCount(1);
        MockEndpoint dead = getMockEndpoint("mock:dead");
        dead.expectedMessageCount(0);

        template.sendBody("direct:send", "{}");

        sent.assertIsSatisfied();
        dead.assertIsSatisfied();
        assertThat(attempts).hasSize(3);
        long afterThrottle = Duration.ofNanos(attempts.get(1) - attempts.get(0)).toMillis();
        long afterError = Duration.ofNanos(attempts.get(2) - attempts.get(1)).toMillis();
        assertThat(afterThrottle).as("waited for Retry-After").isGreaterThanOrEqualTo(1500);
        // the backoff goes on from the last wait, capped at its maximum: 200 ms, not Retry-After again
        assertThat(afterError).as("the backoff's step, not Retry-After again").isBetween(150L, 1000L);
        assertThat(sent.getReceivedExchanges().get(0).getIn().getHeaders()).doesNotContainKey("CamelRedeliveryDelay");
    }
}
