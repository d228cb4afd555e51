package io.kanaal.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link BolContract} picks the spec that declares a request and catches what breaks it, Bol's documented required
 * fields (the overlay) and unknown fields included; and it catches an answer that breaks the spec.
 */
class BolContractTest {

    private static final String V10 = "application/vnd.retailer.v10+json";
    private static final String V11 = "application/vnd.retailer.v11+json";
    private static final Path BOL_CASES = Path.of("src/test/resources/mappings/bol");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SHIPMENT = """
            {"orderItems":[{"orderItemId":"6107989317","quantity":1}],"shipmentReference":"bol-nl/123",
             "transport":{"transporterCode":"TNT","trackAndTrace":"3SABC"}}""";


    @Test
    void theShipmentMappingsBodyConformsToTheRetailerV10Spec() throws IOException {
        String body = JsonataMappings.run(Path.of("mappings/bol/shipment.jsonata"),
                Files.readString(BOL_CASES.resolve("shipment-basic.input.json")));

        assertThat(JSON.readTree(body).path("transport").path("transporterCode").asText()).isEqualTo("TNT");
        assertThat(BolContract.violations(write("POST", "/retailer/shipments", V10, body))).isEmpty();
    }

    static Stream<Path> goldenWrites() throws IOException {
        return goldenCases("(shipment|cancellation)-.*\\.expected\\.json");
    }

    /** The Bol golden cases' expected files whose names match. */
    private static Stream<Path> goldenCases(String names) throws IOException {
        try (Stream<Path> files = Files.list(BOL_CASES)) {
            return files.filter(f -> f.getFileName().toString().matches(names)).sorted().toList().stream();
        }
    }

    /** Every body the shipment and cancellation golden cases expect is one Bol accepts. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("goldenWrites")
    void everyGoldenShipmentAndCancellationBodyConforms(Path expected) throws IOException {
        JsonNode document = JSON.readTree(expected.toFile());
        boolean shipment = expected.getFileName().toString().startsWith("shipment-");
        List<JsonNode> bodies = document.isArray() ? toList(document) : List.of(document);
        for (JsonNode body : bodies) {
            ChannelStub.Request request = shipment
                    ? write("POST", "/retailer/shipments", V10, body.toString())
                    : write("PUT", "/retailer/orders/cancellation", V10, body.toString());
            assertThat(BolContract.violations(request)).as("%s %s", expected, body).isEmpty();
        }
    }

    static Stream<Path> goldenProducts() throws IOException {
        return goldenCases("product-.*\\.expected\\.json");
    }

    /**
     * Every offer and every product content the product golden cases expect is one Bol accepts: a new offer (v11),
     * an offer update (v11), and the content (v10); the content's values with a unit and without one.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("goldenProducts")
    void everyGoldenOfferAndContentConforms(Path expected) throws IOException {
        JsonNode document = JSON.readTree(expected.toFile());
        String offer = "/retailer/offers/9b4ce5a0-7f3c-4bd0-8b0c-2d1f0a6a1f11";
        if (expected.getFileName().toString().startsWith("product-update-")) {
            assertThat(BolContract.violations(write("PATCH", offer, V11, document.toString()))).isEmpty();
            return;
        }
        assertThat(BolContract.violations(write("POST", "/retailer/offers", V11, document.path("offer").toString())))
                .isEmpty();
        if (document.has("content")) {
            assertThat(BolContract.violations(write("POST", "/retailer/content/products", V10,
                    document.path("content").toString()))).isEmpty();
        }
    }

    /** Bol links content to its product by the EAN attribute, and takes it in four languages only. */
    @Test
    void productContentWithoutAttributesOrInAnotherLanguageFails() {
        String content = "{\"language\":\"nl\",\"attributes\":[{\"id\":\"EAN\",\"values\":[{\"value\":\"8712345678906\"}]}]}";

        assertThat(BolContract.violations(write("POST", "/retailer/content/products", V10, content))).isEmpty();
        assertThat(BolContract.violations(write("POST", "/retailer/content/products", V10,
                content.replace("\"nl\"", "\"en\"")))).isNotEmpty();
        assertThat(BolContract.violations(write("POST", "/retailer/content/products", V10,
                "{\"language\":\"nl\",\"attributes\":[]}"))).isNotEmpty();
        assertThat(BolContract.violations(write("POST", "/retailer/content/products", V10,
                content.replace("\"value\":\"8712345678906\"", "\"value\":\"\"")))).isNotEmpty();
        assertThat(BolContract.violations(write("POST", "/retailer/content/products", V11, content))).isNotEmpty();
    }

    @Test
    void aShipmentWithAnIncompleteTransportFails() {
        String noTransporter = SHIPMENT.replace("\"transporterCode\":\"TNT\",", "");

        assertThat(BolContract.violations(write("POST", "/retailer/shipments", V10, noTransporter))).isNotEmpty();
    }

    /**
     * The spec makes transport optional (nullable, not required): a shipment may name a purchased shipping label
     * (shippingLabelId) instead. Only an incomplete transport breaks the contract, not a missing one.
     */
    @Test
    void aShipmentWithoutTransportIsOneTheSpecAllows() {
        String noTransport = "{\"orderItems\":[{\"orderItemId\":\"6107989317\"}],\"shipmentReference\":\"bol-nl/123\"}";

        assertThat(BolContract.violations(write("POST", "/retailer/shipments", V10, noTransport))).isEmpty();
    }

    @Test
    void aShipmentWithoutItemsFails() {
        String noItems = SHIPMENT.replace("{\"orderItemId\":\"6107989317\",\"quantity\":1}", "");

        assertThat(BolContract.violations(write("POST", "/retailer/shipments", V10, noItems))).isNotEmpty();
    }

    @Test
    void aShipmentWithTheWrongMediaTypeFails() {
        ChannelStub.Request plainJson = write("POST", "/retailer/shipments", "application/json", SHIPMENT);
        ChannelStub.Request acceptsPlainJson = new ChannelStub.Request("POST", "/retailer/shipments",
                Map.of("content-type", V10, "accept", "application/json", "authorization", "Bearer x"), SHIPMENT, 0);
        ChannelStub.Request v11 = write("POST", "/retailer/shipments", V11, SHIPMENT);

        assertThat(BolContract.violations(plainJson)).isNotEmpty();
        assertThat(BolContract.violations(acceptsPlainJson)).isNotEmpty();
        assertThat(BolContract.violations(v11)).isNotEmpty();
    }

    @Test
    void aRequestWithoutItsMediaTypeOrTokenFails() {
        ChannelStub.Request noContentType = new ChannelStub.Request("POST", "/retailer/shipments",
                Map.of("accept", V10, "authorization", "Bearer x"), SHIPMENT, 0);
        ChannelStub.Request noAccept = new ChannelStub.Request("GET", "/retailer/orders",
                Map.of("authorization", "Bearer x"), "", 0);
        ChannelStub.Request noToken = new ChannelStub.Request("GET", "/retailer/orders", Map.of("accept", V10), "", 0);

        assertThat(BolContract.violations(noContentType)).singleElement().asString().contains("Content-Type");
        assertThat(BolContract.violations(noAccept)).singleElement().asString().contains("Accept");
        assertThat(BolContract.violations(noToken)).singleElement().asString().contains("bearer token");
    }

    @Test
    void aCancellationTakesOneOrderItemAndAReasonCodeFromTheSpec() {
        String one = "{\"orderItems\":[{\"orderItemId\":\"6107989317\",\"reasonCode\":\"OUT_OF_STOCK\"}]}";
        String two = "{\"orderItems\":[{\"orderItemId\":\"6107989317\",\"reasonCode\":\"OUT_OF_STOCK\"},"
                + "{\"orderItemId\":\"6107989318\",\"reasonCode\":\"OUT_OF_STOCK\"}]}";
        String unknownReason = one.replace("OUT_OF_STOCK", "SOLD_OUT");

        assertThat(BolContract.violations(write("PUT", "/retailer/orders/cancellation", V10, one))).isEmpty();
        assertThat(BolContract.violations(write("PUT", "/retailer/orders/cancellation", V10, two))).isNotEmpty();
        assertThat(BolContract.violations(write("PUT", "/retailer/orders/cancellation", V10, unknownReason)))
                .isNotEmpty();
    }

    @Test
    void theOrdersPollConformsWithTheQueryParametersTheSpecDefines() {
        assertThat(BolContract.violations(get("/retailer/orders?change-interval-minute=5&status=ALL", V10))).isEmpty();
        assertThat(BolContract.violations(
                get("/retailer/orders?fulfilment-method=FBR&status=OPEN&latest-change-date=2026-11-20&page=2", V10)))
                .isEmpty();
        assertThat(BolContract.violations(get("/retailer/orders/A2K8290LP8", V10))).isEmpty();

        assertThat(BolContract.violations(get("/retailer/orders?change-interval-minute=61", V10))).isNotEmpty();
        assertThat(BolContract.violations(get("/retailer/orders?status=CLOSED", V10))).isNotEmpty();
        assertThat(BolContract.violations(get("/retailer/orders?page=0", V10))).isNotEmpty();
        assertThat(BolContract.violations(get("/retailer/orders?change-interval-minutes=5", V10))).isNotEmpty();
        assertThat(BolContract.violations(get("/retailer/orders?status=ALL", "application/json"))).isNotEmpty();
    }

    @Test
    void theProcessStatusComesFromTheSharedSpec() {
        assertThat(BolContract.violations(get("/shared/process-status/019bbcbc-1a21-77c9-9de6-0726d1379c91", V10)))
                .isEmpty();
        assertThat(BolContract.violations(get("/shared/process-status/019bbcbc-1a21-77c9-9de6-0726d1379c91",
                "application/json"))).isNotEmpty();
    }

    @Test
    void theOffersV11PatchIsStillChecked() {
        String offer = "/retailer/offers/9b4ce5a0-7f3c-4bd0-8b0c-2d1f0a6a1f11";
        String stock = "{\"stock\":{\"amount\":1,\"managedByRetailer\":true}}";

        assertThat(BolContract.violations(write("PATCH", offer, V11, stock))).isEmpty();
        assertThat(BolContract.violations(write("PATCH", offer, V10, stock))).isNotEmpty();
        assertThat(BolContract.violations(write("PATCH", offer, V11, "{\"stock\":{\"amount\":\"many\"}}")))
                .isNotEmpty();
    }

    /** The v11 schema lets any field through unless the check refuses what the schema does not define. */
    @Test
    void anOfferUpdateWithAFieldBolDoesNotKnowFails() {
        String offer = "/retailer/offers/9b4ce5a0-7f3c-4bd0-8b0c-2d1f0a6a1f11";

        assertThat(BolContract.violations(write("PATCH", offer, V11,
                "{\"stock\":{\"amount\":1,\"managedByRetailer\":true,\"quantity\":1}}")))
                .singleElement().asString().contains("additionalProperties").contains("quantity");
        assertThat(BolContract.violations(write("PATCH", offer, V11,
                "{\"stock\":{\"amount\":1,\"managedByRetailer\":true},\"onHold\":false}")))
                .singleElement().asString().contains("additionalProperties").contains("onHold");
    }

    /**
     * PatchOfferRequest marks nothing required; the overlay beside the spec (bol-v11-offers.overlay.json) adds what
     * Bol documents for a stock update: amount and managedByRetailer, both.
     */
    @Test
    void aStockUpdateWithoutAFieldBolNeedsFails() {
        String offer = "/retailer/offers/9b4ce5a0-7f3c-4bd0-8b0c-2d1f0a6a1f11";

        assertThat(BolContract.violations(write("PATCH", offer, V11, "{\"stock\":{\"amount\":1}}")))
                .singleElement().asString().contains("required").contains("managedByRetailer");
        assertThat(BolContract.violations(write("PATCH", offer, V11, "{\"stock\":{\"managedByRetailer\":true}}")))
                .singleElement().asString().contains("required").contains("amount");
        assertThat(BolContract.violations(write("PATCH", offer, V11, "{\"onHoldByRetailer\":true}")))
                .as("an update without stock").isEmpty();
    }

    @Test
    void anOverlayWhoseTargetIsGoneFailsLoudly() throws IOException {
        JsonNode spec = JSON.readTree("{\"components\":{\"schemas\":{\"UpdateStock\":{\"type\":\"object\"}}}}");
        JsonNode overlay = JSON.readTree(
                "{\"actions\":[{\"target\":\"$.components.schemas.Stock\",\"update\":{\"required\":[\"amount\"]}}]}");

        assertThatThrownBy(() -> BolContract.applyOverlay(spec, overlay, Path.of("test.overlay.json")))
                .hasMessageContaining("$.components.schemas.Stock matches nothing");
        assertThat(BolContract.applyOverlay(spec, JSON.readTree(overlay.toString().replace("Stock", "UpdateStock")),
                Path.of("test.overlay.json")).at("/components/schemas/UpdateStock/required/0").asText())
                .isEqualTo("amount");
    }

    /** What {@link BolFake} answers is checked with this: an answer that breaks the spec is caught. */
    @Test
    void anAnswerThatBreaksTheSpecFails() {
        ChannelStub.Request list = get("/retailer/orders?status=ALL", V10);
        ChannelStub.Request process = get("/shared/process-status/1", V10);
        String item = "{\"orderItemId\":\"6107989317\",\"ean\":\"8718846038683\",\"fulfilmentMethod\":\"FBR\","
                + "\"fulfilmentStatus\":\"OPEN\",\"quantity\":1,\"quantityShipped\":0,\"quantityCancelled\":0,"
                + "\"cancellationRequest\":false,\"latestChangedDateTime\":\"2026-11-23T10:15:00+01:00\"}";
        String orders = "{\"orders\":[{\"orderId\":\"A2K8290LP8\",\"orderPlacedDateTime\":\"2026-11-23T10:15:00+01:00\","
                + "\"orderItems\":[" + item + "]}]}";
        String status = "{\"processStatusId\":\"1\",\"eventType\":\"CONFIRM_SHIPMENT\",\"description\":\"x\","
                + "\"status\":\"PENDING\",\"createTimestamp\":\"2026-11-23T10:20:00+01:00\",\"links\":[]}";

        assertThat(BolContract.responseViolations(list, answer(200, orders))).isEmpty();
        assertThat(BolContract.responseViolations(process, answer(200, status))).isEmpty();
        assertThat(BolContract.responseViolations(list, answer(429, "")).isEmpty()).as("rate limited").isTrue();

        assertThat(BolContract.responseViolations(list, answer(200, orders.replace("\"ean\":\"8718846038683\",", ""))))
                .singleElement().asString().contains("required").contains("ean");
        assertThat(BolContract.responseViolations(list, answer(200, "{ }")))
                .singleElement().asString().contains("required").contains("orders");
        assertThat(BolContract.responseViolations(list, answer(200, orders.replace("\"orderId\"", "\"id\""))))
                .anySatisfy(v -> assertThat(v).contains("additionalProperties").contains("id"));
        assertThat(BolContract.responseViolations(process, answer(200, status.replace("PENDING", "DONE"))))
                .singleElement().asString().contains("enum");
        assertThat(BolContract.responseViolations(process, answer(500, "{}")))
                .singleElement().asString().contains("status.unknown");
        assertThat(BolContract.responseViolations(process, new ChannelStub.Reply(200,
                Map.of("Content-Type", "application/json"), status))).singleElement().asString().contains("contentType");
    }

    private static ChannelStub.Reply answer(int status, String body) {
        return new ChannelStub.Reply(status, Map.of("Content-Type", V10), body);
    }

    @Test
    void aRequestNoBolSpecDeclaresIsAViolation() {
        assertThat(BolContract.violations(write("POST", "/retailer/orders/A2K8290LP8/ship", V10, SHIPMENT)))
                .singleElement().asString().startsWith("no Bol spec declares POST /retailer/orders/A2K8290LP8/ship");
        assertThat(BolContract.violations(get("/shared/nothing-here", V10))).isNotEmpty();
    }

    private static List<JsonNode> toList(JsonNode array) {
        return Stream.iterate(0, i -> i < array.size(), i -> i + 1).map(array::get).toList();
    }

    private static ChannelStub.Request write(String method, String path, String mediaType, String body) {
        return new ChannelStub.Request(method, path,
                Map.of("content-type", mediaType, "accept", mediaType, "authorization", "Bearer x"), body, 0);
    }

    private static ChannelStub.Request get(String pathAndQuery, String accept) {
        return new ChannelStub.Request("GET", pathAndQuery, Map.of("accept", accept, "authorization", "Bearer x"), "", 0);
    }
}
