package io.kanaal.stock;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kanaal.channel.Channels;
import jakarta.annotation.PreDestroy;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.Variable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The stock delivery mode {@code kanaal.stock.delivery = outbox}: {@code channel_stock} is each channel's outbox.
 * The fan-out sets a channel's desired quantity as always, but queues no message for it; it wakes the channel's
 * publisher instead (route {@code <channel>-stock-outbox}), which claims the rows the channel was not told yet
 * ({@link #claim}) and hands each to the channel's senders (route {@code <channel>-stock-outbox-send}: the same
 * sender, retries and dead letters as a message from the channel's stock queue). A row holds one current
 * quantity per channel and SKU, so what waits for a channel that is down coalesces by SKU as a last-value queue
 * would; a claimed row is sent by one sender at a time, so a SKU's quantities reach the channel in order.
 *
 * <p>A claim is released once the delivery is written ({@link DeliveryRecorder} clears it with the delivered
 * version). A quantity that ends in the dead letters stays claimed for good (parked: {@code claimed_until =
 * 'infinity'}) until its desired quantity changes (the fan-out's statement releases it) or ops replay the dead
 * letter, which goes to the channel's stock queue and is sent from there. Claims of this instance are released
 * when it stops and when it starts again (one name per instance: {@code kanaal.stock.outbox-owner}); a claim of
 * an instance that died and does not come back ends with its lease, {@code kanaal.stock.outbox-lease}.
 */
@Component("channelOutbox")
public class ChannelOutbox {

    /** The variable that marks an exchange as one of the outbox's deliveries. */
    public static final String VARIABLE = "stockOutbox";

    private static final Logger log = LoggerFactory.getLogger(ChannelOutbox.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final JdbcTemplate jdbc;
    private final DeliveryRecorder deliveries;
    private final boolean enabled;
    private final String owner;
    private final int batchSize;
    private final double leaseSeconds;
    /** Quantities claimed by this instance and not yet done or parked: what a stop leaves claimed. */
    private final AtomicLong outstanding = new AtomicLong();
    /** Per channel: quantities claimed and not finished yet. */
    private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    private final Channels channels;

    public ChannelOutbox(JdbcTemplate jdbc, DeliveryRecorder deliveries, Channels channels,
            @Value("${kanaal.stock.delivery:queue}") String delivery,
            @Value("${kanaal.stock.outbox-owner:}") String owner,
            @Value("${kanaal.data-dir}") String dataDir,
            @Value("${kanaal.stock.outbox-batch:100}") int batchSize,
            @Value("${kanaal.stock.outbox-lease:10m}") Duration lease) {
        if (!delivery.equals("queue") && !delivery.equals("outbox")) {
            throw new IllegalArgumentException("kanaal.stock.delivery is 'queue' or 'outbox', not '" + delivery + "'");
        }
        this.jdbc = jdbc;
        this.deliveries = deliveries;
        this.channels = channels;
        this.enabled = delivery.equals("outbox");
        this.owner = owner.isBlank() ? hostName() + ":" + Path.of(dataDir).toAbsolutePath().normalize() : owner;
        this.batchSize = batchSize;
        this.leaseSeconds = lease.toMillis() / 1000.0;
        if (enabled) {
            // what this instance held when it last stopped or died is free again
            int released = releaseOwn();
            log.info("Stock delivery from channel_stock (outbox) for {} as {}; {} claims of its last run released",
                    channels.enabledIds(), this.owner, released);
        }
    }

    public boolean enabled() {
        return enabled;
    }

    /**
     * Claims up to {@code kanaal.stock.outbox-batch} of the channel's quantities that it was not told yet, oldest
     * first, none that another sender holds or that is parked, and no more than the channel's senders can take
     * now (twice their number in all, sent or waiting); each as the body of a stock message (a JSON array of one
     * {@link ChannelStockUpdate}). Sets variable {@code more} when there may be more to claim at once. Claims
     * nothing while Kanaal or the route stops.
     */
    public List<String> claim(@Variable("channel") String channel, Exchange exchange) throws JsonProcessingException {
        AtomicInteger held = inFlight.computeIfAbsent(channel, c -> new AtomicInteger());
        int room = Math.min(batchSize, 2 * channels.get(channel).consumers() - held.get());
        if (room <= 0 || stopping(exchange)) {
            exchange.setVariable("more", false);
            return List.of();
        }
        List<ChannelStockUpdate> claimed = jdbc.query("""
                UPDATE channel_stock s SET claimed_until = now() + make_interval(secs => ?), claimed_by = ?
                  FROM (SELECT channel, sku FROM channel_stock
                         WHERE channel = ? AND (delivered_version IS NULL OR delivered_version < desired_version)
                           AND (claimed_until IS NULL OR claimed_until < now())
                         ORDER BY desired_version LIMIT ? FOR UPDATE SKIP LOCKED) due
                 WHERE s.channel = due.channel AND s.sku = due.sku
                RETURNING s.sku, s.desired_quantity, s.desired_version
                """,
                (rs, i) -> new ChannelStockUpdate(channel, rs.getString(1), rs.getInt(2), rs.getLong(3), null),
                leaseSeconds, owner, channel, room);
        held.addAndGet(claimed.size());
        exchange.setVariable("more", claimed.size() == room && room == batchSize);
        List<String> messages = new ArrayList<>(claimed.size());
        for (ChannelStockUpdate update : claimed) {
            messages.add(JSON.writeValueAsString(List.of(update)));
        }
        return messages;
    }

    private static boolean stopping(Exchange exchange) {
        if (exchange.getContext().isStopping()) {
            return true;
        }
        var status = exchange.getContext().getRouteController().getRouteStatus(exchange.getFromRouteId());
        return status != null && (status.isStopping() || status.isStopped());
    }

    /**
     * The channels of the fan-out's new quantities, each once: the outboxes to wake. None in queue mode.
     */
    public Set<String> channels(@Body List<ChannelStockUpdate> updates) {
        Set<String> channels = new TreeSet<>();
        updates.forEach(update -> channels.add(update.channel()));
        return channels;
    }

    /**
     * The sender is done with a claimed quantity (sent, nothing to send, dead-lettered, or failed): its claim is
     * released with the next write of the deliveries (after the delivery, if there was one); a parked one stays.
     */
    public void finished(@Variable("channel") String channel, @Variable("queued") ChannelStockUpdate queued) {
        if (queued != null) {
            deliveries.release(queued.channel(), queued.sku());
        }
        inFlight.computeIfAbsent(channel, c -> new AtomicInteger()).decrementAndGet();
        outstanding.decrementAndGet();
    }

    /**
     * Parks what a dead letter holds (the body: the stock message as it was claimed), so the outbox does not send
     * it again until its desired quantity changes or ops replay the dead letter. A quantity that changed while
     * its sends were retried is not parked: the newer one gets attempts of its own, as a newer message on a stock
     * queue would.
     */
    public void park(@Body String message, @Variable("channel") String channel) {
        try {
            for (JsonNode update : JSON.readTree(message)) {
                if (channel.equals(update.path("channel").asText())) {
                    jdbc.update("UPDATE channel_stock SET claimed_until = 'infinity' WHERE channel = ? AND sku = ? AND desired_version <= ?",
                            channel, update.path("sku").asText(), update.path("version").asLong());
                }
            }
        } catch (JsonProcessingException e) {
            log.warn("Outbox dead letter of {} without a readable SKU: {}", channel, e.getMessage());
        }
    }

    /** Releases this instance's claims, but the parked ones. */
    private int releaseOwn() {
        return jdbc.update("UPDATE channel_stock SET claimed_until = NULL, claimed_by = NULL "
                + "WHERE claimed_by = ? AND claimed_until <> 'infinity'", owner);
    }

    /**
     * Releases what this instance still holds when it stops (quantities claimed but not sent), so another instance
     * need not wait for the lease; this instance releases them at its next start anyway. Bounded: on a JVM shutdown
     * the embedded PostgreSQL stops on its own shutdown hook, and a pool waiting for it would hold the stop up.
     */
    @PreDestroy
    void stop() throws InterruptedException {
        if (!enabled || outstanding.get() <= 0) {
            return;
        }
        Thread release = new Thread(() -> {
            try {
                deliveries.write();
                log.info("Released {} stock outbox claims not sent before the stop", releaseOwn());
            } catch (RuntimeException e) {
                log.warn("Stock outbox claims not released at the stop (released at the next start): {}", e.getMessage());
            }
        }, "kanaal-outbox-release");
        release.setDaemon(true);
        release.start();
        release.join(3_000);
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
