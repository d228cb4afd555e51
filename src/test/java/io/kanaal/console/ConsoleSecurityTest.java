package io.kanaal.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestBuilders.formLogin;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.security.test.web.servlet.response.SecurityMockMvcResultMatchers.authenticated;
import static org.springframework.security.test.web.servlet.response.SecurityMockMvcResultMatchers.unauthenticated;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.redirectedUrl;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import io.kanaal.support.ConsoleUsers;
import io.kanaal.support.KanaalIntegrationTest;
import java.net.CookieManager;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.security.test.web.servlet.setup.SecurityMockMvcConfigurers;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.MockMvcRequestBuilders;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.web.context.WebApplicationContext;

/**
 * Who may do what in the ops console and the JSON ops API: sign-in with the configured users, a viewer reads but
 * cannot replay or discard (403), an operator can; a change without its CSRF token is refused; and the ops API
 * agrees with the console (a signed-in viewer reads it but cannot replay; the operator's key still works).
 */
class ConsoleSecurityTest extends KanaalIntegrationTest {

    private static final String REPLAY = "/console/dead-letters/DLQ.kanaal.erp.stock/replay";

    @Autowired
    private WebApplicationContext context;

    private MockMvc mvc;

    @BeforeEach
    void mockMvc() {
        mvc = MockMvcBuilders.webAppContextSetup(context).apply(SecurityMockMvcConfigurers.springSecurity()).build();
    }

    @Test
    void pagesNeedASignIn() throws Exception {
        mvc.perform(get("/console/orders")).andExpect(status().is3xxRedirection())
                .andExpect(redirectedUrl("http://localhost/console/login"));
    }

    @Test
    void aWrongPasswordIsRefused() throws Exception {
        mvc.perform(formLogin("/console/login").user(ConsoleUsers.OPERATOR).password("not-" + ConsoleUsers.OPERATOR_PASSWORD))
                .andExpect(redirectedUrl("/console/login?error")).andExpect(unauthenticated());
        mvc.perform(formLogin("/console/login").user("nobody").password(ConsoleUsers.OPERATOR_PASSWORD))
                .andExpect(redirectedUrl("/console/login?error")).andExpect(unauthenticated());
    }

    @Test
    void theConfiguredUsersSignIn() throws Exception {
        mvc.perform(formLogin("/console/login").user(ConsoleUsers.VIEWER).password(ConsoleUsers.VIEWER_PASSWORD))
                .andExpect(redirectedUrl("/console")).andExpect(authenticated().withRoles("VIEWER"));
        mvc.perform(formLogin("/console/login").user(ConsoleUsers.OPERATOR).password(ConsoleUsers.OPERATOR_PASSWORD))
                .andExpect(authenticated().withRoles("VIEWER", "OPERATOR"));
    }

    @Test
    void aViewerCannotReplayOrDiscard() throws Exception {
        mvc.perform(MockMvcRequestBuilders.post(REPLAY).with(user(ConsoleUsers.VIEWER).roles("VIEWER")).with(csrf()))
                .andExpect(status().isForbidden());
        mvc.perform(MockMvcRequestBuilders.post("/console/dead-letters/DLQ.kanaal.erp.stock/discard").with(user(ConsoleUsers.VIEWER).roles("VIEWER"))
                .with(csrf())).andExpect(status().isForbidden());
        mvc.perform(get("/console/orders").with(user(ConsoleUsers.VIEWER).roles("VIEWER"))).andExpect(status().isOk());
    }

    @Test
    void everyPageOpensForAViewer() throws Exception {
        for (String page : new String[] {"/console", "/console/overview/live", "/console/orders", "/console/orders?status=open&q=x",
                "/console/dead-letters", "/console/dead-letters/DLQ.kanaal.erp.stock", "/console/stock?sku=nothing",
                "/console/products"}) {
            mvc.perform(get(page).with(user(ConsoleUsers.VIEWER).roles("VIEWER"))).andExpect(status().isOk());
        }
        String id = "PAGE-" + System.nanoTime();
        jdbc.update("""
                INSERT INTO channel_order (channel, channel_order_id, ordered_at, status, canonical, unconfirmed, unconfirmed_at)
                VALUES ('shop', ?, now(), 'open', ?::jsonb, 'shipment not confirmed by the channel: HTTP 400', now())""", id,
                "{\"channel\":\"shop\",\"channelOrderId\":\"" + id + "\",\"lines\":[{\"sku\":\"A\",\"quantity\":1,\"unitPrice\":1}]}");
        mvc.perform(get("/console/orders/shop/" + id).with(user(ConsoleUsers.VIEWER).roles("VIEWER"))).andExpect(status().isOk())
                .andExpect(org.springframework.test.web.servlet.result.MockMvcResultMatchers.content()
                        .string(org.hamcrest.Matchers.containsString("shipment not confirmed by the channel: HTTP 400")));
        mvc.perform(get("/console/orders/shop/no-such-order").with(user(ConsoleUsers.VIEWER).roles("VIEWER")))
                .andExpect(status().isNotFound());
        mvc.perform(get("/console/orders?after=garbage").with(user(ConsoleUsers.VIEWER).roles("VIEWER")))
                .andExpect(status().isBadRequest());
    }

    @Test
    void aChangeNeedsItsCsrfToken() throws Exception {
        mvc.perform(MockMvcRequestBuilders.post(REPLAY).with(user(ConsoleUsers.OPERATOR).roles("VIEWER", "OPERATOR")))
                .andExpect(status().isForbidden());
        mvc.perform(MockMvcRequestBuilders.post(REPLAY).with(user(ConsoleUsers.OPERATOR).roles("VIEWER", "OPERATOR")).with(csrf().useInvalidToken()))
                .andExpect(status().isForbidden());
        mvc.perform(MockMvcRequestBuilders.post(REPLAY).param("all", "yes").with(user(ConsoleUsers.OPERATOR).roles("VIEWER", "OPERATOR"))
                .with(csrf())).andExpect(status().is3xxRedirection());
        mvc.perform(MockMvcRequestBuilders.post("/console/login").param("username", ConsoleUsers.OPERATOR)
                .param("password", ConsoleUsers.OPERATOR_PASSWORD)).andExpect(status().isForbidden()).andExpect(unauthenticated());
    }

    @Test
    void theOpsApiAgreesWithTheConsole() throws Exception {
        String replay = "/api/v1/ops/dead-letters/DLQ.kanaal.erp.stock/replay";
        HttpClient anonymous = HttpClient.newHttpClient();
        assertThat(anonymous.send(HttpRequest.newBuilder(uri("/api/v1/ops/dead-letters")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);

        Session viewer = signIn(ConsoleUsers.VIEWER, ConsoleUsers.VIEWER_PASSWORD);
        assertThat(viewer.get("/api/v1/ops/dead-letters").statusCode()).isEqualTo(200);
        HttpResponse<String> refused = viewer.post(replay, true);
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.body()).contains("Only an operator");

        Session operator = signIn(ConsoleUsers.OPERATOR, ConsoleUsers.OPERATOR_PASSWORD);
        assertThat(operator.post(replay, false).statusCode()).as("no CSRF token").isEqualTo(403);
        HttpResponse<String> replayed = operator.post(replay, true);
        assertThat(replayed.statusCode()).isEqualTo(200);
        assertThat(replayed.body()).contains("\"replayed\"");

        // a key opens the ops API as before, no session or CSRF token involved
        assertThat(anonymous.send(HttpRequest.newBuilder(uri(replay)).header("X-API-Key", API_KEY)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    }

    private Session signIn(String user, String password) throws Exception {
        HttpClient client = HttpClient.newBuilder().cookieHandler(new CookieManager()).build();
        Session session = new Session(client);
        String token = hidden(session.get("/console/login").body());
        HttpResponse<String> signedIn = client.send(HttpRequest.newBuilder(uri("/console/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("username=" + enc(user) + "&password=" + enc(password) + "&_csrf=" + enc(token)))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(signedIn.headers().firstValue("Location")).hasValueSatisfying(location -> assertThat(location).endsWith("/console"));
        return session;
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static String hidden(String page) {
        Matcher m = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"").matcher(page);
        assertThat(m.find()).as("a CSRF token in the page").isTrue();
        return m.group(1);
    }

    private final class Session {
        private final HttpClient client;

        Session(HttpClient client) {
            this.client = client;
        }

        HttpResponse<String> get(String path) throws Exception {
            return client.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
        }

        HttpResponse<String> post(String path, boolean withToken) throws Exception {
            HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.noBody());
            if (withToken) {
                Matcher m = Pattern.compile("name=\"_csrf\" content=\"([^\"]+)\"").matcher(get("/console/orders").body());
                assertThat(m.find()).as("the CSRF token in a console page").isTrue();
                request.header("X-CSRF-TOKEN", m.group(1));
            }
            return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        }
    }
}
