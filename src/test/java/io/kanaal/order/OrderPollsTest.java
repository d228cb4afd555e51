package io.kanaal.order;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a poll hands to the intake: an order listed again exactly as before is not queued again; a changed one is. */
class OrderPollsTest {

    private final OrderPolls polls = new OrderPolls(null, new ObjectMapper(), 100);

    @Test
    void anOrderQueuedBeforeExactlyAsItIsNowIsLeftOutAndAChangedOneGoesAgain() throws Exception {
        String answer = """
                {"orders":{"items":[{"code":"A","state":"PaymentSettled","updatedAt":"2026-11-24T09:00:00Z"},
                                    {"code":"B","state":"PaymentSettled","updatedAt":"2026-11-24T09:00:05Z"}]}}""";
        List<String> first = polls.unseen("shop", polls.orders(answer, "orders.items"));
        assertThat(first).hasSize(2);
        polls.seen("shop", first);

        String again = """
                {"orders":{"items":[{"code":"B","state":"PaymentSettled","updatedAt":"2026-11-24T09:00:05Z"},
                                    {"code":"B2","state":"PaymentSettled","updatedAt":"2026-11-24T09:00:06Z"},
                                    {"code":"A","state":"Cancelled","updatedAt":"2026-11-24T09:00:07Z"}]}}""";
        assertThat(polls.unseen("shop", polls.orders(again, "orders.items")))
                .as("B as before is left out; B2 is new and A changed")
                .containsExactly("{\"code\":\"B2\",\"state\":\"PaymentSettled\",\"updatedAt\":\"2026-11-24T09:00:06Z\"}",
                        "{\"code\":\"A\",\"state\":\"Cancelled\",\"updatedAt\":\"2026-11-24T09:00:07Z\"}");
        assertThat(polls.unseen("market", polls.orders(answer, "orders.items"))).as("per channel").hasSize(2);
    }
}
