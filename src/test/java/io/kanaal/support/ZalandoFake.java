package io.kanaal.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.InputFormat;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.kanaal.support.ChannelStub.Reply;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stand-in for Zalando's zDirect APIs (Stocks 1.1.0, Orders 1.1.1) as their specifications describe them
 * ({@code ../shared/specs/zalando}), served on a {@link ChannelStub}. Every request is checked first: the bearer
 * token of the client-credentials login, the media type, and the body against the project's own schemas of those
 * operations (src/test/resources/contracts/zalando, written from the specs' facts: their license does not allow a
 * copy), the orders list's query parameters against the ones the spec names; what breaks them is listed by
 * {@link #violations()} and answered 400. Then it plays the merchant's account: stock per sales channel and EAN
 * (a 207 with a result per item), orders with their items and lines (JSON:API), shipments, and line cancellations.
 */
public final class ZalandoFake {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String JSON_API = "application/vnd.api+json";
    private static final Set<String> ORDER_LIST_PARAMETERS = Set.of("include", "page[number]", "page[size]", "sort",
            "sales_channel_id", "created_after", "created_before", "last_updated_after", "last_updated_before",
            "order_status", "order_number", "locale", "exported", "order_type");
    private static final Pattern SHIPMENT = Pattern.compile("/orders/([^/]+)/shipments/([^/]+)");
    private static final Pattern SHIPMENTS = Pattern.compile("/orders/([^/]+)/shipments");
    private static final Pattern LINE = Pattern.compile("/orders/([^/]+)/items/([^/]+)/lines/([^/]+)");
    private static final Pattern ORDER = Pattern.compile("/orders/([^/]+)");

    private final String merchantId;
    private final String clientId;
    private final String clientSecret;
    private final String token = "zt-" + UUID.randomUUID();
    private final Map<String, Integer> stock = new ConcurrentHashMap<>();
    private final Map<String, JsonNode> prices = new ConcurrentHashMap<>();
    private final Set<String> unknownEans = ConcurrentHashMap.newKeySet();
    private final List<ObjectNode> orders = new CopyOnWriteArrayList<>();
    private final List<String> violations = new CopyOnWriteArrayList<>();
    private final List<String> calls = new CopyOnWriteArrayList<>();

    public ZalandoFake(ChannelStub stub, String merchantId, String clientId, String clientSecret) {
        this.merchantId = merchantId;
        this.clientId = clientId;
        this.clientSecret = clientSecret;
        stub.serve("/auth/token", this::token);
        stub.serve("/merchants/", request -> {
            try {
                return answer(request);
            } catch (RuntimeException | IOException e) {
                violations.add("the stand-in failed on " + request.method() + " " + request.path() + ": " + e);
                return Reply.of(500, "{\"errors\":[{\"status\":\"500\",\"title\":\"" + e + "\"}]}");
            }
        });
    }

    /** The quantity Kanaal set for the EAN in the sales channel; null when it set none. */
    public Integer stock(String salesChannelId, String ean) {
        return stock.get(salesChannelId + "/" + ean);
    }

    /** The price Kanaal set for the EAN in the sales channel ({@code regular_price}, {@code promotional_price}); null when none. */
    public JsonNode price(String salesChannelId, String ean) {
        return prices.get(salesChannelId + "/" + ean);
    }

    /** Stock updates of this EAN are rejected (101: not an article of the merchant). */
    public void unknownEan(String ean) {
        unknownEans.add(ean);
    }

    /**
     * An approved, partner-fulfilled order: one item per SKU and quantity (two values each), each unit a line at 19.99
     * EUR. Returns the order's id.
     */
    public synchronized String order(String orderNumber, Object... skuAndQuantity) {
        ObjectNode order = JSON.createObjectNode();
        String id = UUID.randomUUID().toString();
        order.put("id", id).put("order_number", orderNumber).put("order_date", Instant.now().toString())
                .put("status", "approved").put("order_type", "PartnerFulfilled").put("customer_email", "anna@example.com")
                .put("modified_at", Instant.now().toString()).put("order_lines_price_currency", "EUR");
        order.putObject("shipping_address").put("first_name", "Anna").put("last_name", "de Vries")
                .put("address_type", "HOME_ADDRESS").put("address_line_1", "Kerkstraat 1").put("zip_code", "1017 GC")
                .put("city", "Amsterdam").put("country_code", "NL");
        order.putObject("shipping_costs").put("amount", 0).put("currency", "EUR");
        ArrayNode items = order.putArray("items");
        double total = 0;
        for (int i = 0; i < skuAndQuantity.length; i += 2) {
            ObjectNode item = items.addObject();
            int quantity = (Integer) skuAndQuantity[i + 1];
            item.put("id", UUID.randomUUID().toString()).put("external_id", (String) skuAndQuantity[i])
                    .put("article_id", "ZA-" + skuAndQuantity[i]).put("description", "Item " + skuAndQuantity[i])
                    .put("quantity_initial", quantity);
            ArrayNode lines = item.putArray("lines");
            for (int unit = 0; unit < quantity; unit++) {
                lines.addObject().put("id", UUID.randomUUID().toString()).put("status", "initial")
                        .putObject("price").put("amount", 19.99).put("currency", "EUR");
                total += 19.99;
            }
        }
        order.put("order_lines_price_amount", Math.round(total * 100) / 100.0);
        order.putArray("shipments");
        orders.add(order);
        return id;
    }

    /** The order as the merchant's account has it now (its items and lines, its shipments). */
    public ObjectNode orderById(String id) {
        return orders.stream().filter(o -> id.equals(o.path("id").asText())).findFirst().orElseThrow();
    }

    /** The statuses of the order's lines, in order. */
    public List<String> lineStatuses(String id) {
        List<String> statuses = new ArrayList<>();
        orderById(id).path("items").forEach(item -> item.path("lines").forEach(line -> statuses.add(line.path("status").asText())));
        return statuses;
    }

    /** What broke the documented shape so far; empty when every request was one Zalando takes. */
    public List<String> violations() {
        return List.copyOf(violations);
    }

    /** The calls taken, as {@code METHOD /path-without-merchant}, in order. */
    public List<String> calls() {
        return List.copyOf(calls);
    }

    private Reply token(ChannelStub.Request request) {
        String form = request.body();
        String basic = request.header("Authorization");
        boolean credentials = form.contains("client_id=" + clientId) && form.contains("client_secret=" + clientSecret)
                || basic != null && basic.equals("Basic " + java.util.Base64.getEncoder().encodeToString(
                        (clientId + ":" + clientSecret).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        if (!"POST".equals(request.method()) || !form.contains("grant_type=client_credentials") || !credentials) {
            violations.add("token request without client credentials: " + form);
            return Reply.of(401, "{\"error\":\"invalid_client\"}");
        }
        return Reply.of(200, "{\"access_token\":\"" + token + "\",\"token_type\":\"Bearer\",\"expires_in\":7200}")
                .withHeader("Content-Type", "application/json");
    }

    private Reply answer(ChannelStub.Request request) throws IOException {
        String prefix = "/merchants/" + merchantId;
        String path = request.pathWithoutQuery();
        if (!path.startsWith(prefix + "/")) {
            return violation(404, request, "not the merchant's resources (" + prefix + ")");
        }
        if (!("Bearer " + token).equals(request.header("Authorization"))) {
            return violation(401, request, "no bearer token of the client-credentials login");
        }
        String resource = path.substring(prefix.length());
        calls.add(request.method() + " " + resource.replaceAll("[0-9a-f-]{36}", "{id}"));
        if (resource.equals("/stocks") && request.method().equals("POST")) {
            return stocks(request);
        }
        if (resource.equals("/prices") && request.method().equals("POST")) {
            return prices(request);
        }
        if (!JSON_API.equals(request.header("Accept"))) {
            return violation(406, request, "the orders API answers " + JSON_API + " only");
        }
        Matcher matcher;
        if (resource.equals("/orders") && request.method().equals("GET")) {
            return orderList(request);
        }
        if ((matcher = SHIPMENT.matcher(resource)).matches() && request.method().equals("PATCH")) {
            return shipmentUpdate(request, matcher.group(1), matcher.group(2));
        }
        if ((matcher = SHIPMENTS.matcher(resource)).matches()) {
            return request.method().equals("POST") ? shipmentCreate(request, matcher.group(1))
                    : Reply.of(200, JSON.createObjectNode().set("shipments", orderById(matcher.group(1)).path("shipments")).toString());
        }
        if ((matcher = LINE.matcher(resource)).matches() && request.method().equals("PATCH")) {
            return lineUpdate(request, matcher.group(1), matcher.group(3));
        }
        if ((matcher = ORDER.matcher(resource)).matches() && request.method().equals("GET")) {
            ObjectNode page = page(List.of(orderById(matcher.group(1))));
            page.set("data", page.path("data").get(0));
            return Reply.of(200, page.toString()).withHeader("Content-Type", JSON_API);
        }
        return violation(404, request, "no such operation");
    }

    private Reply stocks(ChannelStub.Request request) throws IOException {
        if (!"application/json".equals(request.header("Content-Type"))) {
            return violation(415, request, "the stock API takes application/json");
        }
        JsonNode body = JSON.readTree(request.body());
        List<String> invalid = validate("stock-updates", body);
        Set<String> pairs = new java.util.HashSet<>();
        body.path("items").forEach(item -> {
            if (!pairs.add(item.path("sales_channel_id").asText() + "/" + item.path("ean").asText())) {
                invalid.add("sales_channel_id and ean twice in one batch: " + item);
            }
        });
        if (!invalid.isEmpty()) {
            return violation(400, request, String.join("; ", invalid));
        }
        ArrayNode results = JSON.createObjectNode().putArray("results");
        for (JsonNode item : body.path("items")) {
            ObjectNode result = results.addObject();
            result.set("item", item);
            if (unknownEans.contains(item.path("ean").asText())) {
                result.putObject("result").put("status", "REJECTED").put("code", 101)
                        .put("description", "Article not found for merchant");
            } else {
                stock.put(item.path("sales_channel_id").asText() + "/" + item.path("ean").asText(), item.path("quantity").asInt());
                result.putObject("result").put("status", "ACCEPTED").put("code", 0);
            }
        }
        return Reply.of(207, JSON.createObjectNode().set("results", results).toString()).withHeader("Content-Type", "application/json");
    }

    private Reply prices(ChannelStub.Request request) throws IOException {
        if (!"application/json".equals(request.header("Content-Type"))) {
            return violation(415, request, "the price API takes application/json");
        }
        JsonNode body = JSON.readTree(request.body());
        List<String> invalid = validate("prices", body);
        if (!invalid.isEmpty()) {
            return violation(400, request, String.join("; ", invalid));
        }
        ArrayNode results = JSON.createArrayNode();
        for (JsonNode price : body.path("product_prices")) {
            ObjectNode result = results.addObject();
            ObjectNode echoed = ((ObjectNode) price).deepCopy();
            echoed.put("ignore_warnings", false);
            result.set("product_price", echoed);
            double regular = price.path("regular_price").path("amount").asDouble();
            if (unknownEans.contains(price.path("ean").asText())) {
                result.put("status", "REJECTED").put("code", 101).put("description", "Article not found for merchant");
            } else if (price.has("promotional_price") && price.path("promotional_price").path("amount").asDouble() >= regular) {
                result.put("status", "REJECTED").put("code", 101).put("description", "Promotional price must be lower than the regular price");
            } else {
                prices.put(price.path("sales_channel_id").asText() + "/" + price.path("ean").asText(), price);
                result.put("status", "ACCEPTED").put("code", 0);
            }
        }
        return Reply.of(207, JSON.createObjectNode().set("results", results).toString()).withHeader("Content-Type", "application/json");
    }

    private Reply orderList(ChannelStub.Request request) {
        Map<String, String> query = request.query();
        for (String name : query.keySet()) {
            if (!ORDER_LIST_PARAMETERS.contains(name)) {
                return violation(400, request, "query parameter the orders list does not have: " + name);
            }
        }
        OffsetDateTime after;
        try {
            after = OffsetDateTime.parse(query.getOrDefault("last_updated_after", "1970-01-01T00:00:00Z"));
        } catch (DateTimeParseException e) {
            return violation(400, request, "last_updated_after is no date-time: " + query.get("last_updated_after"));
        }
        int size = Integer.parseInt(query.getOrDefault("page[size]", "50"));
        List<ObjectNode> changed = orders.stream()
                .filter(o -> OffsetDateTime.parse(o.path("modified_at").asText()).isAfter(after))
                .filter(o -> !query.containsKey("order_type") || query.get("order_type").equals(o.path("order_type").asText()))
                .sorted(java.util.Comparator.comparing(o -> o.path("modified_at").asText())).limit(size).toList();
        return Reply.of(200, page(changed).toString()).withHeader("Content-Type", JSON_API);
    }

    /** Orders as JSON:API resources: the orders in data, their items and lines in included. */
    private static ObjectNode page(List<ObjectNode> orders) {
        ObjectNode page = JSON.createObjectNode();
        ArrayNode data = page.putArray("data");
        ArrayNode included = page.putArray("included");
        for (ObjectNode order : orders) {
            ObjectNode resource = data.addObject().put("type", "Order").put("id", order.path("id").asText());
            ObjectNode attributes = order.deepCopy();
            attributes.remove(List.of("id", "items", "shipments"));
            attributes.put("order_id", order.path("id").asText());
            resource.set("attributes", attributes);
            ArrayNode itemRefs = resource.putObject("relationships").putObject("order_items").putArray("data");
            for (JsonNode item : order.path("items")) {
                itemRefs.addObject().put("type", "OrderItem").put("id", item.path("id").asText());
                ObjectNode itemResource = included.addObject().put("type", "OrderItem").put("id", item.path("id").asText());
                ObjectNode itemAttributes = ((ObjectNode) item).deepCopy();
                itemAttributes.remove(List.of("id", "lines"));
                itemAttributes.put("order_item_id", item.path("id").asText()).put("order_id", order.path("id").asText());
                for (String quantity : List.of("quantity_reserved", "quantity_shipped", "quantity_returned", "quantity_canceled")) {
                    itemAttributes.put(quantity, 0);
                }
                itemResource.set("attributes", itemAttributes);
                ArrayNode lineRefs = itemResource.putObject("relationships").putObject("order_lines").putArray("data");
                for (JsonNode line : item.path("lines")) {
                    lineRefs.addObject().put("type", "OrderLine").put("id", line.path("id").asText());
                    ObjectNode lineAttributes = ((ObjectNode) line).deepCopy();
                    lineAttributes.remove("id");
                    lineAttributes.put("order_line_id", line.path("id").asText()).put("order_item_id", item.path("id").asText());
                    included.addObject().put("type", "OrderLine").put("id", line.path("id").asText()).set("attributes", lineAttributes);
                }
            }
        }
        return page;
    }

    private synchronized Reply shipmentCreate(ChannelStub.Request request, String orderId) throws IOException {
        JsonNode body = JSON.readTree(request.body());
        List<String> invalid = contentType(request);
        invalid.addAll(validate("shipment-create", body));
        ObjectNode order = orderById(orderId);
        List<String> lineIds = new ArrayList<>();
        order.path("items").forEach(item -> item.path("lines").forEach(line -> lineIds.add(line.path("id").asText())));
        for (JsonNode line : body.path("order_lines")) {
            if (!lineIds.contains(line.path("order_line_id").asText())) {
                invalid.add("order line " + line.path("order_line_id").asText() + " is not one of the order's");
            }
        }
        if (!invalid.isEmpty()) {
            return violation(400, request, String.join("; ", invalid));
        }
        ObjectNode shipment = ((ArrayNode) order.get("shipments")).addObject();
        shipment.put("shipment_id", UUID.randomUUID().toString()).put("status", "initial")
                .put("tracking_number", body.path("tracking_number").asText(null)).set("order_lines", body.path("order_lines"));
        return Reply.of(201, "{\"shipment_id\":\"" + shipment.path("shipment_id").asText() + "\"}").withHeader("Content-Type", JSON_API);
    }

    private synchronized Reply shipmentUpdate(ChannelStub.Request request, String orderId, String shipmentId) throws IOException {
        JsonNode body = JSON.readTree(request.body());
        List<String> invalid = contentType(request);
        invalid.addAll(validate("shipment-update", body));
        if (!invalid.isEmpty()) {
            return violation(400, request, String.join("; ", invalid));
        }
        ObjectNode order = orderById(orderId);
        for (JsonNode shipment : order.path("shipments")) {
            if (shipment.path("shipment_id").asText().equals(shipmentId)) {
                if ("shipped".equals(shipment.path("status").asText())) {
                    return Reply.of(403, "{\"errors\":[{\"status\":\"403\",\"title\":\"shipment is shipped already\"}]}");
                }
                ((ObjectNode) shipment).put("status", body.path("status").asText(shipment.path("status").asText()));
                List<String> shipped = shipment.path("order_lines").findValuesAsText("order_line_id");
                order.path("items").forEach(item -> item.path("lines").forEach(line -> {
                    if (shipped.contains(line.path("id").asText()) && "shipped".equals(body.path("status").asText())) {
                        ((ObjectNode) line).put("status", "shipped");
                    }
                }));
                order.put("modified_at", Instant.now().toString());
                return Reply.of(204);
            }
        }
        return Reply.of(404, "{\"errors\":[{\"status\":\"404\",\"title\":\"no such shipment\"}]}");
    }

    private synchronized Reply lineUpdate(ChannelStub.Request request, String orderId, String lineId) throws IOException {
        JsonNode body = JSON.readTree(request.body());
        List<String> invalid = contentType(request);
        invalid.addAll(validate("order-line-update", body));
        if (!lineId.equals(body.path("data").path("id").asText())) {
            invalid.add("data.id is not the line of the path");
        }
        if (!invalid.isEmpty()) {
            return violation(400, request, String.join("; ", invalid));
        }
        for (JsonNode item : orderById(orderId).path("items")) {
            for (JsonNode line : item.path("lines")) {
                if (line.path("id").asText().equals(lineId)) {
                    if (!Set.of("initial", "reserved").contains(line.path("status").asText())) {
                        return Reply.of(409, "{\"errors\":[{\"status\":\"409\",\"title\":\"line is " + line.path("status").asText() + "\"}]}");
                    }
                    ((ObjectNode) line).put("status", body.path("data").path("attributes").path("status").asText());
                    orderById(orderId).put("modified_at", Instant.now().toString());
                    return Reply.of(204);
                }
            }
        }
        return Reply.of(404, "{\"errors\":[{\"status\":\"404\",\"title\":\"no such line\"}]}");
    }

    private static List<String> contentType(ChannelStub.Request request) {
        List<String> invalid = new ArrayList<>();
        if (!JSON_API.equals(request.header("Content-Type"))) {
            invalid.add("Content-Type is not " + JSON_API + ": " + request.header("Content-Type"));
        }
        return invalid;
    }

    private Reply violation(int status, ChannelStub.Request request, String what) {
        violations.add(request.method() + " " + request.path() + ": " + what);
        return Reply.of(status, "{\"errors\":[{\"status\":\"" + status + "\",\"title\":\"" + what.replace("\"", "'") + "\"}]}");
    }

    private static final Map<String, JsonSchema> SCHEMAS = new ConcurrentHashMap<>();

    private static List<String> validate(String schema, JsonNode body) {
        JsonSchema compiled = SCHEMAS.computeIfAbsent(schema, name -> {
            try {
                return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(
                        Files.readString(Path.of("src/test/resources/contracts/zalando/" + name + ".schema.json")), InputFormat.JSON);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        List<String> messages = new ArrayList<>();
        for (ValidationMessage message : compiled.validate(body)) {
            messages.add(schema + ": " + message.getMessage());
        }
        return messages;
    }
}
