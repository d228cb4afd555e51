package io.kanaal.channel;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

/** What a channel's login (an OAuth2 token endpoint, a Vendure login) shares: its settings and its one call. */
public final class ChannelLogins {

    private ChannelLogins() {
    }

    /** A setting the login needs; rejected when it is empty. */
    public static String required(String channel, Map<String, String> settings, String key) {
        String value = settings.get(key);
        if (value == null || value.isBlank()) {
            throw ChannelException.rejected("channel " + channel + ": setting '" + key
                    + "' is empty (set it in kanaal.channels." + channel + ".settings, secrets from the environment)");
        }
        return value;
    }

    /** Sends the login request; an unreachable endpoint is a retryable failure. */
    public static HttpResponse<String> send(HttpClient http, HttpRequest request, String channel, String endpoint) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw ChannelException.unavailable("channel " + channel + ": " + endpoint + " unreachable: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ChannelException.unavailable("channel " + channel + ": interrupted while calling the " + endpoint);
        }
    }
}
