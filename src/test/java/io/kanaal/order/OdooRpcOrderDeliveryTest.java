package io.kanaal.order;

import io.kanaal.support.OdooFake;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * {@link OdooOrderDeliveryTest}'s cases against an Odoo 17 (JSON-RPC {@code execute_kw} after
 * {@code common.authenticate}): the same orders, retry, partner, cancellation, unknown SKU and shipments back,
 * in the older protocol, every request checked against its documented shape.
 */
class OdooRpcOrderDeliveryTest extends OdooOrderDeliveryTest {

    private static final OdooFake ODOO_17 = new OdooFake(SHOP, "/odoo-rpc-erp", false, "kanaal", "erp-password");

    @DynamicPropertySource
    static void odoo17(DynamicPropertyRegistry registry) {
        registry.add("kanaal.test.odoo-context", () -> "odoo-orders-rpc");
        registry.add("kanaal.test.odoo-url", () -> SHOP.baseUrl() + "/odoo-rpc-erp");
        registry.add("kanaal.test.odoo-api", () -> "jsonrpc");
        registry.add("kanaal.test.odoo-login", () -> "kanaal-bot");
        registry.add("kanaal.test.odoo-password", () -> "erp-password");
    }

    @Override
    OdooFake odoo() {
        return ODOO_17;
    }
}
