package io.kanaal.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import graphql.ErrorType;
import graphql.ExecutionInput;
import graphql.GraphQL;
import graphql.GraphQLError;
import graphql.introspection.IntrospectionResultToSchema;
import graphql.language.Document;
import graphql.language.OperationDefinition;
import graphql.parser.Parser;
import graphql.schema.GraphQLSchema;
import graphql.schema.idl.MockedWiringFactory;
import graphql.schema.idl.RuntimeWiring;
import graphql.schema.idl.SchemaGenerator;
import graphql.schema.idl.SchemaParser;
import io.kanaal.support.ChannelStub.Reply;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * A stand-in for a Shopify shop's GraphQL Admin API (version 2025-10), served on a {@link ChannelStub}. Every request
 * is first checked as Shopify takes it in: the access token, then the document validated against Shopify's published
 * 2025-10 schema (src/test/resources/specs/shopify, the introspection Shopify ships with its CLI) and the variables
 * coerced to their declared types (graphql-java); what breaks it is listed by {@link #violations()} and answered as
 * Shopify does (errors, no data). Then it plays the shop for the operations of Kanaal's {@code shopify} channel type,
 * by operation name: inventory items found by {@code sku:"…"}, {@code inventorySetQuantities} kept per item and
 * location, orders listed, an order's fulfillment orders, {@code fulfillmentCreate} and {@code orderCancel}.
 */
public final class ShopifyFake {

    public static final String API = "/admin/api/2025-10/graphql.json";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SKU_SEARCH = Pattern.compile("sku:\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static volatile GraphQL schema;

    private final String token;
    private final Map<String, String> items = new ConcurrentHashMap<>();
    private final Map<String, Integer> available = new ConcurrentHashMap<>();
    private final List<ObjectNode> orders = new CopyOnWriteArrayList<>();
    private final List<String> violations = new CopyOnWriteArrayList<>();
    private final List<String> operations = new CopyOnWriteArrayList<>();
    private final List<String> cancellations = new CopyOnWriteArrayList<>();
    private final Map<String, ObjectNode> products = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> throttleNext = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger(1000);

    public ShopifyFake(ChannelStub stub, String token) {
        this.token = token;
        stub.serve(API, request -> {
            try {
                return answer(request);
            } catch (RuntimeException e) {
                violations.add("the stand-in failed on " + request.body() + ": " + e);
                return Reply.of(500, "{\"errors\":\"" + e + "\"}");
            }
        });
    }

    /** A product variant with this SKU in the shop; returns its inventory item's id. */
    public String item(String sku) {
        return items.computeIfAbsent(sku, s -> "gid://shopify/InventoryItem/" + ids.incrementAndGet());
    }

    /** The available quantity Kanaal set for the SKU's item at the location; null when it set none. */
    public Integer available(String sku, String locationId) {
        return available.get(items.get(sku) + "@" + locationId);
    }

    /**
     * An order in the shop: one line per SKU and quantity (two values each), paid, updated now. Returns it, so a
     * test can change it (as Shopify would) before the next poll.
     */
    public synchronized ObjectNode order(String name, String email, Object... skuAndQuantity) {
        int number = ids.incrementAndGet();
        ObjectNode order = JSON.createObjectNode();
        order.put("id", "gid://shopify/Order/" + number);
        order.put("name", name);
        String now = Instant.now().toString();
        order.put("createdAt", now).put("processedAt", now).put("updatedAt", now);
        order.putNull("cancelledAt");
        order.put("test", false);
        order.put("displayFinancialStatus", "PAID");
        order.put("displayFulfillmentStatus", "UNFULFILLED");
        order.put("currencyCode", "EUR");
        order.put("email", email);
        order.putObject("customer").put("firstName", "Anna").put("lastName", "de Vries");
        order.putObject("shippingAddress").put("name", "Anna de Vries").putNull("company").put("address1", "Kerkstraat 1")
                .putNull("address2").put("zip", "1017 GC").put("city", "Amsterdam").put("countryCodeV2", "NL");
        ArrayNode lines = order.putObject("lineItems").putArray("nodes");
        ArrayNode foLines = JSON.createArrayNode();
        double total = 0;
        for (int i = 0; i < skuAndQuantity.length; i += 2) {
            String lineId = "gid://shopify/LineItem/" + ids.incrementAndGet();
            int quantity = (Integer) skuAndQuantity[i + 1];
            ObjectNode line = lines.addObject();
            line.put("id", lineId).put("sku", (String) skuAndQuantity[i]).put("title", "Item " + skuAndQuantity[i])
                    .put("quantity", quantity).put("currentQuantity", quantity);
            line.putObject("discountedUnitPriceAfterAllDiscountsSet").putObject("shopMoney").put("amount", "19.99");
            total += 19.99 * quantity;
            foLines.addObject().put("id", "gid://shopify/FulfillmentOrderLineItem/" + ids.incrementAndGet())
                    .put("remainingQuantity", quantity).putObject("lineItem").put("id", lineId).put("sku", (String) skuAndQuantity[i]);
        }
        order.putObject("totalPriceSet").putObject("shopMoney").put("amount", String.format(java.util.Locale.ROOT, "%.2f", total + 4.95));
        order.putObject("totalShippingPriceSet").putObject("shopMoney").put("amount", "4.95");
        order.putObject("totalTaxSet").putObject("shopMoney").put("amount", "0.00");
        order.putArray("fulfillments");
        ObjectNode fulfillmentOrder = order.putObject("fulfillmentOrders").putArray("nodes").addObject();
        fulfillmentOrder.put("id", "gid://shopify/FulfillmentOrder/" + ids.incrementAndGet()).put("status", "OPEN");
        fulfillmentOrder.putObject("lineItems").set("nodes", foLines);
        orders.add(order);
        return order;
    }

    /** Marks the order changed now (updatedAt), as Shopify does on any change. */
    public void touch(ObjectNode order) {
        order.put("updatedAt", Instant.now().toString());
    }

    /** The order named so, as the shop has it now. */
    public ObjectNode order(String name) {
        return orders.stream().filter(o -> name.equals(o.path("name").asText())).findFirst().orElseThrow();
    }

    /** The next {@code count} requests of the operation are answered THROTTLED (the cost bucket empty), as Shopify does. */
    public void throttleNext(String operation, int count) {
        throttleNext.put(operation, new AtomicInteger(count));
    }

    /** What broke Shopify's schema or token so far; empty when every request was one Shopify takes. */
    public List<String> violations() {
        return List.copyOf(violations);
    }

    /** The orders cancelled: name, reason and staff note, in order. */
    public List<String> cancellations() {
        return List.copyOf(cancellations);
    }

    /** The operation names of the requests taken, in order. */
    public List<String> operations() {
        return List.copyOf(operations);
    }

    private Reply answer(ChannelStub.Request request) {
        if (!"POST".equals(request.method()) || !token.equals(request.header("X-Shopify-Access-Token"))) {
            violations.add(request.method() + " " + request.path() + ": no POST with the shop's X-Shopify-Access-Token");
            return Reply.of(401, "{\"errors\":\"[API] Invalid API key or access token (unrecognized login or wrong password)\"}");
        }
        JsonNode body;
        try {
            body = JSON.readTree(request.body());
        } catch (IOException e) {
            violations.add("not JSON: " + request.body());
            return Reply.of(400, "{\"errors\":\"bad request\"}");
        }
        List<String> invalid = validate(body);
        if (!invalid.isEmpty()) {
            violations.addAll(invalid);
            return graphql(JSON.createObjectNode().set("errors", JSON.valueToTree(invalid.stream()
                    .map(message -> Map.of("message", message)).toList())));
        }
        String operation = operation(body.path("query").asText());
        operations.add(operation);
        if (throttleNext.getOrDefault(operation, new AtomicInteger()).getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            ObjectNode throttled = JSON.createObjectNode();
            throttled.putArray("errors").addObject().put("message", "Throttled").putObject("extensions").put("code", "THROTTLED");
            throttled.putObject("extensions").putObject("cost").put("requestedQueryCost", 10).putObject("throttleStatus")
                    .put("maximumAvailable", 2000.0).put("currentlyAvailable", 0).put("restoreRate", 100.0);
            return graphql(throttled);
        }
        JsonNode variables = body.path("variables");
        ObjectNode data = JSON.createObjectNode();
        switch (operation) {
            case "KanaalInventoryItem" -> {
                ArrayNode nodes = data.putObject("inventoryItems").putArray("nodes");
                Matcher sku = SKU_SEARCH.matcher(variables.path("query").asText());
                if (sku.matches()) {
                    String wanted = sku.group(1).replace("\\\"", "\"").replace("\\\\", "\\");
                    if (items.containsKey(wanted)) {
                        nodes.addObject().put("id", items.get(wanted)).put("sku", wanted);
                    }
                } else {
                    violations.add("inventoryItems search is not sku:\"<sku>\": " + variables.path("query").asText());
                }
            }
            case "KanaalSetStock" -> {
                JsonNode input = variables.path("input");
                for (JsonNode quantity : input.path("quantities")) {
                    if (!items.containsValue(quantity.path("inventoryItemId").asText())) {
                        return userErrors(data, "inventorySetQuantities", "The specified inventory item could not be found.");
                    }
                    available.put(quantity.path("inventoryItemId").asText() + "@" + quantity.path("locationId").asText(),
                            quantity.path("quantity").asInt());
                }
                data.putObject("inventorySetQuantities").putArray("userErrors");
                data.with("inventorySetQuantities").putObject("inventoryAdjustmentGroup").put("reason", input.path("reason").asText());
            }
            case "KanaalOrders" -> {
                String since = variables.path("query").asText().replaceAll("^updated_at:>='(.*)'$", "$1");
                ArrayNode nodes = data.putObject("orders").putArray("nodes");
                orders.stream().filter(order -> order.path("updatedAt").asText().compareTo(since) >= 0)
                        .sorted(java.util.Comparator.comparing(order -> order.path("updatedAt").asText()))
                        .forEach(order -> {
                            ObjectNode listed = order.deepCopy();
                            listed.remove(List.of("fulfillments", "fulfillmentOrders"));
                            nodes.add(listed);
                        });
            }
            case "KanaalOrder" -> {
                String id = variables.path("id").asText();
                ObjectNode found = orders.stream().filter(order -> id.equals(order.path("id").asText())).findFirst().orElse(null);
                if (found == null) {
                    data.putNull("order");
                } else {
                    ObjectNode order = data.putObject("order");
                    order.put("id", id);
                    order.set("cancelledAt", found.path("cancelledAt"));
                    order.set("fulfillments", found.path("fulfillments"));
                    order.set("fulfillmentOrders", found.path("fulfillmentOrders"));
                }
            }
            case "KanaalProductSet" -> {
                return productSet(data, variables);
            }
            case "KanaalFulfill" -> {
                return fulfill(data, variables.path("fulfillment"));
            }
            case "KanaalCancel" -> {
                String id = variables.path("orderId").asText();
                ObjectNode order = orders.stream().filter(o -> id.equals(o.path("id").asText())).findFirst().orElse(null);
                if (order == null) {
                    return userErrors(data, "orderCancel", "Order does not exist");
                }
                cancellations.add(order.path("name").asText() + " " + variables.path("reason").asText() + " "
                        + variables.path("staffNote").asText());
                order.put("cancelledAt", Instant.now().toString());
                order.put("updatedAt", Instant.now().toString());
                ObjectNode result = data.putObject("orderCancel");
                result.putObject("job").put("id", "gid://shopify/Job/" + ids.incrementAndGet());
                result.putArray("orderCancelUserErrors");
            }
            default -> violations.add("an operation the stand-in does not play: " + operation);
        }
        return graphql(JSON.createObjectNode().set("data", data));
    }

    /**
     * productSet as Shopify does it, with a handle as identifier: the product made or replaced as a whole (the variants
     * not in the input are gone); a variant's SKU gets an inventory item, and a new item its inventoryQuantities.
     */
    private synchronized Reply productSet(ObjectNode data, JsonNode variables) {
        String handle = variables.path("identifier").path("handle").asText();
        JsonNode input = variables.path("input");
        if (handle.isEmpty()) {
            violations.add("productSet without identifier.handle");
        }
        ObjectNode product = products.computeIfAbsent(handle, h -> JSON.createObjectNode()
                .put("id", "gid://shopify/Product/" + ids.incrementAndGet()));
        product.setAll((ObjectNode) input.deepCopy());
        ObjectNode result = data.putObject("productSet");
        ObjectNode answered = result.putObject("product").put("id", product.path("id").asText()).put("handle", handle);
        ArrayNode nodes = answered.putObject("variants").putArray("nodes");
        for (JsonNode variant : input.path("variants")) {
            String sku = variant.path("inventoryItem").path("sku").asText(variant.path("sku").asText());
            boolean isNew = !items.containsKey(sku);
            String item = item(sku);
            if (isNew) {
                for (JsonNode quantity : variant.path("inventoryQuantities")) {
                    available.put(item + "@" + quantity.path("locationId").asText(), quantity.path("quantity").asInt());
                }
            }
            nodes.addObject().put("sku", sku).putObject("inventoryItem").put("id", item);
        }
        result.putArray("userErrors");
        return graphql(JSON.createObjectNode().set("data", data));
    }

    /** The product with this handle as the last productSet left it (its input), or null. */
    public ObjectNode product(String handle) {
        return products.get(handle);
    }

    private synchronized Reply fulfill(ObjectNode data, JsonNode fulfillment) {
        for (JsonNode group : fulfillment.path("lineItemsByFulfillmentOrder")) {
            String foId = group.path("fulfillmentOrderId").asText();
            ObjectNode order = orders.stream().filter(o -> o.path("fulfillmentOrders").path("nodes").findValuesAsText("id").contains(foId))
                    .findFirst().orElse(null);
            if (order == null) {
                return userErrors(data, "fulfillmentCreate", "Fulfillment order does not exist.");
            }
            for (JsonNode line : group.path("fulfillmentOrderLineItems")) {
                for (JsonNode foLine : order.path("fulfillmentOrders").path("nodes").get(0).path("lineItems").path("nodes")) {
                    if (foLine.path("id").asText().equals(line.path("id").asText())) {
                        int left = foLine.path("remainingQuantity").asInt() - line.path("quantity").asInt();
                        if (left < 0) {
                            return userErrors(data, "fulfillmentCreate", "Invalid fulfillment order line item quantity requested.");
                        }
                        ((ObjectNode) foLine).put("remainingQuantity", left);
                    }
                }
            }
            ArrayNode tracking = JSON.createArrayNode();
            tracking.addObject().put("number", fulfillment.path("trackingInfo").path("number").asText(null));
            ((ArrayNode) order.get("fulfillments")).addObject().put("status", "SUCCESS").set("trackingInfo", tracking);
            order.put("displayFulfillmentStatus", "FULFILLED");
            order.put("updatedAt", Instant.now().toString());
        }
        ObjectNode result = data.putObject("fulfillmentCreate");
        result.putObject("fulfillment").put("id", "gid://shopify/Fulfillment/" + ids.incrementAndGet()).put("status", "SUCCESS");
        result.putArray("userErrors");
        return graphql(JSON.createObjectNode().set("data", data));
    }

    private static Reply userErrors(ObjectNode data, String field, String message) {
        ObjectNode result = data.putObject(field);
        result.putArray(field.equals("orderCancel") ? "orderCancelUserErrors" : "userErrors").addObject()
                .put("message", message).putArray("field").add("input");
        return graphql(JSON.createObjectNode().set("data", data));
    }

    private static Reply graphql(JsonNode answer) {
        return Reply.of(200, answer.toString()).withHeader("Content-Type", "application/json");
    }

    private static String operation(String document) {
        Document parsed = Parser.parse(document);
        return parsed.getDefinitionsOfType(OperationDefinition.class).get(0).getName();
    }

    /** The document's validation errors and the variables that do not coerce, as Shopify would answer them. */
    static List<String> validate(JsonNode body) {
        Map<String, Object> variables = JSON.convertValue(body.path("variables"), Map.class);
        ExecutionInput input = ExecutionInput.newExecutionInput(body.path("query").asText())
                .variables(variables == null ? Map.of() : variables).build();
        List<String> errors = new ArrayList<>();
        for (GraphQLError error : schema().execute(input).getErrors()) {
            if (error.getErrorType() == ErrorType.ValidationError || error.getErrorType() == ErrorType.InvalidSyntax) {
                errors.add(error.getMessage());
            }
        }
        return errors;
    }

    private static final Pattern DECIMAL = Pattern.compile("-?\\d+(\\.\\d+)?");

    /**
     * Shopify's custom scalars as its documentation describes their input: Money and Decimal a decimal number as a
     * string ("100.57"), URL an absolute http(s) URL, DateTime an ISO-8601 date and time; the others any value.
     */
    private static graphql.schema.GraphQLScalarType scalar(String name) {
        java.util.function.Predicate<Object> valid = switch (name) {
            case "Money", "Decimal" -> value -> value instanceof String text && DECIMAL.matcher(text).matches();
            case "URL" -> value -> value instanceof String text && text.matches("https?://\\S+");
            case "DateTime" -> value -> {
                try {
                    java.time.OffsetDateTime.parse(String.valueOf(value));
                    return value instanceof String;
                } catch (java.time.format.DateTimeParseException e) {
                    return false;
                }
            };
            default -> value -> true;
        };
        return graphql.schema.GraphQLScalarType.newScalar().name(name).coercing(new graphql.schema.Coercing<Object, Object>() {
            @Override
            public Object serialize(Object value, graphql.GraphQLContext context, java.util.Locale locale) {
                return value;
            }

            @Override
            public Object parseValue(Object value, graphql.GraphQLContext context, java.util.Locale locale) {
                if (!valid.test(value)) {
                    throw new graphql.schema.CoercingParseValueException(name + " cannot represent " + value
                            + (value == null ? "" : " (" + value.getClass().getSimpleName() + ")"));
                }
                return value;
            }

            @Override
            public Object parseLiteral(graphql.language.Value<?> literal, graphql.execution.CoercedVariables variables,
                    graphql.GraphQLContext context, java.util.Locale locale) {
                Object value = literal instanceof graphql.language.StringValue text ? text.getValue() : literal;
                if (!valid.test(value)) {
                    throw new graphql.schema.CoercingParseLiteralException(name + " cannot represent " + literal);
                }
                return value;
            }
        }).build();
    }

    /** Shopify's 2025-10 Admin schema from its introspection, its fields answering null (only what comes before running matters). */
    private static GraphQL schema() {
        if (schema == null) {
            synchronized (ShopifyFake.class) {
                if (schema == null) {
                    try (InputStream in = new GZIPInputStream(ShopifyFake.class.getResourceAsStream("/specs/shopify/admin_2025-10.json.gz"))) {
                        Map<String, Object> introspection = (Map<String, Object>) JSON.readValue(in, Map.class).get("data");
                        GraphQLSchema built = new SchemaGenerator().makeExecutableSchema(
                                new SchemaParser().buildRegistry(new IntrospectionResultToSchema().createSchemaDefinition(introspection)),
                                RuntimeWiring.newRuntimeWiring().wiringFactory(new MockedWiringFactory() {
                                    @Override
                                    public boolean providesScalar(graphql.schema.idl.ScalarWiringEnvironment environment) {
                                        return !graphql.schema.idl.ScalarInfo.isGraphqlSpecifiedScalar(
                                                environment.getScalarTypeDefinition().getName());
                                    }

                                    @Override
                                    public graphql.schema.GraphQLScalarType getScalar(graphql.schema.idl.ScalarWiringEnvironment environment) {
                                        return scalar(environment.getScalarTypeDefinition().getName());
                                    }
                                }).build());
                        schema = GraphQL.newGraphQL(built).build();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            }
        }
        return schema;
    }
}
