package io.kanaal.channel;

import java.util.Optional;

/** What a channel type's order poll may ask of Kanaal's orders (implemented in {@code io.kanaal.order}). */
public interface ChannelOrders {

    /** The state Kanaal has the channel's order in (open, cancelled, shipped, ...); empty when it has not taken it in. */
    Optional<String> stateOf(String channel, String channelOrderId);

    /** Whether a poll of this instance put the order on the channel's intake queue lately. */
    boolean recentlyEnqueued(String channel, String channelOrderId);
}
