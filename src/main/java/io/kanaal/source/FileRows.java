package io.kanaal.source;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.Charset;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.apache.poi.ss.usermodel.Cell;
import org.apache.poi.ss.usermodel.CellType;
import org.apache.poi.ss.usermodel.DataFormatter;
import org.apache.poi.ss.usermodel.DateUtil;
import org.apache.poi.ss.usermodel.Sheet;
import org.apache.poi.ss.usermodel.Workbook;
import org.apache.poi.xssf.usermodel.XSSFWorkbook;

/**
 * The rows of a file a source of type file reads: a CSV line, an XLSX row or a JSON record, each with the line
 * (CSV, JSON: where it starts in the file) or row number (XLSX, as the spreadsheet shows it) a report names it by.
 * CSV and XLSX rows are objects of text, by column name; JSON records are as written. A CSV line with more or fewer
 * fields than the header is a row with a {@code problem}, reported and not mapped. A file that cannot be read at
 * all (not CSV, not JSON, a corrupt workbook, an unknown format) is an {@link UnreadableFileException}.
 */
public final class FileRows {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One row: its line (or spreadsheet row) number, its values, and why it cannot be mapped (null when it can). */
    public record Row(int line, JsonNode values, String problem) {
    }

    /** How to read a file: its format, and for CSV the delimiter, the column names (empty: the first line's) and charset. */
    public record Options(String format, char delimiter, List<String> columns, Charset charset, String sheet, String recordsField) {
    }

    /** A file that cannot be read at all. */
    public static class UnreadableFileException extends RuntimeException {
        public UnreadableFileException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private FileRows() {
    }

    /** The format a file is in: the setting, or else its extension (csv, txt: csv; json; xlsx). */
    public static String format(String setting, String fileName) {
        if (setting != null && !setting.isBlank()) {
            return setting.strip().toLowerCase(Locale.ROOT);
        }
        String extension = fileName.substring(fileName.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
        return "txt".equals(extension) ? "csv" : extension;
    }

    public static List<Row> read(byte[] content, Options options) {
        try {
            return switch (options.format()) {
                case "csv" -> csv(new String(content, options.charset()), options);
                case "json" -> json(content, options.recordsField());
                case "xlsx" -> xlsx(content, options.sheet());
                default -> throw new UnreadableFileException("unknown format '" + options.format()
                        + "': csv, json or xlsx (setting format, or the file's extension)", null);
            };
        } catch (UnreadableFileException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // a parser's or POI's own exception (a quote left open, a corrupt or encrypted workbook)
            throw new UnreadableFileException("not " + options.format() + " that can be read: " + e.getMessage(), e);
        }
    }

    private static List<Row> csv(String text, Options options) throws IOException {
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        if (text.isBlank()) {
            throw new UnreadableFileException("the file is empty", null);
        }
        CSVFormat.Builder format = CSVFormat.RFC4180.builder().setDelimiter(options.delimiter()).setIgnoreEmptyLines(true)
                .setTrim(true);
        int[] lineStarts = lineStarts(text);
        List<Row> rows = new ArrayList<>();
        try (CSVParser parser = CSVParser.parse(text, format.get())) {
            List<String> columns = options.columns();
            for (CSVRecord record : parser) {
                int line = line(text, lineStarts, record.getCharacterPosition());
                if (columns.isEmpty()) {
                    columns = record.toList();
                    continue;
                }
                // a line with too many or too few fields: those with a column named as such, the rest by position
                ObjectNode values = JSON.createObjectNode();
                for (int i = 0; i < record.size(); i++) {
                    values.put(i < columns.size() ? columns.get(i) : Integer.toString(i + 1), record.get(i));
                }
                String problem = record.size() == columns.size() ? null
                        : "the line has " + record.size() + " fields, the header " + columns.size();
                rows.add(new Row(line, values, problem));
            }
        }
        return rows;
    }

    /** Where each line of the text starts, for the line number of a record's first character. */
    private static int[] lineStarts(String text) {
        int[] starts = new int[16];
        int count = 1;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                if (count == starts.length) {
                    starts = Arrays.copyOf(starts, count * 2);
                }
                starts[count++] = i + 1;
            }
        }
        return Arrays.copyOf(starts, count);
    }

    /** The line of a record's first character: its position is where the parser began, before the blank lines it skipped. */
    private static int line(String text, int[] lineStarts, long start) {
        int position = (int) start;
        while (position < text.length() - 1 && (text.charAt(position) == '\n' || text.charAt(position) == '\r')) {
            position++;
        }
        int found = Arrays.binarySearch(lineStarts, position);
        return (found >= 0 ? found : -found - 2) + 1;
    }

    /** A JSON array of records, or an object whose field {@code recordsField} is one; each record's line is where it starts. */
    private static List<Row> json(byte[] content, String recordsField) throws IOException {
        List<Row> rows = new ArrayList<>();
        try (JsonParser parser = JSON.createParser(content)) {
            JsonToken token = parser.nextToken();
            if (token == JsonToken.START_OBJECT && recordsField != null && !recordsField.isBlank()) {
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String field = parser.currentName();
                    token = parser.nextToken();
                    if (field.equals(recordsField)) {
                        break;
                    }
                    parser.skipChildren();
                }
            }
            if (token != JsonToken.START_ARRAY) {
                throw new UnreadableFileException("not a JSON list of records" + (recordsField == null || recordsField.isBlank()
                        ? "" : " (nor an object with one in '" + recordsField + "')"), null);
            }
            while (parser.nextToken() != JsonToken.END_ARRAY) {
                int line = parser.currentTokenLocation().getLineNr();
                JsonNode record = JSON.readTree(parser);
                rows.add(new Row(line, record, record.isObject() ? null : "not a JSON object: " + record));
            }
        }
        return rows;
    }

    /** The sheet's first row names the columns; each further row that is not blank is one row (its number as Excel shows it). */
    private static List<Row> xlsx(byte[] content, String sheetName) throws IOException {
        List<Row> rows = new ArrayList<>();
        try (Workbook workbook = new XSSFWorkbook(new ByteArrayInputStream(content))) {
            Sheet sheet = sheetName == null || sheetName.isBlank() ? workbook.getSheetAt(0) : workbook.getSheet(sheetName);
            if (sheet == null) {
                throw new UnreadableFileException("the workbook has no sheet '" + sheetName + "'", null);
            }
            DataFormatter formatter = new DataFormatter(Locale.ROOT);
            formatter.setUseCachedValuesForFormulaCells(true);
            List<String> columns = null;
            for (org.apache.poi.ss.usermodel.Row row : sheet) {
                ObjectNode values = JSON.createObjectNode();
                if (columns == null) {
                    columns = new ArrayList<>();
                    for (int i = 0; i < row.getLastCellNum(); i++) {
                        columns.add(text(row.getCell(i), formatter));
                    }
                    continue;
                }
                boolean blank = true;
                for (int i = 0; i < columns.size(); i++) {
                    String value = text(row.getCell(i), formatter);
                    blank &= value.isEmpty();
                    values.put(columns.get(i), value);
                }
                if (!blank) {
                    rows.add(new Row(row.getRowNum() + 1, values, null));
                }
            }
        }
        return rows;
    }

    /** A cell as text: a date as ISO-8601 (UTC), a number or text as the sheet shows it, a formula's cached value. */
    private static String text(Cell cell, DataFormatter formatter) {
        if (cell == null) {
            return "";
        }
        CellType type = cell.getCellType() == CellType.FORMULA ? cell.getCachedFormulaResultType() : cell.getCellType();
        if (type == CellType.NUMERIC && DateUtil.isCellDateFormatted(cell)) {
            return cell.getLocalDateTimeCellValue().atOffset(ZoneOffset.UTC).toInstant().toString();
        }
        return formatter.formatCellValue(cell).strip();
    }
}
