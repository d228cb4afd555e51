package io.kanaal.channel;

import io.kanaal.stock.ChannelRules;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.springframework.stereotype.Component;

/** The configured channels, checked once at start-up. Routes ask it which channels exist and how each lists stock. */
@Component("channels")
public class Channels implements ChannelRules {

    private static final Pattern CHANNEL_ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

    private final Map<String, ChannelProperties> channels;
    /** Asked for every stock level: worked out once (the configuration does not change while Kanaal runs). */
    private final List<String> enabledIds;

    public Channels(ChannelsProperties properties) {
        properties.channels().forEach((id, channel) -> {
            if (!CHANNEL_ID.matcher(id).matches()) {
                throw new IllegalStateException("kanaal.channels." + id
                        + ": a channel id is lower-case letters, digits and '-' (it names queues and routes)");
            }
            if (channel.type() == null || channel.type().isBlank()) {
                throw new IllegalStateException("kanaal.channels." + id + ".type is missing");
            }
            if (channel.enabled() && (channel.baseUrl() == null || channel.baseUrl().isBlank())) {
                throw new IllegalStateException("kanaal.channels." + id + ".base-url is missing");
            }
            if (channel.rateLimit() <= 0) {
                throw new IllegalStateException("kanaal.channels." + id + ".rate-limit must be above 0");
            }
        });
        this.channels = Map.copyOf(properties.channels());
        this.enabledIds = channels.entrySet().stream()
                .filter(e -> e.getValue().enabled())
                .map(Map.Entry::getKey)
                .sorted()
                .toList();
    }

    /** Ids of the enabled channels, in a stable order. */
    @Override
    public ChannelRules.Rule rule(String channel) {
        ChannelProperties properties = get(channel);
        return new ChannelRules.Rule(properties.safetyBuffer(), properties.maxListed(), properties.countsOwnOrders());
    }

    @Override
    public List<String> enabledIds() {
        return enabledIds;
    }

    public ChannelProperties get(String id) {
        ChannelProperties channel = channels.get(id);
        if (channel == null) {
            throw new IllegalArgumentException("unknown channel '" + id + "'");
        }
        return channel;
    }

    /** The channel if it is configured and enabled. */
    public Optional<ChannelProperties> enabled(String id) {
        return Optional.ofNullable(channels.get(id)).filter(ChannelProperties::enabled);
    }

    public Map<String, ChannelProperties> all() {
        return channels;
    }
}
