package io.kanaal.vendure;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kanaal.support.Vendure;
import io.kanaal.support.Vendure.PlacedOrder;
import io.kanaal.support.Vendure.VariantStock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Vendure harness itself, against a real Vendure (profile {@code vendure}): a product with stock made
 * through the Admin API, a guest checkout through the Shop API, and then what a shop owner would look at —
 * the order in the Admin API's order list with its SKU, and the stock the order allocated.
 */
class VendureHarnessIT {

    private static Vendure vendure;

    @BeforeAll
    static void startVendure() {
        vendure = Vendure.start();
    }

    @AfterAll
    static void stopVendure() {
        if (vendure != null) {
            vendure.stop();
        }
    }

    @Test
    void guestOrderIsListedInTheAdminApiAndAllocatesStock() {
        String sku = "EAN-8712345678906-" + System.currentTimeMillis();
        String variantId = vendure.createProductWithVariant(sku, 4995, 25);
        assertThat(vendure.variant(sku)).get()
                .returns(variantId, VariantStock::id)
                .returns(25, VariantStock::stockOnHand)
                .returns(0, VariantStock::stockAllocated);

        PlacedOrder placed = vendure.placeGuestOrder(variantId, 2);

        JsonNode orders = vendure.adminApi("query($states: [String!]) { orders(options: {"
                        + " filter: { state: { in: $states } }, sort: { createdAt: DESC }, take: 20 }) {"
                        + " items { id code state lines { quantity productVariant { sku } } } } }",
                Map.of("states", List.of("PaymentAuthorized", "PaymentSettled")))
                .path("orders").path("items");
        List<String> listed = new ArrayList<>();
        JsonNode order = null;
        for (JsonNode item : orders) {
            listed.add(item.path("code").asText());
            if (placed.code().equals(item.path("code").asText())) {
                order = item;
            }
        }
        assertThat(order).as("order %s in the Admin API's list %s", placed.code(), listed).isNotNull();
        assertThat(order.path("id").asText()).isEqualTo(placed.id());
        assertThat(order.path("state").asText()).isEqualTo("PaymentAuthorized");
        assertThat(order.path("lines")).hasSize(1);
        assertThat(order.path("lines").path(0).path("productVariant").path("sku").asText()).isEqualTo(sku);
        assertThat(order.path("lines").path(0).path("quantity").asInt()).isEqualTo(2);

        assertThat(vendure.variant(sku)).get()
                .returns(25, VariantStock::stockOnHand)
                .returns(2, VariantStock::stockAllocated);

        vendure.settlePayment(placed.id());
        assertThat(vendure.order(placed.id())).get()
                .returns("PaymentSettled", Vendure.Order::state)
                .returns(List.of(), Vendure.Order::fulfillments);
    }
}
