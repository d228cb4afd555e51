package io.kanaal.product;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.camel.Body;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * The product store (PostgreSQL): the newest version of each SKU, with a hash of its content, and every
 * version taken in. An older version than the one stored is dropped; the same version again (a redelivered
 * message) is taken as stored, so that what it causes happens again.
 */
@Component("products")
public class Products {

    /** Keys sorted: the same content gives the same hash, whatever order the source wrote it in. */
    static final ObjectMapper CANONICAL = JsonMapper.builder().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).build();

    private final JdbcTemplate jdbc;
    private final ObjectMapper json;

    public Products(JdbcTemplate jdbc, ObjectMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /**
     * Stores each product unless a newer version of it is stored, all in one transaction: one statement each
     * (its version kept, and the product replaced when newer), sent as one batch. The products are stored in SKU
     * order (a SKU's versions in their order), so that two messages with the same SKUs lock them in the same order.
     *
     * @return the products whose SKU's stored version is now one of these (one per SKU, in SKU order); the others
     *         were older than the stored version, and dropped
     */
    @Transactional
    public List<ProductItem> store(@Body List<ProductItem> items) throws JsonProcessingException {
        List<ProductItem> sorted = new ArrayList<>(items);
        sorted.sort(Comparator.comparing(ProductItem::sku));
        List<Object[]> rows = new ArrayList<>(sorted.size());
        for (ProductItem item : sorted) {
            rows.add(new Object[] {item.sku(), item.content().path("parentSku").asText(null), item.version(),
                    json.writeValueAsString(item.content()), hash(item.content())});
        }
        // the content is parsed into JSONB once for both tables (a CTE used twice is computed once)
        int[] replaced = jdbc.batchUpdate("""
                WITH incoming (sku, parent_sku, version, content, content_hash) AS (VALUES (?, ?::text, ?::bigint, ?::jsonb, ?)),
                kept AS (INSERT INTO product_version (sku, version, content, content_hash)
                    SELECT sku, version, content, content_hash FROM incoming ON CONFLICT DO NOTHING)
                INSERT INTO product (sku, parent_sku, version, content, content_hash) SELECT * FROM incoming
                ON CONFLICT (sku) DO UPDATE SET parent_sku = EXCLUDED.parent_sku, version = EXCLUDED.version,
                    content = EXCLUDED.content, content_hash = EXCLUDED.content_hash, updated_at = now()
                WHERE product.version < EXCLUDED.version
                """, rows);
        Set<String> stored = new LinkedHashSet<>();
        Map<String, Long> unchanged = new HashMap<>();
        for (int i = 0; i < sorted.size(); i++) {
            if (replaced[i] == 1) {
                stored.add(sorted.get(i).sku());
            } else {
                unchanged.put(sorted.get(i).sku(), sorted.get(i).version());
            }
        }
        unchanged.keySet().removeAll(stored);
        if (!unchanged.isEmpty()) {
            // the same version again (a redelivered message) is taken as stored, so that what it causes happens again
            jdbc.query("SELECT sku, version FROM product WHERE sku = ANY (?::text[])", row -> {
                if (unchanged.get(row.getString(1)) == row.getLong(2)) {
                    stored.add(row.getString(1));
                }
            }, (Object) unchanged.keySet().toArray(String[]::new));
        }
        Map<String, ProductItem> bySku = new java.util.LinkedHashMap<>();
        sorted.stream().filter(item -> stored.contains(item.sku())).forEach(item -> bySku.putIfAbsent(item.sku(), item));
        return List.copyOf(bySku.values());
    }

    public boolean exists(String sku) {
        return Boolean.TRUE.equals(jdbc.queryForObject("SELECT EXISTS (SELECT 1 FROM product WHERE sku = ?)", Boolean.class, sku));
    }

    /** The stored product, or null. */
    public StoredProduct get(String sku) {
        List<StoredProduct> found = jdbc.query("SELECT version, content FROM product WHERE sku = ?",
                (row, i) -> new StoredProduct(sku, row.getLong(1), read(row.getString(2))), sku);
        return found.isEmpty() ? null : found.get(0);
    }

    /** The SKUs of the products whose parent is this SKU (its variants), in SKU byte order; empty for none. */
    public List<String> variants(String parentSku) {
        return jdbc.queryForList("SELECT sku FROM product WHERE parent_sku = ? ORDER BY sku COLLATE \"C\"", String.class,
                parentSku);
    }

    /** The SKUs of every stored product, in order, from after {@code after} (null: the first), at most limit. */
    public List<String> skus(String after, int limit) {
        return jdbc.queryForList("SELECT sku FROM product WHERE sku COLLATE \"C\" > ? ORDER BY sku COLLATE \"C\" LIMIT ?",
                String.class, after == null ? "" : after, limit);
    }

    /** The versions taken in for a SKU, newest first: version, content hash, when. */
    public List<Map<String, Object>> history(String sku) {
        return jdbc.queryForList("SELECT version, content_hash AS \"contentHash\", received_at AS \"receivedAt\" "
                + "FROM product_version WHERE sku = ? ORDER BY version DESC LIMIT 100", sku);
    }

    static String hash(Object value) {
        try {
            return digest(CANONICAL.writeValueAsBytes(CANONICAL.convertValue(value, Object.class)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String digest(byte[] canonical) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@link #hash(Object)} of a JSON document, read straight into maps and lists (no tree to convert first). */
    static String hash(String json) {
        try {
            return digest(CANONICAL.writeValueAsBytes(CANONICAL.readValue(json.getBytes(StandardCharsets.UTF_8), Object.class)));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private JsonNode read(String text) {
        try {
            return json.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A stored product: its SKU, version and content as the source sent it. */
    public record StoredProduct(String sku, long version, JsonNode content) {
    }
}
