package io.kanaal.channel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * OAuth2 tokens per channel, cached and fetched again before they expire or after the channel answered 401
 * ({@link #evict}). Settings of the channel: {@code token-url}, {@code client-id}, {@code client-secret}
 * (Bol.com's login: the client-credentials grant); with {@code grant-type: password} also {@code username}
 * and {@code password} (a shop's user logs in; the client's id and secret, where the shop has them, go
 * along as Basic authentication). Where the token endpoint gives a {@code refresh_token} with the token, the next
 * token is asked for with it (RFC 6749 section 6) rather than with the password again; a refresh refused falls back
 * to the login.
 */
@Component("oauth2Tokens")
public class OAuth2Tokens {

    private static final Duration MIN_MARGIN = Duration.ofSeconds(30);

    private final Channels channels;
    private final ObjectMapper json;
    private final Clock clock;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final Map<String, Token> cache = new ConcurrentHashMap<>();
    private final Map<String, Object> locks = new ConcurrentHashMap<>();

    @org.springframework.beans.factory.annotation.Autowired
    public OAuth2Tokens(Channels channels, ObjectMapper json) {
        this(channels, json, Clock.systemUTC());
    }

    OAuth2Tokens(Channels channels, ObjectMapper json, Clock clock) {
        this.channels = channels;
        this.json = json;
        this.clock = clock;
    }

    /** The value of the Authorization header for the channel: {@code Bearer <token>}. */
    public String authorization(String channel) {
        return authorization(channel, channel, () -> channels.get(channel).settings());
    }

    /**
     * The same for another client with the same login settings as a channel's (a source:
     * {@code kanaal.sources.<id>.settings}), its token cached under {@code key}.
     */
    public String authorization(String key, String name, java.util.function.Supplier<Map<String, String>> settings) {
        Token token = cache.get(key);
        if (token == null || token.refreshAt.isBefore(clock.instant())) {
            synchronized (lockFor(key)) {
                token = cache.get(key);
                if (token == null || token.refreshAt.isBefore(clock.instant())) {
                    token = fetch(name, settings.get(), token == null ? null : token.refreshToken);
                    cache.put(key, token);
                }
            }
        }
        return "Bearer " + token.value;
    }

    /** Forgets the channel's token (the channel answered 401), so the next call fetches a new one. */
    public void evict(String channel) {
        cache.remove(channel);
    }

    private Object lockFor(String channel) {
        return locks.computeIfAbsent(channel, c -> new Object());
    }

    private Token fetch(String channel, Map<String, String> settings, String refreshToken) {
        if (refreshToken != null) {
            try {
                return request(channel, settings, "grant_type=refresh_token&refresh_token=" + encoded(refreshToken));
            } catch (ChannelException refused) {
                if (refused.retryable()) {
                    throw refused;
                }
                // the refresh token expired or was revoked: log in again
            }
        }
        return request(channel, settings, null);
    }

    /** A token from the token endpoint: with the form given (a refresh), else with the login's grant. */
    private Token request(String channel, Map<String, String> settings, String refreshForm) {
        String tokenUrl = ChannelLogins.required(channel, settings, "token-url");
        boolean password = "password".equals(settings.getOrDefault("grant-type", "client_credentials"));
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(tokenUrl))
                .timeout(Duration.ofSeconds(30))
                .header("Accept", "application/json")
                .header("Content-Type", "application/x-www-form-urlencoded");
        String form = "grant_type=client_credentials";
        if (refreshForm != null) {
            form = refreshForm;
        } else if (password) {
            form = "grant_type=password&username=" + encoded(ChannelLogins.required(channel, settings, "username"))
                    + "&password=" + encoded(ChannelLogins.required(channel, settings, "password"));
        }
        String clientId = password ? settings.getOrDefault("client-id", "")
                : ChannelLogins.required(channel, settings, "client-id");
        if (!clientId.isBlank()) {
            String clientSecret = password ? settings.getOrDefault("client-secret", "")
                    : ChannelLogins.required(channel, settings, "client-secret");
            request.header("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString((clientId + ":" + clientSecret).getBytes(StandardCharsets.UTF_8)));
        }
        request.POST(HttpRequest.BodyPublishers.ofString(form));
        HttpResponse<String> response = ChannelLogins.send(http, request.build(), channel, "token endpoint");
        int status = response.statusCode();
        if (status >= 500 || status == 429) {
            throw ChannelException.unavailable("channel " + channel + ": token endpoint answered HTTP " + status);
        }
        if (status != 200) {
            throw ChannelException.rejected("channel " + channel + ": token endpoint refused the credentials (HTTP "
                    + status + "): " + response.body());
        }
        try {
            JsonNode body = json.readTree(response.body());
            String value = body.path("access_token").asText("");
            if (value.isBlank()) {
                throw ChannelException.rejected("channel " + channel + ": token response has no access_token");
            }
            long expiresIn = body.path("expires_in").asLong(0);
            Instant now = clock.instant();
            Duration lifetime = Duration.ofSeconds(Math.max(0, expiresIn));
            Duration margin = lifetime.dividedBy(10).compareTo(MIN_MARGIN) > 0 ? lifetime.dividedBy(10) : MIN_MARGIN;
            // a token that lives shorter than the margin is used for this call only
            String refresh = body.path("refresh_token").asText("");
            return new Token(value, now.plus(lifetime).minus(margin), refresh.isBlank() ? null : refresh);
        } catch (IOException e) {
            throw ChannelException.rejected("channel " + channel + ": token response is not JSON: " + e.getMessage());
        }
    }

    private static String encoded(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private record Token(String value, Instant refreshAt, String refreshToken) {
    }
}
