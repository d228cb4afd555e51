package io.kanaal.channel.bol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kanaal.channel.ChannelException;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Variable;
import org.springframework.stereotype.Component;

/**
 * Product content on Bol.com (Retailer API v10): the content goes out with {@code POST /retailer/content/products}
 * and Bol answers 202 with a process status. When that process has succeeded, its {@code entityId} is the upload
 * id, and the upload report ({@code GET /retailer/content/upload-report/{upload-id}}) says per attribute and per
 * asset whether Bol published or declined it. What Bol declined the route records as the channel's refusal of
 * the product version (ops see it with the other rejects); a corrected product goes out again by itself.
 */
@Component("bolContent")
public class BolContent {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The body of bol/product.jsonata ({@code {"offer": ..., "content": ...}}) taken apart: the body becomes the
     * offer, variable {@code content} the content (null when the mapping gave none).
     */
    public void separate(Exchange exchange) throws IOException {
        JsonNode mapped = JSON.readTree(exchange.getIn().getBody(String.class));
        JsonNode content = mapped.path("content");
        exchange.setVariable("content", content.isObject() ? content.toString() : null);
        exchange.getIn().setBody(mapped.path("offer").toString());
    }

    /** The message that follows one content upload: {@code {processStatusId, sku, productVersion}}. */
    public String follow(String accepted, @Variable("sku") String sku, @Variable("productVersion") long version)
            throws IOException {
        JsonNode id = JSON.readTree(accepted == null || accepted.isBlank() ? "{}" : accepted).path("processStatusId");
        if (!id.isTextual() || id.asText().isBlank()) {
            throw ChannelException.rejected("Bol accepted the content of SKU '" + sku
                    + "' without a process-status id: " + accepted);
        }
        ObjectNode message = JSON.createObjectNode();
        message.put("processStatusId", id.asText());
        message.put("sku", sku);
        message.put("productVersion", version);
        return message.toString();
    }

    /** The upload id of a process status that succeeded (its entityId), URL-encoded for the report's path. */
    public String uploadId(String processStatus) throws IOException {
        JsonNode entityId = JSON.readTree(processStatus).path("entityId");
        if (!entityId.isTextual() || entityId.asText().isBlank()) {
            throw ChannelException.rejected("Bol's content process succeeded without an upload id: " + processStatus);
        }
        return URLEncoder.encode(entityId.asText(), StandardCharsets.UTF_8).replace("+", "%20");
    }

    /**
     * Reads an upload report: while it is IN_PROGRESS it is asked again later (backoff); when it is complete, the
     * attributes and assets Bol declined, each as a reject ({@code rule} channel, {@code field}, {@code message}).
     */
    public List<Map<String, String>> report(String answer, @Variable("channel") String channel, @Variable("sku") String sku)
            throws IOException {
        JsonNode report = JSON.readTree(answer == null || answer.isBlank() ? "{}" : answer);
        String status = report.path("status").asText("");
        if (!status.equals("COMPLETED")) {
            throw ChannelException.unavailable("Bol's upload report " + report.path("uploadId").asText("?")
                    + " of SKU '" + sku + "' on channel " + channel + " is " + (status.isEmpty() ? "without status" : status));
        }
        List<Map<String, String>> declined = new ArrayList<>();
        for (JsonNode attribute : report.path("attributes")) {
            declined(attribute, attribute.path("id").asText(), declined);
        }
        for (JsonNode asset : report.path("assets")) {
            declined(asset, "image " + asset.path("url").asText(), declined);
        }
        return declined;
    }

    private static void declined(JsonNode element, String field, List<Map<String, String>> declined) {
        if (element.path("status").asText().equals("DECLINED")) {
            String reason = element.path("subStatus").asText("DECLINED");
            String description = element.path("subStatusDescription").asText("");
            declined.add(Map.of("rule", "channel", "field", field,
                    "message", "Bol declined it: " + reason + (description.isEmpty() ? "" : " (" + description + ")")));
        }
    }
}
