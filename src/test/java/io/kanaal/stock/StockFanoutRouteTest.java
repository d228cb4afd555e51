package io.kanaal.stock;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kanaal.KanaalApplication;
import io.kanaal.support.TestData;
import java.util.HashMap;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.apache.camel.test.spring.junit5.UseAdviceWith;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
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
        registry.add("spring.artemis.embedded.server-id", () -> "9");
        registry.add("kanaal.channels.sandbox.enabled", () -> "false");
        for (String channel : new String[] {"alpha", "beta"}) {
            registry.add("kanaal.channels." + channel + ".type", () -> "rest");
            registry.add("kanaal.channels." + channel + ".base-url", () -> "http://127.0.0.1:9/" + channel);
        }
        registry.add("kanaal.channels.alpha.safety-buffer", () -> "3");
        registry.add("kanaal.channels.beta.max-listed", () -> "5");
    }

    @Autowired
    CamelContext camel;

    @Autowired
    ProducerTemplate producer;

    @Test
    void oneMessagePerSkuCarriesEachChannelsQuantityNamesTheChannelsAndIsKeyedBySku() throws Exception {
        AdviceWith.adviceWith(camel, "stock-fanout", route -> route.replaceFromWith("direct:erp-stock"));
        AdviceWith.adviceWith(camel, "stock-enqueue",
                route -> route.weaveByToUri("jms:topic:kanaal.channel.stock*").replace().to("mock:channel-stock"));
        camel.start();
        MockEndpoint sent = camel.getEndpoint("mock:channel-stock", MockEndpoint.class);
        sent.expectedMessageCount(1);

        producer.sendBody("direct:erp-stock", "{\"sku\":\"FANOUT-1\",\"quantity\":12,\"sequence\":1}");

        sent.assertIsSatisfied();
        Exchange message = sent.getReceivedExchanges().get(0);
        JsonNode updates = new ObjectMapper().readTree(message.getMessage().getBody(String.class));
        assertThat(updates).hasSize(2);
        Map<String, Integer> quantities = new HashMap<>();
        updates.forEach(update -> {
            assertThat(update.get("sku").asText()).isEqualTo("FANOUT-1");
            quantities.put(update.get("channel").asText(), update.get("quantity").asInt());
        });
        // alpha keeps a safety buffer of 3, beta lists 5 at most
        assertThat(quantities).isEqualTo(Map.of("alpha", 9, "beta", 5));
        assertThat(message.getMessage().getHeader("kanaalChannels")).isEqualTo(",alpha,beta,");
        assertThat(message.getMessage().getHeader("_AMQ_LVQ_NAME")).isEqualTo("FANOUT-1");
        assertThat(message.getMessage().getHeader("JMSXGroupID")).isEqualTo("FANOUT-1");

        // an older level: nothing sent
        sent.reset();
        sent.expectedMessageCount(0);
        producer.sendBody("direct:erp-stock", "{\"sku\":\"FANOUT-1\",\"quantity\":99,\"sequence\":0}");
        sent.assertIsSatisfied(500);

    }

}
