package io.kanaal.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.Variable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * A source's polls: where each starts (its watermark, in {@code source_state}), what the intake took and refused
 * (the pages themselves: {@link SourcePages}), and where the next poll starts. The watermark moves only when a whole poll went through: a poll that fails leaves it, and the
 * source backs off (setting {@code backoff} in ms, 10 s by default, doubling, at most 15 minutes) before it is polled again.
 */
@Component("sourcePolls")
public class SourcePolls {

    private static final Logger LOG = LoggerFactory.getLogger(SourcePolls.class);
    private static final Duration FIRST_BACKOFF = Duration.ofSeconds(10);
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(15);

    private final JdbcTemplate jdbc;
    private final ObjectMapper json;
    private final SourcesProperties sources;
    private final SourceRoutes routes;

    public SourcePolls(JdbcTemplate jdbc, ObjectMapper json, SourcesProperties sources, SourceRoutes routes) {
        this.jdbc = jdbc;
        this.json = json;
        this.sources = sources;
        this.routes = routes;
    }

    /**
     * Starts a poll: variables {@code since} (the watermark; null before the first poll), {@code watermark} (where
     * the next starts, so far), the paging ({@code page} 1, {@code offset} 0, no {@code cursor} or {@code nextUrl}),
     * {@code morePages}, and {@code sourceSkipped} while it backs off.
     */
    public void begin(Exchange exchange, String source) {
        polled(jdbc, source);
        Map<String, Object> state = jdbc.queryForMap(
                "SELECT watermark, next_attempt_at, watermark_keys FROM source_state WHERE source = ?", source);
        java.sql.Timestamp next = (java.sql.Timestamp) state.get("next_attempt_at");
        exchange.setVariable("sourceSkipped", next != null && next.toInstant().isAfter(Instant.now()));
        exchange.setVariable("since", state.get("watermark"));
        exchange.setVariable("watermark", state.get("watermark"));
        List<String> keys = keys(state.get("watermark_keys"));
        exchange.setVariable("seenKeys", keys);
        exchange.setVariable("watermarkKeys", new ArrayList<>(keys));
        exchange.setVariable("source", source);
        exchange.setVariable("provides", sources.sources().get(source).settings().get("provides"));
        exchange.setVariable("page", 1);
        exchange.setVariable("offset", 0);
        exchange.setVariable("cursor", null);
        exchange.setVariable("nextUrl", null);
        exchange.setVariable("morePages", true);
        exchange.setVariable("taken", 0);
        exchange.setVariable("rejected", 0);
    }

    /** The source's state row (made on its first poll) records that it is polled now. */
    static void polled(JdbcTemplate jdbc, String source) {
        jdbc.update("""
                INSERT INTO source_state (source, last_poll_at) VALUES (?, now())
                ON CONFLICT (source) DO UPDATE SET last_poll_at = excluded.last_poll_at
                """, source);
    }

    /**
     * The intake's report of a page (the body): the counts, and the records it refused as variable
     * {@code refusedRecords} (each the source's record with the reasons), for the source's dead-letter queue.
     */
    public void taken(Exchange exchange, @Body String report, @Variable("records") List<String> records) throws IOException {
        JsonNode answer = json.readTree(report);
        if (answer.path("status").isInt() && answer.path("status").asInt() >= 400) {
            throw new IllegalStateException("the intake refused the page: " + answer);
        }
        List<Map<String, String>> refused = new ArrayList<>();
        for (JsonNode item : answer.path("items")) {
            if ("rejected".equals(item.path("status").asText())) {
                Map<String, String> letter = new LinkedHashMap<>();
                letter.put("record", records.get(item.path("index").asInt()));
                letter.put("reason", item.path("errors").toString());
                refused.add(letter);
            }
        }
        exchange.setVariable("refusedRecords", refused);
        exchange.setVariable("taken", exchange.getVariable("taken", Integer.class) + answer.path("accepted").asInt());
        exchange.setVariable("rejected", exchange.getVariable("rejected", Integer.class) + refused.size());
    }

    /** The poll went through: the watermark moves on, the failures end. */
    public void end(Exchange exchange, String source) {
        List<?> keys = exchange.getVariable("watermarkKeys", List.class);
        jdbc.update("""
                UPDATE source_state SET watermark = ?, watermark_keys = ?::text[], last_success_at = now(), failures = 0,
                    next_attempt_at = NULL, last_error = NULL, taken = taken + ?, rejected = rejected + ? WHERE source = ?
                """, exchange.getVariable("watermark", String.class),
                keys == null ? new String[0] : keys.stream().map(String::valueOf).toArray(String[]::new),
                exchange.getVariable("taken", Integer.class), exchange.getVariable("rejected", Integer.class), source);
    }

    private static List<String> keys(Object array) {
        try {
            return array instanceof java.sql.Array sql ? List.of((String[]) sql.getArray()) : List.of();
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The poll failed: the watermark stays, and the source backs off before its next poll. */
    public void failed(Exchange exchange, String source) {
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        Integer failures = jdbc.queryForObject("UPDATE source_state SET failures = failures + 1 WHERE source = ? RETURNING failures",
                Integer.class, source);
        String first = sources.sources().get(source).settings().get("backoff");
        Duration backoff = (first == null ? FIRST_BACKOFF : Duration.ofMillis(Long.parseLong(first.strip())))
                .multipliedBy(1L << Math.min(20, failures - 1));
        backoff = backoff.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff;
        String reason = failure == null ? "unknown" : failure.getClass().getSimpleName() + ": " + failure.getMessage();
        jdbc.update("UPDATE source_state SET next_attempt_at = ?, last_error = ? WHERE source = ?",
                java.sql.Timestamp.from(Instant.now().plus(backoff)), reason, source);
        LOG.warn("Source {}: poll failed ({} in a row), next attempt in {}: {}", source, failures, backoff, reason);
    }

    /**
     * For ops: per configured source, its type, watermark (of a file source: the last file read), last poll and
     * success, failures, records taken and rejected, files read and refused.
     */
    public List<Map<String, Object>> status() {
        List<Map<String, Object>> status = new ArrayList<>();
        sources.sources().forEach((id, source) -> {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("source", id);
            entry.put("type", source.type());
            entry.put("enabled", source.enabled());
            // as it took effect: a file source without the setting looks into its folder on its type's default
            String pollCron = routes.parameter(id, "pollCron");
            entry.put("pollCron", pollCron != null ? pollCron : source.settings().get("poll-cron"));
            jdbc.query("SELECT * FROM source_state WHERE source = ?", row -> {
                entry.put("watermark", row.getString("watermark"));
                entry.put("lastPollAt", instant(row.getTimestamp("last_poll_at")));
                entry.put("lastSuccessAt", instant(row.getTimestamp("last_success_at")));
                entry.put("failures", row.getInt("failures"));
                entry.put("nextAttemptAt", instant(row.getTimestamp("next_attempt_at")));
                entry.put("lastError", row.getString("last_error"));
                entry.put("taken", row.getLong("taken"));
                entry.put("rejected", row.getLong("rejected"));
                // sources of type file: the files read, and those that could not be (in their error folder)
                entry.put("files", row.getLong("files"));
                entry.put("filesRefused", row.getLong("files_refused"));
            }, id);
            status.add(entry);
        });
        return status;
    }

    private static String instant(java.sql.Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant().toString();
    }
}
