package io.kanaal.channel.bol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kanaal.channel.ChannelException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Bol.com's asynchronous writes (Retailer API v10): a shipment or cancellation is answered 202 with a
 * ProcessStatus whose {@code processStatusId} Kanaal follows ({@code GET /shared/process-status/{id}}) until
 * it is SUCCESS, FAILURE or TIMEOUT. Each accepted request is recorded (table channel_process), so that a
 * retried fulfilment attempt follows the process it already started instead of sending the request again.
 */
@Component("bolProcessStatus")
public class BolProcessStatus {

    private final JdbcTemplate jdbc;
    private final ObjectMapper json;

    public BolProcessStatus(JdbcTemplate jdbc, ObjectMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /** The key of one request for one fulfilment: the same request body for the same order gives the same key. */
    public String key(Map<String, Object> fulfilment, String request) {
        String text = fulfilment.get("kind") + "\n" + fulfilment.get("orderRef") + "\n" + request;
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The process-status id Bol gave when it accepted this request before; null when it has not yet. */
    public String accepted(String channel, String key) {
        return jdbc.query("SELECT process_status_id FROM channel_process WHERE channel = ? AND request_key = ?",
                (rs, i) -> rs.getString(1), channel, key).stream().findFirst().orElse(null);
    }

    /** Records that Bol accepted the request (its 202 answer, a ProcessStatus); returns the process-status id. */
    public String accept(String channel, String key, String answer) {
        String id = id(answer);
        if (id == null) {
            throw ChannelException.rejected("channel " + channel + " accepted the request without a process-status id: "
                    + answer);
        }
        jdbc.update("""
                INSERT INTO channel_process (channel, request_key, process_status_id) VALUES (?, ?, ?)
                ON CONFLICT (channel, request_key) DO NOTHING
                """, channel, key, id);
        return id;
    }

    /** The message that follows a process: {@code {processStatusId, request, fulfilment}}. */
    public String follow(String processStatusId, String request, Map<String, Object> fulfilment)
            throws JsonProcessingException {
        ObjectNode message = json.createObjectNode();
        message.put("processStatusId", processStatusId);
        message.set("request", json.readTree(request));
        message.set("fulfilment", json.valueToTree(fulfilment));
        return json.writeValueAsString(message);
    }

    /** The processStatusId of a ProcessStatus; null when it has none. */
    private String id(String document) {
        try {
            JsonNode id = json.readTree(document == null || document.isBlank() ? "{}" : document).path("processStatusId");
            return id.isTextual() && !id.asText().isBlank() ? id.asText() : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    /**
     * Reads a process status: SUCCESS passes; PENDING is retried later (backoff); FAILURE and TIMEOUT are
     * refused with Bol's errorMessage: the request will not be carried out.
     */
    public void check(String channel, String processStatusId, String answer) throws JsonProcessingException {
        JsonNode status = json.readTree(answer == null || answer.isBlank() ? "{}" : answer);
        String state = status.path("status").asText("");
        String about = "Bol process " + processStatusId + " (" + status.path("eventType").asText("?") + ") on channel "
                + channel + " is " + (state.isEmpty() ? "without status" : state);
        switch (state) {
            case "SUCCESS" -> {
            }
            case "PENDING" -> throw ChannelException.unavailable(about + ": not done yet");
            case "FAILURE", "TIMEOUT" -> throw ChannelException.rejected(about + ": "
                    + status.path("errorMessage").asText(status.path("description").asText("no reason given")));
            default -> throw ChannelException.unavailable(about + ": " + answer);
        }
    }
}
