package io.kanaal.order;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
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

    private final Orders orders;
    private final OrderPolls polls;
    private final ObjectMapper json;

    public BolOrderPolls(Orders orders, OrderPolls polls, ObjectMapper json) {
        this.orders = orders;
        this.polls = polls;
        this.json = json;
    }

    /**
     * The query of one page of the open orders Kanaal fulfils (FBR): those changed since the watermark, or all
     * open orders when there is none yet or it lies further back than Bol's change interval reaches.
     */
    public String query(String since, String pollStart, int page) {
        Integer minutes = changeInterval(since, pollStart);
        return "fulfilment-method=FBR&status=OPEN&page=" + page
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
     * The order ids of one page of the list, in its order ("" for an entry without one), read once for
     * {@link #unknown} and {@link #full}; an empty page ({@code {}}) has none.
     */
    public List<String> listed(String page) throws JsonProcessingException {
        JsonNode list = json.readTree(page == null || page.isBlank() ? "{}" : page).path("orders");
        List<String> ids = new ArrayList<>();
        if (list.isArray()) {
            list.forEach(order -> ids.add(order.path("orderId").asText("")));
        }
        return ids;
    }

    /**
     * The ids of {@code earlier} and then of this page's orders ({@code listed}) that Kanaal has neither taken in
     * nor just put on the intake queue: the orders whose details the poll still has to fetch.
     */
    public List<String> unknown(String channel, List<String> earlier, List<String> listed) {
        Set<String> ids = new LinkedHashSet<>(earlier == null ? List.of() : earlier);
        for (String id : listed == null ? List.<String>of() : listed) {
            if (!id.isEmpty() && !ids.contains(id) && !polls.recentlyEnqueued(channel, id)
                    && !orders.known(channel, id)) {
                ids.add(id);
            }
        }
        return new ArrayList<>(ids);
    }

    /** Whether the page ({@code listed}) is full, so that another may follow; a shorter page is the last. */
    public boolean full(List<String> listed) {
        return listed.size() >= PAGE_SIZE;
    }
}
