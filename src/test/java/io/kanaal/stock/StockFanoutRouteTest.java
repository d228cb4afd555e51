package io.kanaal.stock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kanaal.KanaalApplication;
import io.kanaal.support.TestData;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.apache.camel.test.spring.junit5.UseAdviceWith;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The stock-fanout route as shipped, advised by route id: the channels' stock address is replaced by a
 * mock, so the test sees exactly what the broker would route to the channels' queues.
 */
@CamelSpringBootTest
@UseAdviceWith
@SpringBootTest(classes = KanaalApplication.class, webEnvironment = SpringBootTest.WebEnvironment.NONE)
class StockFanoutRouteTest {

    @DynamicPropertySource
    static void kanaal(DynamicPropertyRegistry registry) {
        registry.add("kanaal.data-dir", () -> TestData.directory("fanout-route"));
        registry.add("kanaal.broker.acceptor", () -> "");
        registry.add("spring.artemis.embedded.server-id", () -> "109");
        for (String channel : new String[] {"alpha", "beta", "gamma"}) {
            registry.add("kanaal.channels." + channel + ".type", () -> "rest");
            registry.add("kanaal.channels." + channel + ".base-url", () -> "http://127.0.0.1:9/" + channel);
        }
        registry.add("kanaal.channels.alpha.safety-buffer", () -> "3");
        registry.add("kanaal.channels.beta.max-listed", () -> "5");
        registry.add("kanaal.channels.gamma.counts-own-orders", () -> "true");
        // the channels' quantities as the stock queue mode sends them, one message per SKU (every mode computes
        // them in the same statement; the direct mode hands the same list over in the process)
        registry.add("kanaal.stock.delivery", () -> "queue");
        // the reconciliation runs when a test calls it
        registry.add("kanaal.stock.reconcile-every", () -> "3600000");
    }

    @Autowired
    CamelContext camel;

    @Autowired
    ProducerTemplate producer;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    jakarta.jms.ConnectionFactory connectionFactory;

    MockEndpoint sent;

    @BeforeEach
    void adviseOnce() throws Exception {
        if (!camel.getStatus().isStarted()) {
            AdviceWith.adviceWith(camel, "stock-fanout", route -> route.replaceFromWith("direct:erp-stock"));
            // a request to compute SKUs again goes to the fan-out, as it would through kanaal.erp.stock
            AdviceWith.adviceWith(camel, "stock-recompute",
                    route -> route.weaveByToUri("jms:queue:kanaal.erp.stock*").replace().to("direct:erp-stock"));
            AdviceWith.adviceWith(camel, "stock-enqueue",
                    route -> route.weaveByToUri("jms:topic:kanaal.channel.stock*").replace().to("mock:channel-stock"));
            camel.start();
        }
        sent = camel.getEndpoint("mock:channel-stock", MockEndpoint.class);
        sent.reset();
    }

    @Test
    void oneMessagePerSkuCarriesEachChannelsQuantityNamesTheChannelsAndIsKeyedBySku() throws Exception {
        sent.expectedMessageCount(1);

        producer.sendBody("direct:erp-stock", "{\"sku\":\"FANOUT-1\",\"quantity\":12,\"sequence\":1}");

        sent.assertIsSatisfied();
        Exchange message = sent.getReceivedExchanges().get(0);
        // alpha keeps a safety buffer of 3, beta lists 5 at most
        assertThat(quantities(message, "FANOUT-1")).isEqualTo(Map.of("alpha", 9, "beta", 5, "gamma", 12));
        assertThat(message.getMessage().getHeader("kanaalChannels")).isEqualTo(",alpha,beta,gamma,");
        assertThat(message.getMessage().getHeader("_AMQ_LVQ_NAME")).isEqualTo("FANOUT-1");
        assertThat(message.getMessage().getHeader("JMSXGroupID")).isEqualTo("FANOUT-1");

        // an older level: nothing sent
        sent.reset();
        sent.expectedMessageCount(0);
        producer.sendBody("direct:erp-stock", "{\"sku\":\"FANOUT-1\",\"quantity\":99,\"sequence\":0}");
        sent.assertIsSatisfied(500);
    }

    @Test
    void openReservationsCountOnEveryChannelButAChannelThatCountsItsOwnOrdersGetsItsUnshippedOnesBack() throws Exception {
        String sku = "FANOUT-2";
        order("gamma", "G-1", sku, 2, null);
        order("alpha", "A-1", sku, 1, null);
        order("beta", "B-1", sku, 4, "erp-stock");
        sent.expectedMessageCount(1);

        producer.sendBody("direct:erp-stock", "{\"sku\":\"" + sku + "\",\"quantity\":12,\"sequence\":1}");

        sent.assertIsSatisfied();
        // 12 less the 3 open units (B-1's reservation ended); gamma subtracts its own open order itself
        assertThat(quantities(sent.getReceivedExchanges().get(0), sku)).isEqualTo(Map.of("alpha", 6, "beta", 5, "gamma", 11));

        // once gamma ships its order it no longer counts it: Kanaal subtracts it for gamma too
        jdbc.update("UPDATE channel_order SET status = 'shipped' WHERE channel = 'gamma' AND channel_order_id = 'G-1'");
        sent.reset();
        sent.expectedMessageCount(1);
        producer.sendBody("direct:stock-recompute", List.of(sku));
        sent.assertIsSatisfied();
        // (alpha and beta again: nothing delivered them here, so they still do not show their quantities)
        assertThat(quantities(sent.getReceivedExchanges().get(0), sku)).isEqualTo(Map.of("alpha", 6, "beta", 5, "gamma", 9));
    }

    @Test
    void aMessageOfSeveralLevelsGivesOneChannelMessagePerSkuWithItsNewestQuantity() throws Exception {
        // what the ERP API queues for requests that arrived together (a single level is a message of one)
        sent.expectedMessageCount(2);

        producer.sendBody("direct:erp-stock", """
                [{"sku":"FANOUT-4","quantity":20,"sequence":1},{"sku":"FANOUT-5","quantity":7,"sequence":1},
                 {"sku":"FANOUT-4","quantity":15,"sequence":2},{"sku":"FANOUT-5","quantity":99,"sequence":0}]""");

        sent.assertIsSatisfied();
        assertThat(sent.getReceivedExchanges()).extracting(e -> e.getMessage().getHeader("_AMQ_LVQ_NAME"))
                .containsExactly("FANOUT-4", "FANOUT-5");
        // FANOUT-4's second level replaced its first; FANOUT-5's level of sequence 0 is older than the one before it
        assertThat(quantities(sent.getReceivedExchanges().get(0), "FANOUT-4")).isEqualTo(Map.of("alpha", 12, "beta", 5, "gamma", 15));
        assertThat(quantities(sent.getReceivedExchanges().get(1), "FANOUT-5")).isEqualTo(Map.of("alpha", 4, "beta", 5, "gamma", 7));
    }

    @Test
    void aQuantityStillNotDeliveredLongAfterItWasSetIsQueuedAgainOnceOnChannelsAtRest() throws Exception {
        String sku = "FANOUT-6";
        sent.expectedMessageCount(1);
        producer.sendBody("direct:erp-stock", "{\"sku\":\"" + sku + "\",\"quantity\":8,\"sequence\":1}");
        sent.assertIsSatisfied();
        // the message went to the mock, not to the channels: as if it had been lost (a dead letter deleted)
        jdbc.update("UPDATE channel_stock SET desired_at = now() - interval '2 minutes' WHERE sku = ?", sku);
        // gamma is not at rest: a dead letter of its stock queue waits for ops
        try (jakarta.jms.Connection connection = connectionFactory.createConnection();
             jakarta.jms.Session session = connection.createSession(false, jakarta.jms.Session.AUTO_ACKNOWLEDGE)) {
            session.createProducer(session.createQueue("DLQ.kanaal.channel.gamma.stock")).send(session.createTextMessage("[]"));
        }

        sent.reset();
        producer.sendBody("direct:stock-reconcile", null);

        // alpha and beta are at rest: the SKU is computed again, which gives every channel that does not show
        // its quantity yet its message (gamma's too, although gamma is not at rest)
        List<Exchange> again = sent.getReceivedExchanges().stream()
                .filter(e -> sku.equals(e.getMessage().getHeader("_AMQ_LVQ_NAME"))).toList();
        assertThat(again).hasSize(1);
        assertThat(quantities(again.get(0), sku)).isEqualTo(Map.of("alpha", 5, "beta", 5, "gamma", 8));
        assertThat(again.get(0).getMessage().getHeader("kanaalChannels")).isEqualTo(",alpha,beta,gamma,");

        // once per quantity
        sent.reset();
        producer.sendBody("direct:stock-reconcile", null);
        assertThat(sent.getReceivedExchanges()).noneMatch(e -> sku.equals(e.getMessage().getHeader("_AMQ_LVQ_NAME")));
    }

    @Test
    void anInstanceWithAnotherNumberOfBucketsThanItsDatabaseRecordedDoesNotStart() {
        // this Kanaal started with the default, 8, and recorded it
        assertThat(jdbc.queryForObject("SELECT value FROM kanaal_setting WHERE name = 'stock.buckets'", String.class)).isEqualTo("8");
        assertThat(new StockBuckets(jdbc, 8).group("FANOUT-7")).isEqualTo(camel.getRegistry()
                .lookupByNameAndType("stockBuckets", StockBuckets.class).group("FANOUT-7"));

        assertThatThrownBy(() -> new StockBuckets(jdbc, 16)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("kanaal.stock.buckets is 16 here")
                .hasMessageContaining("put SKUs in 8 buckets")
                .hasMessageContaining("UPDATE kanaal_setting SET value = '16' WHERE name = 'stock.buckets'");
        assertThat(jdbc.queryForObject("SELECT value FROM kanaal_setting WHERE name = 'stock.buckets'", String.class))
                .as("still what the instances use").isEqualTo("8");
    }

    @Test
    void aSkuTheErpHasNotReportedGetsNoQuantity() throws Exception {
        order("alpha", "A-3", "FANOUT-3", 1, null);
        sent.expectedMessageCount(0);

        producer.sendBody("direct:stock-recompute", List.of("FANOUT-3"));

        sent.assertIsSatisfied(500);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM channel_stock WHERE sku = 'FANOUT-3'", Integer.class)).isZero();
    }

    private void order(String channel, String id, String sku, int quantity, String releasedBy) {
        jdbc.update("INSERT INTO channel_order (channel, channel_order_id, canonical) VALUES (?, ?, '{}'::jsonb)", channel, id);
        jdbc.update("""
                INSERT INTO reservation (channel, channel_order_id, sku, quantity, released_at, released_by)
                VALUES (?, ?, ?, ?, CASE WHEN ?::varchar IS NULL THEN NULL ELSE now() END, ?)
                """, channel, id, sku, quantity, releasedBy, releasedBy);
    }

    private static Map<String, Integer> quantities(Exchange message, String sku) throws Exception {
        JsonNode updates = new ObjectMapper().readTree(message.getMessage().getBody(String.class));
        Map<String, Integer> quantities = new HashMap<>();
        updates.forEach(update -> {
            assertThat(update.get("sku").asText()).isEqualTo(sku);
            quantities.put(update.get("channel").asText(), update.get("quantity").asInt());
        });
        return quantities;
    }
}
