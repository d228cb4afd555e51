package io.kanaal.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.kanaal.order.OrderJourney;
import io.kanaal.support.KanaalIntegrationTest;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The console's order list over orders of a channel of its own (written straight into channel_order): newest first,
 * every order exactly once across its pages, filtered by status and date, found by order id, SKU or e-mail.
 */
class OrderListTest extends KanaalIntegrationTest {

    private static final OffsetDateTime START = OffsetDateTime.of(2026, 3, 1, 12, 0, 0, 0, ZoneOffset.UTC);

    @Autowired
    private OrderList list;

    @Autowired
    private OrderJourney journey;

    private String insertOrders(int count) {
        String channel = "list-" + UUID.randomUUID();
        for (int i = 0; i < count; i++) {
            // two orders per received_at, so that the key's tie-breakers matter
            OffsetDateTime at = START.plusMinutes(i / 2);
            jdbc.update("""
                    INSERT INTO channel_order (channel, channel_order_id, ordered_at, received_at, status, canonical)
                    VALUES (?, ?, ?, ?, ?, ?::jsonb)""", channel, "O-" + i, at, at, i % 3 == 0 ? "shipped" : "open",
                    """
                    {"channel":"%s","channelOrderId":"O-%d","currency":"EUR","customer":{"email":"Buyer%d@Example.com"},
                     "lines":[{"sku":"SKU-%d","quantity":1,"unitPrice":1}],"totals":{"total":1}}""".formatted(channel, i, i, i));
        }
        return channel;
    }

    @Test
    void everyOrderShowsOnceNewestFirstAcrossThePages() {
        String channel = insertOrders(2 * OrderList.PAGE_SIZE + 7);
        List<String> seen = new ArrayList<>();
        String after = null;
        int pages = 0;
        do {
            OrderList.Page page = list.page(new OrderList.Filter(channel, null, null, null, null), after);
            page.rows().forEach(row -> seen.add(row.channelOrderId()));
            after = page.next();
            pages++;
        } while (after != null);

        assertThat(pages).isEqualTo(3);
        assertThat(seen).hasSize(2 * OrderList.PAGE_SIZE + 7).doesNotHaveDuplicates();
        assertThat(seen.get(0)).isEqualTo("O-" + (2 * OrderList.PAGE_SIZE + 6));
        assertThat(seen.get(seen.size() - 1)).isIn("O-0", "O-1");
    }

    @Test
    void theFiltersAndTheSearchFindWhatTheySay() {
        String channel = insertOrders(30);
        OrderList.Page shipped = list.page(new OrderList.Filter(channel, "shipped", null, null, null), null);
        assertThat(shipped.rows()).hasSize(10).allSatisfy(row -> assertThat(row.status()).isEqualTo("shipped"));

        // received 12:00 + i/2 minutes on 1 March: none on 2 March
        assertThat(list.page(new OrderList.Filter(channel, null, LocalDate.of(2026, 3, 2), null, null), null).rows()).isEmpty();
        assertThat(list.page(new OrderList.Filter(channel, null, LocalDate.of(2026, 3, 1), LocalDate.of(2026, 3, 1), null), null)
                .rows()).hasSize(30);

        assertThat(list.page(new OrderList.Filter(null, null, null, null, "O-7"), null).rows())
                .anySatisfy(row -> assertThat(row.channel()).isEqualTo(channel));
        assertThat(list.page(new OrderList.Filter(channel, null, null, null, "SKU-12"), null).rows())
                .extracting(OrderList.Row::channelOrderId).containsExactly("O-12");
        assertThat(list.page(new OrderList.Filter(channel, null, null, null, "buyer21@example.COM"), null).rows())
                .extracting(OrderList.Row::channelOrderId).containsExactly("O-21");
    }

    @Test
    void stepsOfOneMomentShowInTheOrderOfAnOrdersLife() {
        String channel = insertOrders(1);
        OffsetDateTime moment = START.plusHours(1);
        for (String event : List.of("cancellation confirmed by the channel", "cancelled by the ERP",
                "acknowledged by the ERP", "delivered to the ERP")) {
            jdbc.update("INSERT INTO order_event (channel, channel_order_id, event, at) VALUES (?, 'O-0', ?, ?)",
                    channel, event, moment);
        }

        assertThat(journey.of(channel, "O-0")).extracting(step -> step.get("event")).containsExactly("taken in",
                "delivered to the ERP", "acknowledged by the ERP", "cancelled by the ERP",
                "cancellation confirmed by the channel");
    }
}
