package io.kanaal.channel;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.TemplatedRouteBuilder;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.model.RouteTemplateDefinition;
import org.apache.camel.model.RouteTemplateParameterDefinition;
import org.apache.camel.util.function.ThrowingRunnable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Makes a route from a route template with parameters from configuration, for the channels ({@link ChannelRoutes})
 * and the sources: a required parameter without a value stops the start naming its setting; a route that starts
 * from a Quartz trigger is added stopped and started once it is in the context; a route whose start fails is tried
 * again a few times (with the {@code cluster} profile, two instances starting together may both create a Quartz
 * trigger, and one of them can read it half written).
 */
@Component
public class TemplatedRoutes {

    private static final Logger log = LoggerFactory.getLogger(TemplatedRoutes.class);
    private static final int ATTEMPTS = 5;
    private static final long RETRY_PAUSE_NANOS = 1_000_000_000L;

    private final CamelContext camelContext;

    public TemplatedRoutes(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    /**
     * Adds route {@code routeId} from the template, its parameters from {@code values} (by parameter name); a
     * missing required one is reported as {@code <settingPrefix><kebab-case name>}.
     */
    public void add(RouteTemplateDefinition template, String routeId, Map<String, String> values, String settingPrefix) {
        TemplatedRouteBuilder builder = TemplatedRouteBuilder.builder(camelContext, template.getId()).routeId(routeId);
        for (RouteTemplateParameterDefinition parameter : template.getTemplateParameters()) {
            String value = values.get(parameter.getName());
            if (value != null) {
                builder.parameter(parameter.getName(), value);
            } else if (parameter.getDefaultValue() == null && parameter.isRequired()) {
                throw new IllegalStateException(settingPrefix + kebab(parameter.getName())
                        + " is missing (route template " + template.getId() + ")");
            }
        }
        // a poller is added stopped, then started, once Camel (and its Quartz scheduler) runs: see scheduled()
        boolean startAfterwards = scheduled(template) && camelContext.isStarted();
        if (scheduled(template)) {
            builder.handler(definition -> definition.getRoute().setAutoStartup(Boolean.toString(!startAfterwards)));
        }
        add(builder, routeId, startAfterwards);
    }

    /** A parameter name as its setting is written ({@code pollCron}: {@code poll-cron}). */
    public static String kebab(String name) {
        return name.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
    }

    /** A setting's name as a parameter ({@code poll-cron}: {@code pollCron}). */
    public static String camel(String key) {
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

    /**
     * Whether the template's route starts from a Quartz trigger (an order poller). When Camel runs already (as in
     * production; the tests' Camel starts after this runner), such a route is added stopped and started once it is
     * in the context: started while it is being added, its trigger can fire before Camel
     * lists the route (a cron whose first fire time is already due), and camel-quartz's job then finds no
     * endpoint, fails to make one ("Trigger key ... is already in use") and deletes the job, so that the channel
     * was never polled until the next start (seen in the Vendure end-to-end run, with a poll every second). A cron's
     * first fire time can also be up to a second before its trigger's start (Quartz), that is before the route is
     * listed: the pollers' templates delay the trigger's start by 1.5 s ({@code triggerStartDelay}).
     */
    private static boolean scheduled(RouteTemplateDefinition template) {
        String uri = template.getRoute().getInput() == null ? null : template.getRoute().getInput().getEndpointUri();
        return uri != null && uri.startsWith("quartz:");
    }

    private void add(TemplatedRouteBuilder builder, String routeId, boolean startAfterwards) {
        attempt(routeId, () -> {
            builder.add();
            if (startAfterwards) {
                camelContext.getRouteController().startRoute(routeId);
            }
        }, () -> removeLeftOver(routeId));
    }

    /**
     * Starts a route of the YAML files that starts from a Quartz trigger and is marked {@code autoStartup: false}
     * (route {@code stock-reconcile-timer}, say), once Camel runs, tried again as a templated route's start is: two
     * instances starting together on an empty database race to store the same Quartz job, and the loser's start
     * fails with a duplicate key; a moment later the job is there.
     */
    public void startScheduled(String routeId) {
        attempt(routeId, () -> camelContext.getRouteController().startRoute(routeId), () -> { });
    }

    private void attempt(String routeId, ThrowingRunnable<Exception> start, Runnable cleanUp) {
        for (int attempt = 1; ; attempt++) {
            try {
                start.run();
                return;
            } catch (Exception e) {
                cleanUp.run();
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
}
