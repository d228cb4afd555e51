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
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.support.SynchronizationAdapter;
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

    private final JdbcTemplate jdbc;
    private final DeliveryRecorder deliveries;
    private final boolean enabled;
    private final String owner;
    private final int batchSize;
    private final double leaseSeconds;
    /** Per channel: the SKUs the fan-out handed over, not claimed yet (each once: what waits coalesces by SKU). */
    private final Map<String, Set<String>> due = new ConcurrentHashMap<>();
    /** Per channel: quantities claimed and not finished yet (what a stop leaves claimed). */
    private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    /** Per channel: when the outbox last searched all its rows (System.nanoTime). */
    private final Map<String, AtomicLong> lastSweep = new ConcurrentHashMap<>();
    private final long sweepEveryNanos;
    private final Channels channels;
    private final ObjectMapper json;
    private final ProducerTemplate wakeups;

    public ChannelOutbox(JdbcTemplate jdbc, DeliveryRecorder deliveries, Channels channels, ObjectMapper json,
            ProducerTemplate wakeups,
            @Value("${kanaal.stock.delivery:direct}") String delivery,
            @Value("${kanaal.stock.outbox-owner:}") String owner,
            @Value("${kanaal.data-dir}") String dataDir,
            @Value("${kanaal.stock.outbox-batch:100}") int batchSize,
            @Value("${kanaal.stock.outbox-lease:10m}") Duration lease,
            @Value("${kanaal.stock.outbox-sweep-every:1000}") long sweepEveryMillis) {
        if (!delivery.equals("queue") && !delivery.equals("outbox") && !delivery.equals("direct")) {
            throw new IllegalArgumentException("kanaal.stock.delivery is 'queue', 'outbox' or 'direct', not '" + delivery + "'");
        }
        this.jdbc = jdbc;
        this.deliveries = deliveries;
        this.channels = channels;
        this.json = json;
        this.wakeups = wakeups;
        this.enabled = delivery.equals("outbox");
        this.owner = owner.isBlank() ? hostName() + ":" + Path.of(dataDir).toAbsolutePath().normalize() : owner;
        this.batchSize = batchSize;
        this.leaseSeconds = lease.toMillis() / 1000.0;
        this.sweepEveryNanos = sweepEveryMillis * 1_000_000L;
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
     * Claims up to {@code kanaal.stock.outbox-batch} of the channel's quantities that it was not told yet, none that
     * another sender holds or that is parked, and no more than the channel's senders can take now (twice their
     * number in all, sent or waiting); each as the body of a stock message (a JSON array of one
     * {@link ChannelStockUpdate}). The SKUs the fan-out handed over ({@link #due}) are claimed by key (one that
     * another sender holds is left to a sweep); every {@code kanaal.stock.outbox-sweep-every} the channel's rows
     * are searched, oldest first, for what no hand-over named: a quantity that changed while it was being sent,
     * what another instance or an earlier run left. Sets variable
     * {@code more} when there may be more to claim at once. Claims nothing while Kanaal or the route stops.
     */
    public List<String> claim(@Variable("channel") String channel, Exchange exchange) throws JsonProcessingException {
        AtomicInteger held = inFlight.computeIfAbsent(channel, c -> new AtomicInteger());
        int room = Math.min(batchSize, 2 * channels.get(channel).consumers() - held.get());
        if (room <= 0 || stopping(exchange)) {
            exchange.setVariable("more", false);
            return List.of();
        }
        Set<String> waiting = due.computeIfAbsent(channel, c -> ConcurrentHashMap.newKeySet());
        List<String> named = new ArrayList<>(Math.min(room, waiting.size()));
        for (Iterator<String> skus = waiting.iterator(); skus.hasNext() && named.size() < room; ) {
            named.add(skus.next());
            skus.remove();
        }
        List<ChannelStockUpdate> claimed = new ArrayList<>();
        if (!named.isEmpty()) {
            claimed.addAll(jdbc.query(CLAIM.formatted("AND sku = ANY (?)"), this::update,
                    leaseSeconds, owner, channel, named.toArray(String[]::new), room));
        }
        boolean sweepFull = false;
        AtomicLong swept = lastSweep.computeIfAbsent(channel, c -> new AtomicLong());
        long now = System.nanoTime();
        if (claimed.size() < room && (now - swept.get() >= sweepEveryNanos || swept.get() == 0)) {
            int left = room - claimed.size();
            List<ChannelStockUpdate> found = jdbc.query(CLAIM.formatted(""), this::update, leaseSeconds, owner, channel, left);
            claimed.addAll(found);
            // a full sweep may have left more: the next round searches again
            sweepFull = found.size() == left;
            if (!sweepFull) {
                swept.set(now);
            }
        }
        held.addAndGet(claimed.size());
        exchange.setVariable("more", !claimed.isEmpty() && (!waiting.isEmpty() || sweepFull));
        List<String> messages = new ArrayList<>(claimed.size());
        for (ChannelStockUpdate update : claimed) {
            messages.add(json.writeValueAsString(List.of(update)));
        }
        return messages;
    }

    /**
     * Claims the channel's rows it was not told yet (the condition's placeholder: further conditions), none that
     * another sender holds or that is parked; with the lease, the owner, the channel, the condition's parameters
     * and a limit.
     */
    private static final String CLAIM = """
            UPDATE channel_stock s SET claimed_until = now() + make_interval(secs => ?), claimed_by = ?
              FROM (SELECT channel, sku FROM channel_stock
                     WHERE channel = ? %s
                       AND (delivered_version IS NULL OR delivered_version < desired_version)
                       AND (claimed_until IS NULL OR claimed_until < now())
                     ORDER BY desired_version LIMIT ? FOR UPDATE SKIP LOCKED) due
             WHERE s.channel = due.channel AND s.sku = due.sku
            RETURNING s.channel, s.sku, s.desired_quantity, s.desired_version
            """;

    private ChannelStockUpdate update(ResultSet rs, int row) throws SQLException {
        return new ChannelStockUpdate(rs.getString(1), rs.getString(2), rs.getInt(3), rs.getLong(4), null);
    }

    private static boolean stopping(Exchange exchange) {
        if (exchange.getContext().isStopping()) {
            return true;
        }
        var status = exchange.getContext().getRouteController().getRouteStatus(exchange.getFromRouteId());
        return status != null && (status.isStopping() || status.isStopped());
    }

    /**
     * Hands the fan-out's new quantities to the channels' outboxes: their SKUs, each once per channel, wait there
     * to be claimed. Returns the channels, whose outboxes are then woken.
     */
    public Set<String> due(@Body List<ChannelStockUpdate> updates) {
        Set<String> woken = new TreeSet<>();
        for (ChannelStockUpdate update : updates) {
            due.computeIfAbsent(update.channel(), c -> ConcurrentHashMap.newKeySet()).add(update.sku());
            woken.add(update.channel());
        }
        return woken;
    }

    /**
     * Called first for each claimed quantity: when its exchange is done, whatever the outcome (sent, nothing to
     * send, dead-lettered, failed), its claim is released with the next write of the deliveries (after the
     * delivery, if there was one; a parked one stays) and the channel's outbox is woken to claim more.
     */
    public void track(@Variable("channel") String channel, Exchange exchange) {
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                ChannelStockUpdate queued = done.getVariable("queued", ChannelStockUpdate.class);
                if (queued != null) {
                    deliveries.release(queued.channel(), queued.sku());
                }
                inFlight.computeIfAbsent(channel, c -> new AtomicInteger()).decrementAndGet();
                wakeups.sendBody("seda:" + channel + "-stock-due?size=1&discardWhenFull=true", null);
            }
        });
    }

    /**
     * Parks what a dead letter holds (the body: the stock message as it was claimed, or as it was handed to the
     * direct senders), so neither the outbox nor a start sends it again until its desired quantity changes or ops
     * replay the dead letter. Parked up to the newest version its attempts had: the message's, the one the sender
     * took for it (variable queued: a direct sender takes the newest waiting, which may be newer than the message
     * it was queued with) and the one its last attempt sent (variable stock: a retry sends the current quantity).
     * A quantity that changed after its last attempt is not parked: the newer one gets attempts of its own, as a
     * newer message on a stock queue would.
     */
    public void park(@Body String message, @Variable("channel") String channel, @Variable("queued") Object queued,
            @Variable("stock") Object attempted) {
        try {
            for (JsonNode update : json.readTree(message)) {
                if (channel.equals(update.path("channel").asText())) {
                    String sku = update.path("sku").asText();
                    long version = update.path("version").asLong();
                    for (Object tried : new Object[] {queued, attempted}) {
                        // (a list, where a channel takes several SKUs per call, names no one version)
                        if (tried instanceof ChannelStockUpdate one && one.sku().equals(sku) && one.version() > version) {
                            version = one.version();
                        }
                    }
                    jdbc.update("UPDATE channel_stock SET claimed_until = 'infinity' WHERE channel = ? AND sku = ? AND desired_version <= ?",
                            channel, sku, version);
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
     * need not wait for the lease; this instance releases them at its next start anyway. The deliveries are written
     * first: a claim released before its delivery is in the table would be sent once more.
     */
    @PreDestroy
    void stop() {
        if (enabled && inFlight.values().stream().anyMatch(held -> held.get() > 0)) {
            deliveries.write();
            log.info("Released {} stock outbox claims not sent before the stop", releaseOwn());
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
