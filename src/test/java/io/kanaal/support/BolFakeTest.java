package io.kanaal.support;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kanaal.support.BolFake.Item;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every kind of answer {@link BolFake} gives (what Kanaal's Bol routes parse in the tests) is one Bol's spec declares:
 * the order list (empty, one page, cancelled orders), the order detail and its 404, the 202 of a shipment and of a
 * cancellation, and the process status in each of its states and its 404. The fake checks its own answers with
 * {@link BolContract#responseViolations}; the cases here make it give each kind once.
 */
class BolFakeTest {

    private static final String V10 = BolFake.V10;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ChannelStub stub = new ChannelStub();
    private final BolFake bol = new BolFake(stub);
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stop() {
        stub.close();
    }

    @Test
    void theOrderListAndDetailsAreShapedAsInBolsSpec() throws Exception {
        assertThat(get("/retailer/orders?fulfilment-method=FBR&status=OPEN&page=1").body())
                .as("no orders").contains("\"orders\"");

        bol.open(BolFake.order("A2K8290LP8", new Item("6107989317", "SKU-1", "8718846038683", 2),
                new Item("6107989318", "SKU-2", "8712626055143", 1)), Instant.now());
        bol.open(BolFake.order("B3K8290LP9", new Item("6107989319", "SKU-3", "8718846038684", 1)), Instant.now());
        bol.cancel("B3K8290LP9", Instant.now());
        assertThat(get("/retailer/orders?fulfilment-method=FBR&status=ALL&change-interval-minute=5&page=1").body())
                .contains("A2K8290LP8").contains("B3K8290LP9");
        assertThat(get("/retailer/orders/A2K8290LP8").statusCode()).isEqualTo(200);
        assertThat(get("/retailer/orders/B3K8290LP9").body()).contains("\"quantityCancelled\":1");
        assertThat(get("/retailer/orders/UNKNOWN").statusCode()).isEqualTo(404);

        assertThat(bol.answerViolations()).isEmpty();
    }

    @Test
    void writesAndTheirProcessStatusesAreShapedAsInBolsSpec() throws Exception {
        String shipment = "{\"orderItems\":[{\"orderItemId\":\"6107989317\"}],\"shipmentReference\":\"bol-nl/1\"}";
        String cancellation = "{\"orderItems\":[{\"orderItemId\":\"6107989318\",\"reasonCode\":\"OUT_OF_STOCK\"}]}";
        bol.nextProcess("Order item 6107989318 is already cancelled.", "PENDING", "FAILURE");
        bol.nextProcess(null, "TIMEOUT");

        String failing = processStatusId(send("POST", "/retailer/shipments", shipment));
        String timingOut = processStatusId(send("PUT", "/retailer/orders/cancellation", cancellation));
        String succeeding = processStatusId(send("POST", "/retailer/shipments", shipment));
        for (String process : List.of(failing, timingOut, succeeding)) {
            get("/shared/process-status/" + process);
            get("/shared/process-status/" + process);
        }
        assertThat(bol.served(failing)).containsExactly("PENDING", "FAILURE");
        assertThat(bol.served(timingOut)).containsExactly("TIMEOUT", "TIMEOUT");
        assertThat(bol.served(succeeding)).containsExactly("PENDING", "SUCCESS");
        assertThat(get("/shared/process-status/404").statusCode()).isEqualTo(404);

        assertThat(bol.answerViolations()).isEmpty();
    }

    private static String processStatusId(HttpResponse<String> accepted) throws Exception {
        assertThat(accepted.statusCode()).isEqualTo(202);
        return JSON.readTree(accepted.body()).path("processStatusId").asText();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> send(String method, String path, String body) throws Exception {
        return http.send(request(path).header("Content-Type", V10)
                .method(method, HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(stub.baseUrl() + path)).header("Accept", V10)
                .header("Authorization", "Bearer x");
    }
}
