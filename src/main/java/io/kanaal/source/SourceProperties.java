package io.kanaal.source;

import java.util.Map;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * One source Kanaal polls ({@code kanaal.sources.<id>}): an ERP, a PIM or a file drop.
 *
 * @param type     the source type: route templates {@code source-<type>-*} in {@code routes/sources/<type>.camel.yaml}
 * @param enabled  polled or not
 * @param baseUrl  where its API is (types that call one)
 * @param settings the type's settings, kebab-case ({@code poll-cron} fills template parameter {@code pollCron})
 */
public record SourceProperties(String type, @DefaultValue("true") boolean enabled, String baseUrl, Map<String, String> settings) {

    public SourceProperties {
        settings = settings == null ? Map.of() : Map.copyOf(settings);
    }
}
