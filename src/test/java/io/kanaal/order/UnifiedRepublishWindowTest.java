package io.kanaal.order;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import io.kanaal.support.MutableClock;
import org.junit.jupiter.api.Test;

/** When the orders go out again after broker changes: one window per burst, from the first change's lookback. */
class UnifiedRepublishWindowTest {

    private static final Instant T0 = Instant.parse("2026-12-07T12:00:00Z");

    private final MutableClock clock = new MutableClock(T0);
    private final UnifiedRepublish republish = new UnifiedRepublish(null, Duration.ofMinutes(5), Duration.ofSeconds(15), clock);

    /** The window the timer's exchange is given ({@code [since, until]}), or null when none is due. */
    private List<Instant> window() {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        if (!republish.window(exchange)) {
            return null;
        }
        return List.of(exchange.getMessage().getHeader(UnifiedRepublish.SINCE, Instant.class),
                exchange.getMessage().getHeader(UnifiedRepublish.UNTIL, Instant.class));
    }

    @Test
    void aFailoverAndItsFailbackAreOneWindowSentOnceTheySettle() {
        assertThat(window()).as("nothing changed").isNull();

        republish.changed("failover");
        clock.set(T0.plusSeconds(40));
        republish.changed("failback");
        clock.set(T0.plusSeconds(54));
        assertThat(window()).as("14 s after the failback").isNull();

        clock.set(T0.plusSeconds(55));
        assertThat(window()).as("from 5 minutes before the failover to the failback")
                .containsExactly(T0.minusSeconds(300), T0.plusSeconds(40));
        assertThat(window()).as("handed out once").isNull();
    }

    @Test
    void aWindowThatCouldNotBeSentIsDueAgainAndWidenedByALaterChange() {
        republish.changed("failover");
        clock.set(T0.plusSeconds(15));
        List<Instant> window = window();

        republish.failed(window.get(0), window.get(1));
        clock.set(T0.plusSeconds(20));
        assertThat(window()).isEqualTo(window);

        republish.failed(window.get(0), window.get(1));
        clock.set(T0.plusSeconds(600));
        republish.changed("failback");
        clock.set(T0.plusSeconds(615));
        assertThat(window()).as("from the earlier window's start to the failback")
                .containsExactly(window.get(0), T0.plusSeconds(600));
    }
}
