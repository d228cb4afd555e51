package io.kanaal.console;

import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Every order of every channel (table {@code channel_order}), newest taken in first, filtered and searched, a page at a
 * time by key: the next page starts after the last row shown ({@link Page#next}), so a deep page reads no more rows
 * than the first (the indexes are in V21).
 */
@Component
public class OrderList {

    static final int PAGE_SIZE = 50;

    private final JdbcTemplate jdbc;

    public OrderList(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * What the list is filtered by; any of it may be null or blank.
     *
     * @param q an order id (the channel's own), a SKU of one of its lines, or the customer's e-mail address (any case)
     */
    public record Filter(String channel, String status, LocalDate from, LocalDate to, String q) {
        static String blankToNull(String value) {
            return value == null || value.isBlank() ? null : value.strip();
        }

        public Filter {
            channel = blankToNull(channel);
            status = blankToNull(status);
            q = blankToNull(q);
        }
    }

    /** One row of the list. */
    public record Row(String channel, String channelOrderId, OffsetDateTime receivedAt, OffsetDateTime orderedAt,
                      String status, String email, String total, String currency, int lines, String unconfirmed) {
    }

    /** @param next the key to ask for the next page with; null on the last page */
    public record Page(List<Row> rows, String next) {
    }

    /** The page after the key {@code after} (null: the first page). */
    public Page page(Filter filter, String after) {
        List<Object> parameters = new ArrayList<>();
        StringBuilder sql = new StringBuilder();
        String from = "channel_order";
        if (filter.q() != null) {
            // the few orders the search finds, by its three indexes, first: asked in one statement with the newest-first
            // LIMIT, a search took about a second at 100,000 orders (ConsoleBenchmark; docs/benchmark-log.md)
            sql.append("""
                    WITH found AS MATERIALIZED (SELECT * FROM channel_order WHERE channel_order_id = ?
                        OR canonical -> 'lines' @> jsonb_build_array(jsonb_build_object('sku', ?::text))
                        OR lower(canonical -> 'customer' ->> 'email') = lower(?))
                    """);
            parameters.addAll(List.of(filter.q(), filter.q(), filter.q()));
            from = "found";
        }
        sql.append("""
                SELECT channel, channel_order_id, received_at, ordered_at, status,
                       canonical -> 'customer' ->> 'email' AS email, canonical -> 'totals' ->> 'total' AS total,
                       canonical ->> 'currency' AS currency, jsonb_array_length(canonical -> 'lines') AS lines, unconfirmed
                  FROM\s""").append(from).append(" WHERE true");
        if (filter.channel() != null) {
            sql.append(" AND channel = ?");
            parameters.add(filter.channel());
        }
        if (filter.status() != null) {
            sql.append(" AND status = ?");
            parameters.add(filter.status());
        }
        if (filter.from() != null) {
            sql.append(" AND received_at >= ?");
            parameters.add(filter.from().atStartOfDay().atOffset(ZoneOffset.UTC));
        }
        if (filter.to() != null) {
            sql.append(" AND received_at < ?");
            parameters.add(filter.to().plusDays(1).atStartOfDay().atOffset(ZoneOffset.UTC));
        }
        Key key = Key.decode(after);
        if (key != null) {
            // with the channel fixed, the key leaves it out: the comparison then matches the channel index's columns
            if (filter.channel() != null) {
                sql.append(" AND (received_at, channel_order_id) < (?, ?)");
                parameters.addAll(List.of(key.receivedAt(), key.channelOrderId()));
            } else {
                sql.append(" AND (received_at, channel, channel_order_id) < (?, ?, ?)");
                parameters.addAll(List.of(key.receivedAt(), key.channel(), key.channelOrderId()));
            }
        }
        sql.append(" ORDER BY received_at DESC, channel DESC, channel_order_id DESC LIMIT ").append(PAGE_SIZE + 1);
        List<Row> rows = jdbc.query(sql.toString(), (rs, i) -> new Row(rs.getString("channel"), rs.getString("channel_order_id"),
                rs.getObject("received_at", OffsetDateTime.class), rs.getObject("ordered_at", OffsetDateTime.class),
                rs.getString("status"), rs.getString("email"), rs.getString("total"), rs.getString("currency"),
                rs.getInt("lines"), rs.getString("unconfirmed")), parameters.toArray());
        if (rows.size() <= PAGE_SIZE) {
            return new Page(rows, null);
        }
        Row last = rows.get(PAGE_SIZE - 1);
        return new Page(rows.subList(0, PAGE_SIZE), new Key(last.receivedAt(), last.channel(), last.channelOrderId()).encode());
    }

    /** Where a page ends: the last row's sort key, as an opaque text for a link. */
    record Key(OffsetDateTime receivedAt, String channel, String channelOrderId) {
        private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

        String encode() {
            String text = receivedAt + "\n" + channel + "\n" + channelOrderId;
            return ENCODER.encodeToString(text.getBytes(StandardCharsets.UTF_8));
        }

        static Key decode(String encoded) {
            if (encoded == null || encoded.isBlank()) {
                return null;
            }
            try {
                String[] parts = new String(Base64.getUrlDecoder().decode(encoded), StandardCharsets.UTF_8).split("\n", 3);
                return new Key(OffsetDateTime.parse(parts[0]), parts[1], parts[2]);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("not a page key of the order list: " + encoded);
            }
        }
    }
}
