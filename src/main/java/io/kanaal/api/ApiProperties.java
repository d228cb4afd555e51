package io.kanaal.api;

import java.util.Map;
import java.util.stream.Collectors;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The ERP-facing API ({@code kanaal.api}).
 *
 * @param keys         client name to API key. Set from the environment only, e.g.
 *                     {@code KANAAL_API_KEYS_ERP=...} for client {@code erp}; never in committed files
 * @param opsKeys      operator name to API key for the ops endpoints ({@code /api/v1/ops/**}), e.g.
 *                     {@code KANAAL_API_OPSKEYS_ALICE=...}. Only they open the ops endpoints, and they open
 *                     nothing else; without any, the ops endpoints are closed
 * @param maxBodySize  larger request bodies are refused with 413, on every path
 * @param maxProductBodySize the same for {@code POST /api/v1/products}, whose items carry long descriptions: an
 *                     item over its limits is refused on its own, the rest of its batch taken
 */
@ConfigurationProperties("kanaal.api")
public record ApiProperties(Map<String, String> keys, Map<String, String> opsKeys,
        @DefaultValue("2MB") DataSize maxBodySize, @DefaultValue("32MB") DataSize maxProductBodySize) {

    public ApiProperties {
        keys = nonBlank(keys);
        opsKeys = nonBlank(opsKeys);
    }

    /** A key left empty (e.g. an unset environment variable) opens nothing and counts as not configured. */
    private static Map<String, String> nonBlank(Map<String, String> keys) {
        if (keys == null) {
            return Map.of();
        }
        return keys.entrySet().stream().filter(e -> e.getValue() != null && !e.getValue().isBlank())
                .collect(Collectors.toUnmodifiableMap(Map.Entry::getKey, Map.Entry::getValue));
    }
}
