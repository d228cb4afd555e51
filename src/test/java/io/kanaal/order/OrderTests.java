package io.kanaal.order;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kanaal.support.KanaalIntegrationTest;
import io.kanaal.support.UnifiedQueue;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jms.core.JmsTemplate;

/** Orders as the shop channel sends them, its webhook, and the unified queue, for the order intake's tests. */
public abstract class OrderTests extends KanaalIntegrationTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @Autowired
    JmsTemplate jms;

    public static String shopOrder(String id, String sku, int quantity, String updatedAt) {
        return """
                {"id":"%s","createdAt":"%s","updatedAt":"%s","status":"paid","currency":"EUR",
                 "customer":{"name":"Jan Jansen","email":"jan@example.com"},
                 "shipping":{"name":"Jan Jansen","street":"Damrak","houseNumber":"1","postalCode":"1012LG","city":"Amsterdam","country":"NL"},
                 "items":[{"id":"L1","sku":"%s","name":"Article","quantity":%d,"price":20.00}],
                 "total":%d.00}
                """.formatted(id, updatedAt, updatedAt, sku, quantity, quantity * 20).replace("\n", "");
    }

    public static String sign(String secret, String body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    }

    protected HttpResponse<String> webhook(String channel, String body, String signature) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri("/webhooks/" + channel + "/orders"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (signature != null) {
            request.header("X-Kanaal-Signature", signature);
        }
        return send(request);
    }

    /** The order taken off kanaal.orders.unified; fails when it does not come within 15 s. */
    JsonNode receiveOrder(String orderRef) throws Exception {
        return UnifiedQueue.receive(jms, orderRef, 15_000);
    }
}
