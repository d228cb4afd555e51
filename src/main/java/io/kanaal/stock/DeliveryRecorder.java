package io.kanaal.stock;

import jakarta.annotation.PreDestroy;
import java.sql.Array;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Writes what each channel was last told ({@code channel_stock.delivered_*}) in batches: one statement every
 * {@code kanaal.stock.record-deliveries-every} (20 ms) for all deliveries since the last, instead of a
 * database transaction per channel call. Until then a delivery is held here, and {@link ChannelStock} reads
 * it from here as well as from the table.
 *
 * <p>A delivery that is lost before it is written (Kanaal killed in between) costs at most one repeated call
 * with the same quantity: the table then says the channel is behind, and the next attempt or change sends the
 * current quantity again. A delivered version only ever grows, in memory and in the table, so the order in
 * which deliveries are written does not matter. Written once more when Kanaal stops, after the routes.
 */
@Component
public class DeliveryRecorder {

    private static final Logger log = LoggerFactory.getLogger(DeliveryRecorder.class);

    private final JdbcTemplate jdbc;
    /** Channel and SKU: the newest delivery not written yet. */
    private final Map<String, ChannelStockUpdate> unwritten = new ConcurrentHashMap<>();

    private final ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "kanaal-delivery-recorder");
        thread.setDaemon(true);
        return thread;
    });

    public DeliveryRecorder(JdbcTemplate jdbc, @Value("${kanaal.stock.record-deliveries-every:20ms}") Duration every) {
        this.jdbc = jdbc;
        long millis = Math.max(1, every.toMillis());
        writer.scheduleWithFixedDelay(this::writeQuietly, millis, millis, TimeUnit.MILLISECONDS);
    }

    public static String key(String channel, String sku) {
        return channel + '\n' + sku;
    }

    /** The channel now shows this update's quantity. */
    public void record(ChannelStockUpdate update) {
        unwritten.merge(key(update.channel(), update.sku()), update, (held, newer) -> held.version() >= newer.version() ? held : newer);
    }

    /** The newest delivery to the channel of the SKU that is not in the table yet; null when there is none. */
    public ChannelStockUpdate unwritten(String channel, String sku) {
        return unwritten.isEmpty() ? null : unwritten.get(key(channel, sku));
    }

    /** Writes every delivery held so far; a delivery that fails to be written stays held for the next time. */
    public synchronized void write() {
        if (!unwritten.isEmpty()) {
            writeDeliveries();
        }
    }

    private void writeDeliveries() {
        List<Map.Entry<String, ChannelStockUpdate>> batch = new ArrayList<>(unwritten.entrySet());
        String[] channels = new String[batch.size()];
        String[] skus = new String[batch.size()];
        Integer[] quantities = new Integer[batch.size()];
        Long[] versions = new Long[batch.size()];
        for (int i = 0; i < batch.size(); i++) {
            ChannelStockUpdate update = batch.get(i).getValue();
            channels[i] = update.channel();
            skus[i] = update.sku();
            quantities[i] = update.quantity();
            versions[i] = update.version();
        }
        jdbc.execute((ConnectionCallback<Integer>) connection -> {
            // the rows are locked in one order, SKU then channel (byte order), the order in which a computation
            // upserts them (ChannelStock, SKUs sorted, a SKU's channels sorted): a computation that has one
            // channel's row of a SKU and waits for another's is never waited for by this update of both, and
            // deadlocked with it
            try (var statement = connection.prepareStatement("""
                    WITH t AS (
                        SELECT * FROM unnest(?::varchar[], ?::varchar[], ?::int4[], ?::int8[]) AS t(c, k, q, v)
                    ), locked AS (
                        SELECT s.channel, s.sku, t.q, t.v FROM channel_stock s JOIN t ON s.channel = t.c AND s.sku = t.k
                         WHERE s.delivered_version IS NULL OR s.delivered_version < t.v
                         ORDER BY s.sku COLLATE "C", s.channel COLLATE "C"
                           FOR UPDATE OF s
                    )
                    UPDATE channel_stock s
                       SET delivered_quantity = l.q, delivered_version = l.v, delivered_at = now(),
                           claimed_until = NULL, claimed_by = NULL
                      FROM locked l
                     WHERE s.channel = l.channel AND s.sku = l.sku AND (s.delivered_version IS NULL OR s.delivered_version < l.v)
                    """)) {
                Array[] arrays = {connection.createArrayOf("varchar", channels), connection.createArrayOf("varchar", skus),
                        connection.createArrayOf("int4", quantities), connection.createArrayOf("int8", versions)};
                for (int i = 0; i < arrays.length; i++) {
                    statement.setArray(i + 1, arrays[i]);
                }
                return statement.executeUpdate();
            }
        });
        // what was written is no longer held, unless a newer delivery came in meanwhile
        batch.forEach(entry -> unwritten.remove(entry.getKey(), entry.getValue()));
    }

    private void writeQuietly() {
        try {
            write();
        } catch (RuntimeException e) {
            log.warn("Channel deliveries not written yet ({} held), trying again: {}", unwritten.size(), e.getMessage());
        }
    }

    @PreDestroy
    void stop() throws InterruptedException {
        writer.shutdown();
        writer.awaitTermination(5, TimeUnit.SECONDS);
        writeQuietly();
    }
}
