package io.kanaal.source;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** All configured sources, keyed by source id ({@code kanaal.sources}). */
@ConfigurationProperties("kanaal")
public record SourcesProperties(Map<String, SourceProperties> sources) {

    public SourcesProperties {
        sources = sources == null ? Map.of() : new LinkedHashMap<>(sources);
    }
}
