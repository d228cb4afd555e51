package io.kanaal.channel.bol;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kanaal.support.QueryString;
import java.util.Collections;
import java.util.List;
import java.util.Map;
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
    void withoutAWatermarkOrAfterAGapBeyondBolsMaximumThePollAsksForAllOpenOrdersOtherwiseForEveryChangedOrder() {
        assertThat(BolOrderPolls.changeInterval("", START)).isNull();
        assertThat(BolOrderPolls.changeInterval("2026-11-23T09:00:59.000000Z", START)).isNull();
        assertThat(QueryString.parameters(new BolOrderPolls(null, null).query("", START, 2)))
                .isEqualTo(Map.of("fulfilment-method", "FBR", "status", "OPEN", "page", "2"));
        assertThat(QueryString.parameters(new BolOrderPolls(null, null).query("2026-11-23T09:58:00.000000Z", START, 1)))
                .isEqualTo(Map.of("fulfilment-method", "FBR", "status", "ALL", "page", "1", "change-interval-minute", "3"));
    }

    @Test
    void aPageIsReadOnceIntoItsOrdersAndOnlyAFullPageIsFollowedByAnother() throws Exception {
        BolOrderPolls polls = new BolOrderPolls(null, new ObjectMapper());
        List<BolOrderPolls.Listed> two = polls.listed("{\"orders\":[{\"orderId\":\"1043946570\"},{\"orderItems\":[]}]}");
        assertThat(two).extracting(BolOrderPolls.Listed::orderId).containsExactly("1043946570", "");
        assertThat(polls.full(two)).isFalse();
        assertThat(polls.listed("{ }")).isEmpty();
        assertThat(polls.listed("")).isEmpty();
        assertThat(polls.full(Collections.nCopies(BolOrderPolls.PAGE_SIZE, new BolOrderPolls.Listed("1", true, false))))
                .isTrue();
    }

    @Test
    void anOrderIsOpenWhileAnItemHasUnitsNeitherShippedNorCancelledAndCancelledWhenEveryUnitIs() throws Exception {
        BolOrderPolls polls = new BolOrderPolls(null, new ObjectMapper());
        List<BolOrderPolls.Listed> orders = polls.listed("""
                {"orders":[
                  {"orderId":"1","orderItems":[{"quantity":2,"quantityShipped":0,"quantityCancelled":0}]},
                  {"orderId":"2","orderItems":[{"quantity":2,"quantityShipped":0,"quantityCancelled":2},
                                               {"quantity":1,"quantityShipped":0,"quantityCancelled":1}]},
                  {"orderId":"3","orderItems":[{"quantity":2,"quantityShipped":0,"quantityCancelled":1},
                                               {"quantity":1,"quantityShipped":0,"quantityCancelled":1}]},
                  {"orderId":"4","orderItems":[{"quantity":2,"quantityShipped":2,"quantityCancelled":0}]},
                  {"orderId":"5","orderItems":[{"quantity":2,"quantityShipped":1,"quantityCancelled":1}]}
                ]}""");

        assertThat(orders).containsExactly(
                new BolOrderPolls.Listed("1", true, false),
                new BolOrderPolls.Listed("2", false, true),
                new BolOrderPolls.Listed("3", true, false),
                new BolOrderPolls.Listed("4", false, false),
                new BolOrderPolls.Listed("5", false, false));
    }
}
