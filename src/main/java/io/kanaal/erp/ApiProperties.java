package io.kanaal.erp;

import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The ERP-facing API ({@code kanaal.api}).
 *
 * @param keys         client name to API key. Set from the environment only, e.g.
 *                     {@code KANAAL_API_KEYS_ERP=...} for client {@code erp}; never in committed files
 * @param maxBodySize  larger request bodies are refused with 413
 */
@ConfigurationProperties("kanaal.api")
public record ApiProperties(Map<String, String> keys, @DefaultValue("2MB") DataSize maxBodySize) {

    public ApiProperties {
        keys = keys == null ? Map.of() : Map.copyOf(keys);
    }
}
