package io.kanaal.order;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.ValidationMessage;
import io.kanaal.api.InvalidRequestException;
import io.kanaal.api.Schemas;
import io.kanaal.stock.Reservations;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Timestamp;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.Header;
import org.apache.camel.Variable;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * Orders taken in from the channels: the canonical form (checked against schema/order.schema.json),
 * the order index in PostgreSQL and the reservations each order makes.
 */
@Component("orders")
public class Orders {

    public static final String SCHEMA = "schema/order.schema.json";

    private static final String CANCELLED = "cancelled";

    private final JdbcTemplate jdbc;
    private final ObjectMapper json;
    private final Reservations reservations;
    private final MeterRegistry meters;
    private final JsonSchema schema = Schemas.load(SCHEMA);

    public Orders(JdbcTemplate jdbc, ObjectMapper json, Reservations reservations, MeterRegistry meters) {
        this.jdbc = jdbc;
        this.json = json;
        this.reservations = reservations;
        this.meters = meters;
    }

    /** Kanaal's reference of an order, as the ERP quotes it. */
    public static String orderRef(String channel, String channelOrderId) {
        return channel + "/" + channelOrderId;
    }

    /**
     * The channel's mapped order as a canonical order: adds the channel and orderRef and checks it
     * against the schema.
     *
     * @throws InvalidOrderException when it does not match the schema
     */
    public String canonical(@Variable("channel") String channel, @Body String mapped) {
        JsonNode document;
        try {
            document = json.readTree(mapped == null ? "" : mapped);
        } catch (JsonProcessingException e) {
            throw new InvalidOrderException("The order mapping did not give JSON", List.of(e.getOriginalMessage()));
        }
        if (!(document instanceof ObjectNode mappedOrder)) {
            throw new InvalidOrderException("The order mapping gave no order", List.of("expected a JSON object"));
        }
        ObjectNode order = json.createObjectNode();
        String channelOrderId = mappedOrder.path("channelOrderId").asText("");
        order.put("orderRef", orderRef(channel, channelOrderId));
        order.put("channel", channel);
        mappedOrder.remove(List.of("orderRef", "channel"));
        order.setAll(mappedOrder);
        List<String> errors = schema.validate(order).stream().map(ValidationMessage::getMessage).sorted().toList();
        if (!errors.isEmpty()) {
            meters.counter("kanaal.orders.invalid", "channel", channel).increment();
            throw new InvalidOrderException("Order '" + channelOrderId + "' from " + channel
                    + " does not match the canonical order schema", errors);
        }
        return order.toString();
    }

    /**
     * Names a canonical order's keys in variables, from one reading of it: {@code orderRef}, and
     * {@code acceptKey}, what lets the order through to the unified queue once: its orderRef, or for a
     * cancelled order {@code <orderRef>#cancelled}, so that an order its channel cancels after Kanaal took it
     * in goes through once more, as cancelled. Both depend on the message alone, so a redelivered intake
     * message gets the same keys.
     */
    public void keys(@Body String canonical, Exchange exchange) throws JsonProcessingException {
        JsonNode order = json.readTree(canonical);
        String orderRef = order.path("orderRef").asText();
        exchange.setVariable("orderRef", orderRef);
        exchange.setVariable("acceptKey", acceptKey(orderRef, order.path("status").asText()));
    }

    /** The accept key of an order in a status: its orderRef, or {@code <orderRef>#cancelled} for a cancelled one. */
    static String acceptKey(String orderRef, String status) {
        return CANCELLED.equals(status) ? orderRef + "#" + CANCELLED : orderRef;
    }

    /**
     * Records the order in the order index and reserves its units, in one transaction. Taking the same order
     * in again changes nothing: neither the index nor the ledger counts it twice.
     *
     * <p>The SKUs returned are every SKU of the order, not only those this call reserved: the intake message
     * that took the order in comes back only when what it sent was rolled back (or lost in a crash) after this
     * transaction committed, and then the reservations are there already but the channels never got their
     * new quantities.
     *
     * @return the SKUs whose quantities the fan-out computes again for every channel (route stock-recompute)
     */
    @Transactional
    public List<String> take(@Body String canonical) throws JsonProcessingException {
        JsonNode order = json.readTree(canonical);
        String channel = order.path("channel").asText();
        String channelOrderId = order.path("channelOrderId").asText();
        String status = order.path("status").asText("open");
        Object[] orderRow = {channel, channelOrderId,
                Timestamp.from(OffsetDateTime.parse(order.path("orderedAt").asText()).toInstant()), status, canonical};
        Map<String, Integer> units = new LinkedHashMap<>();
        for (JsonNode line : order.path("lines")) {
            units.merge(line.path("sku").asText(), line.path("quantity").asInt(), Integer::sum);
        }
        if (status.equals(CANCELLED) || status.equals("shipped")) {
            int inserted = jdbc.update(INSERT_ORDER, orderRow);
            if (status.equals(CANCELLED) && inserted == 0) {
                return cancelledByChannel(channel, channelOrderId, units.keySet());
            }
            return List.of();
        }
        // the order and its reservations in one statement (one round trip)
        Object[] reservation = Reservations.reserveParameters(channel, channelOrderId, units);
        Object[] parameters = new Object[orderRow.length + reservation.length];
        System.arraycopy(orderRow, 0, parameters, 0, orderRow.length);
        System.arraycopy(reservation, 0, parameters, orderRow.length, reservation.length);
        jdbc.update("WITH taken AS (" + INSERT_ORDER + ")\n" + Reservations.RESERVE, parameters);
        meters.counter("kanaal.orders.taken", "channel", channel).increment();
        return List.copyOf(units.keySet());
    }

    private static final String INSERT_ORDER = """
            INSERT INTO channel_order (channel, channel_order_id, ordered_at, status, canonical)
            VALUES (?, ?, ?, ?, ?::jsonb) ON CONFLICT (channel, channel_order_id) DO NOTHING""";

    /**
     * The channel cancelled an order Kanaal took in before: unless it has shipped, it is marked cancelled and
     * its reservations end.
     *
     * @return the order's SKUs, to compute again for every channel (all of them, also when a redelivered
     *         intake message finds the reservations ended already: what it sent the first time was rolled back)
     */
    private List<String> cancelledByChannel(String channel, String channelOrderId, Collection<String> skus) {
        int cancelled = jdbc.update("""
                UPDATE channel_order SET status = 'cancelled'
                 WHERE channel = ? AND channel_order_id = ? AND status NOT IN ('cancelled', 'shipped')
                """, channel, channelOrderId);
        if (cancelled == 1) {
            reservations.releaseOrder(channel, channelOrderId, "channel-cancelled");
            meters.counter("kanaal.orders.cancelled", "channel", channel).increment();
        }
        return List.copyOf(skus);
    }

    /** Counts an order taken in again (re-polled, re-sent), which did not go onto the unified queue again. */
    public void repeated(@Variable("channel") String channel) {
        meters.counter("kanaal.orders.repeated", "channel", channel).increment();
    }

    /** The canonical order as it went onto the unified queue, if Kanaal took it in. */
    public Optional<JsonNode> find(String channel, String channelOrderId) {
        return jdbc.query("SELECT canonical::text FROM channel_order WHERE channel = ? AND channel_order_id = ?",
                (rs, i) -> rs.getString(1), channel, channelOrderId).stream().findFirst().map(text -> {
                    try {
                        return json.readTree(text);
                    } catch (JsonProcessingException e) {
                        throw new IllegalStateException("channel_order " + channel + "/" + channelOrderId, e);
                    }
                });
    }

    /** The order's state in Kanaal (open, shipped, cancelled), empty when Kanaal never took it in. */
    public Optional<String> stateOf(String channel, String channelOrderId) {
        return jdbc.queryForList("SELECT status FROM channel_order WHERE channel = ? AND channel_order_id = ?",
                String.class, channel, channelOrderId).stream().findFirst();
    }

    /**
     * An order as ops see it: its state in Kanaal, when it was taken in, its reservations (open or how they
     * ended) and the canonical order as it went onto the unified queue.
     *
     * @throws InvalidRequestException 404 when Kanaal never took the order in
     */
    public Map<String, Object> overview(@Header("channel") String channel, @Header("order") String channelOrderId)
            throws JsonProcessingException {
        List<Map<String, Object>> rows = jdbc.queryForList("""
                SELECT status, received_at, unconfirmed, unconfirmed_at, canonical::text AS canonical FROM channel_order
                 WHERE channel = ? AND channel_order_id = ?
                """, channel, channelOrderId);
        if (rows.isEmpty()) {
            throw new InvalidRequestException(404, "Unknown order",
                    List.of("Kanaal has not taken in order " + orderRef(channel, channelOrderId)));
        }
        Map<String, Object> overview = new LinkedHashMap<>();
        overview.put("orderRef", orderRef(channel, channelOrderId));
        overview.put("status", rows.get(0).get("status"));
        overview.put("receivedAt", rows.get(0).get("received_at"));
        if (rows.get(0).get("unconfirmed") != null) {
            overview.put("channelUnconfirmed", Map.of("what", rows.get(0).get("unconfirmed"),
                    "since", rows.get(0).get("unconfirmed_at")));
        }
        overview.put("reservations", jdbc.queryForList("""
                SELECT sku, quantity, reserved_at AS "reservedAt", released_at AS "releasedAt", released_by AS "releasedBy"
                  FROM reservation WHERE channel = ? AND channel_order_id = ? ORDER BY sku
                """, channel, channelOrderId));
        overview.put("order", json.readTree((String) rows.get(0).get("canonical")));
        return overview;
    }

    /** Notes what the order's channel has not confirmed: a shipment or cancellation it refused, with the reason. */
    public void unconfirmed(String channel, String channelOrderId, String what) {
        jdbc.update("UPDATE channel_order SET unconfirmed = ?, unconfirmed_at = now() WHERE channel = ? AND channel_order_id = ?",
                what, channel, channelOrderId);
    }

    /** The order's channel confirmed what it was sent last: a note of what it had not confirmed is cleared. */
    public void confirmed(String channel, String channelOrderId) {
        jdbc.update("""
                UPDATE channel_order SET unconfirmed = NULL, unconfirmed_at = NULL
                 WHERE channel = ? AND channel_order_id = ? AND unconfirmed IS NOT NULL""", channel, channelOrderId);
    }

    /** Marks the order's state in the index (shipped, cancelled). */
    public void status(String channel, String channelOrderId, String status) {
        jdbc.update("UPDATE channel_order SET status = ? WHERE channel = ? AND channel_order_id = ?",
                status, channel, channelOrderId);
    }
}
