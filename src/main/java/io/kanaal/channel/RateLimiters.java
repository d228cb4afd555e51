package io.kanaal.channel;

import java.util.Optional;
import java.time.Instant;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.camel.Variable;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The request budget of each channel: at most {@code rate-limit} requests per second, and none while the
 * channel said to wait (429 Retry-After, or X-RateLimit-Remaining 0 until X-RateLimit-Reset). Shared by all
 * routes and consumers of a channel.
 *
 * <p>A wait applies to the whole channel, or, for a channel whose limits are per endpoint (Bol.com: its
 * order list allows a few requests a minute, its offers far more), only to the endpoint that answered: the
 * caller names the endpoint ({@link #endpoint(String, String)}), and a 429 from the order list does not hold up stock.
 */
@Component("rateLimiters")
public class RateLimiters {

    /** The endpoint name of a call whose waits apply to the whole channel. */
    public static final String WHOLE_CHANNEL = "";

    private final Channels channels;
    private final long maxWaitNanos;
    private final Map<String, Budget> budgets = new ConcurrentHashMap<>();

    public RateLimiters(Channels channels, @Value("${kanaal.delivery.max-throttle-wait:30s}") Duration maxWait) {
        this.channels = channels;
        this.maxWaitNanos = maxWait.toNanos();
    }

    /**
     * The endpoint a request belongs to for per-endpoint limits: its method and path, with every segment that
     * holds a digit (an id) as {@code {id}}: {@code PATCH /retailer/offers/6ff7-36b5} is
     * {@code PATCH /retailer/offers/{id}}, {@code GET /retailer/orders?page=2} is {@code GET /retailer/orders},
     * {@code PUT /retailer/orders/cancellation} stays as it is.
     */
    public static String endpoint(String method, String path) {
        if (path == null || path.isBlank()) {
            return WHOLE_CHANNEL;
        }
        String bare = path.split("\\?", 2)[0].replaceAll("^/+", "");
        StringBuilder endpoint = new StringBuilder(method == null ? "" : method.toUpperCase(Locale.ROOT) + " ");
        for (String segment : bare.split("/")) {
            endpoint.append('/').append(segment.chars().anyMatch(Character::isDigit) ? "{id}" : segment);
        }
        return endpoint.toString();
    }

    /** Waits for the channel's next request slot; see {@link #acquireEndpoint(String, String)}. */
    public void acquire(@Variable("channel") String channel) {
        acquireEndpoint(channel, WHOLE_CHANNEL);
    }

    /**
     * Waits until neither the channel nor the endpoint is paused, then for the channel's next request slot.
     * Throws a retryable exception instead of waiting longer than {@code kanaal.delivery.max-throttle-wait}, so
     * the consumer's redelivery takes over: it waits out the rest of the pause ({@link ChannelRetryDelay}).
     */
    public void acquireEndpoint(String channel, String endpoint) {
        Budget budget = budget(channel);
        long deadline = System.nanoTime() + maxWaitNanos;
        long paused;
        while ((paused = budget.pausedFor(System.nanoTime(), endpoint)) > 0) {
            if (System.nanoTime() + paused > deadline) {
                throw throttled(channel, endpoint, Duration.ofNanos(paused));
            }
            LockSupport.parkNanos(paused);
        }
        long now = System.nanoTime();
        long wait = budget.reserve(now, Math.max(0, deadline - now));
        if (wait < 0) {
            throw throttled(channel, endpoint, null);
        }
        if (wait > 0) {
            LockSupport.parkNanos(wait);
        }
    }

    /**
     * No requests to the channel's endpoint (or to the whole channel, for {@link #WHOLE_CHANNEL}) until
     * {@code pause} has passed (an endpoint that is no channel, like the ERP's, has no budget).
     */
    public void pause(String channel, String endpoint, Duration pause) {
        if (channels.all().containsKey(channel)) {
            budget(channel).pauseUntil(endpoint, System.nanoTime() + pause.toNanos());
        }
    }

    /**
     * How long a request to the channel as a whole would wait now (its pause, or its next free slot), without
     * taking a slot: for a caller that has other work to do than wait ({@code ProductFanout}).
     */
    public long waitNanos(String channel) {
        Budget budget = budget(channel);
        long now = System.nanoTime();
        return Math.max(budget.pausedFor(now, WHOLE_CHANNEL), budget.nextSlotIn(now));
    }

    /** Until when the channel (or one of its endpoints) asked Kanaal to wait (429, Retry-After); empty when it did not. */
    public Optional<Instant> throttledUntil(String channel) {
        Budget budget = budgets.get(channel);
        if (budget == null) {
            return Optional.empty();
        }
        long now = System.nanoTime();
        long longest = budget.longestPause(now);
        return longest > 0 ? Optional.of(Instant.now().plusNanos(longest)) : Optional.empty();
    }

    /** The channel asked to wait longer than Kanaal waits in a call: the attempt fails, the next waits out the rest. */
    private ChannelException throttled(String channel, String endpoint, Duration rest) {
        return ChannelException.throttled("channel " + channel
                + (WHOLE_CHANNEL.equals(endpoint) ? "" : " (" + endpoint + ")") + " is throttled for longer than "
                + Duration.ofNanos(maxWaitNanos).toSeconds() + " s" + (rest == null ? "" : " (" + rest.toSeconds() + " s more)"),
                rest);
    }

    private Budget budget(String channel) {
        return budgets.computeIfAbsent(channel, id -> new Budget(channels.get(id).rateLimit()));
    }

    private static final class Budget {
        private final long intervalNanos;
        private long nextSlot;
        /** Per endpoint (WHOLE_CHANNEL for the channel), when requests may go again. */
        private final Map<String, Long> pausedUntil = new HashMap<>();

        Budget(double perSecond) {
            this.intervalNanos = (long) (TimeUnit.SECONDS.toNanos(1) / perSecond);
            this.nextSlot = System.nanoTime();
        }

        /** The longest time any endpoint (or the whole channel) is still paused; 0 or less when none is. */
        synchronized long longestPause(long now) {
            return pausedUntil.values().stream().mapToLong(until -> until - now).max().orElse(0);
        }

        /** How long the endpoint (or the whole channel) is still paused; 0 or less when it is not. */
        synchronized long pausedFor(long now, String endpoint) {
            long until = Math.max(pausedUntil.getOrDefault(WHOLE_CHANNEL, now), pausedUntil.getOrDefault(endpoint, now));
            return until - now;
        }

        /** How long until the channel's next free slot; 0 or less when it is free now. */
        synchronized long nextSlotIn(long now) {
            return nextSlot - now;
        }

        /** Takes the channel's next slot and returns how long to wait for it, or -1 when that is over the limit. */
        synchronized long reserve(long now, long maxWait) {
            long slot = Math.max(nextSlot, now);
            long wait = slot - now;
            if (wait > maxWait) {
                return -1;
            }
            nextSlot = slot + intervalNanos;
            return wait;
        }

        synchronized void pauseUntil(String endpoint, long until) {
            pausedUntil.merge(endpoint, until, Math::max);
        }
    }
}
