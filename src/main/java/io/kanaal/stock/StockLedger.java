package io.kanaal.stock;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The last stock level the ERP reported per SKU and warehouse, in PostgreSQL. Stale data never wins:
 * a level whose version is below the last one recorded is dropped (the orders it includes are still
 * released: a newer level includes them too).
 */
@Component("stockLedger")
public class StockLedger {

    private static final Logger log = LoggerFactory.getLogger(StockLedger.class);

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;
    private final Reservations reservations;
    private final ChannelStock channelStock;
    private final Counter stale;

    public StockLedger(JdbcTemplate jdbc, PlatformTransactionManager transactionManager, Reservations reservations,
            ChannelStock channelStock, MeterRegistry meters) {
        this.jdbc = jdbc;
        this.transactions = new TransactionTemplate(transactionManager);
        this.reservations = reservations;
        this.channelStock = channelStock;
        this.stale = Counter.builder("kanaal.erp.stock.stale")
                .description("ERP stock levels dropped because a newer one was already recorded")
                .register(meters);
    }

    /**
     * Records a level if it is newer than the last one for its SKU and warehouse, and ends the reservations
     * of this SKU by the orders the level already includes, in the same transaction: at no moment does an
     * order count both in the ERP's stock and in the reservation ledger. When the SKU's available-to-sell
     * may have changed, the channels' new quantities are computed in that same transaction
     * ({@link ChannelStock#compute}): one database commit per level, and for a level that includes no orders
     * one round trip ({@link ChannelStock#fanOutAfter}). No other computation of the SKU runs at the same time
     * ({@link StockBuckets}).
     *
     * <p>A level that is not newer than the one recorded changes nothing. When it is the same version again,
     * the channels that do not show their quantity yet still get it: that is what a message needs whose
     * database commit went through while its broker commit did not (a crash in between), which comes back with
     * the same version while the channel messages it had queued were rolled back. This does not depend on the
     * broker marking it redelivered, which after a crash it does only when it persists delivery counts. An
     * older level sends nothing.
     *
     * <p>The levels of a message are recorded one after the other, each in its own database transaction,
     * committed before the message's broker transaction: a message that comes again finds the levels it
     * recorded at the same version, and the channels that do not show them yet still get them.
     *
     * @return each channel's new quantity, for the channels that do not show it yet (none for an older
     *         level), the last one per channel and SKU, in the order of the levels
     */
    public List<ChannelStockUpdate> record(StockLevels message) {
        if (message.levels().size() == 1) {
            return record(message.levels().get(0));
        }
        // per channel and SKU the last quantity computed (two warehouses' levels of one SKU give two)
        Map<String, ChannelStockUpdate> updates = new LinkedHashMap<>();
        for (StockLevel level : message.levels()) {
            for (ChannelStockUpdate update : record(level)) {
                updates.put(update.channel() + '\n' + update.sku(), update);
            }
        }
        return new ArrayList<>(updates.values());
    }

    private List<ChannelStockUpdate> record(StockLevel level) {
        if (!level.includedOrders().isEmpty()) {
            return transactions.execute(status -> recordReleasing(level));
        }
        ChannelStock.FanOut fanOut = channelStock.fanOutAfter(upsert(level), level.sku(), level.warehouseOrDefault(), level.version());
        if (fanOut.precedingCount() == 0) {
            dropped(level);
        }
        return fanOut.updates();
    }

    private List<ChannelStockUpdate> recordReleasing(StockLevel level) {
        ChannelStock.Sql upsert = upsert(level);
        int updated = jdbc.update(upsert.text(), upsert.params());
        int released = reservations.release(level.sku(), level.includedOrders(), "erp-stock");
        if (updated == 0) {
            dropped(level);
            Long recorded = jdbc.queryForObject("SELECT max(version) FROM erp_stock WHERE sku = ? AND warehouse = ?",
                    Long.class, level.sku(), level.warehouseOrDefault());
            if (released == 0 && (recorded == null || recorded != level.version())) {
                return List.of();
            }
        }
        return channelStock.compute(level.sku());
    }

    /** The level's upsert: it changes nothing for a level that is not newer than the one recorded. */
    private static ChannelStock.Sql upsert(StockLevel level) {
        return new ChannelStock.Sql("""
                INSERT INTO erp_stock (sku, warehouse, quantity, version, source_timestamp, received_at)
                VALUES (?::varchar, ?::varchar, ?::int4, ?::int8, ?::timestamptz, now())
                ON CONFLICT (sku, warehouse) DO UPDATE
                   SET quantity = EXCLUDED.quantity, version = EXCLUDED.version,
                       source_timestamp = EXCLUDED.source_timestamp, received_at = now()
                 WHERE erp_stock.version < EXCLUDED.version
                """,
                level.sku(), level.warehouseOrDefault(), level.quantity(), level.version(),
                level.timestamp() == null ? null : Timestamp.from(level.timestamp().toInstant()));
    }

    private void dropped(StockLevel level) {
        stale.increment();
        log.info("Stale stock level dropped: sku={} warehouse={} version={}",
                level.sku(), level.warehouseOrDefault(), level.version());
    }
}
