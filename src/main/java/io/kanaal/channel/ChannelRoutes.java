package io.kanaal.channel;

import io.kanaal.stock.ChannelDispatch;
import io.kanaal.stock.ChannelOutbox;
import io.kanaal.stock.ChannelStockQueues;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.TemplatedRouteBuilder;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.RouteTemplateDefinition;
import org.apache.camel.model.RouteTemplateParameterDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/**
 * Instantiates route templates for each enabled channel: the templates with id {@code channel-<role>}
 * (every channel) and {@code <type>-<role>} (the channel's type) in routes/ become routes
 * {@code <channel>-<role>}, their parameters filled from the channel's configuration.
 * Adding a channel of an existing type is configuration only. A channel polls for orders only when it sets
 * {@code settings.poll-cron}, and acknowledges them only when it sets {@code settings.ack-path}; its stock outbox
 * routes ({@code channel-stock-outbox*}) are made only with {@code kanaal.stock.delivery = outbox}, its direct
 * senders ({@code channel-stock-direct}) only with {@code direct}, which then get what the last run left
 * undelivered ({@link ChannelDispatch#recover}).
 *
 * <p>Runs once Camel has started, as an application runner, so that a channel whose routes cannot be made
 * stops Kanaal's start with the reason (Camel ignores what a context configuration's after-start hook
 * throws, which left such a channel silently without routes). A route whose start fails is tried again a few
 * times: with the {@code cluster} profile, two instances starting together may both create a poller's Quartz
 * trigger, and one of them can read it half written (ClusterKillTest met this).
 */
@Component
public class ChannelRoutes implements ApplicationRunner {

    private static final int ATTEMPTS = 5;
    private static final long RETRY_PAUSE_NANOS = 1_000_000_000L;

    private static final Logger log = LoggerFactory.getLogger(ChannelRoutes.class);

    private static final String SHARED = "channel-";

    /**
     * Roles a channel has only when its setting is there: polling needs a cron, acknowledging a path; the stock
     * delivery mode's routes are made for that mode only.
     */
    private static final Map<String, String> SWITCHED_BY = Map.of("order-poller", "pollCron", "order-ack", "ackPath",
            "stock-outbox", "stockOutbox", "stock-outbox-send", "stockOutbox", "stock-outbox-sweep", "stockOutbox",
            "stock-direct", "stockDirect");

    private final Channels channels;
    private final CamelContext camelContext;
    private final ChannelOutbox outbox;
    private final ChannelDispatch dispatch;

    public ChannelRoutes(Channels channels, CamelContext camelContext, ChannelOutbox outbox, ChannelDispatch dispatch) {
        this.channels = channels;
        this.camelContext = camelContext;
        this.outbox = outbox;
        this.dispatch = dispatch;
    }

    @Override
    public void run(ApplicationArguments arguments) {
        List<RouteTemplateDefinition> templates =
                camelContext.getCamelContextExtension().getContextPlugin(Model.class).getRouteTemplateDefinitions();
        for (String id : channels.enabledIds()) {
            ChannelProperties channel = channels.get(id);
            String prefix = channel.type() + "-";
            if (templates.stream().noneMatch(t -> t.getId().startsWith(prefix))) {
                throw new IllegalStateException("kanaal.channels." + id + ": no route templates '" + prefix
                        + "*' in routes/ for type '" + channel.type() + "'");
            }
            Map<String, String> values = parameters(id, channel);
            if (outbox.enabled()) {
                values.put("stockOutbox", "true");
            }
            if (dispatch.enabled()) {
                values.put("stockDirect", "true");
            }
            boolean acknowledges = values.containsKey("ackPath")
                    && templates.stream().anyMatch(t -> t.getId().equals(prefix + "order-ack"));
            values.put("orderAcks", Boolean.toString(acknowledges));
            for (RouteTemplateDefinition template : templates) {
                String templateId = template.getId();
                String role = templateId.startsWith(prefix) ? templateId.substring(prefix.length())
                        : templateId.startsWith(SHARED) ? templateId.substring(SHARED.length()) : null;
                if (role == null || (SWITCHED_BY.containsKey(role) && !values.containsKey(SWITCHED_BY.get(role)))) {
                    continue;
                }
                String routeId = id + "-" + role;
                TemplatedRouteBuilder builder = TemplatedRouteBuilder.builder(camelContext, template.getId())
                        .routeId(routeId);
                for (RouteTemplateParameterDefinition parameter : template.getTemplateParameters()) {
                    String value = values.get(parameter.getName());
                    if (value != null) {
                        builder.parameter(parameter.getName(), value);
                    } else if (parameter.getDefaultValue() == null && parameter.isRequired()) {
                        throw new IllegalStateException("kanaal.channels." + id + ".settings." + kebab(parameter.getName())
                                + " is missing (route template " + template.getId() + ")");
                    }
                }
                // a poller is added stopped, then started, once Camel (and its Quartz scheduler) runs: see scheduled()
                boolean startAfterwards = scheduled(template) && camelContext.isStarted();
                if (scheduled(template)) {
                    builder.handler(definition -> definition.getRoute().setAutoStartup(Boolean.toString(!startAfterwards)));
                }
                add(builder, routeId, startAfterwards);
                log.info("Channel {} ({}): route {} started", id, channel.type(), routeId);
            }
        }
        dispatch.recover(channels.enabledIds());
    }

    /**
     * Whether the template's route starts from a Quartz trigger (an order poller). When Camel runs already (as in
     * production; the tests' Camel starts after this runner), such a route is added stopped and started once it is
     * in the context: started while it is being added, its trigger can fire before Camel
     * lists the route (a cron whose first fire time is already due), and camel-quartz's job then finds no
     * endpoint, fails to make one ("Trigger key ... is already in use") and deletes the job, so that the channel
     * was never polled until the next start (seen in the Vendure end-to-end run, with a poll every second).
     */
    private static boolean scheduled(RouteTemplateDefinition template) {
        String uri = template.getRoute().getInput() == null ? null : template.getRoute().getInput().getEndpointUri();
        return uri != null && uri.startsWith("quartz:");
    }

    private void add(TemplatedRouteBuilder builder, String routeId, boolean startAfterwards) {
        for (int attempt = 1; ; attempt++) {
            try {
                builder.add();
                if (startAfterwards) {
                    camelContext.getRouteController().startRoute(routeId);
                }
                return;
            } catch (Exception e) {
                removeLeftOver(routeId);
                if (attempt == ATTEMPTS) {
                    throw new IllegalStateException("route " + routeId + " could not be started: " + e.getMessage(), e);
                }
                log.warn("Route {} did not start (attempt {} of {}), trying again: {}", routeId, attempt, ATTEMPTS,
                        e.getMessage());
                LockSupport.parkNanos(RETRY_PAUSE_NANOS);
            }
        }
    }

    /** What a failed start left of a route, so that it can be added again under its id. */
    private void removeLeftOver(String routeId) {
        try {
            if (camelContext.getRoute(routeId) != null) {
                camelContext.getRouteController().stopRoute(routeId);
                camelContext.removeRoute(routeId);
            }
            Model model = camelContext.getCamelContextExtension().getContextPlugin(Model.class);
            RouteDefinition definition = model.getRouteDefinition(routeId);
            if (definition != null) {
                model.removeRouteDefinition(definition);
            }
        } catch (Exception e) {
            log.warn("Route {}: what its failed start left could not be removed: {}", routeId, e.getMessage());
        }
    }

    private static Map<String, String> parameters(String id, ChannelProperties channel) {
        Map<String, String> values = new HashMap<>();
        channel.settings().forEach((key, value) -> values.put(camel(key), value));
        values.put("channel", id);
        values.put("baseUrl", channel.baseUrl());
        values.put("consumers", Integer.toString(channel.consumers()));
        values.put("stockQueue", ChannelStockQueues.qualified(id));
        values.putIfAbsent("orderMapping", channel.type() + "/order.jsonata");
        return values;
    }

    static String camel(String key) {
        StringBuilder out = new StringBuilder();
        boolean upper = false;
        for (char c : key.toCharArray()) {
            if (c == '-' || c == '_') {
                upper = true;
            } else {
                out.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return out.toString();
    }

    private static String kebab(String name) {
        return name.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }
}
