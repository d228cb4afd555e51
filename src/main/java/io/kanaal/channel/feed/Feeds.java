package io.kanaal.channel.feed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kanaal.channel.ChannelProperties;
import io.kanaal.channel.Channels;
import io.kanaal.stock.ChannelStockUpdate;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.Header;
import org.apache.camel.Variable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Catalog feeds (channel type {@code feed}): each feed channel's items (its product mapping's output) and
 * quantities are kept in {@code feed_item}; its file (Google Merchant Center RSS 2.0, or Meta's CSV) is written
 * from them when one changed, at most once per {@code regenerate-every}, to a temporary file moved over the old one
 * in one step (a reader never sees half a file), and served at {@code GET /feeds/{channel}} with the feed's token.
 */
@Component("feeds")
public class Feeds {

    private static final Logger LOG = LoggerFactory.getLogger(Feeds.class);

    private final Channels channels;
    private final JdbcTemplate jdbc;
    private final ObjectMapper json;
    private final Path directory;
    /** Per feed, when the newest row it was written from changed: nothing newer, nothing to write. */
    private final Map<String, Instant> writtenUpTo = new ConcurrentHashMap<>();

    public Feeds(Channels channels, JdbcTemplate jdbc, ObjectMapper json, @Value("${kanaal.data-dir}") String dataDir) {
        this.channels = channels;
        this.jdbc = jdbc;
        this.json = json;
        this.directory = Path.of(dataDir, "feeds");
    }

    /** A product's feed item (the body, the product mapping's output) kept for the next file. */
    public void item(@Variable("channel") String channel, @Variable("sku") String sku, @Body String item) {
        jdbc.update("""
                INSERT INTO feed_item (channel, sku, item) VALUES (?, ?, ?::jsonb)
                ON CONFLICT (channel, sku) DO UPDATE SET item = EXCLUDED.item, updated_at = clock_timestamp()
                """, channel, sku, item);
    }

    /** The quantity the feed should show for a SKU (its availability), kept for the next file. */
    public void stock(@Variable("stock") ChannelStockUpdate update) {
        jdbc.update("""
                INSERT INTO feed_item (channel, sku, quantity) VALUES (?, ?, ?)
                ON CONFLICT (channel, sku) DO UPDATE SET quantity = EXCLUDED.quantity, updated_at = clock_timestamp()
                WHERE feed_item.quantity <> EXCLUDED.quantity
                """, update.channel(), update.sku(), update.quantity());
    }

    /** Writes the feed's file when a row changed since it was last written; returns whether it wrote one. */
    public boolean regenerate(String channel) throws IOException {
        Timestamp newest = jdbc.queryForObject("SELECT max(updated_at) FROM feed_item WHERE channel = ?", Timestamp.class, channel);
        Instant upTo = newest == null ? Instant.EPOCH : newest.toInstant();
        if (upTo.equals(writtenUpTo.get(channel)) && Files.exists(file(channel))) {
            return false;
        }
        ChannelProperties properties = channels.get(channel);
        FeedFormat format = FeedFormat.of(properties.settings().getOrDefault("format", "google"));
        List<FeedFormat.Item> items = new ArrayList<>();
        jdbc.query("SELECT sku, item::text, quantity FROM feed_item WHERE channel = ? AND item IS NOT NULL ORDER BY sku COLLATE \"C\"",
                row -> {
                    items.add(new FeedFormat.Item(read(row.getString(2)), row.getInt(3)));
                }, channel);
        Files.createDirectories(directory);
        Path temporary = Files.createTempFile(directory, channel + "-", ".part");
        try (OutputStream out = Files.newOutputStream(temporary)) {
            format.write(properties.baseUrl(), properties.settings(), items, out);
        }
        try {
            Files.move(temporary, file(channel), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temporary, file(channel), StandardCopyOption.REPLACE_EXISTING);
        }
        writtenUpTo.put(channel, upTo);
        LOG.info("Feed {} written: {} items ({})", channel, items.size(), format.name().toLowerCase());
        return true;
    }

    /**
     * The feed's file for {@code GET /feeds/{channel}}: 404 for a channel that is not a feed or a file not written
     * yet, 401 without the feed's token (query {@code token} or header {@code X-Feed-Token}).
     */
    public byte[] serve(Exchange exchange, @Header("channel") String channel, @Header("token") String queryToken,
            @Header("X-Feed-Token") String headerToken) throws IOException {
        ChannelProperties properties = channels.enabledIds().contains(channel) ? channels.get(channel) : null;
        if (properties == null || !"feed".equals(properties.type()) || !Files.exists(file(channel))) {
            return problem(exchange, 404, "No such feed");
        }
        String token = headerToken != null ? headerToken : queryToken;
        if (token == null || !MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8),
                properties.settings().getOrDefault("token", "").getBytes(StandardCharsets.UTF_8))) {
            return problem(exchange, 401, "The feed's token is required (query token or header X-Feed-Token)");
        }
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, FeedFormat.of(properties.settings().getOrDefault("format", "google")).contentType());
        return Files.readAllBytes(file(channel));
    }

    private byte[] problem(Exchange exchange, int status, String title) throws IOException {
        exchange.getMessage().removeHeaders("*");
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/problem+json");
        return json.writeValueAsBytes(Map.of("status", status, "title", title));
    }

    Path file(String channel) {
        return directory.resolve(channel + ".feed");
    }

    private JsonNode read(String text) {
        try {
            return json.readTree(text);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
