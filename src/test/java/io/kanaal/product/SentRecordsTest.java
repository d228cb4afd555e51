package io.kanaal.product;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.mockito.Mockito.mock;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * The records of what channels were sent: publishers that wait together are written in one batch, none returns
 * before its own record was written, and a failed batch fails each publisher in it.
 */
class SentRecordsTest {

    private static final int PUBLISHERS = 24;

    /** The database: each batch's SKUs; the first batch is held until the test lets it go. */
    private final List<List<String>> batches = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final CountDownLatch firstHeld = new CountDownLatch(1);
    private volatile boolean failNext;
    private final ExecutorService pool = Executors.newFixedThreadPool(PUBLISHERS);

    private final SentRecords records = new SentRecords(new JdbcTemplate() {
        @Override
        public int[] batchUpdate(String sql, List<Object[]> rows) {
            if (batches.isEmpty()) {
                try {
                    firstHeld.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (failNext) {
                failNext = false;
                throw new org.springframework.dao.QueryTimeoutException("the database took too long");
            }
            batches.add(rows.stream().map(row -> (String) row[1]).toList());
            return new int[rows.size()];
        }
    }, mock(PlatformTransactionManager.class));

    @AfterEach
    void stop() {
        firstHeld.countDown();
        pool.shutdownNow();
    }

    @Test
    void thePublishersThatWaitMeanwhileAreWrittenInOneBatchEachOnlyOnceItsRecordIsWritten() throws Exception {
        List<Future<Boolean>> written = new ArrayList<>();
        for (int i = 0; i < PUBLISHERS; i++) {
            String sku = String.format("P-%02d", i);
            written.add(pool.submit(() -> {
                records.sent("shop", sku, 1, "hash-" + sku);
                return batches.stream().anyMatch(batch -> batch.contains(sku));
            }));
        }
        // the first publisher writes its record alone and is held there; the others wait for it
        await().atMost(Duration.ofSeconds(10)).until(() -> records.waiting() == PUBLISHERS - 1);
        firstHeld.countDown();

        for (Future<Boolean> each : written) {
            assertThat(each.get(10, TimeUnit.SECONDS)).as("returned after its record was written").isTrue();
        }
        assertThat(batches).hasSize(2);
        assertThat(batches.get(0)).hasSize(1);
        assertThat(batches.get(1)).hasSize(PUBLISHERS - 1).isSorted();
    }

    @Test
    void aFailedBatchFailsEveryPublisherInIt() throws Exception {
        failNext = true;
        firstHeld.countDown();
        Future<?> first = pool.submit(() -> records.sent("shop", "P-1", 1, "h"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> first.get(10, TimeUnit.SECONDS))
                .hasCauseInstanceOf(org.springframework.dao.QueryTimeoutException.class);

        records.sent("shop", "P-1", 1, "h");
        assertThat(batches).containsExactly(List.of("P-1"));
    }
}
