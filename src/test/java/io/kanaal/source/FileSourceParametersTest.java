package io.kanaal.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a file source's settings make of its endpoint, and the former setting poll-interval refused by name. */
class FileSourceParametersTest {

    private static final String PREFIX = "kanaal.sources.erp-files.settings.";

    @Test
    void aLocalFolderIsAFileEndpoint() {
        Map<String, String> values = new HashMap<>(Map.of("directory", " /data/erp "));
        new FileSourceParameters().complete(values, PREFIX);
        assertThat(values).containsEntry("endpoint", "file:/data/erp").containsEntry("connection", "autoCreate=true");
    }

    @Test
    void pollIntervalIsRefusedNamingPollCron() {
        Map<String, String> values = new HashMap<>(Map.of("directory", "/data/erp", "pollInterval", "10000"));
        assertThatThrownBy(() -> new FileSourceParameters().complete(values, PREFIX))
                .hasMessageStartingWith(PREFIX + "poll-interval is replaced by poll-cron");
    }
}
