package io.kanaal.stock;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.camel.Body;
import org.apache.camel.Message;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The one ordered path of every computation of a SKU's channel quantities. Everything that changes a SKU's
 * available-to-sell (an ERP level, an order taken in, a reservation that ends) is computed by the fan-out,
 * from messages on {@code kanaal.erp.stock} in the SKU's message group {@code erp-stock-<bucket>}
 * ({@code kanaal.stock.buckets}, 8). The broker hands a group's messages
 * to one consumer at a time, one after the other, so two computations of one SKU never run at once: each
 * commits in the database and then on the broker before the next begins, and each channel's last-value queue
 * gets the SKU's quantities in the order they were computed. (Computed on two paths at once, the older
 * quantity's message could reach a channel's queue last and replace the newer one, leaving the channel
 * showing a unit that was sold.) {@code String.hashCode} is the same in every JVM, so every Kanaal instance
 * puts a SKU in the same bucket, as long as they have the same number of buckets: the first instance to start
 * records its number in the database (table {@code kanaal_setting}), and an instance configured with another
 * does not start.
 *
 * <p>The ERP API queues levels (StockGroupCommit); the others ask the fan-out to compute SKUs again with a
 * message whose header {@code kanaalStockRequest} is {@code recompute} and whose body is the SKUs (route
 * {@code stock-recompute}).
 */
@Component("stockBuckets")
public class StockBuckets {

    /** The row of table kanaal_setting that holds the number of buckets. */
    static final String SETTING = "stock.buckets";

    private final int buckets;

    public StockBuckets(JdbcTemplate jdbc, @Value("${kanaal.stock.buckets}") int buckets) {
        if (buckets < 1) {
            throw new IllegalArgumentException("kanaal.stock.buckets must be at least 1, not " + buckets);
        }
        jdbc.update("INSERT INTO kanaal_setting (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
                SETTING, String.valueOf(buckets));
        String recorded = jdbc.queryForObject("SELECT value FROM kanaal_setting WHERE name = ?", String.class, SETTING);
        if (!String.valueOf(buckets).equals(recorded)) {
            throw new IllegalStateException(("kanaal.stock.buckets is %d here, but the Kanaal instances of this database "
                    + "put SKUs in %s buckets (table kanaal_setting): with different counts two instances could compute "
                    + "one SKU's channel quantities at once and a channel could keep an older quantity. Configure %s, or "
                    + "change it for all of them: stop every instance once kanaal.erp.stock is empty, then "
                    + "UPDATE kanaal_setting SET value = '%d' WHERE name = '%s', and start them with the new count")
                    .formatted(buckets, recorded, recorded, buckets, SETTING));
        }
        this.buckets = buckets;
    }

    public int bucket(String sku) {
        return Math.floorMod(sku.hashCode(), buckets);
    }

    /** The message group (JMSXGroupID) of a SKU's messages on kanaal.erp.stock. */
    public String group(String sku) {
        return "erp-stock-" + bucket(sku);
    }

    /** The SKUs as one request per bucket (each SKU once, in order), for {@code stock-recompute}. */
    public Collection<List<String>> requests(@Body Collection<String> skus) {
        Map<Integer, List<String>> byBucket = new TreeMap<>();
        for (String sku : new TreeSet<>(skus)) {
            byBucket.computeIfAbsent(bucket(sku), b -> new ArrayList<>()).add(sku);
        }
        return byBucket.values();
    }

    /** Sets JMSXGroupID to the bucket of a request's SKUs ({@link #requests}: all in one bucket). */
    public void groupRequest(@Body List<String> skus, Message jms) {
        jms.setHeader("JMSXGroupID", group(skus.get(0)));
    }
}
