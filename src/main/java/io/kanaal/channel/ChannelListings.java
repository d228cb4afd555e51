package io.kanaal.channel;

import io.kanaal.stock.ChannelStockUpdate;
import io.kanaal.stock.DeliveryRecorder;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * A channel's own id for a SKU (Bol's offer id, Vendure's variant id): from configuration, else from the table
 * channel_listing (where a channel that looks its ids up saves them). A SKU the channel has no id for is
 * dead-lettered with the reason (a listing to add), unless the channel carries only part of the range
 * ({@code settings.unlisted: skip}): then its quantity is skipped, counted in
 * {@code kanaal.channel.stock.skipped{reason=unlisted}}, and recorded as delivered.
 */
@Component("channelListings")
public class ChannelListings {

    private final Channels channels;
    private final JdbcTemplate jdbc;
    private final MeterRegistry meters;
    private final DeliveryRecorder deliveries;

    public ChannelListings(Channels channels, JdbcTemplate jdbc, MeterRegistry meters, DeliveryRecorder deliveries) {
        this.channels = channels;
        this.jdbc = jdbc;
        this.meters = meters;
        this.deliveries = deliveries;
    }

    /**
     * The update with the channel's listing id for its SKU attached; null (nothing to send) for a SKU the channel
     * does not list when it {@link #skipsUnlisted skips those}. Such a quantity is recorded as delivered: there
     * is nothing left to tell the channel, so neither a recomputation nor the reconciliation sends it again.
     */
    public ChannelStockUpdate attach(ChannelStockUpdate update) {
        String listingId = find(update.channel(), update.sku());
        if (listingId == null) {
            if (!skipsUnlisted(update.channel())) {
                throw noListing(update.channel(), update.sku());
            }
            skippedUnlisted(update.channel());
            deliveries.record(update);
            return null;
        }
        return update.withListingId(listingId);
    }

    /** Whether the channel carries only the SKUs it has listing ids for ({@code settings.unlisted: skip}). */
    public boolean skipsUnlisted(String channel) {
        return "skip".equalsIgnoreCase(channels.get(channel).settings().getOrDefault("unlisted", "dead-letter"));
    }

    private void skippedUnlisted(String channel) {
        meters.counter("kanaal.channel.stock.skipped", "channel", channel, "reason", "unlisted").increment();
    }

    public String listingId(String channel, String sku) {
        String listingId = find(channel, sku);
        if (listingId == null) {
            throw noListing(channel, sku);
        }
        return listingId;
    }

    private static ChannelException noListing(String channel, String sku) {
        return ChannelException.rejected("channel " + channel + " has no listing id for SKU '" + sku
                + "': add it to kanaal.channels." + channel + ".listings or to the table channel_listing");
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

    /**
     * A listing the channel made from a product (a Bol offer, a Vendure variant): saved as the SKU's, and the
     * quantity it was made with (the view's {@code stock}, when it has a version) counts as delivered.
     */
    public void made(String channel, String sku, String listingId, java.util.Map<String, Object> product) {
        save(channel, sku, listingId);
        if (product != null && product.get("stock") instanceof java.util.Map<?, ?> stock
                && stock.get("version") instanceof Number version && stock.get("quantity") instanceof Number quantity) {
            deliveries.record(new ChannelStockUpdate(channel, sku, quantity.intValue(), version.longValue(), listingId));
        }
    }

    /**
     * The channel's own id of the SKU, found by a type's look-up: saved as its listing and returned; when the look-up
     * found none ({@code listingId} null), null for a channel that skips unlisted SKUs (attach skips it, and asks again
     * at the SKU's next change), else a refusal that says what the channel lacks ({@code missing}).
     */
    public String found(String channel, String sku, String listingId, String missing) {
        if (listingId != null) {
            save(channel, sku, listingId);
            return listingId;
        }
        if (skipsUnlisted(channel)) {
            return null;
        }
        throw ChannelException.rejected("channel " + channel + ": " + missing);
    }

    public void save(String channel, String sku, String listingId) {
        jdbc.update("""
                INSERT INTO channel_listing (channel, sku, listing_id) VALUES (?, ?, ?)
                ON CONFLICT (channel, sku) DO UPDATE SET listing_id = EXCLUDED.listing_id
                """, channel, sku, listingId);
    }
}
