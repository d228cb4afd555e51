package io.kanaal.stock;

import static org.assertj.core.api.Assertions.assertThat;

import io.kanaal.KanaalApplication;
import io.kanaal.support.TestData;
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
 * The stock-fanout route as shipped, advised by route id: the channel queues are replaced by a mock,
 * so the test sees exactly what each channel's queue would get.
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
    void eachChannelQueueGetsItsQuantityKeyedBySkuForLastValueAndGroups() throws Exception {
        AdviceWith.adviceWith(camel, "stock-fanout", route -> route.replaceFromWith("direct:erp-stock"));
        AdviceWith.adviceWith(camel, "stock-enqueue",
                route -> route.weaveByToUri("jms:queue:kanaal.channel.*").replace().to("mock:channel-queue"));
        camel.start();
        MockEndpoint queues = camel.getEndpoint("mock:channel-queue", MockEndpoint.class);
        queues.expectedMessageCount(2);

        producer.sendBody("direct:erp-stock", "{\"sku\":\"FANOUT-1\",\"quantity\":12,\"sequence\":1}");

        queues.assertIsSatisfied();
        Map<String, Exchange> byChannel = Map.of(
                "alpha", queues.getReceivedExchanges().get(0),
                "beta", queues.getReceivedExchanges().get(1));
        assertThat(body(byChannel.get("alpha"))).contains("\"channel\":\"alpha\"").contains("\"quantity\":9");
        assertThat(body(byChannel.get("beta"))).contains("\"channel\":\"beta\"").contains("\"quantity\":5");
        for (Exchange sent : queues.getReceivedExchanges()) {
            assertThat(sent.getMessage().getHeader("_AMQ_LVQ_NAME")).isEqualTo("FANOUT-1");
            assertThat(sent.getMessage().getHeader("JMSXGroupID")).isEqualTo("FANOUT-1");
        }

        queues.reset();
        queues.expectedMessageCount(0);
        producer.sendBody("direct:erp-stock", "{\"sku\":\"FANOUT-1\",\"quantity\":99,\"sequence\":0}");
        queues.assertIsSatisfied(500);
    }

    private static String body(Exchange exchange) {
        return exchange.getMessage().getBody(String.class);
    }
}
