package io.kanaal.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.util.unit.DataSize;

/** Who may call what: ERP clients the ERP API, operators the ops endpoints once they have keys of their own. */
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
    void withoutOperatorKeysTheErpClientsKeysOpenTheOpsEndpoints() throws Exception {
        // an operator key left empty (an unset environment variable) is no key
        ApiGuardFilter guard = guard(Map.of("ops", " "));

        assertThat(call(guard, "GET", "/api/v1/ops/dead-letters", ERP_KEY).getStatus()).isEqualTo(200);
        assertThat(call(guard, "GET", "/api/v1/ops/dead-letters", OPS_KEY).getStatus()).isEqualTo(401);
    }

    private static ApiGuardFilter guard(Map<String, String> opsKeys) {
        return new ApiGuardFilter(new ApiProperties(Map.of("erp", ERP_KEY), opsKeys, DataSize.ofMegabytes(2), DataSize.ofMegabytes(32)),
                new ObjectMapper());
    }

    /** The filter's answer; 200 when it let the request through to the chain. */
    private static MockHttpServletResponse call(ApiGuardFilter guard, String method, String path, String key)
            throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest(method, path);
        // as the container maps it (Kanaal's HTTP servlet serves the whole path)
        request.setServletPath(path);
        if (key != null) {
            request.addHeader("X-API-Key", key);
        }
        request.setContent("{}".getBytes());
        MockHttpServletResponse response = new MockHttpServletResponse();
        guard.doFilter(request, response, new MockFilterChain());
        return response;
    }
}
