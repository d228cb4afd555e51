package io.kanaal.channel;

import io.kanaal.stock.ChannelStockUpdate;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * A channel's own id for a SKU (Bol's offer id, Vendure's variant id): from configuration, else from the table
 * channel_listing (where a channel that looks its ids up saves them).
 */
@Component("channelListings")
public class ChannelListings {

    private final Channels channels;
    private final JdbcTemplate jdbc;

    public ChannelListings(Channels channels, JdbcTemplate jdbc) {
        this.channels = channels;
        this.jdbc = jdbc;
    }

    /** The update with the channel's listing id for its SKU attached. */
    public ChannelStockUpdate attach(ChannelStockUpdate update) {
        return update.withListingId(listingId(update.channel(), update.sku()));
    }

    public String listingId(String channel, String sku) {
        String listingId = find(channel, sku);
        if (listingId == null) {
            throw ChannelException.rejected("channel " + channel + " has no listing id for SKU '" + sku
                    + "': add it to kanaal.channels." + channel + ".listings or to the table channel_listing");
        }
        return listingId;
    }

    /** Whether the channel's listing id for the SKU is not known yet (a channel that looks ids up does so once). */
    public boolean unknown(String channel, String sku) {
        return find(channel, sku) == null;
    }

    private String find(String channel, String sku) {
        String configured = channels.get(channel).listings().get(sku);
        if (configured != null) {
            return configured;
        }
        List<String> stored = jdbc.queryForList(
                "SELECT listing_id FROM channel_listing WHERE channel = ? AND sku = ?", String.class, channel, sku);
        return stored.isEmpty() ? null : stored.get(0);
    }

    public void save(String channel, String sku, String listingId) {
        jdbc.update("""
                INSERT INTO channel_listing (channel, sku, listing_id) VALUES (?, ?, ?)
                ON CONFLICT (channel, sku) DO UPDATE SET listing_id = EXCLUDED.listing_id
                """, channel, sku, listingId);
    }
}
