package io.kanaal.order;

import io.kanaal.channel.ChannelOrders;
import java.util.Optional;
import org.springframework.stereotype.Component;

/** Kanaal's orders as the channel types' order polls see them. */
@Component
public class OrderLookups implements ChannelOrders {

    private final Orders orders;
    private final OrderPolls polls;

    public OrderLookups(Orders orders, OrderPolls polls) {
        this.orders = orders;
        this.polls = polls;
    }

    @Override
    public Optional<String> stateOf(String channel, String channelOrderId) {
        return orders.stateOf(channel, channelOrderId);
    }

    @Override
    public boolean recentlyEnqueued(String channel, String channelOrderId) {
        return polls.recentlyEnqueued(channel, channelOrderId);
    }
}
