package io.kanaal.channel.vendure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kanaal.channel.ChannelException;
import io.kanaal.channel.ChannelProperties;
import io.kanaal.channel.ChannelResponses;
import io.kanaal.channel.Channels;
import io.kanaal.channel.ChannelsProperties;
import io.kanaal.channel.OAuth2Tokens;
import io.kanaal.channel.RateLimiters;
import io.kanaal.support.ChannelStub;
import io.kanaal.support.ChannelStub.Reply;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Vendure's GraphQL answers read the way the channel's senders need them: data passes; errors in a 200
 * answer become ChannelExceptions (rejected for invalid requests, retried for transient ones, the session
 * dropped and retried when Vendure refuses it); a mutation's ErrorResult is rejected unless a later attempt
 * can pass. And the Admin API session: logged in once, again after it was dropped.
 */
class VendureGraphqlTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, Object> NO_HEADERS = Map.of();

    private final ChannelStub vendure = new ChannelStub();
    private final Channels channels = new Channels(new ChannelsProperties(Map.of("shop", new ChannelProperties(
            "vendure", true, vendure.baseUrl(), 0, 100, 10, 1, true,
            Map.of("username", "kanaal", "password", "secret"), Map.of(), Map.of()))));
    private final VendureSessions sessions = new VendureSessions(channels, JSON);
    private final VendureGraphql graphql = new VendureGraphql(new io.kanaal.channel.GraphqlRequests(JSON, ".", true), sessions,
            new ChannelResponses(new RateLimiters(channels, Duration.ofSeconds(1)), new OAuth2Tokens(channels, JSON)),
            null);

    @AfterEach
    void stop() {
        vendure.close();
    }

    @Test
    void theDataOfAnAnswerWithoutErrorsPasses() {
        assertThat(graphql.data("shop", 200, NO_HEADERS, "{\"data\":{\"order\":{\"id\":\"7\",\"state\":\"Shipped\"}}}"))
                .isEqualTo("{\"order\":{\"id\":\"7\",\"state\":\"Shipped\"}}");
    }

    @Test
    void invalidQueriesAndInputAreRejected() {
        assertFails(200, """
                {"errors":[{"message":"Variable \\"$input\\" got invalid value","extensions":{"code":"BAD_USER_INPUT"}}],"data":null}
                """, false, "BAD_USER_INPUT");
        assertFails(400, """
                {"errors":[{"message":"Cannot query field \\"nope\\" on type \\"Order\\".","extensions":{"code":"GRAPHQL_VALIDATION_FAILED"}}]}
                """, false, "Cannot query field");
        assertFails(200, """
                {"errors":[{"message":"No ProductVariant with the id \\"99\\" could be found","extensions":{"code":"ENTITY_NOT_FOUND"}}],"data":null}
                """, false, "ENTITY_NOT_FOUND");
    }

    @Test
    void internalErrorsAndOutagesAreRetried() {
        assertFails(200, """
                {"errors":[{"message":"SQLITE_BUSY","extensions":{"code":"INTERNAL_SERVER_ERROR"}}],"data":null}
                """, true, "INTERNAL_SERVER_ERROR");
        assertFails(503, "<html>Service Unavailable</html>", true, "HTTP 503");
        assertFails(429, "", true, "HTTP 429");
        assertFails(200, "<html>not GraphQL</html>", false, "not a GraphQL answer");
    }

    @Test
    void aRefusedSessionIsDroppedAndTheCallRetriedWithANewLogin() {
        vendure.script("/admin-api", loggedIn("token-1"), loggedIn("token-2"), loggedIn("token-3"));
        assertThat(sessions.authorization("shop")).isEqualTo("Bearer token-1");
        assertThat(sessions.authorization("shop")).as("cached").isEqualTo("Bearer token-1");

        assertFails(200, """
                {"errors":[{"message":"You are not currently authorized to perform this action","extensions":{"code":"FORBIDDEN"}}],"data":null}
                """, true, "FORBIDDEN");
        assertThat(sessions.authorization("shop")).isEqualTo("Bearer token-2");

        assertFails(401, "", true, "HTTP 401");
        assertThat(sessions.authorization("shop")).isEqualTo("Bearer token-3");

        // each of the three logins, found by what it sends
        assertThat(vendure.requests("/admin-api")).filteredOn(request -> request.body().contains("login("))
                .hasSize(3).allSatisfy(login -> assertThat(login.body())
                        .contains("login(username: $username, password: $password")
                        .contains("\"username\":\"kanaal\"").contains("\"password\":\"secret\""));
    }

    @Test
    void refusedCredentialsAreRejectedAndALoginOutageRetried() {
        vendure.script("/admin-api", Reply.of(200, """
                {"data":{"login":{"errorCode":"INVALID_CREDENTIALS_ERROR","message":"The provided credentials are invalid"}}}
                """), Reply.of(502), Reply.of(200, "{\"data\":{\"login\":{\"id\":\"1\"}}}"));

        assertThatThrownBy(() -> sessions.authorization("shop"))
                .isInstanceOfSatisfying(ChannelException.class, e -> assertThat(e.retryable()).isFalse())
                .hasMessageContaining("INVALID_CREDENTIALS_ERROR");
        assertThatThrownBy(() -> sessions.authorization("shop"))
                .isInstanceOfSatisfying(ChannelException.class, e -> assertThat(e.retryable()).isTrue());
        assertThatThrownBy(() -> sessions.authorization("shop"))
                .as("a Vendure that hands out cookies only")
                .isInstanceOfSatisfying(ChannelException.class, e -> assertThat(e.retryable()).isFalse())
                .hasMessageContaining("tokenMethod");
    }

    @Test
    void aMutationsErrorResultIsRejectedUnlessALaterAttemptCanPass() {
        assertFails(200, """
                {"data":{"addFulfillmentToOrder":{"errorCode":"ITEMS_ALREADY_FULFILLED_ERROR","message":"One or more OrderItems are already part of a Fulfillment"}}}
                """, false, "ITEMS_ALREADY_FULFILLED_ERROR");
        assertFails(200, """
                {"data":{"transitionFulfillmentToState":{"errorCode":"FULFILLMENT_STATE_TRANSITION_ERROR","message":"Cannot transition Order from PaymentAuthorized to Shipped"}}}
                """, true, "PaymentAuthorized");
    }

    @Test
    void anEarlierAttemptsFulfillmentIsFoundByItsTrackingCode() {
        String data = """
                {"order":{"id":"7","state":"PaymentSettled","fulfillments":[
                  {"id":"1","state":"Cancelled","method":"PostNL","trackingCode":"3S1"},
                  {"id":"2","state":"Pending","method":"PostNL","trackingCode":"3S1"},
                  {"id":"3","state":"Shipped","method":"DHL","trackingCode":"JV9"}]}}
                """;
        assertThat(graphql.fulfillment(data, "3S1")).isEqualTo(Map.of("id", "2", "state", "Pending"));
        assertThat(graphql.fulfillment(data, "JV9")).isEqualTo(Map.of("id", "3", "state", "Shipped"));
        assertThat(graphql.fulfillment(data, "OTHER")).isNull();
        assertThat(graphql.value(data, "order.state")).isEqualTo("PaymentSettled");
        assertThatThrownBy(() -> graphql.fulfillment("{\"order\":null}", "3S1"))
                .isInstanceOfSatisfying(ChannelException.class, e -> assertThat(e.retryable()).isFalse());
    }

    @Test
    void theRequestCarriesTheDocumentAndItsVariables() throws Exception {
        String request = graphql.request("vendure/order.graphql", graphql.variables("id", "7"));
        assertThat(JSON.readTree(request).path("query").asText()).contains("order(id: $id)");
        assertThat(JSON.readTree(request).path("variables")).isEqualTo(JSON.readTree("{\"id\":\"7\"}"));
        assertThat(JSON.readTree(graphql.request("vendure/order.graphql", "{\"id\":\"8\"}")).path("variables").path("id")
                .asText()).isEqualTo("8");
        assertThatThrownBy(() -> graphql.request("../pom.xml", null)).isInstanceOf(IllegalArgumentException.class);
    }

    private static Reply loggedIn(String token) {
        return Reply.of(200, "{\"data\":{\"login\":{\"id\":\"1\",\"identifier\":\"kanaal\"}}}")
                .withHeader("vendure-auth-token", token);
    }

    private void assertFails(int status, String body, boolean retryable, String reason) {
        assertThatThrownBy(() -> graphql.data("shop", status, NO_HEADERS, body))
                .isInstanceOfSatisfying(ChannelException.class, e -> assertThat(e.retryable()).as(e.getMessage())
                        .isEqualTo(retryable))
                .hasMessageContaining(reason);
    }
}
