package io.kanaal.polling;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Times as polled systems write them, read into sortable watermarks and written back for the since-parameter. */
class TimeFormatTest {

    private static final String WATERMARK = "2026-12-07T09:15:30.250000Z";

    @Test
    void epochSecondsAndMillisAreReadAndWritten() {
        assertThat(TimeFormat.of("epoch", null).sortable("1796635530")).isEqualTo("2026-12-07T09:25:30.000000Z");
        assertThat(TimeFormat.of("epoch", null).write(WATERMARK)).isEqualTo("1796634930");
        assertThat(TimeFormat.of("epoch-millis", "").sortable("1796634930250")).isEqualTo(WATERMARK);
        assertThat(TimeFormat.of("epoch-millis", "").write(WATERMARK)).isEqualTo("1796634930250");
    }

    @Test
    void aPatternIsReadAndWrittenInTheSystemsZone() {
        TimeFormat amsterdam = TimeFormat.of("yyyy-MM-dd HH:mm:ss", "Europe/Amsterdam");

        assertThat(amsterdam.write(WATERMARK)).as("CET is UTC+1 in December").isEqualTo("2026-12-07 10:15:30");
        assertThat(amsterdam.sortable("2026-12-07 10:15:30")).isEqualTo("2026-12-07T09:15:30.000000Z");
        assertThat(TimeFormat.of("yyyy-MM-dd HH:mm:ss", null).sortable("2026-07-01 10:00:00"))
                .as("UTC without a zone").isEqualTo("2026-07-01T10:00:00.000000Z");
    }

    @Test
    void isoIsTheDefaultAndWhatIsNoTimeStaysAsItIs() {
        assertThat(TimeFormat.of(null, null).sortable("2026-12-07T10:15:30.25+01:00")).isEqualTo(WATERMARK);
        assertThat(TimeFormat.of("", null).write(WATERMARK)).isEqualTo(WATERMARK);
        assertThat(TimeFormat.of("epoch", null).sortable("v12")).isEqualTo("v12");
    }
}
