package io.kanaal.order;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kanaal.erp.InvalidRequestException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
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

    public OrderPolls(JdbcTemplate jdbc, ObjectMapper json) {
        this.jdbc = jdbc;
        this.json = json;
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

    /** The orders a channel pushed: one order (an object) or several (an array). */
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
            return texts(document);
        }
        throw new InvalidRequestException(400, "Not an order", List.of("expected a JSON object or an array of them"));
    }

    /** The highest value of {@code watermarkField} among the answer's orders; null when there are none. */
    public String watermark(String answer, String field, String watermarkField) throws JsonProcessingException {
        String highest = null;
        for (JsonNode order : list(answer, field)) {
            String value = sortable(order.path(watermarkField).asText(null));
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
        if (value == null) {
            return null;
        }
        try {
            return WATERMARK.format(OffsetDateTime.parse(value).toInstant());
        } catch (DateTimeParseException e) {
            return value;
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
     * The last change seen on the channel less an overlap, or {@code initial} before its first successful poll.
     * For channels that keep change times coarsely (Vendure on SQLite or MySQL: whole seconds) or commit late:
     * a change stamped at or just before the last one seen is asked for again, and the intake lets each order
     * through once.
     */
    public String since(String channel, String initial, int overlapSeconds) {
        String since = since(channel, initial);
        if (since.equals(initial) || overlapSeconds <= 0) {
            return since;
        }
        try {
            return WATERMARK.format(OffsetDateTime.parse(since).toInstant().minusSeconds(overlapSeconds));
        } catch (DateTimeParseException e) {
            return since;
        }
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
