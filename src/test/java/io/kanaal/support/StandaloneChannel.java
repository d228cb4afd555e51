package io.kanaal.support;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jms.core.JmsTemplate;

/**
 * A Kanaal of its own ({@link StandaloneKanaal}) with one channel pointed at a stand-in on a {@link ChannelStub}: the
 * channel polls its orders every second and retries after 100 ms, and the ERP API is called with a key of its own.
 * Closing it closes Kanaal, then the stub.
 */
public final class StandaloneChannel implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ChannelStub stub;
    private final ConfigurableApplicationContext kanaal;
    private final String key;

    private StandaloneChannel(ChannelStub stub, ConfigurableApplicationContext kanaal, String key) {
        this.stub = stub;
        this.kanaal = kanaal;
        this.key = key;
    }

    /**
     * Starts Kanaal with channel {@code id} of {@code type} at the stub, and {@code settings} ({@code name=value},
     * each under {@code kanaal.channels.<id>.}).
     */
    public static StandaloneChannel start(String name, int serverId, ChannelStub stub, String id, String type, String... settings) {
        String prefix = "--kanaal.channels." + id + ".";
        List<String> args = new ArrayList<>(List.of(prefix + "type=" + type, prefix + "enabled=true",
                prefix + "base-url=" + stub.baseUrl(), prefix + "rate-limit=1000",
                prefix + "settings.poll-cron=0/1 * * * * ?", "--kanaal.delivery.initial-delay=100"));
        for (String setting : settings) {
            args.add(prefix + setting);
        }
        String key = name + "-" + UUID.randomUUID();
        return new StandaloneChannel(stub, StandaloneKanaal.start(name, serverId, key, args), key);
    }

    /** POSTs to the ERP API; asserts it was accepted (202) with no item rejected. */
    public void accepted(String path, String body) throws Exception {
        HttpResponse<String> response = StandaloneKanaal.post(kanaal, key, path, body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        assertThat(JSON.readTree(response.body()).path("rejected").asInt()).as(response.body()).isZero();
    }

    /** GETs from Kanaal's API (an ops endpoint). */
    public HttpResponse<String> get(String path) throws Exception {
        return StandaloneKanaal.get(kanaal, key, path);
    }

    /** Kanaal's JmsTemplate, to read the unified queue and dead letters as the ERP and ops do. */
    public JmsTemplate jms() {
        return kanaal.getBean(JmsTemplate.class);
    }

    @Override
    public void close() {
        try (ChannelStub closedLast = stub; ConfigurableApplicationContext closedFirst = kanaal) {
            // Kanaal closes first, then the stub
        }
    }
}
