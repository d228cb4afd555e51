package io.kanaal.order;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kanaal.api.InvalidRequestException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import io.kanaal.polling.TimeFormat;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.Body;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Where each channel's incremental order poll continues: the last change it saw, in PostgreSQL, so a
 * restart continues where the last successful poll ended. A poll that fails leaves it where it was:
 * the next poll asks again from there.
 */
@Component("orderPolls")
public class OrderPolls {

    /** How many order ids per channel {@link #enqueued} remembers. */
    private static final int RECENT = 10_000;

    private final JdbcTemplate jdbc;
    private final ObjectMapper json;
    private final Map<String, Set<String>> recent = new ConcurrentHashMap<>();
    private final int webhookMaxOrders;

    public OrderPolls(JdbcTemplate jdbc, ObjectMapper json,
            @Value("${kanaal.orders.webhook-max-orders:100}") int webhookMaxOrders) {
        this.jdbc = jdbc;
        this.json = json;
        this.webhookMaxOrders = webhookMaxOrders;
    }

    /**
     * The orders in a poll's answer, each as the channel sent it.
     *
     * @param field the answer's field that holds the array of orders, a dotted path for a nested one
     *              (orders.items); empty when the answer is the array
     */
    public List<String> orders(String answer, String field) throws JsonProcessingException {
        return texts(list(answer, field));
    }

    private List<String> texts(JsonNode list) throws JsonProcessingException {
        List<String> orders = new ArrayList<>();
        for (JsonNode order : list) {
            orders.add(json.writeValueAsString(order));
        }
        return orders;
    }

    /**
     * The orders of a poll's pages so far ({@code orders}; null before the first page) and those of one more
     * page, for a type whose order list pages.
     */
    public List<String> addPage(List<String> orders, String answer, String field) throws JsonProcessingException {
        List<String> all = new ArrayList<>(orders == null ? List.of() : orders);
        all.addAll(orders(answer, field));
        return all;
    }

    /** Whether the answer's field (a dotted path) is true: that more pages follow, for a type whose list pages. */
    public boolean flag(String answer, String field) throws JsonProcessingException {
        JsonNode node = json.readTree(answer == null || answer.isBlank() ? "{}" : answer);
        for (String name : field.split("\\.")) {
            node = node.path(name);
        }
        return node.asBoolean(false);
    }

    /** The later of {@code watermark} (null for none) and the highest one of a page's orders. */
    public String laterWatermark(String watermark, String answer, String field, String watermarkField, String format)
            throws JsonProcessingException {
        String page = watermark(answer, field, watermarkField, format);
        return watermark == null || page != null && page.compareTo(watermark) > 0 ? page : watermark;
    }

    /**
     * The orders a channel pushed: one order (an object) or several (an array), at most
     * {@code kanaal.orders.webhook-max-orders} (413 beyond: the call is taken in one request thread, all or nothing).
     */
    public List<String> received(String body) throws JsonProcessingException {
        JsonNode document;
        try {
            document = json.readTree(body == null ? "" : body);
        } catch (JsonProcessingException e) {
            throw new InvalidRequestException(400, "The body is not valid JSON", List.of(e.getOriginalMessage()));
        }
        if (document != null && document.isObject()) {
            return List.of(json.writeValueAsString(document));
        }
        if (document != null && document.isArray()) {
            if (document.size() > webhookMaxOrders) {
                throw new InvalidRequestException(413, "Too many orders in one call", List.of("at most " + webhookMaxOrders
                        + " orders a call (kanaal.orders.webhook-max-orders); this one has " + document.size()));
            }
            return texts(document);
        }
        throw new InvalidRequestException(400, "Not an order", List.of("expected a JSON object or an array of them"));
    }

    /**
     * The highest value of {@code watermarkField} among the answer's orders, the channel writing its times in
     * {@code format} (a {@link DateTimeFormatter} pattern, UTC; empty for ISO-8601); null when there are none.
     */
    public String watermark(String answer, String field, String watermarkField, String format) throws JsonProcessingException {
        String highest = null;
        for (JsonNode order : list(answer, field)) {
            String value = sortable(order.path(watermarkField).asText(null), format);
            if (value != null && (highest == null || value.compareTo(highest) > 0)) {
                highest = value;
            }
        }
        return highest;
    }

    private static final DateTimeFormatter WATERMARK =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    /** A date-time in one fixed form (UTC, microseconds), so that watermarks compare as text. */
    static String sortable(String value) {
        return sortable(value, "");
    }

    private static String sortable(String value, String format) {
        return TimeFormat.of(format, null).sortable(value);
    }

    /** Where a channel's polls start when it has no watermark and its configuration names no start. */
    static final String BEGINNING = "1970-01-01T00:00:00Z";

    /**
     * The query of a poll that asks for the orders changed since {@code since} (the beginning when null):
     * {@code <sinceParam>=<since>}, written in {@code format} (a {@link DateTimeFormatter} pattern, UTC; empty
     * for the watermark as it is), then {@code extra} (more parameters, already encoded) where there are any.
     */
    public String query(String sinceParam, String since, String format, String extra) {
        String value = since == null ? BEGINNING : since;
        value = TimeFormat.of(format, null).write(value);
        String query = sinceParam + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8).replace("%3A", ":");
        return extra == null || extra.isEmpty() ? query : query + "&" + extra;
    }

    /** {@code seconds} before the watermark (the beginning when there is none), for a poll that overlaps the last. */
    public String before(String since, int seconds) {
        if (since == null) {
            return BEGINNING;
        }
        try {
            return WATERMARK.format(OffsetDateTime.parse(since).toInstant().minusSeconds(seconds));
        } catch (DateTimeParseException e) {
            return since;
        }
    }

    private JsonNode list(String answer, String field) throws JsonProcessingException {
        JsonNode document = json.readTree(answer == null || answer.isBlank() ? "[]" : answer);
        JsonNode list = document;
        if (field != null && !field.isEmpty()) {
            for (String name : field.split("\\.")) {
                list = list.path(name);
            }
        }
        if (list.isMissingNode() || list.isNull()) {
            return json.createArrayNode();
        }
        if (!list.isArray()) {
            throw new IllegalStateException("the channel's order list" + (field == null || field.isEmpty() ? "" : " '" + field + "'")
                    + " is not a JSON array");
        }
        return list;
    }

    /** Now as a watermark (UTC, fixed width): a poll that asks for everything since a time starts from its own start. */
    public String now() {
        return WATERMARK.format(Instant.now());
    }

    /**
     * Remembers the orders a poll has put on the channel's intake queue, so that the next polls need not
     * fetch them again while their intake is still under way (this instance only, the newest few thousand).
     */
    public void enqueued(String channel, Collection<String> channelOrderIds) {
        recent(channel).addAll(channelOrderIds);
    }

    /**
     * The orders of a poll's answer that this instance did not queue before exactly as they are now. A poll that
     * asks again from a little before its watermark (Vendure's overlap), or from the watermark itself, lists
     * the last orders again: the intake would drop them as duplicates, but one it dead-lettered (a malformed
     * order) would be dead-lettered again at every poll while it is the newest. An order that changed is new.
     */
    public List<String> unseen(String channel, List<String> orders) {
        List<String> unseen = new ArrayList<>();
        for (String order : orders == null ? List.<String>of() : orders) {
            if (!recentlyEnqueued(channel, fingerprint(order))) {
                unseen.add(order);
            }
        }
        return unseen;
    }

    /** Remembers the orders a poll queued (once its broker transaction committed), for {@link #unseen}. */
    public void seen(String channel, List<String> orders) {
        if (orders != null && !orders.isEmpty()) {
            enqueued(channel, orders.stream().map(OrderPolls::fingerprint).toList());
        }
    }

    /**
     * {@link #seen}, and the channel's ids of those orders where the type's fetch named them (for
     * {@link #recentlyEnqueued}).
     */
    public void seen(String channel, List<String> orders, Collection<String> channelOrderIds) {
        seen(channel, orders);
        if (channelOrderIds != null) {
            enqueued(channel, channelOrderIds);
        }
    }

    private static String fingerprint(String order) {
        try {
            return "=" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(order.getBytes(StandardCharsets.UTF_8)), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether a poll of this instance put the order on the intake queue lately. */
    public boolean recentlyEnqueued(String channel, String channelOrderId) {
        return recent(channel).contains(channelOrderId);
    }

    private Set<String> recent(String channel) {
        return recent.computeIfAbsent(channel, c -> Collections.synchronizedSet(Collections.newSetFromMap(
                new LinkedHashMap<>() {
                    @Override
                    protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                        return size() > RECENT;
                    }
                })));
    }

    /** The last change seen on the channel, or {@code initial} before its first successful poll. */
    public String since(String channel, String initial) {
        return jdbc.query("SELECT watermark FROM order_poll_watermark WHERE channel = ?",
                (rs, i) -> rs.getString(1), channel).stream().findFirst().orElse(initial);
    }

    /**
     * The last change seen on the channel; before its first successful poll, {@code firstPollFrom}: an ISO-8601
     * date-time, or a duration back from the poll's start ({@code P7D}); null when that is empty too.
     */
    public String pollFrom(String channel, String firstPollFrom, String pollStart) {
        String since = since(channel, (String) null);
        if (since != null || firstPollFrom == null || firstPollFrom.isBlank()) {
            return since;
        }
        if (firstPollFrom.startsWith("P") || firstPollFrom.startsWith("-P")) {
            return WATERMARK.format(Instant.parse(pollStart).minus(Duration.parse(firstPollFrom).abs()));
        }
        return sortable(firstPollFrom);
    }

    /** Moves the channel's watermark forward to {@code watermark} (never back; empty leaves it). */
    public void advance(String channel, @Body String watermark) {
        if (watermark == null || watermark.isBlank()) {
            jdbc.update("UPDATE order_poll_watermark SET polled_at = now() WHERE channel = ?", channel);
            return;
        }
        jdbc.update("""
                INSERT INTO order_poll_watermark (channel, watermark) VALUES (?, ?)
                ON CONFLICT (channel) DO UPDATE SET watermark = EXCLUDED.watermark, polled_at = now()
                 WHERE order_poll_watermark.watermark < EXCLUDED.watermark
                """, channel, watermark);
    }
}
