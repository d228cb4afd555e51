package io.kanaal.channel;

import java.util.List;

/** Published once the enabled channels' routes have been made and started. */
public record ChannelsStarted(List<String> channels) {
}
