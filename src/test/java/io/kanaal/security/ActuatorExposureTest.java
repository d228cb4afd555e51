package io.kanaal.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kanaal.support.KanaalIntegrationTest;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.web.server.LocalManagementPort;

/**
 * The actuator as shipped: on a port of its own, bound to 127.0.0.1, not on the port of the ERP API and the
 * webhooks; its health says UP or DOWN and nothing about the components to a caller without authorisation.
 */
class ActuatorExposureTest extends KanaalIntegrationTest {

    @LocalManagementPort
    int managementPort;

    @Value("${management.server.address}")
    String managementAddress;

    @Test
    void theActuatorIsOnItsOwnLoopbackPortAndHealthShowsNoDetails() throws Exception {
        assertThat(managementPort).isNotEqualTo(port);
        assertThat(managementAddress).isEqualTo("127.0.0.1");

        for (String path : new String[] {"/actuator/health", "/actuator/prometheus", "/actuator/metrics", "/actuator/camelroutes"}) {
            assertThat(send(HttpRequest.newBuilder(uri(path)).GET()).statusCode()).as("%s on the API's port", path)
                    .isEqualTo(404);
        }

        HttpResponse<String> health = send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + managementPort + "/actuator/health")).GET());
        assertThat(health.statusCode()).isEqualTo(200);
        JsonNode body = new ObjectMapper().readTree(health.body());
        assertThat(body.path("status").asText()).isEqualTo("UP");
        assertThat(body.has("components")).as("components in %s", health.body()).isFalse();
        assertThat(body.has("details")).as("details in %s", health.body()).isFalse();
        // (Spring Boot's tests export no metrics: /actuator/prometheus is not there; /actuator/metrics is)
        assertThat(send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/actuator/metrics")).GET())
                .statusCode()).isEqualTo(200);
    }
}
