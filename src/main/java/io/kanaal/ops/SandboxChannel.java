package io.kanaal.ops;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Body;
import org.apache.camel.Header;
import org.apache.camel.Variable;
import org.springframework.context.annotation.Profile;
import org.springframework.stereotype.Component;

/**
 * A channel that Kanaal serves itself, for trying Kanaal without an account anywhere: the generic REST
 * channel {@code sandbox} sends to it over HTTP like to any webshop, and it keeps the last requests it got. Only in
 * the {@code demo} profile (config/application-demo.yaml, routes/demo/).
 */
@Component("sandboxChannel")
@Profile("demo")
public class SandboxChannel {

    private static final int KEEP = 1000;

    private final Deque<Map<String, Object>> received = new ArrayDeque<>();
    private final Deque<Map<String, Object>> fulfilments = new ArrayDeque<>();
    private final Map<String, Map<String, Object>> products = new java.util.TreeMap<>();

    /** Records a stock call to the sandbox channel; the answer has no body. */
    public synchronized String record(@Header("channel") String channel, @Header("sku") String sku, @Body String body) {
        keep(received, entry(channel, "sku", sku, body));
        return "";
    }

    /** A shipment or cancellation sent to the sandbox for one of its orders. */
    public synchronized String recordFulfilment(@Header("channel") String channel, @Header("order") String order,
                                              @Variable("kind") String kind, @Body String body) {
        Map<String, Object> entry = entry(channel, "order", order, body);
        entry.put("kind", kind);
        keep(fulfilments, entry);
        return "";
    }

    /** A product sent to the sandbox: kept per channel and SKU, the newest one. */
    public synchronized String recordProduct(@Header("channel") String channel, @Header("sku") String sku, @Body String body) {
        products.put(channel + "/" + sku, entry(channel, "sku", sku, body));
        return "";
    }

    private static Map<String, Object> entry(String channel, String keyName, String key, String body) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("channel", channel);
        entry.put(keyName, key);
        entry.put("receivedAt", Instant.now().toString());
        entry.put("body", body);
        return entry;
    }

    private static void keep(Deque<Map<String, Object>> kept, Map<String, Object> entry) {
        kept.addFirst(entry);
        while (kept.size() > KEEP) {
            kept.removeLast();
        }
    }

    /** The products the sandbox channel shows, by SKU. */
    public synchronized List<Map<String, Object>> products(@Header("channel") String channel) {
        return products.values().stream().filter(e -> channel == null || channel.equals(e.get("channel"))).toList();
    }

    /** Shipments and cancellations the sandbox channel received, newest first. */
    public synchronized List<Map<String, Object>> fulfilments(@Header("channel") String channel) {
        return fulfilments.stream().filter(e -> channel == null || channel.equals(e.get("channel"))).toList();
    }

    /** What the sandbox channel received, newest first. */
    public synchronized List<Map<String, Object>> received(@Header("channel") String channel) {
        List<Map<String, Object>> result = new ArrayList<>();
        for (Map<String, Object> entry : received) {
            if (channel == null || channel.equals(entry.get("channel"))) {
                result.add(entry);
            }
        }
        return result;
    }
}
