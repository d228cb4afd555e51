package io.kanaal.channel.bol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kanaal.channel.ChannelException;
import io.kanaal.channel.ChannelListings;
import java.io.IOException;
import java.util.Map;
import org.apache.camel.Body;
import org.apache.camel.Variable;
import org.springframework.stereotype.Component;

/**
 * Bol offers made from products: the offer id Bol gives a new offer (POST /retailer/offers, v11: 201 with
 * offerId) becomes the SKU's listing, so its stock goes there from now on; the quantity the offer was created with
 * counts as delivered to Bol.
 */
@Component("bolOffers")
public class BolOffers {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ChannelListings listings;

    public BolOffers(ChannelListings listings) {
        this.listings = listings;
    }

    /** Bol's answer to a new offer (the body): its offer id saved as the SKU's listing, its stock recorded. */
    public void created(@Body String answer, @Variable("channel") String channel, @Variable("sku") String sku,
            @Variable("product") Map<String, Object> product) throws IOException {
        JsonNode offer = JSON.readTree(answer == null ? "" : answer);
        String offerId = offer == null ? null : offer.path("offerId").asText(null);
        if (offerId == null || offerId.isBlank()) {
            throw ChannelException.rejected("channel " + channel + ": Bol created an offer for SKU '" + sku
                    + "' but its answer has no offerId: " + answer);
        }
        listings.made(channel, sku, offerId, product);
    }
}
