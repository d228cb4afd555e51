package io.kanaal.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kanaal.mapping.Mappings;
import java.io.IOException;
import java.nio.charset.Charset;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
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
 * The files of sources of type file ({@code routes/sources/file.camel.yaml}): a file read into rows
 * ({@link FileRows}), each row mapped by the source's mapping into a record of Kanaal's intake, in batches; the
 * rows refused (a bad line, a mapping that fails, a record the intake refuses) collected for the file's report,
 * with their line numbers; the report; and the source's counts for ops ({@code source_state}).
 *
 * <p>What a mapping reads, per row: {@code {"file": {"name", "modified"}, "line", "row": {...}}}, {@code row} the
 * CSV line or XLSX row by column name (text) or the JSON record as written. A refused row goes to the source's
 * dead-letter queue as that document, with the reason.
 */
@Component("sourceFiles")
public class SourceFiles {

    private static final Logger LOG = LoggerFactory.getLogger(SourceFiles.class);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS").withZone(ZoneOffset.UTC);

    private final JdbcTemplate jdbc;
    private final ObjectMapper json;
    private final Mappings mappings;

    public SourceFiles(JdbcTemplate jdbc, ObjectMapper json, Mappings mappings) {
        this.jdbc = jdbc;
        this.json = json;
        this.mappings = mappings;
    }

    /**
     * A file arrived: variables {@code fileName}, {@code fileModified} (ISO-8601, UTC), {@code fileStamp} (when it
     * was read, the prefix of its name in the done or error folder), {@code fileFolder} ({@code done} until it turns
     * out unreadable), the counts, and the report's refused rows ({@code fileRefused}).
     */
    public void begin(Exchange exchange, String source, String done, String fileName, Long lastModified) {
        SourcePolls.polled(jdbc, source);
        Instant now = Instant.now();
        exchange.setVariable("source", source);
        exchange.setVariable("fileName", fileName);
        exchange.setVariable("fileModified", Instant.ofEpochMilli(lastModified == null ? now.toEpochMilli() : lastModified).toString());
        exchange.setVariable("fileStamp", STAMP.format(now));
        exchange.setVariable("fileFolder", done);
        exchange.setVariable("fileError", null);
        exchange.setVariable("rows", List.of());
        exchange.setVariable("next", 0);
        exchange.setVariable("moreRows", false);
        exchange.setVariable("taken", 0);
        exchange.setVariable("rejected", 0);
        exchange.setVariable("fileRefused", new ArrayList<Map<String, Object>>());
    }

    /** The file (the body) read into variable {@code rows}; {@link FileRows.UnreadableFileException} when it cannot be. */
    public void read(Exchange exchange, @Body byte[] content, @Variable("fileName") String fileName, String format, String delimiter,
            String columns, String charset, String sheet, String recordsField) {
        String kind = FileRows.format(format, fileName);
        List<String> names = columns == null || columns.isBlank() ? List.of()
                : Arrays.stream(columns.split(",")).map(String::strip).toList();
        List<FileRows.Row> rows = FileRows.read(content, new FileRows.Options(kind, delimiter(delimiter), names,
                Charset.forName(charset), sheet, recordsField));
        exchange.setVariable("fileFormat", kind);
        exchange.setVariable("rows", rows);
        exchange.setVariable("moreRows", !rows.isEmpty());
        exchange.getIn().setBody(null);
    }

    /**
     * The next {@code batchSize} rows, each mapped by {@code mapping}: the body a batch for the intake
     * ({@code {"items": [...]}}; empty when none of them could be mapped), variable {@code records} the rows of its
     * items (for the intake's refusals), variable {@code refusedLines} the rows refused here (a bad line, a mapping
     * that failed or gave nothing).
     */
    public void batch(Exchange exchange, @Variable("rows") List<FileRows.Row> rows, @Variable("next") int next, String mapping,
            int batchSize) throws IOException {
        ObjectNode file = json.createObjectNode().put("name", exchange.getVariable("fileName", String.class))
                .put("modified", exchange.getVariable("fileModified", String.class));
        ArrayNode items = json.createArrayNode();
        List<String> records = new ArrayList<>();
        List<Map<String, String>> refused = new ArrayList<>();
        int end = Math.min(rows.size(), next + batchSize);
        for (FileRows.Row row : rows.subList(next, end)) {
            ObjectNode input = json.createObjectNode();
            input.set("file", file);
            input.put("line", row.line());
            input.set("row", row.values());
            String record = json.writeValueAsString(input);
            String problem = row.problem();
            if (problem == null) {
                try {
                    JsonNode item = json.readTree(mappings.apply(mapping, record));
                    if (item != null && item.isObject()) {
                        items.add(item);
                        records.add(record);
                        continue;
                    }
                    problem = "the mapping gave no record";
                } catch (Exception e) {
                    problem = "the mapping failed: " + e.getMessage();
                }
            }
            refused.add(Map.of("record", record, "reason", problem));
        }
        exchange.setVariable("next", end);
        exchange.setVariable("moreRows", end < rows.size());
        exchange.setVariable("records", records);
        exchange.setVariable("refusedLines", refused);
        exchange.setVariable("refusedRecords", List.of());
        ObjectNode batch = json.createObjectNode();
        batch.set("items", items);
        exchange.getIn().setBody(items.isEmpty() ? "" : json.writeValueAsString(batch));
    }

    /**
     * The batch's refused rows: those refused here and those the intake refused ({@code refusedRecords}, already
     * counted), into the file's report; variable {@code refusedRecords} becomes all of them, for the dead letters.
     */
    public void refused(Exchange exchange, @Variable("refusedLines") List<Map<String, String>> refusedHere,
            @Variable("refusedRecords") List<Map<String, String>> refusedByIntake) throws IOException {
        List<Map<String, String>> all = new ArrayList<>(refusedHere);
        all.addAll(refusedByIntake);
        List<Map<String, Object>> report = exchange.getVariable("fileRefused", List.class);
        for (Map<String, String> letter : all) {
            JsonNode record = json.readTree(letter.get("record"));
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("line", record.path("line").asInt());
            line.put("reason", letter.get("reason"));
            line.put("row", record.path("row"));
            report.add(line);
        }
        exchange.setVariable("fileRefused", report);
        exchange.setVariable("rejected", exchange.getVariable("rejected", Integer.class) + refusedHere.size());
        exchange.setVariable("refusedRecords", all);
    }

    /** The file cannot be read: it goes to the {@code error} folder, its report says why. */
    public void unreadable(Exchange exchange, String error) {
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        exchange.setVariable("fileFolder", error);
        exchange.setVariable("fileError", failure == null ? "unknown" : failure.getMessage());
        LOG.warn("Source {}: file {} cannot be read, moved to {}: {}", exchange.getVariable("source"),
                exchange.getVariable("fileName"), error, exchange.getVariable("fileError"));
    }

    /**
     * The file's report as the body ({@code <stamp>-<name>.report.json} in its done or error folder, header
     * {@code CamelFileName}): the file, when it was read, its rows, how many were taken and refused, each refused
     * row with its line and reason, and for an unreadable file why.
     */
    public void report(Exchange exchange) throws IOException {
        String name = exchange.getVariable("fileName", String.class);
        ObjectNode report = json.createObjectNode();
        report.put("source", exchange.getVariable("source", String.class));
        report.put("file", name);
        report.put("format", exchange.getVariable("fileFormat", String.class));
        report.put("readAt", Instant.now().toString());
        report.put("movedTo", exchange.getVariable("fileFolder", String.class));
        report.put("error", exchange.getVariable("fileError", String.class));
        report.put("rows", exchange.getVariable("rows", List.class).size());
        report.put("taken", exchange.getVariable("taken", Integer.class));
        report.put("refused", exchange.getVariable("rejected", Integer.class));
        List<Map<String, Object>> refused = new ArrayList<>(exchange.getVariable("fileRefused", List.class));
        refused.sort(Comparator.comparingInt(line -> (Integer) line.get("line")));
        report.set("refusedRows", json.valueToTree(refused));
        exchange.getIn().removeHeaders("*");
        exchange.getIn().setHeader(Exchange.FILE_NAME, exchange.getVariable("fileFolder") + "/"
                + exchange.getVariable("fileStamp") + "-" + name + ".report.json");
        exchange.getIn().setBody(json.writerWithDefaultPrettyPrinter().writeValueAsString(report));
    }

    /** The file went through (to done, or to error when unreadable): the counts for ops. */
    public void end(String source, @Variable("fileName") String fileName, @Variable("fileError") String error,
            @Variable("taken") int taken, @Variable("rejected") int rejected) {
        jdbc.update("""
                UPDATE source_state SET watermark = ?, last_success_at = now(), failures = 0, next_attempt_at = NULL,
                    last_error = ?, taken = taken + ?, rejected = rejected + ?, files = files + ?, files_refused = files_refused + ?
                WHERE source = ?
                """, fileName, error == null ? null : fileName + ": " + error, taken, rejected, error == null ? 1 : 0,
                error == null ? 0 : 1, source);
    }

    /**
     * The file could not be taken in (the intake could not queue a batch): the failure is recorded and the file's
     * exchange fails, so the file stays where it is and is read again at the next poll; what was taken already is
     * dropped then by the intake as the same version.
     */
    public void failed(Exchange exchange, String source) throws Exception {
        Exception failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        String reason = failure == null ? "unknown" : failure.getClass().getSimpleName() + ": " + failure.getMessage();
        jdbc.update("UPDATE source_state SET failures = failures + 1, last_error = ? WHERE source = ?",
                exchange.getVariable("fileName") + ": " + reason, source);
        LOG.warn("Source {}: file {} not taken in, read again at the next poll: {}", source, exchange.getVariable("fileName"), reason);
        throw failure == null ? new IllegalStateException("the file could not be taken in") : failure;
    }

    private static char delimiter(String setting) {
        if (setting == null || setting.isEmpty()) {
            return ',';
        }
        return "tab".equalsIgnoreCase(setting) || "\\t".equals(setting) ? '\t' : setting.charAt(0);
    }
}
