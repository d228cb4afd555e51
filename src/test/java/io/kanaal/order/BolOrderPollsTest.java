package io.kanaal.order;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The change interval of a Bol order poll reaches back to the last successful poll, or the poll asks for all; each
 * page of the list is read once.
 */
class BolOrderPollsTest {

    private static final String START = "2026-11-23T10:00:00.000000Z";

    @Test
    void theIntervalIsTheMinutesSinceTheWatermarkRoundedUpPlusOne() {
        assertThat(BolOrderPolls.changeInterval("2026-11-23T09:58:00.000000Z", START)).isEqualTo(3);
        assertThat(BolOrderPolls.changeInterval("2026-11-23T09:57:59.500000Z", START)).isEqualTo(4);
        assertThat(BolOrderPolls.changeInterval(START, START)).isEqualTo(1);
        assertThat(BolOrderPolls.changeInterval("2026-11-23T09:01:00.000000Z", START)).isEqualTo(60);
    }

    @Test
    void withoutAWatermarkOrAfterAGapBeyondBolsMaximumThePollAsksForAllOpenOrders() {
        assertThat(BolOrderPolls.changeInterval("", START)).isNull();
        assertThat(BolOrderPolls.changeInterval("2026-11-23T09:00:59.000000Z", START)).isNull();
        assertThat(new BolOrderPolls(null, null, null).query("", START, 2))
                .isEqualTo("fulfilment-method=FBR&status=OPEN&page=2");
        assertThat(new BolOrderPolls(null, null, null).query("2026-11-23T09:58:00.000000Z", START, 1))
                .isEqualTo("fulfilment-method=FBR&status=OPEN&page=1&change-interval-minute=3");
    }

    @Test
    void aPageIsReadOnceIntoItsOrderIdsAndOnlyAFullPageIsFollowedByAnother() throws Exception {
        BolOrderPolls polls = new BolOrderPolls(null, null, new ObjectMapper());
        List<String> two = polls.listed("{\"orders\":[{\"orderId\":\"1043946570\"},{\"orderItems\":[]}]}");
        assertThat(two).containsExactly("1043946570", "");
        assertThat(polls.full(two)).isFalse();
        assertThat(polls.listed("{ }")).isEmpty();
        assertThat(polls.listed("")).isEmpty();
        assertThat(polls.full(Collections.nCopies(BolOrderPolls.PAGE_SIZE, "1"))).isTrue();
    }
}
