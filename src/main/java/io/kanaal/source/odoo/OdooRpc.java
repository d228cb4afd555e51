package io.kanaal.source.odoo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kanaal.channel.ChannelException;
import io.kanaal.polling.TimeFormat;
import io.kanaal.source.JsonRpcCalls;
import io.kanaal.source.SourceProperties;
import io.kanaal.source.SourcesProperties;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.springframework.stereotype.Component;

/**
 * Calls to Odoo's external API for a source of type {@code odoo}, in either of its two protocols (setting
 * {@code api}): {@code json2}, Odoo 19's {@code POST /json/2/<model>/<method>} with named parameters and a
 * bearer API key, or {@code jsonrpc}, the {@code execute_kw} call of Odoo 18 and earlier on {@code POST /jsonrpc},
 * logged in first with {@code common.authenticate} (the uid is kept; a password or an API key in its place).
 * The route makes the HTTP call; this bean writes the request (path, body, headers) and reads the result.
 * Shapes: {@code ../shared/specs/odoo} (Odoo's documentation), checked in the tests by {@code OdooFake}.
 */
@Component("odooRpc")
public class OdooRpc {

    /** What a poll of products or stock asks Odoo for. */
    static final List<String> PRODUCT_FIELDS = List.of("default_code", "barcode", "name", "description_sale", "list_price",
            "write_date");
    static final List<String> QUANT_FIELDS = List.of("product_id", "location_id", "quantity", "write_date");
    static final List<String> PICKING_FIELDS = List.of("sale_id", "carrier_id", "carrier_tracking_ref", "date_done", "write_date");
    /** The parameters execute_kw takes by position: a search's domain, a create's values, an action's records. */
    private static final List<String> POSITIONAL = List.of("ids", "domain", "vals_list");
    /** Odoo writes its datetimes as UTC text without a zone. */
    static final String ODOO_TIME = "yyyy-MM-dd HH:mm:ss";

    private final SourcesProperties sources;
    private final ObjectMapper json;
    private final JsonRpcCalls calls;
    private final Map<String, Integer> uids = new ConcurrentHashMap<>();

    public OdooRpc(SourcesProperties sources, ObjectMapper json, JsonRpcCalls calls) {
        this.sources = sources;
        this.json = json;
        this.calls = calls;
    }

    /**
     * The request of the poll's current page: {@code search_read} of {@code product.product} (provides
     * products), {@code stock.quant} (provides stock; its quants at the setting {@code location}'s locations) or
     * {@code stock.picking} (provides shipments: done deliveries of Kanaal's orders), changed at or after the
     * watermark, oldest first, from variable {@code offset}, {@code page-size} at most.
     */
    public void page(Exchange exchange, String source) {
        Map<String, String> settings = settings(source);
        boolean stock = "stock".equals(settings.get("provides"));
        ArrayNode domain = json.createArrayNode();
        String since = exchange.getVariable("since", String.class);
        if (since != null) {
            domain.addArray().add("write_date").add(">=").add(TimeFormat.of(ODOO_TIME, null).write(since));
        }
        String location = settings.getOrDefault("location", "");
        if (stock && !location.isBlank()) {
            domain.addArray().add("location_id").add("child_of").add(Integer.parseInt(location.strip()));
        }
        boolean shipments = "shipments".equals(settings.get("provides"));
        if (shipments) {
            // Kanaal's orders only: their sale order carries the order reference (<channel>/<order id>)
            domain.addArray().add("state").add("=").add("done");
            domain.addArray().add("picking_type_code").add("=").add("outgoing");
            domain.addArray().add("sale_id.client_order_ref").add("like").add("/");
        }
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("domain", domain);
        parameters.put("fields", stock ? QUANT_FIELDS : shipments ? PICKING_FIELDS : PRODUCT_FIELDS);
        parameters.put("offset", exchange.getVariable("offset", 0, Integer.class));
        parameters.put("limit", Integer.parseInt(settings.getOrDefault("page-size", "100").strip()));
        parameters.put("order", "write_date asc, id asc");
        call(exchange.getIn(), source, stock ? "stock.quant" : shipments ? "stock.picking" : "product.product", "search_read",
                parameters);
    }

    /**
     * After a page of done deliveries (the body, Odoo's result): variable {@code pickings} keeps them, and the
     * request becomes {@code search_read} of their sale orders' order references ({@code client_order_ref}).
     */
    public void orderRefs(Exchange exchange, String source) throws IOException {
        call(exchange.getIn(), source, "sale.order", "search_read",
                linked(exchange, "pickings", "sale_id", List.of("client_order_ref")));
    }

    /** The deliveries of the page (variable {@code pickings}), each with its sale order's order reference. */
    public String shipments(Exchange exchange) throws IOException {
        Map<Integer, String> refs = new LinkedHashMap<>();
        for (JsonNode order : json.readTree(exchange.getIn().getBody(String.class))) {
            refs.put(order.path("id").asInt(), order.path("client_order_ref").asText(null));
        }
        ArrayNode records = json.createArrayNode();
        for (JsonNode picking : exchange.getVariable("pickings", JsonNode.class)) {
            ObjectNode record = ((ObjectNode) picking).deepCopy();
            record.put("client_order_ref", refs.get(picking.path("sale_id").path(0).asInt()));
            records.add(record);
        }
        return json.writeValueAsString(records);
    }

    /**
     * After a page of quants (the body, Odoo's result): variable {@code quants} keeps them, and the request
     * becomes {@code search_read} of their products' SKU and quantity on hand (at {@code location} where set).
     */
    public void quantities(Exchange exchange, String source) throws IOException {
        Map<String, Object> parameters = linked(exchange, "quants", "product_id", List.of("default_code", "qty_available"));
        String location = settings(source).getOrDefault("location", "");
        if (!location.isBlank()) {
            parameters.put("context", Map.of("location", Integer.parseInt(location.strip())));
        }
        call(exchange.getIn(), source, "product.product", "search_read", parameters);
    }

    /**
     * The page's records (the body) kept as variable {@code variable}; the parameters of a search_read of the
     * records their {@code link} field ({@code [id, name]}) points to, with these fields.
     */
    private Map<String, Object> linked(Exchange exchange, String variable, String link, List<String> fields) throws IOException {
        JsonNode records = json.readTree(exchange.getIn().getBody(String.class));
        exchange.setVariable(variable, records);
        ArrayNode ids = json.createArrayNode();
        for (JsonNode record : records) {
            ids.add(record.path(link).path(0).asInt());
        }
        ArrayNode domain = json.createArrayNode();
        domain.addArray().add("id").add("in").add(ids);
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("domain", domain);
        parameters.put("fields", fields);
        return parameters;
    }

    /**
     * The quants of the page (variable {@code quants}), each with its product's SKU ({@code default_code}) and
     * quantity on hand ({@code qty_available}) from the answer (the body): one stock record per quant, so that
     * the page's length and newest {@code write_date} are the quants'.
     */
    public String stock(Exchange exchange) throws IOException {
        Map<Integer, JsonNode> products = new LinkedHashMap<>();
        for (JsonNode product : json.readTree(exchange.getIn().getBody(String.class))) {
            products.put(product.path("id").asInt(), product);
        }
        ArrayNode records = json.createArrayNode();
        for (JsonNode quant : exchange.getVariable("quants", JsonNode.class)) {
            JsonNode product = products.get(quant.path("product_id").path(0).asInt());
            ObjectNode record = records.addObject();
            record.set("id", quant.path("id"));
            record.put("default_code", product == null ? null : product.path("default_code").asText(null));
            record.set("qty_available", product == null ? null : product.path("qty_available"));
            record.set("write_date", quant.path("write_date"));
            record.set("location_id", quant.path("location_id"));
        }
        return json.writeValueAsString(records);
    }

    /** Odoo's answer (the body) as the method's result: JSON-2's body, or JSON-RPC's {@code result}; an error fails. */
    public String result(String answer, String source) throws IOException {
        if (!"jsonrpc".equals(api(settings(source)))) {
            return answer;
        }
        JsonNode document = json.readTree(answer);
        if (document.has("error")) {
            JsonNode error = document.path("error");
            throw ChannelException.rejected("Odoo (source " + source + ") answered an error: "
                    + error.path("data").path("message").asText(error.path("message").asText(error.toString())));
        }
        return json.writeValueAsString(document.path("result"));
    }

    /**
     * Writes one call of {@code model.method} with named parameters in the source's protocol onto the message:
     * with JSON-RPC, the parameter that {@code execute_kw} takes by position (a search's {@code domain}, a
     * create's {@code vals_list}, an action's {@code ids}) goes into its positional args, the rest as keywords.
     */
    public void call(Message message, String source, String model, String method, Map<String, Object> parameters) {
        Map<String, String> settings = settings(source);
        message.setHeader(Exchange.HTTP_METHOD, "POST");
        message.setHeader(Exchange.CONTENT_TYPE, "application/json; charset=utf-8");
        message.setHeader("Accept", "application/json");
        message.setHeader("User-Agent", "Kanaal");
        ObjectNode body;
        if ("jsonrpc".equals(api(settings))) {
            message.setHeader(Exchange.HTTP_PATH, "/jsonrpc");
            Map<String, Object> keywords = new LinkedHashMap<>(parameters);
            List<Object> positional = new java.util.ArrayList<>();
            for (String name : POSITIONAL) {
                if (keywords.containsKey(name)) {
                    positional.add(keywords.remove(name));
                }
            }
            body = envelope("object", "execute_kw", List.of(database(source, settings), uid(source, settings),
                    required(source, settings, "password"), model, method, positional, keywords));
        } else {
            message.setHeader(Exchange.HTTP_PATH, "/json/2/" + model + "/" + method);
            message.setHeader("Authorization", "bearer " + required(source, settings, "api-key"));
            String database = settings.getOrDefault("database", "");
            if (!database.isBlank()) {
                message.setHeader("X-Odoo-Database", database);
            }
            body = json.valueToTree(parameters);
        }
        message.setBody(body.toString());
    }

    private ObjectNode envelope(String service, String method, List<Object> args) {
        ObjectNode params = json.createObjectNode();
        params.put("service", service);
        params.put("method", method);
        params.set("args", json.valueToTree(args));
        return calls.envelope("call", params);
    }

    /** The uid of the source's login (JSON-RPC {@code common.authenticate}), kept once Odoo gave it. */
    private int uid(String source, Map<String, String> settings) {
        Integer uid = uids.get(source);
        if (uid != null) {
            return uid;
        }
        ObjectNode login = envelope("common", "authenticate", List.of(database(source, settings),
                required(source, settings, "login"), required(source, settings, "password"), Map.of()));
        JsonNode result = calls.login(sources.sources().get(source).baseUrl() + "/jsonrpc", login, "Odoo (source " + source + ")");
        if (!result.isInt()) {
            throw ChannelException.rejected("Odoo (source " + source + ") refused the login of '" + settings.get("login")
                    + "': " + result);
        }
        uids.put(source, result.asInt());
        return result.asInt();
    }

    /** The Odoo URL of the source (its base-url). */
    public String baseUrl(String source) {
        return sources.sources().get(source).baseUrl();
    }

    /** Forgets the source's uid (its session was refused), so that the next call logs in again. */
    public void forget(String source) {
        uids.remove(source);
    }

    private static String api(Map<String, String> settings) {
        return settings.getOrDefault("api", "json2").strip();
    }

    private static String database(String source, Map<String, String> settings) {
        return required(source, settings, "database");
    }

    private static String required(String source, Map<String, String> settings, String key) {
        String value = settings.get(key);
        if (value == null || value.isBlank()) {
            throw ChannelException.rejected("source " + source + ": setting '" + key + "' is empty (kanaal.sources."
                    + source + ".settings." + key + ", secrets from the environment)");
        }
        return value;
    }

    private Map<String, String> settings(String source) {
        SourceProperties properties = sources.sources().get(source);
        return properties.settings();
    }
}
