package io.kanaal.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kanaal.support.ChannelStub.Reply;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Bol.com's Retailer API v10 as Kanaal's routes use it, served on a {@link ChannelStub}, its answers shaped
 * as Bol's v10 spec declares them (the picqer fixtures, recorded in 2021, differ: an empty list {@code { }} where
 * the spec requires {@code orders}, {@code pickUpPoint}, links with a {@code method}): orders (the list, 50 a page, filtered by {@code status} and
 * {@code change-interval-minute}; the detail), shipments and cancellations answered 202 with a PENDING process
 * status, and process statuses that go through the states a test scripts (PENDING, then SUCCESS unless told
 * otherwise); offers (v11) created with an id; product content accepted the same way, its process's entityId
 * the upload id, and upload reports IN_PROGRESS when first asked, then COMPLETED with what {@link #declineContent}
 * declines. A test can {@link #holdBefore} a state:
 * a process-status request about to be answered in it waits (Kanaal's request hangs) until {@link #release()}.
 * Every answer the fake gives is checked against the response Bol's spec declares for it ({@link BolContract});
 * {@link #answerViolations()} lists what broke it.
 */
public final class BolFake {

    public static final String V10 = "application/vnd.retailer.v10+json";
    public static final String V11 = "application/vnd.retailer.v11+json";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PAGE_SIZE = 50;

    private record OpenOrder(JsonNode detail, Instant changedAt) {
    }

    private record Process(String eventType, String entityId, Deque<String> states, List<String> served,
                           String errorMessage) {
    }

    private final Map<String, OpenOrder> orders = new LinkedHashMap<>();
    private final Map<String, Process> processes = new LinkedHashMap<>();
    private final Deque<List<String>> nextProcesses = new ArrayDeque<>();
    private final AtomicLong ids = new AtomicLong(System.currentTimeMillis());
    private String nextErrorMessage;
    private String heldState;
    private CountDownLatch held = new CountDownLatch(0);
    private int waiting;
    private final List<String> answerViolations = new CopyOnWriteArrayList<>();
    /** Content uploads by upload id: what was sent, and how often its report was asked for. */
    private final Map<String, Upload> uploads = new LinkedHashMap<>();
    /** What Bol declines in content from now on: attribute id and value to {subStatus, subStatusDescription}. */
    private final Map<String, List<String>> declines = new LinkedHashMap<>();

    private record Upload(JsonNode content, Map<String, List<String>> declines, List<String> served) {
    }

    /** The offers created (POST /retailer/offers, v11): reference (Kanaal's SKU) to offer id, per new offer. */
    private final List<Map.Entry<String, String>> created = new CopyOnWriteArrayList<>();

    public BolFake(ChannelStub stub) {
        serve(stub, "/retailer/offers", this::offers);
        serve(stub, "/retailer/orders", this::ordersOrDetail);
        serve(stub, "/retailer/shipments", request -> accept(request, "CONFIRM_SHIPMENT"));
        serve(stub, "/retailer/orders/cancellation", request -> accept(request, "CANCEL_ORDER"));
        serve(stub, "/shared/process-status/", this::processStatus);
        serve(stub, "/retailer/content/products", this::content);
        serve(stub, "/retailer/content/upload-report/", this::uploadReport);
    }

    private void serve(ChannelStub stub, String pathPrefix, Function<ChannelStub.Request, Reply> answer) {
        stub.serve(pathPrefix, request -> {
            Reply reply = answer.apply(request);
            BolContract.responseViolations(request, reply).forEach(violation -> answerViolations.add(
                    request.method() + " " + request.path() + " answered " + reply.status() + ": " + violation));
            return reply;
        });
    }

    /** How the fake's answers since the last {@link #reset()} broke Bol's spec; empty when none did. */
    public List<String> answerViolations() {
        return List.copyOf(answerViolations);
    }

    public synchronized void reset() {
        answerViolations.clear();
        created.clear();
        orders.clear();
        processes.clear();
        nextProcesses.clear();
        uploads.clear();
        declines.clear();
        nextErrorMessage = null;
        release();
    }

    /** From now on, a process status about to be answered in this state is held back until {@link #release()}. */
    public synchronized void holdBefore(String state) {
        held.countDown();
        heldState = state;
        held = new CountDownLatch(1);
    }

    /** Answers the held process-status requests, and holds none from now on. */
    public synchronized void release() {
        heldState = null;
        held.countDown();
    }

    /** How many process-status requests are waiting for {@link #release()}. */
    public synchronized int waiting() {
        return waiting;
    }

    /** An open order (Bol's order detail) whose items last changed at {@code changedAt}. */
    public synchronized void open(String detail, Instant changedAt) {
        JsonNode order = read(detail);
        changed(order, changedAt);
        orders.put(order.path("orderId").asText(), new OpenOrder(order, changedAt));
    }

    /** Bol cancels every unit of the order (a customer's request granted, or not shipped in time), at {@code changedAt}. */
    public synchronized void cancel(String orderId, Instant changedAt) {
        OpenOrder order = orders.get(orderId);
        for (JsonNode line : order.detail().path("orderItems")) {
            ((ObjectNode) line).put("quantityCancelled", line.path("quantity").asInt());
        }
        changed(order.detail(), changedAt);
        orders.put(orderId, new OpenOrder(order.detail(), changedAt));
    }

    private static void changed(JsonNode order, Instant changedAt) {
        for (JsonNode line : order.path("orderItems")) {
            ((ObjectNode) line).put("latestChangedDateTime", changedAt.toString());
        }
    }

    /** The states the next accepted request's process status goes through, the last one staying. */
    public synchronized void nextProcess(String errorMessage, String... states) {
        nextProcesses.add(List.of(states));
        nextErrorMessage = errorMessage;
    }

    /** Bol's process comes to an end: from now on it is served in this state. */
    public synchronized void settle(String processStatusId, String state) {
        Deque<String> states = processes.get(processStatusId).states();
        states.clear();
        states.add(state);
    }

    /** The states a process status was served in, in order. */
    public synchronized List<String> served(String processStatusId) {
        Process process = processes.get(processStatusId);
        return process == null ? List.of() : List.copyOf(process.served());
    }

    /** The process-status id Bol gave the request about this order item (entityId). */
    public synchronized String processOf(String orderItemId) {
        return processes.entrySet().stream().filter(e -> e.getValue().entityId().equals(orderItemId))
                .map(Map.Entry::getKey).findFirst().orElse(null);
    }

    /** An FBR order detail as GET /retailer/orders/{order-id} gives it: one item per entry of {@code items}. */
    public static String order(String orderId, Item... items) {
        ObjectNode order = JSON.createObjectNode();
        order.put("orderId", orderId);
        order.put("pickupPoint", false);
        order.put("orderPlacedDateTime", "2026-11-23T10:15:00+01:00");
        ObjectNode shipment = order.putObject("shipmentDetails");
        shipment.put("salutation", "MALE");
        shipment.put("firstName", "Hans");
        shipment.put("surname", "de Grote");
        shipment.put("streetName", "Skywalkerstraat");
        shipment.put("houseNumber", "21");
        shipment.put("houseNumberExtension", "X");
        shipment.put("zipCode", "1234AB");
        shipment.put("city", "PLATOONDORP");
        shipment.put("countryCode", "NL");
        shipment.put("email", "27zoytzc3crf2r6bctxfa3m2mrjbci@verkopen.test2.bol.com");
        shipment.put("language", "nl");
        ArrayNode lines = order.putArray("orderItems");
        for (Item item : items) {
            ObjectNode line = lines.addObject();
            line.put("orderItemId", item.orderItemId());
            line.put("cancellationRequest", false);
            ObjectNode fulfilment = line.putObject("fulfilment");
            fulfilment.put("method", "FBR");
            fulfilment.put("distributionParty", "RETAILER");
            fulfilment.put("latestDeliveryDate", "2026-11-25");
            fulfilment.put("timeFrameType", "REGULAR");
            line.putObject("offer").put("offerId", "8f1183e3-de98-c92f-e053-3590612a63b7").put("reference", item.sku());
            line.putObject("product").put("ean", item.ean()).put("title", "Article " + item.sku());
            line.put("quantity", item.quantity());
            line.put("quantityShipped", 0);
            line.put("quantityCancelled", 0);
            line.put("unitPrice", 19.99);
            line.put("totalPrice", Math.round(1999L * item.quantity()) / 100.0);
            line.putArray("discounts");
            line.put("commission", 2.21);
            line.put("latestChangedDateTime", "2026-11-23T10:15:00+01:00");
        }
        return order.toString();
    }

    public record Item(String orderItemId, String sku, String ean, int quantity) {
    }

    private synchronized Reply ordersOrDetail(ChannelStub.Request request) {
        String path = request.path();
        if (path.startsWith("/retailer/orders/")) {
            String id = path.substring("/retailer/orders/".length());
            OpenOrder order = orders.get(id);
            return order == null ? notFound("Order " + id + " not found.") : bol(200, order.detail().toString());
        }
        Map<String, String> query = request.query();
        int page = Integer.parseInt(query.getOrDefault("page", "1"));
        String interval = query.get("change-interval-minute");
        Instant changedSince = interval == null ? Instant.MIN
                : Instant.now().minus(Duration.ofMinutes(Long.parseLong(interval)));
        String status = query.getOrDefault("status", "OPEN");
        List<OpenOrder> listed = orders.values().stream().filter(o -> !o.changedAt().isBefore(changedSince))
                .filter(o -> status.equals("ALL") || status.equals("OPEN") == open(o)).toList();
        ArrayNode list = JSON.createArrayNode();
        listed.stream().skip((long) (page - 1) * PAGE_SIZE).limit(PAGE_SIZE).forEach(o -> list.add(reduced(o)));
        return bol(200, JSON.createObjectNode().set("orders", list).toString());
    }

    private static ObjectNode reduced(OpenOrder open) {
        ObjectNode order = JSON.createObjectNode();
        order.put("orderId", open.detail().path("orderId").asText());
        order.put("orderPlacedDateTime", open.detail().path("orderPlacedDateTime").asText());
        ArrayNode items = order.putArray("orderItems");
        for (JsonNode line : open.detail().path("orderItems")) {
            ObjectNode item = items.addObject();
            item.put("orderItemId", line.path("orderItemId").asText());
            item.put("ean", line.path("product").path("ean").asText());
            item.put("fulfilmentMethod", "FBR");
            item.put("fulfilmentStatus", open(line) ? "OPEN" : "HANDLED");
            item.put("quantity", line.path("quantity").asInt());
            item.put("quantityShipped", line.path("quantityShipped").asInt());
            item.put("quantityCancelled", line.path("quantityCancelled").asInt());
            item.put("cancellationRequest", false);
            item.put("latestChangedDateTime", open.changedAt().toString());
        }
        return order;
    }

    /** Whether an item of the order still has units neither shipped nor cancelled. */
    private static boolean open(OpenOrder order) {
        for (JsonNode line : order.detail().path("orderItems")) {
            if (open(line)) {
                return true;
            }
        }
        return false;
    }

    private static boolean open(JsonNode line) {
        return line.path("quantity").asInt() - line.path("quantityShipped").asInt() - line.path("quantityCancelled").asInt() > 0;
    }

    private Reply accept(ChannelStub.Request request, String eventType) {
        return accept(eventType, read(request.body()).path("orderItems").path(0).path("orderItemId").asText(""));
    }

    private synchronized Reply accept(String eventType, String entityId) {
        String id = Long.toString(ids.incrementAndGet());
        List<String> states = nextProcesses.isEmpty() ? List.of("PENDING", "SUCCESS") : nextProcesses.poll();
        processes.put(id, new Process(eventType, entityId, new ArrayDeque<>(states), new ArrayList<>(), nextErrorMessage));
        return bol(202, status(id, processes.get(id), "PENDING").toString());
    }

    private Reply processStatus(ChannelStub.Request request) {
        String id = request.path().substring("/shared/process-status/".length());
        CountDownLatch gate;
        synchronized (this) {
            Process process = processes.get(id);
            if (process == null) {
                return notFound("Process status " + id + " not found.");
            }
            gate = process.states().peek().equals(heldState) ? held : null;
            if (gate != null) {
                waiting++;
            }
        }
        if (gate != null) {
            try {
                gate.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                synchronized (this) {
                    waiting--;
                }
            }
        }
        synchronized (this) {
            Process process = processes.get(id);
            if (process == null) {
                return notFound("Process status " + id + " not found.");
            }
            String state = process.states().size() > 1 ? process.states().poll() : process.states().peek();
            process.served().add(state);
            return bol(200, status(id, process, state).toString());
        }
    }

    /** Bol's Problem (type, title, status, detail and violations are required, violations empty here). */
    private static Reply notFound(String detail) {
        ObjectNode problem = JSON.createObjectNode();
        problem.put("type", "https://api.bol.com/problems");
        problem.put("title", "Not Found");
        problem.put("status", 404);
        problem.put("detail", detail);
        problem.putArray("violations");
        return bol(404, problem.toString());
    }

    private static ObjectNode status(String id, Process process, String state) {
        ObjectNode status = JSON.createObjectNode();
        status.put("processStatusId", id);
        status.put("entityId", process.entityId());
        status.put("eventType", process.eventType());
        status.put("description", "Example process status description for processing " + process.entityId() + ".");
        status.put("status", state);
        if (state.equals("FAILURE") || state.equals("TIMEOUT")) {
            status.put("errorMessage", process.errorMessage());
        }
        status.put("createTimestamp", "2026-11-23T10:20:00+01:00");
        ObjectNode link = status.putArray("links").addObject();
        link.put("rel", "self");
        link.put("href", "https://api.bol.com/shared/process-status/" + id);
        return status;
    }

    /**
     * From now on Bol declines the content attribute {@code attributeId} when it has this value, in the upload
     * report, with this sub-status and description.
     */
    public synchronized void declineContent(String attributeId, String value, String subStatus, String description) {
        declines.put(attributeId + "=" + value, List.of(subStatus, description));
    }

    /** The states the upload reports of content with this EAN were served in, per upload, in order. */
    public synchronized List<List<String>> uploadReports(String ean) {
        return uploads.values().stream().filter(upload -> upload.content().path("attributes").findValues("value")
                        .stream().anyMatch(value -> value.asText().equals(ean)))
                .map(upload -> List.copyOf(upload.served())).toList();
    }

    /** POST /retailer/content/products: 202 with a process whose entityId, once it succeeds, is the upload id. */
    private Reply content(ChannelStub.Request request) {
        String uploadId = UUID.randomUUID().toString();
        synchronized (this) {
            uploads.put(uploadId, new Upload(read(request.body()), Map.copyOf(declines), new ArrayList<>()));
        }
        return accept("CREATE_PRODUCT_CONTENT", uploadId);
    }

    /**
     * GET /retailer/content/upload-report/{upload-id}: IN_PROGRESS when first asked, then COMPLETED with every
     * attribute and asset PUBLISHED unless {@link #declineContent} declines it.
     */
    private synchronized Reply uploadReport(ChannelStub.Request request) {
        String uploadId = request.path().substring("/retailer/content/upload-report/".length());
        Upload upload = uploads.get(uploadId);
        if (upload == null) {
            return notFound("Upload report " + uploadId + " not found.");
        }
        String state = upload.served().isEmpty() ? "IN_PROGRESS" : "COMPLETED";
        upload.served().add(state);
        ObjectNode report = JSON.createObjectNode();
        report.put("uploadId", uploadId);
        report.put("language", upload.content().path("language").asText());
        report.put("status", state);
        ArrayNode attributes = report.putArray("attributes");
        for (JsonNode attribute : upload.content().path("attributes")) {
            ObjectNode reported = attributes.addObject();
            reported.put("id", attribute.path("id").asText());
            reported.set("values", attribute.path("values"));
            List<String> declined = upload.declines().get(attribute.path("id").asText() + "="
                    + attribute.path("values").path(0).path("value").asText());
            reported.put("status", state.equals("IN_PROGRESS") ? "IN_PROGRESS" : declined == null ? "PUBLISHED" : "DECLINED");
            if (declined != null && state.equals("COMPLETED")) {
                reported.put("subStatus", declined.get(0));
                reported.put("subStatusDescription", declined.get(1));
            }
        }
        ArrayNode assets = report.putArray("assets");
        for (JsonNode asset : upload.content().path("assets")) {
            assets.addObject().put("url", asset.path("url").asText()).<ObjectNode>set("labels", asset.path("labels"))
                    .put("status", state.equals("IN_PROGRESS") ? "IN_PROGRESS" : "PUBLISHED");
        }
        return bol(200, report.toString());
    }

    /** The offer ids Bol gave new offers with this reference (SKU), in order. */
    public List<String> offersCreated(String reference) {
        return created.stream().filter(offer -> offer.getKey().equals(reference)).map(Map.Entry::getValue).toList();
    }

    /** POST /retailer/offers creates an offer (201 with its id, v11); an offer's PATCH is taken (204). */
    private Reply offers(ChannelStub.Request request) {
        if (!request.method().equals("POST") || !request.path().equals("/retailer/offers")) {
            return new Reply(204, Map.of(), "");
        }
        String offerId = UUID.randomUUID().toString();
        created.add(Map.entry(read(request.body()).path("reference").asText(), offerId));
        return new Reply(201, Map.of("Content-Type", V11, "X-RateLimit-Limit", "25", "X-RateLimit-Remaining", "24",
                "X-RateLimit-Reset", "1"), "{\"offerId\":\"" + offerId + "\"}");
    }

    private static Reply bol(int status, String body) {
        return new Reply(status, Map.of("Content-Type", V10, "X-RateLimit-Limit", "25", "X-RateLimit-Remaining", "24",
                "X-RateLimit-Reset", "1"), body);
    }

    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json == null || json.isBlank() ? "{}" : json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
