package io.kanaal.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kanaal.support.ChannelStub;
import io.kanaal.support.KanaalIntegrationTest;
import java.time.Duration;
import java.util.List;
import org.apache.camel.Navigate;
import org.apache.camel.Processor;
import org.apache.camel.Route;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteDefinition;
import org.junit.jupiter.api.Test;

/**
 * Credentials reach the channels, and are read when a call is made rather than written into the routes: no route's
 * definition (what route dumps and /actuator/camelroutes show) holds a secret of the configuration.
 */
class SecretsInRoutesTest extends KanaalIntegrationTest {

    @Test
    void aChannelsAuthorizationReachesItButNoRouteHoldsASecret() {
        String sku = newSku();
        pushStock(batch(level(sku, 5, 1)));
        await().atMost(Duration.ofSeconds(15)).until(() -> !SHOP.succeeded("/market/stock/" + sku).isEmpty());
        ChannelStub.Request call = SHOP.succeeded("/market/stock/" + sku).get(0);
        assertThat(call.header("authorization")).isEqualTo(MARKET_AUTHORIZATION);
        assertThat(SHOP.succeeded("/shop/stock/" + sku)).first().satisfies(shop ->
                assertThat(shop.header("x-shop-token")).isEqualTo(SHOP_TOKEN));

        List<RouteDefinition> routes = camelContext.getCamelContextExtension().getContextPlugin(Model.class)
                .getRouteDefinitions();
        assertThat(routes).isNotEmpty();
        for (RouteDefinition route : routes) {
            StringBuilder running = new StringBuilder();
            Route started = camelContext.getRoute(route.getRouteId());
            if (started != null) {
                processors(started.navigate(), running);
            }
            String text = route.toString() + route.getOutputs() + running;
            for (String secret : List.of(MARKET_AUTHORIZATION.substring("Bearer ".length()), SHOP_TOKEN, SHOP_WEBHOOK_SECRET,
                    MARKET_WEBHOOK_SECRET, API_KEY)) {
                assertThat(text).as("route %s", route.getRouteId()).doesNotContain(secret);
            }
        }
    }

    /** The processors of a running route as text: what its expressions became once built. */
    @SuppressWarnings("unchecked")
    private static void processors(Navigate<Processor> navigate, StringBuilder text) {
        if (navigate == null || !navigate.hasNext()) {
            return;
        }
        for (Processor processor : navigate.next()) {
            text.append(processor).append('\n');
            if (processor instanceof Navigate<?> children) {
                processors((Navigate<Processor>) children, text);
            }
        }
    }
}
