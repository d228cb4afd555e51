package io.kanaal.stock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kanaal.support.KanaalIntegrationTest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Computations of one SKU's channel quantities that run at the same moment in different threads: the fan-out
 * recording the ERP's levels, and orders' reservations computed again in the threads that took them (route
 * stock-recompute, which with direct stock delivery computes in the caller's thread). However they interleave,
 * a computation that read the SKU's data before another one changed it never sets its quantity after that one:
 * once everything is taken in, every channel shows the ERP's stock less every reservation, less its buffer.
 * Kanaal as shipped (direct stock delivery), with real threads, on the embedded broker and database.
 */
class StockComputationRaceTest extends KanaalIntegrationTest {

    private static final int ERP_STOCK = 100;
    private static final int ORDER_THREADS = 3;
    private static final int ORDERS_PER_THREAD = 10;
    private static final int LEVELS = 10;

    @Autowired
    Reservations reservations;

    @Autowired
    ProducerTemplate producer;

    @Autowired
    DataSource dataSource;

    private ExecutorService threads;

    @BeforeEach
    void startThreads() {
        threads = Executors.newFixedThreadPool(ORDER_THREADS + 1);
    }

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    /**
     * The lock itself: while another transaction holds a SKU's computation lock, a computation of the SKU waits
     * for it (PostgreSQL shows it waiting on the advisory lock), and once it goes on it reads what the holder
     * committed. Without the lock (ChannelStock.LOCK) the computation does not wait and this fails.
     */
    @Test
    void aComputationWaitsForTheSkusLockAndThenReadsWhatItsHolderCommitted() throws Exception {
        String sku = newSku();
        pushStock(batch(level(sku, 10, 1)));
        await().atMost(Duration.ofSeconds(10)).until(() -> lastQuantity("/market/stock/" + sku) == 10);

        Future<?> computation;
        try (Connection holder = dataSource.getConnection()) {
            holder.setAutoCommit(false);
            try (PreparedStatement lock = holder.prepareStatement(
                    "SELECT pg_advisory_xact_lock(hashtextextended('channel_stock:' || ?::text, 0))")) {
                lock.setString(1, sku);
                lock.execute();
            }
            computation = threads.submit(() -> producer.sendBody("direct:stock-recompute", List.of(sku)));
            await().atMost(Duration.ofSeconds(10)).until(() -> jdbc.queryForObject("""
                    SELECT count(*) FROM pg_stat_activity
                     WHERE wait_event_type = 'Lock' AND wait_event = 'advisory' AND query LIKE '%pg_advisory_xact_lock%'
                    """, Integer.class) >= 1);
            assertThat(computation).as("the computation waits for the lock").isNotDone();
            // what the holder changes before it lets go: an order of 3 units
            try (PreparedStatement reserve = holder.prepareStatement("""
                    INSERT INTO reservation (channel, channel_order_id, sku, quantity) VALUES ('bol-test', ?, ?, 3)""")) {
                reserve.setString(1, "held-" + UUID.randomUUID());
                reserve.setString(2, sku);
                reserve.executeUpdate();
            }
            holder.commit();
        }
        computation.get(10, TimeUnit.SECONDS);

        assertThat(desired("market", sku)).as("computed after the holder's order, not before").isEqualTo(7);
        await().atMost(Duration.ofSeconds(10)).until(() -> lastQuantity("/market/stock/" + sku) == 7);
    }

    @Test
    void ordersComputedWhileTheErpsLevelsAreRecordedLeaveEveryChannelAtStockLessAllReservations() throws Exception {
        List<String> skus = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            String sku = newSku();
            skus.add(sku);
            pushStock(batch(level(sku, ERP_STOCK, 1)));
        }
        await().atMost(Duration.ofSeconds(10))
                .until(() -> skus.stream().allMatch(sku -> lastQuantity("/market/stock/" + sku) == ERP_STOCK));

        for (String sku : skus) {
            race(sku);
        }

        int reserved = ORDER_THREADS * ORDERS_PER_THREAD;
        for (String sku : skus) {
            // market keeps no buffer back, shop keeps 2
            assertThat(desired("market", sku)).as("market's quantity of %s as computed last", sku).isEqualTo(ERP_STOCK - reserved);
            assertThat(desired("shop", sku)).as("shop's quantity of %s as computed last", sku).isEqualTo(ERP_STOCK - reserved - 2);
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            for (String sku : skus) {
                assertThat(lastQuantity("/market/stock/" + sku)).as("market shows %s", sku).isEqualTo(ERP_STOCK - reserved);
                assertThat(lastQuantity("/shop/stock/" + sku)).as("shop shows %s", sku).isEqualTo(ERP_STOCK - reserved - 2);
            }
        });
    }

    /**
     * Order threads each reserve one unit at a time and compute the SKU again, while the ERP pushes the same
     * stock again and again (each level newer, so the fan-out records it and computes the SKU too).
     */
    private void race(String sku) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        List<Callable<Void>> work = new ArrayList<>();
        for (int t = 0; t < ORDER_THREADS; t++) {
            work.add(() -> {
                start.await();
                for (int i = 0; i < ORDERS_PER_THREAD; i++) {
                    reservations.reserve("market", "race-" + UUID.randomUUID(), Map.of(sku, 1));
                    producer.sendBody("direct:stock-recompute", List.of(sku));
                }
                return null;
            });
        }
        AtomicLong sequence = new AtomicLong(1);
        work.add(() -> {
            start.await();
            for (int i = 0; i < LEVELS; i++) {
                assertThat(pushStock(batch(level(sku, ERP_STOCK, sequence.incrementAndGet()))).statusCode()).isEqualTo(202);
            }
            return null;
        });
        List<Future<Void>> running = work.stream().map(threads::submit).toList();
        start.countDown();
        for (Future<Void> done : running) {
            done.get(30, TimeUnit.SECONDS);
        }
        // the pushed levels are computed once the fan-out has recorded the last one
        await().atMost(Duration.ofSeconds(10)).until(() -> Long.valueOf(sequence.get()).equals(jdbc.queryForObject(
                "SELECT max(version) FROM erp_stock WHERE sku = ?", Long.class, sku)));
    }

    private int desired(String channel, String sku) {
        return jdbc.queryForObject("SELECT desired_quantity FROM channel_stock WHERE channel = ? AND sku = ?", Integer.class,
                channel, sku);
    }
}
