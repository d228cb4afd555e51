package io.kanaal.channel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Ids from a channel in the paths Kanaal calls: one segment each, whatever they hold. */
class ChannelRequestsTest {

    private final ChannelRequests requests = new ChannelRequests(new Channels(new ChannelsProperties(Map.of())));

    @Test
    void anIdFromAChannelStaysOneSegmentOfThePath() {
        assertThat(requests.path("/retailer/orders/", "1043946570")).isEqualTo("/retailer/orders/1043946570");
        assertThat(requests.path("/retailer/offers/", "13722de8-8182-d161-5422-4a0a1caab5c8"))
                .isEqualTo("/retailer/offers/13722de8-8182-d161-5422-4a0a1caab5c8");
        assertThat(requests.path("/retailer/orders/", "../../shared/process-status/1?x=1#y"))
                .isEqualTo("/retailer/orders/..%2F..%2Fshared%2Fprocess-status%2F1%3Fx=1%23y");
        assertThat(requests.path("/shared/process-status/", 1234L)).isEqualTo("/shared/process-status/1234");
    }
}
