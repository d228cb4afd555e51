package io.kanaal.channel;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** All configured channels, keyed by channel id ({@code kanaal.channels}). */
@ConfigurationProperties("kanaal")
public record ChannelsProperties(Map<String, ChannelProperties> channels) {

    public ChannelsProperties {
        channels = channels == null ? Map.of() : new LinkedHashMap<>(channels);
    }
}
