package io.kanaal.source.odoo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kanaal.channel.ChannelException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Variable;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The orders of the unified queue into Odoo as sale orders ({@code kanaal.erp.order-delivery.to: odoo}, the
 * connection of the source named by {@code kanaal.erp.order-delivery.odoo-source}). Each step is one Odoo call
 * that the route {@code erp-order-odoo} makes; this bean writes each request and reads its answer. Idempotent on
 * the order reference: a sale order with {@code client_order_ref} = orderRef is looked for first, so a retried
 * delivery confirms the draft it made before instead of making a second.
 */
@Component("odooOrders")
public class OdooOrders {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final OdooRpc rpc;
    private final String source;

    public OdooOrders(OdooRpc rpc, @Value("${kanaal.erp.order-delivery.odoo-source:}") String source) {
        this.rpc = rpc;
        this.source = source;
    }

    /**
     * The order (the body, the canonical order) as variable {@code order}, Odoo's URL as {@code odooUrl}; the
     * request: its sale order, if Odoo has one.
     */
    public void findOrder(Exchange exchange, @Variable("orderRef") String orderRef) throws IOException {
        exchange.setVariable("order", JSON.readTree(exchange.getIn().getBody(String.class)));
        exchange.setVariable("odooUrl", url());
        search(exchange, "sale.order", List.of(List.of("client_order_ref", "=", orderRef)), List.of("id", "state"));
    }

    /** The first record of a search_read's answer, or null. */
    public Map<String, Object> first(String answer) throws IOException {
        JsonNode records = JSON.readTree(answer);
        return records.size() == 0 ? null : JSON.convertValue(records.get(0), Map.class);
    }

    /** The id of the first record of a search_read's answer, or null. */
    public Integer id(String answer) throws IOException {
        JsonNode records = JSON.readTree(answer);
        return records.size() == 0 ? null : records.get(0).path("id").asInt();
    }

    /** The request: the customer's partner, by email. */
    public void findPartner(Exchange exchange, @Variable("order") JsonNode order) {
        search(exchange, "res.partner", List.of(List.of("email", "=", order.path("customer").path("email").asText())), List.of("id"));
    }

    /** The request: a partner for the customer, with the shipping address. */
    public void createPartner(Exchange exchange, @Variable("order") JsonNode order) {
        JsonNode address = order.path("shippingAddress");
        Map<String, Object> partner = new LinkedHashMap<>();
        partner.put("name", order.path("customer").path("name").asText(address.path("name").asText("?")));
        partner.put("email", order.path("customer").path("email").asText());
        partner.put("street", (address.path("street").asText("") + " " + address.path("houseNumber").asText("")
                + " " + address.path("houseNumberExtension").asText("")).strip());
        partner.put("zip", address.path("postalCode").asText(""));
        partner.put("city", address.path("city").asText(""));
        create(exchange, "res.partner", partner);
    }

    /** The id a create answered (a list of one id). */
    public Integer created(String answer) throws IOException {
        JsonNode ids = JSON.readTree(answer);
        return ids.isArray() ? ids.path(0).asInt() : ids.asInt();
    }

    /** The request: the order's products by SKU ({@code default_code}). */
    public void findProducts(Exchange exchange, @Variable("order") JsonNode order) {
        List<String> skus = new ArrayList<>();
        order.path("lines").forEach(line -> skus.add(line.path("sku").asText()));
        search(exchange, "product.product", List.of(List.of("default_code", "in", skus)), List.of("id", "default_code"));
    }

    /**
     * The request: the sale order, its lines by the products found (the body, Odoo's answer), at the channel's
     * prices, for the partner; a SKU Odoo does not know refuses the order (its dead letter names the SKU).
     */
    public void createOrder(Exchange exchange, @Variable("order") JsonNode order) throws IOException {
        int partnerId = exchange.getVariable("partnerId", Integer.class);
        Map<String, Integer> products = new LinkedHashMap<>();
        for (JsonNode product : JSON.readTree(exchange.getIn().getBody(String.class))) {
            products.put(product.path("default_code").asText(), product.path("id").asInt());
        }
        List<Object> lines = new ArrayList<>();
        for (JsonNode line : order.path("lines")) {
            Integer product = products.get(line.path("sku").asText());
            if (product == null) {
                throw ChannelException.rejected("Odoo has no product with default_code '" + line.path("sku").asText()
                        + "' (order " + order.path("orderRef").asText() + ")");
            }
            Map<String, Object> values = new LinkedHashMap<>();
            values.put("product_id", product);
            values.put("product_uom_qty", line.path("quantity").asInt());
            values.put("price_unit", line.path("unitPrice").decimalValue());
            lines.add(List.of(0, 0, values));
        }
        Map<String, Object> sale = new LinkedHashMap<>();
        sale.put("partner_id", partnerId);
        sale.put("client_order_ref", order.path("orderRef").asText());
        sale.put("origin", order.path("channel").asText() + " " + order.path("channelOrderId").asText());
        sale.put("order_line", lines);
        create(exchange, "sale.order", sale);
    }

    /** The request: an action ({@code action_confirm}, {@code action_cancel}) on the sale order (variable saleOrderId). */
    public void action(Exchange exchange, String action) {
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("ids", List.of(exchange.getVariable("saleOrderId", Integer.class)));
        rpc.call(exchange.getIn(), source, "sale.order", action, parameters);
    }

    private String url() {
        if (source.isBlank()) {
            throw new IllegalStateException("kanaal.erp.order-delivery.odoo-source names no source");
        }
        return rpc.baseUrl(source);
    }

    /** Odoo's answer as the method's result (a JSON-RPC error fails the attempt). */
    public String result(String answer) throws IOException {
        return rpc.result(answer, source);
    }

    private void search(Exchange exchange, String model, List<Object> domain, List<String> fields) {
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("domain", domain);
        parameters.put("fields", fields);
        parameters.put("limit", 1000);
        rpc.call(exchange.getIn(), source, model, "search_read", parameters);
    }

    private void create(Exchange exchange, String model, Map<String, Object> values) {
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("vals_list", List.of(values));
        rpc.call(exchange.getIn(), source, model, "create", parameters);
    }
}
