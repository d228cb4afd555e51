package io.kanaal.stock;

/**
 * The quantity one channel should show for one SKU: the message on {@code kanaal.channel.<channel>.stock}
 * and the input of the channel's stock mapping.
 *
 * @param channel   channel id
 * @param sku       the SKU
 * @param quantity  what the channel may sell: available stock less the channel's buffer, capped
 * @param version   increases with every change of this channel's desired quantity for this SKU
 * @param listingId the channel's own id for the SKU (Bol offer id), where the channel has one
 */
public record ChannelStockUpdate(String channel, String sku, int quantity, long version, String listingId) {

    public ChannelStockUpdate withListingId(String id) {
        return new ChannelStockUpdate(channel, sku, quantity, version, id);
    }

    /** The SKU encoded for use as one URL path segment. */
    public String encodedSku() {
        return java.net.URLEncoder.encode(sku, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }
}
