package io.kanaal.channel.vendure;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kanaal.channel.ChannelException;
import io.kanaal.channel.ChannelLogins;
import io.kanaal.channel.ChannelProperties;
import io.kanaal.channel.Channels;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * Kanaal's Admin API session per Vendure channel: logged in with the channel's {@code username} and
 * {@code password} settings (mutation {@code login}), the session token taken from the
 * {@code vendure-auth-token} answer header and sent as a Bearer token until Vendure refuses it; then
 * {@link #evict} makes the next call log in again. Vendure must hand out tokens by header
 * ({@code authOptions.tokenMethod} includes {@code 'bearer'}).
 */
@Component("vendureSessions")
public class VendureSessions {

    static final String TOKEN_HEADER = "vendure-auth-token";
    static final String LOGIN = "mutation($username: String!, $password: String!) {"
            + " login(username: $username, password: $password, rememberMe: true) {"
            + " ... on CurrentUser { id identifier } ... on ErrorResult { errorCode message } } }";

    private final Channels channels;
    private final ObjectMapper json;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final Map<String, String> tokens = new ConcurrentHashMap<>();
    private final Map<String, Object> locks = new ConcurrentHashMap<>();

    public VendureSessions(Channels channels, ObjectMapper json) {
        this.channels = channels;
        this.json = json;
    }

    /** The value of the Authorization header for the channel's Admin API: {@code Bearer <session token>}. */
    public String authorization(String channel) {
        String token = tokens.get(channel);
        if (token == null) {
            synchronized (locks.computeIfAbsent(channel, c -> new Object())) {
                token = tokens.get(channel);
                if (token == null) {
                    token = login(channel);
                    tokens.put(channel, token);
                }
            }
        }
        return "Bearer " + token;
    }

    /** Forgets the channel's session (Vendure refused it), so the next call logs in again. */
    public void evict(String channel) {
        tokens.remove(channel);
    }

    /** The Admin API's URL of the channel: base-url plus the setting admin-api-path (default /admin-api). */
    public String adminApiUrl(String channel) {
        ChannelProperties properties = channels.get(channel);
        String path = properties.settings().getOrDefault("admin-api-path", "/admin-api");
        return properties.baseUrl().replaceAll("/+$", "") + (path.startsWith("/") ? path : "/" + path);
    }

    private String login(String channel) {
        Map<String, String> settings = channels.get(channel).settings();
        String username = ChannelLogins.required(channel, settings, "username");
        String password = ChannelLogins.required(channel, settings, "password");
        ObjectNode body = json.createObjectNode();
        body.put("query", LOGIN);
        body.putObject("variables").put("username", username).put("password", password);
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(adminApiUrl(channel)))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
        String channelToken = settings.getOrDefault("channel-token", "");
        if (!channelToken.isBlank()) {
            request.header("vendure-token", channelToken);
        }
        HttpResponse<String> response = ChannelLogins.send(http, request.build(), channel, "Vendure login");
        int status = response.statusCode();
        if (status >= 500 || status == 429 || status == 408) {
            throw ChannelException.unavailable("channel " + channel + ": Vendure login answered HTTP " + status);
        }
        JsonNode login;
        try {
            login = json.readTree(response.body()).path("data").path("login");
        } catch (IOException e) {
            throw ChannelException.rejected("channel " + channel + ": Vendure login answered HTTP " + status
                    + " without JSON: " + VendureGraphql.abbreviate(response.body()));
        }
        if (!login.hasNonNull("id")) {
            throw ChannelException.rejected("channel " + channel + ": Vendure refused the login of '" + username
                    + "' (HTTP " + status + "): " + VendureGraphql.abbreviate(response.body()));
        }
        return response.headers().firstValue(TOKEN_HEADER).filter(t -> !t.isBlank())
                .orElseThrow(() -> ChannelException.rejected("channel " + channel
                        + ": Vendure's login answer has no " + TOKEN_HEADER + " header: set authOptions.tokenMethod"
                        + " to include 'bearer' in the Vendure config"));
    }
}
