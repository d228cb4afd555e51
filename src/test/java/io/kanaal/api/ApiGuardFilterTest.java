package io.kanaal.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.util.unit.DataSize;

/**
 * Who may call what: ERP clients the ERP API, operators the ops endpoints, which are closed while no operator has a
 * key; every path's body limit; the client's name only from its key.
 */
class ApiGuardFilterTest {

    private static final String ERP_KEY = "erp-key-0123456789";
    private static final String OPS_KEY = "ops-key-0123456789";

    @Test
    void withOperatorKeysTheOpsEndpointsAndTheErpApiAreOpenedByTheirOwnKeysOnly() throws Exception {
        ApiGuardFilter guard = guard(Map.of("alice", OPS_KEY));

        assertThat(call(guard, "GET", "/api/v1/ops/dead-letters", OPS_KEY).getStatus()).isEqualTo(200);
        assertThat(call(guard, "GET", "/api/v1/ops/dead-letters", ERP_KEY).getStatus()).isEqualTo(403);
        assertThat(call(guard, "GET", "/api/v1/ops/dead-letters", "wrong").getStatus()).isEqualTo(401);
        assertThat(call(guard, "POST", "/api/v1/stock", ERP_KEY).getStatus()).isEqualTo(200);
        assertThat(call(guard, "POST", "/api/v1/stock", OPS_KEY).getStatus()).isEqualTo(403);
        assertThat(call(guard, "POST", "/api/v1/stock", null).getStatus()).isEqualTo(401);
    }

    @Test
    void withoutOperatorKeysTheOpsEndpointsAreClosedAndSayWhichSettingOpensThem() throws Exception {
        // an operator key left empty (an unset environment variable) is no key
        ApiGuardFilter guard = guard(Map.of("ops", " "));

        MockHttpServletResponse refused = call(guard, "GET", "/api/v1/ops/dead-letters", ERP_KEY);
        assertThat(refused.getStatus()).isEqualTo(403);
        assertThat(refused.getContentAsString()).contains("kanaal.api.ops-keys");
        assertThat(call(guard, "POST", "/api/v1/ops/dead-letters/DLQ.kanaal.erp.stock/replay", ERP_KEY).getStatus()).isEqualTo(403);
        assertThat(call(guard, "GET", "/api/v1/ops/dead-letters", null).getStatus()).isEqualTo(403);
        assertThat(call(guard, "POST", "/api/v1/stock", ERP_KEY).getStatus()).isEqualTo(200);
    }

    @Test
    void everyPathHasABodyLimitNotOnlyTheApi() throws Exception {
        ApiGuardFilter guard = new ApiGuardFilter(new ApiProperties(Map.of("erp", ERP_KEY), Map.of("alice", OPS_KEY),
                DataSize.ofBytes(100), DataSize.ofBytes(200)), new ObjectMapper());
        byte[] big = ("{\"x\":\"" + "a".repeat(150) + "\"}").getBytes();
        for (String path : new String[] {"/webhooks/shop/orders", "/feeds/google-feed", "/sandbox/sandbox/stock/A",
                "/api/v1/openapi.json", "/api/v1/schemas/stock.schema.json", "/api/v1/ops/dead-letters", "/api/v1/stock"}) {
            assertThat(call(guard, "PUT", path, path.contains("/ops/") ? OPS_KEY : ERP_KEY, big, null).getStatus())
                    .as(path).isEqualTo(413);
        }
        assertThat(call(guard, "POST", "/api/v1/products", ERP_KEY, big, null).getStatus())
                .as("the products' own limit").isEqualTo(200);
        assertThat(call(guard, "POST", "/feeds/google-feed", null, new byte[] {'"', (byte) 0xC3, '"'}, null).getStatus())
                .as("not UTF-8").isEqualTo(400);
    }

    @Test
    void theClientsNameCannotBeSentAsAParameter() throws Exception {
        ApiGuardFilter guard = guard(Map.of("alice", OPS_KEY));
        for (String query : new String[] {"X-Kanaal-Client=other", "x-kanaal-client=other", "a=1&X%2DKanaal%2DClient=other"}) {
            MockHttpServletResponse refused = call(guard, "POST", "/api/v1/stock", ERP_KEY, "{}".getBytes(), query);
            assertThat(refused.getStatus()).as(query).isEqualTo(400);
            assertThat(refused.getContentAsString()).contains("X-Kanaal-Client");
        }
        MockHttpServletRequest form = new MockHttpServletRequest("POST", "/api/v1/stock");
        form.setServletPath("/api/v1/stock");
        form.addHeader("X-API-Key", ERP_KEY);
        form.setContentType("application/x-www-form-urlencoded");
        form.setContent("X-Kanaal-Client=other".getBytes());
        MockHttpServletResponse response = new MockHttpServletResponse();
        guard.doFilter(form, response, new MockFilterChain());
        assertThat(response.getStatus()).as("in a form body").isEqualTo(400);

        // the header itself is replaced by the authenticated name
        MockHttpServletRequest spoofed = new MockHttpServletRequest("POST", "/api/v1/stock");
        spoofed.setServletPath("/api/v1/stock");
        spoofed.addHeader("X-API-Key", ERP_KEY);
        spoofed.addHeader("X-Kanaal-Client", "other");
        spoofed.setContent("{}".getBytes());
        MockFilterChain chain = new MockFilterChain();
        guard.doFilter(spoofed, new MockHttpServletResponse(), chain);
        assertThat(((jakarta.servlet.http.HttpServletRequest) chain.getRequest()).getHeader("X-Kanaal-Client")).isEqualTo("erp");
    }

    private static ApiGuardFilter guard(Map<String, String> opsKeys) {
        return new ApiGuardFilter(new ApiProperties(Map.of("erp", ERP_KEY), opsKeys, DataSize.ofMegabytes(2), DataSize.ofMegabytes(32)),
                new ObjectMapper());
    }

    /** The filter's answer; 200 when it let the request through to the chain. */
    private static MockHttpServletResponse call(ApiGuardFilter guard, String method, String path, String key)
            throws Exception {
        return call(guard, method, path, key, "{}".getBytes(), null);
    }

    private static MockHttpServletResponse call(ApiGuardFilter guard, String method, String path, String key,
            byte[] body, String query) throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest(method, path);
        request.setQueryString(query);
        // as the container maps it (Kanaal's HTTP servlet serves the whole path)
        request.setServletPath(path);
        if (key != null) {
            request.addHeader("X-API-Key", key);
        }
        request.setContent(body);
        MockHttpServletResponse response = new MockHttpServletResponse();
        guard.doFilter(request, response, new MockFilterChain());
        return response;
    }
}
