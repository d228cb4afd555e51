package io.kanaal.product;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The records of what each channel was sent ({@code channel_product}), written several at once: a publisher whose
 * channel took a product waits here until its record is committed, so that its message is acknowledged only once
 * the record is in the database, as with a statement of its own; the records of the publishers that wait meanwhile
 * go together in the next batch, one transaction (a group commit). ProductBenchmark's send: one statement and one
 * commit per call cost PostgreSQL more than the rest of the call did (docs/benchmark-log.md).
 *
 * <p>A batch that fails fails every publisher in it: each retries its product (its record was not written, so the
 * channel gets the payload again), as after a failed statement of its own.
 */
@Component
class SentRecords {

    /** What a channel was sent: this version of the SKU, whose payload had this hash. */
    record Record(String channel, String sku, long version, String payloadHash) {
    }

    /** A publisher's records, and whether their batch was written (failure null) or failed. */
    private static final class Sent {
        final List<Record> records;
        boolean done;
        RuntimeException failure;

        Sent(List<Record> records) {
            this.records = records;
        }
    }

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transaction;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition written = lock.newCondition();
    private List<Sent> waiting = new ArrayList<>();
    private boolean writing;

    SentRecords(JdbcTemplate jdbc, PlatformTransactionManager transactions) {
        this.jdbc = jdbc;
        this.transaction = new TransactionTemplate(transactions);
    }

    /** The channel shows this version of the SKU now: returns once that is recorded (with others' records). */
    void sent(String channel, String sku, long version, String payloadHash) {
        sent(List.of(new Record(channel, sku, version, payloadHash)));
    }

    /** These channels show these versions now: returns once that is recorded (with others' records). */
    void sent(List<Record> records) {
        Sent sent = new Sent(records);
        List<Sent> batch;
        lock.lock();
        try {
            waiting.add(sent);
            while (writing && !sent.done) {
                written.awaitUninterruptibly();
            }
            if (sent.done) {
                if (sent.failure != null) {
                    throw sent.failure;
                }
                return;
            }
            // no batch is being written: this publisher writes every record waiting, its own among them
            writing = true;
            batch = waiting;
            waiting = new ArrayList<>();
        } finally {
            lock.unlock();
        }
        RuntimeException failure = null;
        try {
            write(batch);
        } catch (RuntimeException e) {
            failure = e;
        } finally {
            lock.lock();
            try {
                for (Sent each : batch) {
                    each.done = true;
                    each.failure = failure;
                }
                writing = false;
                written.signalAll();
            } finally {
                lock.unlock();
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** How many records wait for the batch being written (for tests). */
    int waiting() {
        lock.lock();
        try {
            return waiting.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * One batch (one round trip), one transaction, the rows in key order, so that two instances' batches lock shared
     * rows in the same order.
     */
    private void write(List<Sent> batch) {
        List<Record> records = new ArrayList<>();
        batch.forEach(each -> records.addAll(each.records));
        records.sort(Comparator.comparing(Record::channel).thenComparing(Record::sku));
        transaction.executeWithoutResult(status -> jdbc.batchUpdate("""
                INSERT INTO channel_product (channel, sku, status, version, payload_hash, sent_version, sent_at, rejects)
                VALUES (?, ?, 'live', ?, ?, ?, now(), '[]')
                ON CONFLICT (channel, sku) DO UPDATE SET status = 'live', version = EXCLUDED.version,
                    payload_hash = EXCLUDED.payload_hash, sent_version = EXCLUDED.sent_version, sent_at = now(),
                    rejects = '[]', updated_at = now()
                """, records.stream().map(each -> new Object[] {each.channel(), each.sku(), each.version(), each.payloadHash(),
                        each.version()}).toList()));
    }
}
