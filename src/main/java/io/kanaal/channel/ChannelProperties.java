package io.kanaal.channel;

import java.util.Map;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * One configured sales channel ({@code kanaal.channels.<id>}).
 *
 * @param type         adapter type: selects the route templates {@code <type>-*} in routes/
 * @param enabled      a disabled channel gets no routes and no stock
 * @param baseUrl      the channel API's base URL
 * @param safetyBuffer units held back from the ERP stock on this channel
 * @param maxListed    the most this channel is ever told it can sell
 * @param rateLimit    requests per second Kanaal sends to this channel at most
 * @param consumers    concurrent deliveries to this channel (per SKU order is kept by message groups)
 * @param countsOwnOrders the channel subtracts its own open orders from the quantity Kanaal sets (Vendure
 *                     allocates stock to its orders): Kanaal adds this channel's open reservations back
 * @param settings     type-specific settings, passed to the route templates (credentials by env placeholder)
 * @param listings     SKU to the channel's own listing id (Bol offer id, Vendure variant id); the database table
 *                     channel_listing adds more (Vendure's variant ids are looked up by SKU and saved there)
 * @param headers      HTTP headers sent with every call to a REST channel (an API key header such as
 *                     {@code X-Shopify-Access-Token}; values by environment placeholder), name to value
 */
public record ChannelProperties(
        String type,
        @DefaultValue("true") boolean enabled,
        String baseUrl,
        @DefaultValue("0") int safetyBuffer,
        @DefaultValue("2147483647") int maxListed,
        @DefaultValue("10") double rateLimit,
        @DefaultValue("4") int consumers,
        @DefaultValue("false") boolean countsOwnOrders,
        Map<String, String> settings,
        Map<String, String> listings,
        Map<String, String> headers) {

    public ChannelProperties {
        settings = settings == null ? Map.of() : Map.copyOf(settings);
        listings = listings == null ? Map.of() : Map.copyOf(listings);
        headers = headers == null ? Map.of() : Map.copyOf(headers);
    }
}
