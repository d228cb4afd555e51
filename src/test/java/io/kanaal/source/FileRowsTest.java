package io.kanaal.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The line numbers a file source's report names: where each CSV record or JSON record starts in the file. */
class FileRowsTest {

    private static List<FileRows.Row> csv(String text) {
        return FileRows.read(text.getBytes(StandardCharsets.UTF_8),
                new FileRows.Options("csv", ',', List.of(), StandardCharsets.UTF_8, "", ""));
    }

    @Test
    void csvLinesCountBlankLinesAndLineBreaksInsideQuotes() {
        List<FileRows.Row> rows = csv("sku,note\r\nA,one\r\n\r\n\r\nB,\"two\nlines\"\r\nC,three,extra\r\nD,four");
        assertThat(rows).extracting(FileRows.Row::line).containsExactly(2, 5, 7, 8);
        assertThat(rows.get(1).values().path("note").asText()).isEqualTo("two\nlines");
        assertThat(rows.get(2).problem()).isEqualTo("the line has 3 fields, the header 2");
        assertThat(rows.get(2).values().path("sku").asText()).isEqualTo("C");
    }

    @Test
    void jsonRecordsAreNumberedByTheLineTheyStartOn() {
        List<FileRows.Row> rows = FileRows.read("{\"data\": [\n {\"sku\": \"A\"},\n\n {\"sku\": \"B\"}, 7]}".getBytes(StandardCharsets.UTF_8),
                new FileRows.Options("json", ',', List.of(), StandardCharsets.UTF_8, "", "data"));
        assertThat(rows).extracting(FileRows.Row::line).containsExactly(2, 4, 4);
        assertThat(rows.get(2).problem()).startsWith("not a JSON object");
    }

    @Test
    void aQuoteLeftOpenMakesTheFileUnreadable() {
        assertThatThrownBy(() -> csv("sku,note\nA,\"open\nB,two\n")).isInstanceOf(FileRows.UnreadableFileException.class);
    }
}
