package io.kanaal.order;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import io.kanaal.support.MutableClock;
import org.junit.jupiter.api.Test;

/** When the orders go out again after broker changes: one window per burst, from the first change's lookback. */
class UnifiedRepublishWindowTest {

    private static final Instant T0 = Instant.parse("2026-12-07T12:00:00Z");

    private final MutableClock clock = new MutableClock(T0);
    private final UnifiedRepublish republish = new UnifiedRepublish(null, Duration.ofMinutes(5), Duration.ofSeconds(15), clock);

    @Test
    void aFailoverAndItsFailbackAreOneWindowSentOnceTheySettle() {
        assertThat(republish.due()).as("nothing changed").isNull();

        republish.changed("failover");
        clock.set(T0.plusSeconds(40));
        republish.changed("failback");
        clock.set(T0.plusSeconds(54));
        assertThat(republish.due()).as("14 s after the failback").isNull();

        clock.set(T0.plusSeconds(55));
        assertThat(republish.due()).as("the window starts 5 minutes before the failover").isEqualTo(T0.minusSeconds(300));
        assertThat(republish.due()).as("handed out once").isNull();
    }

    @Test
    void aWindowThatCouldNotBeSentIsDueAgainAndWidenedByALaterChange() {
        republish.changed("failover");
        clock.set(T0.plusSeconds(15));
        Instant since = republish.due();

        republish.failed(since);
        clock.set(T0.plusSeconds(20));
        assertThat(republish.due()).isEqualTo(since);

        republish.failed(since);
        clock.set(T0.plusSeconds(600));
        republish.changed("failback");
        clock.set(T0.plusSeconds(615));
        assertThat(republish.due()).as("from the earlier window's start").isEqualTo(since);
    }
}
