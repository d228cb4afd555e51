package io.kanaal.console;

import io.kanaal.broker.BrokerQueues;
import io.kanaal.channel.ChannelHealth;
import io.kanaal.channel.Channels;
import io.kanaal.channel.RateLimiters;
import io.kanaal.source.SourcePolls;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

/**
 * The console's overview: each channel's health, stock in sync, last delivery, SKUs waiting, dead letters and rate
 * limit; each source's last poll; the queues' depths with their trend. The page asks for its live part again every
 * few seconds (htmx).
 */
@Controller
public class OverviewPage {

    /** A channel with SKUs waiting and no delivery for this long (or none since Kanaal started) is failing. */
    private static final Duration QUIET = Duration.ofMinutes(5);

    private final Channels channels;
    private final ChannelHealth health;
    private final RateLimiters rateLimiters;
    private final BrokerQueues brokerQueues;
    private final SourcePolls sources;
    private final QueueTrend trend;
    private final JdbcTemplate jdbc;

    public OverviewPage(Channels channels, ChannelHealth health, RateLimiters rateLimiters, BrokerQueues brokerQueues,
                        SourcePolls sources, QueueTrend trend, JdbcTemplate jdbc) {
        this.channels = channels;
        this.health = health;
        this.rateLimiters = rateLimiters;
        this.brokerQueues = brokerQueues;
        this.sources = sources;
        this.trend = trend;
        this.jdbc = jdbc;
    }

    /** One channel's line of the overview. */
    public record ChannelState(String channel, String type, String health, Instant throttledUntil, long skus, long inSync,
                               long waiting, OffsetDateTime lastDelivery, long deadLetters, double rateLimit) {
        public long inSyncPercent() {
            return skus == 0 ? 100 : inSync * 100 / skus;
        }
    }

    @GetMapping("/console")
    public String overview(Model model) {
        live(model);
        return "console/overview";
    }

    @GetMapping("/console/overview/live")
    public String live(Model model) {
        Map<String, Long> queues = brokerQueues.messageCounts();
        Map<String, Map<String, Object>> stock = new HashMap<>();
        jdbc.queryForList("""
                SELECT channel, count(*) AS skus,
                       count(*) FILTER (WHERE delivered_version IS NOT NULL AND delivered_version >= desired_version) AS in_sync,
                       max(delivered_at) AS last_delivery
                  FROM channel_stock GROUP BY channel""").forEach(row -> stock.put((String) row.get("channel"), row));
        List<ChannelState> states = new ArrayList<>();
        for (String id : channels.enabledIds()) {
            Map<String, Object> row = stock.getOrDefault(id, Map.of());
            long skus = number(row.get("skus"));
            long inSync = number(row.get("in_sync"));
            long deadLetters = queues.entrySet().stream().filter(q -> q.getKey().startsWith("DLQ.kanaal.channel." + id + "."))
                    .mapToLong(Map.Entry::getValue).sum();
            Instant throttled = rateLimiters.throttledUntil(id).orElse(null);
            Instant lastSuccess = health.lastSuccess(id).orElse(null);
            boolean quiet = lastSuccess == null || lastSuccess.isBefore(Instant.now().minus(QUIET));
            String state = throttled != null ? "throttled" : deadLetters > 0 || skus > inSync && quiet ? "failing" : "up";
            OffsetDateTime lastDelivery = row.get("last_delivery") instanceof java.sql.Timestamp t
                    ? t.toInstant().atOffset(java.time.ZoneOffset.UTC) : null;
            states.add(new ChannelState(id, channels.get(id).type(), state, throttled, skus, inSync, skus - inSync, lastDelivery,
                    deadLetters, channels.get(id).rateLimit()));
        }
        model.addAttribute("channels", states);
        model.addAttribute("sources", sources.status());
        model.addAttribute("queues", trend.depths());
        model.addAttribute("now", Instant.now());
        return "console/overview-live";
    }

    private static long number(Object value) {
        return value == null ? 0 : ((Number) value).longValue();
    }
}
