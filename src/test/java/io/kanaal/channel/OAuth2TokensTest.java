package io.kanaal.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kanaal.support.ChannelStub;
import io.kanaal.support.ChannelStub.Reply;
import io.kanaal.support.MutableClock;
import io.kanaal.support.QueryString;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** OAuth2 tokens (Bol.com's client credentials, a shop user's password grant): cached, fetched again before they expire, dropped on 401. */
class OAuth2TokensTest {

    private final ChannelStub login = new ChannelStub();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T12:00:00Z"));
    private final OAuth2Tokens tokens = new OAuth2Tokens(channels("secret"), new ObjectMapper(), clock);

    @AfterEach
    void stop() {
        login.close();
    }

    @Test
    void aTokenIsReusedUntilShortlyBeforeItExpiresThenFetchedAgain() {
        assertThat(tokens.authorization("bol-nl")).isEqualTo("Bearer token-1.kanaal");
        clock.advance(Duration.ofSeconds(260));
        assertThat(tokens.authorization("bol-nl")).as("299 s token, 30 s margin").isEqualTo("Bearer token-1.kanaal");
        clock.advance(Duration.ofSeconds(10));
        assertThat(tokens.authorization("bol-nl")).isEqualTo("Bearer token-2.kanaal");
        assertThat(login.tokensIssued()).isEqualTo(2);
        assertThat(login.requests("/token")).hasSize(2).allSatisfy(request -> {
            assertThat(request.header("Authorization")).isEqualTo("Basic a2FuYWFsOnNlY3JldA==");
            assertThat(request.body()).isEqualTo("grant_type=client_credentials");
        });
    }

    @Test
    void anEvictedTokenIsFetchedAgain() {
        tokens.authorization("bol-nl");
        tokens.evict("bol-nl");
        assertThat(tokens.authorization("bol-nl")).isEqualTo("Bearer token-2.kanaal");
    }

    @Test
    void refusedCredentialsAreNotRetriedButALoginOutageIs() {
        login.script("/token", Reply.of(401, "{\"error\":\"invalid_client\"}"), Reply.of(503));

        assertThatThrownBy(() -> tokens.authorization("bol-nl"))
                .isInstanceOfSatisfying(ChannelException.class, e -> assertThat(e.retryable()).isFalse())
                .hasMessageContaining("refused the credentials");
        assertThatThrownBy(() -> tokens.authorization("bol-nl"))
                .isInstanceOfSatisfying(ChannelException.class, e -> assertThat(e.retryable()).isTrue());
        assertThat(tokens.authorization("bol-nl")).isEqualTo("Bearer token-1.kanaal");
    }

    @Test
    void aShopUserLogsInWithThePasswordGrant() {
        OAuth2Tokens shopTokens = new OAuth2Tokens(new Channels(new ChannelsProperties(Map.of("shop", passwordLogin()))),
                new ObjectMapper(), clock);

        assertThat(shopTokens.authorization("shop")).isEqualTo("Bearer token-1");
        assertThat(login.requests("/token")).singleElement().satisfies(request -> {
            assertThat(QueryString.parameters(request.body())).as(request.body())
                    .isEqualTo(Map.of("grant_type", "password", "username", "kanaal@shop", "password", "p&ss word"));
            assertThat(request.header("Authorization")).as("no client credentials configured").isNull();
        });
    }

    @Test
    void aShopUsersNextTokenIsAskedForWithItsRefreshTokenAndARefusedRefreshLogsInAgain() {
        OAuth2Tokens shopTokens = new OAuth2Tokens(new Channels(new ChannelsProperties(Map.of("shop", passwordLogin()))),
                new ObjectMapper(), clock);
        login.script("/token",
                Reply.of(200, "{\"access_token\":\"a\",\"refresh_token\":\"r/1\",\"expires_in\":300}"),
                Reply.of(200, "{\"access_token\":\"b\",\"refresh_token\":\"r2\",\"expires_in\":300}"),
                Reply.of(400, "{\"error\":\"invalid_grant\"}"),
                Reply.of(200, "{\"access_token\":\"c\",\"expires_in\":300}"));

        assertThat(shopTokens.authorization("shop")).isEqualTo("Bearer a");
        clock.advance(Duration.ofSeconds(280));
        assertThat(shopTokens.authorization("shop")).isEqualTo("Bearer b");
        clock.advance(Duration.ofSeconds(280));
        assertThat(shopTokens.authorization("shop")).as("refresh refused: the password again").isEqualTo("Bearer c");

        assertThat(login.requests("/token")).extracting(request -> QueryString.parameters(request.body())).containsExactly(
                Map.of("grant_type", "password", "username", "kanaal@shop", "password", "p&ss word"),
                Map.of("grant_type", "refresh_token", "refresh_token", "r/1"),
                Map.of("grant_type", "refresh_token", "refresh_token", "r2"),
                Map.of("grant_type", "password", "username", "kanaal@shop", "password", "p&ss word"));
    }

    private ChannelProperties passwordLogin() {
        return new ChannelProperties("rest", true, login.baseUrl(), 0, 999, 10, 1, false,
                Map.of("token-url", login.baseUrl() + "/token", "grant-type", "password", "username", "kanaal@shop",
                        "password", "p&ss word"), Map.of(), Map.of());
    }

    @Test
    void anEmptySecretIsNamedInTheError() {
        OAuth2Tokens unconfigured = new OAuth2Tokens(channels(""), new ObjectMapper(), clock);

        assertThatThrownBy(() -> unconfigured.authorization("bol-nl")).hasMessageContaining("client-secret");
    }

    private Channels channels(String secret) {
        ChannelProperties bol = new ChannelProperties("bol", true, login.baseUrl(), 0, 999, 10, 1, false,
                Map.of("token-url", login.baseUrl() + "/token", "client-id", "kanaal", "client-secret", secret), Map.of(), Map.of());
        return new Channels(new ChannelsProperties(Map.of("bol-nl", bol)));
    }
}
