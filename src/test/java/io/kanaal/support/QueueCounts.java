package io.kanaal.support;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.server.Queue;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;

/** What the tests of bad and hostile input check: the broker's own counts, and webhook signatures. */
public final class QueueCounts {

    private QueueCounts() {
    }

    /** Per queue, how many messages were ever added to it (0 for a queue that does not exist yet). */
    public static Map<String, Long> added(EmbeddedActiveMQ broker, List<String> queues) {
        Map<String, Long> added = new LinkedHashMap<>();
        for (String name : queues) {
            Queue queue = broker.getActiveMQServer().locateQueue(SimpleString.of(name));
            added.put(name, queue == null ? 0L : queue.getMessagesAdded());
        }
        return added;
    }

    /** A webhook's signature header value: {@code sha256=} and the hex HMAC-SHA256 of the body. */
    public static String signature(String secret, byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
    }
}
