package io.kanaal.channel.bol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kanaal.channel.ChannelOrders;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * The Bol.com order poll (Retailer API v10, {@code GET /retailer/orders}): which page to ask for, which of a
 * page's orders Kanaal still needs the details of, and whether another page follows.
 */
@Component("bolOrderPolls")
public class BolOrderPolls {

    /** Bol's page size of the order list (the spec: "with a page size of 50 items"). */
    static final int PAGE_SIZE = 50;

    /** The longest change interval Bol takes ({@code change-interval-minute}, maximum 60). */
    static final int MAX_CHANGE_INTERVAL_MINUTES = 60;

    private final ChannelOrders orders;
    private final ObjectMapper json;

    public BolOrderPolls(ChannelOrders orders, ObjectMapper json) {
        this.orders = orders;
        this.json = json;
    }

    /**
     * The query of one page of the orders Kanaal fulfils (FBR). Without a watermark, or when it lies further back
     * than Bol's change interval reaches: every open order. Otherwise every order changed since the watermark,
     * whatever its status ({@code status=ALL}), so that an order Bol cancelled after Kanaal took it in is seen.
     */
    public String query(String since, String pollStart, int page) {
        Integer minutes = changeInterval(since, pollStart);
        return "fulfilment-method=FBR&status=" + (minutes == null ? "OPEN" : "ALL") + "&page=" + page
                + (minutes == null ? "" : "&change-interval-minute=" + minutes);
    }

    /**
     * Minutes from the watermark to this poll's start, rounded up, plus one (Bol wants the interval a minute
     * longer than the time between polls); null when there is no watermark or more than 60 minutes are needed.
     */
    static Integer changeInterval(String since, String pollStart) {
        if (since == null || since.isBlank()) {
            return null;
        }
        try {
            long millis = Math.max(0, Duration.between(Instant.parse(since), Instant.parse(pollStart)).toMillis());
            long minutes = (millis + 59_999) / 60_000 + 1;
            return minutes > MAX_CHANGE_INTERVAL_MINUTES ? null : (int) minutes;
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /**
     * An order of the list as its items stand: {@code open} when an item still has units neither shipped nor
     * cancelled (or the entry says nothing about its items), {@code cancelled} when every unit of every item is.
     */
    public record Listed(String orderId, boolean open, boolean cancelled) {
    }

    /**
     * The orders of one page of the list, in its order (id "" for an entry without one), read once for
     * {@link #unknown} and {@link #full}; an empty page ({@code {}}) has none.
     */
    public List<Listed> listed(String page) throws JsonProcessingException {
        JsonNode list = json.readTree(page == null || page.isBlank() ? "{}" : page).path("orders");
        List<Listed> orders = new ArrayList<>();
        if (list.isArray()) {
            list.forEach(order -> {
                JsonNode items = order.path("orderItems");
                boolean open = !items.isArray() || items.isEmpty();
                boolean cancelled = items.isArray() && !items.isEmpty();
                for (JsonNode item : items) {
                    int quantity = item.path("quantity").asInt(0);
                    int cancelledUnits = item.path("quantityCancelled").asInt(0);
                    open |= quantity - item.path("quantityShipped").asInt(0) - cancelledUnits > 0;
                    cancelled &= quantity > 0 && cancelledUnits >= quantity;
                }
                orders.add(new Listed(order.path("orderId").asText(""), open, cancelled));
            });
        }
        return orders;
    }

    /**
     * The ids of {@code earlier} and then of this page's orders ({@code listed}) whose details the poll has to
     * fetch: an order Kanaal has neither taken in nor just put on the intake queue, unless it was shipped before
     * Kanaal saw it; and an order Kanaal took in that every unit of is now cancelled, unless Kanaal has it as
     * cancelled or shipped already (its detail then maps to status cancelled, which ends its reservations).
     */
    public List<String> unknown(String channel, List<String> earlier, List<Listed> listed) {
        Set<String> ids = new LinkedHashSet<>(earlier == null ? List.of() : earlier);
        for (Listed order : listed == null ? List.<Listed>of() : listed) {
            String id = order.orderId();
            if (id.isEmpty() || ids.contains(id)) {
                continue;
            }
            Optional<String> status = orders.stateOf(channel, id);
            // a cancellation is fetched until the intake has it (a second fetch is harmless: it is taken in once)
            boolean fetch = status.isEmpty()
                    ? (order.open() || order.cancelled()) && !orders.recentlyEnqueued(channel, id)
                    : order.cancelled() && !status.get().equals("cancelled") && !status.get().equals("shipped");
            if (fetch) {
                ids.add(id);
            }
        }
        return new ArrayList<>(ids);
    }

    /** Whether the page ({@code listed}) is full, so that another may follow; a shorter page is the last. */
    public boolean full(List<Listed> listed) {
        return listed.size() >= PAGE_SIZE;
    }
}
