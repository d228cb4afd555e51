package io.kanaal.channel;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kanaal.stock.ChannelStockUpdate;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.Body;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.Header;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.Variable;
import org.apache.camel.support.SynchronizationAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The stock delivery mode {@code kanaal.stock.delivery = direct}: the fan-out hands each channel's new quantity to
 * the channel's senders in this process (route {@code <channel>-stock-direct}) instead of queuing a message for it
 * on the broker. Per channel it holds at most one quantity per SKU, the newest, so what waits coalesces by SKU as
 * on a last-value queue; and one sender at a time has a SKU, as with message groups, so a SKU's quantities reach
 * the channel in order. What waits here is not the durable record: {@code channel_stock} is, which the fan-out
 * wrote before it handed the quantity over. What a stop or a crash leaves undelivered there is handed over again
 * when Kanaal starts ({@link #recover}), to be sent as the channel's current quantity.
 *
 * <p>Everything else that sends stock to the channel goes through here too, so that one sender at a time has a
 * SKU: a dead letter's replay (the channel's stock queue's publisher hands it over, {@link #recheck}) and what
 * the reconciliation computes again (through the fan-out). A quantity that is dead-lettered stays parked
 * ({@code channel_stock.claimed_until = 'infinity'}, {@link #park}) until it changes or is replayed, so a restart
 * does not send it again.
 *
 * <p>For a single Kanaal, or instances that share no SKUs' computations: the fan-out's message groups give each
 * SKU bucket to one instance at a time, but an instance that takes a bucket over does not know what another one
 * is still sending. Several instances sharing a broker use {@code queue} (the {@code cluster} profile does).
 */
@Component("channelDispatch")
public class ChannelDispatch {

    /** The variable that marks an exchange as one of the direct deliveries. */
    public static final String VARIABLE = "stockDirect";
    /** The variable that tells the sender to read the channel's current quantity before it sends. */
    public static final String RECHECK = "stockRecheck";
    /** The header that names a message's SKU on the senders' queue. */
    static final String SKU = "kanaalSku";

    private static final Logger log = LoggerFactory.getLogger(ChannelDispatch.class);

    private final ObjectMapper json;
    private final ProducerTemplate producer;
    private final CamelContext camelContext;
    private final JdbcTemplate jdbc;
    private final MeterRegistry meters;
    /** Per channel and SKU: what waits, and whether a sender has the SKU. */
    private final Map<String, Map<String, Slot>> slots = new ConcurrentHashMap<>();
    private final Map<String, Endpoint> endpoints = new ConcurrentHashMap<>();

    private static final class Slot {
        /** The newest quantity handed over and not taken yet; null when none waits. */
        ChannelStockUpdate waiting;
        /** Whether what waits must be checked against channel_stock first (a replay, a recovery). */
        boolean recheck;
        /** Whether a message for this SKU is on the senders' queue. */
        boolean queued;
        /** Whether a sender has this SKU. */
        boolean sending;
    }

    public ChannelDispatch(ObjectMapper json, ProducerTemplate producer, CamelContext camelContext, JdbcTemplate jdbc,
            MeterRegistry meters) {
        this.json = json;
        this.producer = producer;
        this.camelContext = camelContext;
        this.jdbc = jdbc;
        this.meters = meters;
    }

    /**
     * The senders' queue of a channel (route {@code <channel>-stock-direct}, whose endpoint names the same size: the
     * fan-out can hand quantities over before that route exists, at a start, and the first to name the queue
     * makes it). At most one message per SKU waits on it.
     */
    static String endpointUri(String channel) {
        return "seda:" + channel + "-stock-direct?size=10000000";
    }

    /** Hands the fan-out's new quantities to their channels' senders. */
    public void hand(@Body List<ChannelStockUpdate> updates) {
        for (ChannelStockUpdate update : updates) {
            offer(update, false);
        }
    }

    /**
     * Hands a quantity over to be sent as the channel's current one: the sender reads {@code channel_stock}
     * first (a dead letter's replay from the channel's stock queue).
     */
    public void recheck(@Body ChannelStockUpdate update) {
        offer(update, true);
    }

    private void offer(ChannelStockUpdate update, boolean recheck) {
        Map<String, Slot> skus = channel(update.channel());
        boolean queue;
        synchronized (skus) {
            Slot slot = skus.computeIfAbsent(update.sku(), s -> new Slot());
            if (slot.waiting == null || slot.waiting.version() < update.version()) {
                slot.waiting = update;
            }
            slot.recheck |= recheck;
            queue = !slot.queued && !slot.sending;
            slot.queued |= queue;
        }
        if (queue) {
            queue(skus, update);
        }
    }

    /** {@link #send}, and if that fails, the SKU is no longer marked queued: the next hand-over queues it. */
    private void queue(Map<String, Slot> skus, ChannelStockUpdate update) {
        try {
            send(update);
        } catch (RuntimeException e) {
            synchronized (skus) {
                Slot slot = skus.get(update.sku());
                if (slot != null) {
                    slot.queued = false;
                }
            }
            throw e;
        }
    }

    private Map<String, Slot> channel(String channel) {
        return slots.computeIfAbsent(channel, id -> {
            Map<String, Slot> skus = new HashMap<>();
            Gauge.builder("kanaal.channel.stock.waiting", skus, waiting -> {
                synchronized (waiting) {
                    return waiting.size();
                }
            }).tag("channel", id).description("SKUs whose stock waits for, or is being sent to, the channel (direct delivery)")
                    .register(meters);
            return skus;
        });
    }

    /**
     * A message for the SKU onto the channel's senders' queue, as a dead letter of it keeps it: the stock message,
     * naming the channel in {@code kanaalChannels}, so that its replay reaches the channel's stock queue.
     */
    private void send(ChannelStockUpdate update) {
        Endpoint endpoint = endpoints.computeIfAbsent(update.channel(), id -> camelContext.getEndpoint(endpointUri(id)));
        try {
            producer.sendBodyAndHeaders(endpoint, json.writeValueAsString(List.of(update)), Map.of(
                    ChannelStockQueues.CHANNELS, ChannelStockQueues.channelsProperty(List.of(update.channel())),
                    SKU, update.sku()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stock update " + update + " not written as JSON", e);
        }
    }

    /**
     * The newest quantity waiting for the message's SKU on the channel (header {@link #SKU}; the body is the stock
     * message as it was handed over, or an older one of the same SKU), which this sender has until its exchange is
     * done; then the next one waiting for the SKU, if any, is queued. Sets variable {@link #VARIABLE}, and
     * {@link #RECHECK} when the sender must read the current quantity first. Null when nothing waits.
     */
    public ChannelStockUpdate take(@Header(SKU) String sku, @Variable("channel") String channel, Exchange exchange) {
        Map<String, Slot> skus = channel(channel);
        ChannelStockUpdate taken;
        boolean recheck;
        synchronized (skus) {
            Slot slot = skus.get(sku);
            if (slot == null || slot.waiting == null) {
                return null;
            }
            taken = slot.waiting;
            recheck = slot.recheck;
            slot.waiting = null;
            slot.recheck = false;
            slot.queued = false;
            slot.sending = true;
        }
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                ChannelStockUpdate next;
                synchronized (skus) {
                    Slot slot = skus.get(sku);
                    slot.sending = false;
                    next = slot.waiting;
                    if (next == null) {
                        skus.remove(sku);
                    } else {
                        slot.queued = true;
                    }
                }
                if (next != null) {
                    queue(skus, next);
                }
            }
        });
        exchange.setVariable(VARIABLE, true);
        if (recheck) {
            exchange.setVariable(RECHECK, true);
        }
        return taken;
    }

    /** SKUs waiting for, or being sent to, the channel. */
    public int waiting(String channel) {
        Map<String, Slot> skus = slots.get(channel);
        if (skus == null) {
            return 0;
        }
        synchronized (skus) {
            return skus.size();
        }
    }

    /**
     * Once the channels' routes run: what the last run left undelivered to the channels that have direct senders
     * (route {@code <channel>-stock-direct}) is handed over again.
     */
    @EventListener
    public void channelsStarted(ChannelsStarted started) {
        recover(started.channels().stream().filter(id -> camelContext.getRoute(id + "-stock-direct") != null).toList());
    }

    /**
     * Hands over again what {@code channel_stock} says these channels were not told, but what is parked with its
     * dead letter: what a stop or a crash left. Each is sent as the channel's current quantity.
     */
    public int recover(List<String> channels) {
        if (channels.isEmpty()) {
            return 0;
        }
        List<ChannelStockUpdate> unsent = jdbc.query("""
                SELECT channel, sku, desired_quantity, desired_version FROM channel_stock
                 WHERE channel = ANY (?::varchar[])
                   AND (delivered_version IS NULL OR delivered_version < desired_version)
                   AND (claimed_until IS NULL OR claimed_until <> 'infinity')
                """, (rs, i) -> new ChannelStockUpdate(rs.getString(1), rs.getString(2), rs.getInt(3), rs.getLong(4), null),
                (Object) channels.toArray(String[]::new));
        unsent.forEach(this::recheck);
        if (!unsent.isEmpty()) {
            log.info("Stock delivery in this process (direct): {} channel quantities left undelivered by the last run handed over again",
                    unsent.size());
        }
        return unsent.size();
    }

    /**
     * A quantity of the channel whose dead letter this is stays parked ({@code claimed_until = 'infinity'}) until
     * its desired quantity changes or ops replay it: neither a restart nor the reconciliation sends it meanwhile.
     * Parked at the newest version its attempts had (the quantity it took, or the one its last retry sent).
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
            log.warn("Stock dead letter of {} without a readable SKU: {}", channel, e.getMessage());
        }
    }
}
