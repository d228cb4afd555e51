package io.kanaal.stock;

import java.util.List;

/** What the stock computation needs to know of the channels: which are enabled and each one's rules. */
public interface ChannelRules {

    /** The enabled channels' ids. */
    List<String> enabledIds();

    /** The channel's rules for its quantities. */
    Rule rule(String channel);

    /**
     * @param safetyBuffer    units held back from the channel
     * @param maxListed       the most the channel is shown
     * @param countsOwnOrders whether the channel subtracts its own open orders itself (their reservations are
     *                        added back)
     */
    record Rule(int safetyBuffer, int maxListed, boolean countsOwnOrders) {
    }
}
