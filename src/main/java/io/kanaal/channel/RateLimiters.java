package io.kanaal.channel;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The request budget of each channel: at most {@code rate-limit} requests per second, and none at all
 * while the channel said to wait (429 Retry-After, or X-RateLimit-Remaining 0 until X-RateLimit-Reset).
 * Shared by all routes and consumers of a channel.
 */
@Component("rateLimiters")
public class RateLimiters {

    private final Channels channels;
    private final long maxWaitNanos;
    private final Map<String, Budget> budgets = new ConcurrentHashMap<>();

    public RateLimiters(Channels channels, @Value("${kanaal.delivery.max-throttle-wait:30s}") Duration maxWait) {
        this.channels = channels;
        this.maxWaitNanos = maxWait.toNanos();
    }

    /**
     * Waits for the channel's next request slot. Throws a retryable exception instead of waiting longer
     * than {@code kanaal.delivery.max-throttle-wait}, so redelivery backoff takes over.
     */
    public void acquire(String channel) {
        long wait = budget(channel).reserve(System.nanoTime(), maxWaitNanos);
        if (wait < 0) {
            throw ChannelException.unavailable("channel " + channel + " is throttled for longer than "
                    + Duration.ofNanos(maxWaitNanos).toSeconds() + " s");
        }
        if (wait > 0) {
            LockSupport.parkNanos(wait);
        }
    }

    /** No requests to the channel until {@code pause} has passed (an endpoint that is no channel, like the ERP's, has no budget). */
    public void pause(String channel, Duration pause) {
        if (channels.all().containsKey(channel)) {
            budget(channel).pauseUntil(System.nanoTime() + pause.toNanos());
        }
    }

    private Budget budget(String channel) {
        return budgets.computeIfAbsent(channel, id -> new Budget(channels.get(id).rateLimit()));
    }

    private static final class Budget {
        private final long intervalNanos;
        private long nextSlot;
        private long pausedUntil;

        Budget(double perSecond) {
            this.intervalNanos = (long) (TimeUnit.SECONDS.toNanos(1) / perSecond);
            this.nextSlot = System.nanoTime();
            this.pausedUntil = nextSlot;
        }

        /** Takes the next slot and returns how long to wait for it, or -1 when that is over the limit. */
        synchronized long reserve(long now, long maxWait) {
            long slot = Math.max(Math.max(nextSlot, pausedUntil), now);
            long wait = slot - now;
            if (wait > maxWait) {
                return -1;
            }
            nextSlot = slot + intervalNanos;
            return wait;
        }

        synchronized void pauseUntil(long until) {
            pausedUntil = Math.max(pausedUntil, until);
        }
    }
}
