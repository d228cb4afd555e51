package io.kanaal.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kanaal.support.ChannelStub.Reply;
import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A stand-in for Odoo's external API, as Odoo's documentation shows it ({@code ../shared/specs/odoo}), served on
 * a {@link ChannelStub} under a path prefix: JSON-2 ({@code POST /json/2/<model>/<method>}, a bearer API key,
 * named parameters only) or JSON-RPC ({@code POST /jsonrpc}, {@code common.authenticate} then
 * {@code object.execute_kw(db, uid, password, model, method, args, kwargs)}). It keeps {@code product.product}
 * (with a quantity on hand per location) and {@code stock.quant}, and answers {@code search_read} with a domain
 * ({@code =}, {@code >=}, {@code in}, {@code child_of}), fields, offset, limit, order and a {@code location}
 * context; and {@code res.partner} and {@code sale.order}, with {@code create} ({@code vals_list}) and the sale
 * order's {@code action_confirm} and {@code action_cancel} ({@code ids}). Every request that breaks the documented shape is listed by {@link #violations()} (and answered as
 * Odoo would: 401 for a bad key, an error object for a bad call).
 */
public final class OdooFake {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter ODOO_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);
    private static final Set<String> SEARCH_READ = Set.of("domain", "fields", "offset", "limit", "order", "context");

    private final boolean json2;
    private final String database;
    private final String secret;
    private final List<ObjectNode> products = new CopyOnWriteArrayList<>();
    private final List<ObjectNode> quants = new CopyOnWriteArrayList<>();
    private final List<ObjectNode> partners = new CopyOnWriteArrayList<>();
    private final List<ObjectNode> saleOrders = new CopyOnWriteArrayList<>();
    private final List<ObjectNode> pickings = new CopyOnWriteArrayList<>();
    private final Set<String> failNext = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final List<String> violations = new CopyOnWriteArrayList<>();
    private final AtomicInteger logins = new AtomicInteger();
    private final AtomicInteger ids = new AtomicInteger(100);
    /** Odoo's clock: every write a second later than the one before, so that write_date orders the changes. */
    private final AtomicLong clock = new AtomicLong(Instant.now().truncatedTo(ChronoUnit.SECONDS).getEpochSecond());

    private static final int UID = 7;

    /** JSON-2 (Odoo 19) with this API key, or JSON-RPC (Odoo 18 and earlier) with this password, under {@code prefix}. */
    public OdooFake(ChannelStub stub, String prefix, boolean json2, String database, String secret) {
        this.json2 = json2;
        this.database = database;
        this.secret = secret;
        stub.serve(prefix + (json2 ? "/json/2/" : "/jsonrpc"), request -> json2 ? json2(request) : jsonrpc(request));
    }

    /** Creates or changes a product variant; returns its id. */
    public synchronized int product(String sku, String barcode, String name, double price) {
        ObjectNode product = products.stream().filter(p -> p.path("default_code").asText().equals(sku)).findFirst()
                .orElseGet(() -> {
                    ObjectNode created = JSON.createObjectNode().put("id", ids.incrementAndGet()).put("default_code", sku);
                    created.putObject("qty");
                    products.add(created);
                    return created;
                });
        if (barcode == null) {
            product.put("barcode", false);
        } else {
            product.put("barcode", barcode);
        }
        product.put("name", name).put("description_sale", false).put("list_price", price).put("write_date", now());
        return product.path("id").asInt();
    }

    /** Sets the quantity of a product at a location (its quant written now). */
    public synchronized void quantity(String sku, int location, double quantity) {
        ObjectNode product = products.stream().filter(p -> p.path("default_code").asText().equals(sku)).findFirst().orElseThrow();
        ((ObjectNode) product.path("qty")).put(Integer.toString(location), quantity);
        ObjectNode quant = quants.stream().filter(q -> q.path("product_id").path(0).asInt() == product.path("id").asInt()
                && q.path("location_id").path(0).asInt() == location).findFirst().orElseGet(() -> {
                    ObjectNode created = JSON.createObjectNode().put("id", ids.incrementAndGet());
                    created.putArray("product_id").add(product.path("id").asInt()).add("[" + sku + "] " + product.path("name").asText());
                    created.putArray("location_id").add(location).add("WH/Stock/" + location);
                    quants.add(created);
                    return created;
                });
        quant.put("quantity", quantity).put("write_date", now());
    }

    /** The sale orders Odoo has with this client_order_ref. */
    public List<ObjectNode> saleOrders(String clientOrderRef) {
        return saleOrders.stream().filter(order -> order.path("client_order_ref").asText().equals(clientOrderRef)).toList();
    }

    /**
     * The warehouse ships the sale order with this client_order_ref: its delivery (an outgoing stock.picking) is
     * done, with the carrier and tracking reference (null for none); written now.
     */
    public synchronized void deliver(String clientOrderRef, String carrier, String trackingRef) {
        ObjectNode order = saleOrders(clientOrderRef).get(0);
        ObjectNode picking = JSON.createObjectNode().put("id", ids.incrementAndGet()).put("state", "done")
                .put("picking_type_code", "outgoing");
        picking.putArray("sale_id").add(order.path("id").asInt()).add("S" + order.path("id").asInt());
        if (carrier == null) {
            picking.put("carrier_id", false);
        } else {
            picking.putArray("carrier_id").add(1).add(carrier);
        }
        if (trackingRef == null) {
            picking.put("carrier_tracking_ref", false);
        } else {
            picking.put("carrier_tracking_ref", trackingRef);
        }
        String now = now();
        picking.put("date_done", now).put("write_date", now);
        pickings.add(picking);
    }

    /** The partners Odoo has with this email. */
    public List<ObjectNode> partners(String email) {
        return partners.stream().filter(partner -> partner.path("email").asText().equals(email)).toList();
    }

    /** The requests that broke the documented shape; empty when none did. */
    public List<String> violations() {
        return List.copyOf(violations);
    }

    /** How often Kanaal logged in (JSON-RPC). */
    public int logins() {
        return logins.get();
    }

    private String now() {
        return ODOO_TIME.format(Instant.ofEpochSecond(clock.incrementAndGet()));
    }

    /** The next call of this method is answered 503 (Odoo restarting), before Odoo carries it out. */
    public void failNext(String method) {
        failNext.add(method);
    }

    private Reply json2(ChannelStub.Request request) {
        String path = request.pathWithoutQuery();
        if (failNext.remove(path.substring(path.lastIndexOf('/') + 1))) {
            return Reply.of(503, "Service Unavailable");
        }
        String[] modelMethod = path.substring(path.indexOf("/json/2/") + "/json/2/".length()).split("/");
        String authorization = request.header("Authorization");
        if (authorization == null || !authorization.equalsIgnoreCase("bearer " + secret)) {
            violations.add(path + ": no valid 'Authorization: bearer <api key>'");
            return Reply.of(401, error("werkzeug.exceptions.Unauthorized", "Invalid apikey"));
        }
        check(request.method().equals("POST"), path + ": method " + request.method());
        check(String.valueOf(request.header("Content-Type")).startsWith("application/json"), path + ": Content-Type " + request.header("Content-Type"));
        check(database.equals(request.header("X-Odoo-Database")), path + ": X-Odoo-Database " + request.header("X-Odoo-Database"));
        JsonNode body = read(request.body());
        if (!body.isObject() || modelMethod.length != 2) {
            violations.add(path + ": the body is not a JSON object of named parameters");
            return Reply.of(422, error("odoo.exceptions.UserError", "bad request"));
        }
        return Reply.of(200, call(path, modelMethod[0], modelMethod[1], (ObjectNode) body).toString());
    }

    private Reply jsonrpc(ChannelStub.Request request) {
        JsonNode envelope = read(request.body());
        JsonNode params = envelope.path("params");
        JsonNode args = params.path("args");
        check("2.0".equals(envelope.path("jsonrpc").asText()) && "call".equals(envelope.path("method").asText())
                && envelope.has("id") && args.isArray(), "not a JSON-RPC 2.0 call: " + request.body());
        ObjectNode answer = JSON.createObjectNode().put("jsonrpc", "2.0");
        answer.set("id", envelope.path("id"));
        if ("common".equals(params.path("service").asText()) && "authenticate".equals(params.path("method").asText())) {
            logins.incrementAndGet();
            check(args.size() == 4 && args.path(3).isObject(), "authenticate(db, login, password, {}): " + args);
            boolean ok = database.equals(args.path(0).asText()) && secret.equals(args.path(2).asText());
            return Reply.of(200, (ok ? answer.put("result", UID) : answer.put("result", false)).toString());
        }
        if (!"object".equals(params.path("service").asText()) || !"execute_kw".equals(params.path("method").asText())
                || args.size() < 6 || args.size() > 7) {
            violations.add("not object.execute_kw(db, uid, password, model, method, args[, kwargs]): " + request.body());
            return Reply.of(200, answer.set("error", JSON.createObjectNode().put("code", 200).put("message", "Odoo Server Error")).toString());
        }
        if (failNext.remove(args.path(4).asText())) {
            return Reply.of(503, "Service Unavailable");
        }
        if (!database.equals(args.path(0).asText()) || args.path(1).asInt() != UID || !secret.equals(args.path(2).asText())) {
            ObjectNode error = JSON.createObjectNode().put("code", 100).put("message", "Odoo Session Expired");
            error.putObject("data").put("name", "odoo.exceptions.AccessDenied").put("message", "Access Denied");
            return Reply.of(200, answer.set("error", error).toString());
        }
        ObjectNode named = args.size() == 7 && args.path(6).isObject() ? ((ObjectNode) args.path(6)).deepCopy() : JSON.createObjectNode();
        check(args.path(5).isArray(), "execute_kw's positional args are not a list: " + args.path(5));
        String method = args.path(4).asText();
        if (args.path(5).size() > 0) {
            named.set(method.equals("search_read") ? "domain" : method.equals("create") ? "vals_list" : "ids", args.path(5).path(0));
        }
        return Reply.of(200, answer.set("result", call("execute_kw", args.path(3).asText(), args.path(4).asText(), named)).toString());
    }

    /** One model method with named parameters. */
    private synchronized JsonNode call(String where, String model, String method, ObjectNode parameters) {
        List<ObjectNode> table = switch (model) {
            case "product.product" -> products;
            case "stock.quant" -> quants;
            case "res.partner" -> partners;
            case "sale.order" -> saleOrders;
            case "stock.picking" -> pickings;
            default -> {
                violations.add(where + ": unknown model " + model);
                yield new ArrayList<>();
            }
        };
        if (method.equals("create")) {
            parameters.fieldNames().forEachRemaining(name -> check(Set.of("vals_list", "context").contains(name), where + ": create has no parameter " + name));
            check(parameters.path("vals_list").isArray(), where + ": create without a vals_list list");
            ArrayNode created = JSON.createArrayNode();
            for (JsonNode values : parameters.path("vals_list")) {
                ObjectNode record = ((ObjectNode) values).deepCopy().put("id", ids.incrementAndGet()).put("write_date", now());
                if (model.equals("sale.order")) {
                    record.put("state", "draft");
                    for (JsonNode line : record.path("order_line")) {
                        check(line.isArray() && line.size() == 3 && line.path(0).asInt() == 0 && line.path(2).has("product_id")
                                && line.path(2).has("product_uom_qty"), where + ": an order line is not [0, 0, {product_id, product_uom_qty, ...}]: " + line);
                    }
                }
                table.add(record);
                created.add(record.path("id").asInt());
            }
            return created;
        }
        if (method.startsWith("action_")) {
            parameters.fieldNames().forEachRemaining(name -> check(Set.of("ids", "context").contains(name), where + ": " + method + " has no parameter " + name));
            check(model.equals("sale.order") && Set.of("action_confirm", "action_cancel").contains(method), where + ": " + model + "." + method + " is not served by the stand-in");
            for (JsonNode id : parameters.path("ids")) {
                table.stream().filter(record -> record.path("id").asInt() == id.asInt()).forEach(record -> {
                    check(!method.equals("action_confirm") || record.path("state").asText().equals("draft"), where + ": confirming a sale order in state " + record.path("state").asText());
                    record.put("state", method.equals("action_confirm") ? "sale" : "cancel").put("write_date", now());
                });
            }
            return JSON.getNodeFactory().booleanNode(true);
        }
        check(method.equals("search_read"), where + ": method " + method + " is not served by the stand-in");
        parameters.fieldNames().forEachRemaining(name -> check(SEARCH_READ.contains(name), where + ": search_read has no parameter " + name));
        check(parameters.path("domain").isArray(), where + ": search_read without a domain list");
        int location = parameters.path("context").path("location").asInt(0);
        List<ObjectNode> found = new ArrayList<>();
        for (ObjectNode record : table) {
            if (matches(record, parameters.path("domain"), where)) {
                found.add(record);
            }
        }
        if (parameters.path("order").asText("").startsWith("write_date")) {
            found.sort(Comparator.comparing((ObjectNode r) -> r.path("write_date").asText()).thenComparing(r -> r.path("id").asInt()));
        }
        ArrayNode result = JSON.createArrayNode();
        found.stream().skip(parameters.path("offset").asInt(0)).limit(parameters.path("limit").asInt(Integer.MAX_VALUE)).forEach(record -> {
            ObjectNode row = result.addObject().put("id", record.path("id").asInt());
            for (JsonNode field : parameters.path("fields")) {
                if (field.asText().equals("qty_available")) {
                    double total = 0;
                    for (JsonNode quantity : (Iterable<JsonNode>) () -> record.path("qty").elements()) {
                        total += quantity.asDouble();
                    }
                    row.put("qty_available", location == 0 ? total : record.path("qty").path(Integer.toString(location)).asDouble(0));
                } else {
                    check(record.has(field.asText()), where + ": " + model + " has no field " + field.asText());
                    row.set(field.asText(), record.path(field.asText()));
                }
            }
        });
        return result;
    }

    private boolean matches(ObjectNode record, JsonNode domain, String where) {
        for (JsonNode term : domain) {
            check(term.isArray() && term.size() == 3, where + ": a domain term is not [field, operator, value]: " + term);
            JsonNode value = related(record, term.path(0).asText());
            JsonNode wanted = term.path(2);
            JsonNode own = value.isArray() ? value.path(0) : value;
            boolean match = switch (term.path(1).asText()) {
                case "=", "child_of" -> own.asText().equals(wanted.asText());
                case ">=" -> own.asText().compareTo(wanted.asText()) >= 0;
                case ">" -> own.asText().compareTo(wanted.asText()) > 0;
                case "like" -> own.isTextual() && own.asText().contains(wanted.asText());
                case "in" -> {
                    boolean any = false;
                    for (JsonNode candidate : wanted) {
                        any |= candidate.asText().equals(own.asText());
                    }
                    yield any;
                }
                default -> {
                    violations.add(where + ": operator " + term.path(1).asText() + " is not served by the stand-in");
                    yield false;
                }
            };
            if (!match) {
                return false;
            }
        }
        return true;
    }

    /** A field of a record, or through a link ({@code sale_id.client_order_ref}) a field of the linked sale order. */
    private JsonNode related(ObjectNode record, String path) {
        if (!path.contains(".")) {
            return record.path(path);
        }
        String[] parts = path.split("\\.", 2);
        check(parts[0].equals("sale_id"), "the stand-in follows only sale_id in a domain, not " + path);
        int id = record.path(parts[0]).path(0).asInt();
        return saleOrders.stream().filter(order -> order.path("id").asInt() == id).findFirst()
                .map(order -> order.path(parts[1])).orElse(JSON.missingNode());
    }

    private void check(boolean condition, String violation) {
        if (!condition) {
            violations.add(violation);
        }
    }

    private static String error(String name, String message) {
        ObjectNode error = JSON.createObjectNode().put("name", name).put("message", message);
        error.putArray("arguments").add(message);
        return error.toString();
    }

    private static JsonNode read(String body) {
        try {
            return JSON.readTree(body == null || body.isBlank() ? "{}" : body);
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }
}
