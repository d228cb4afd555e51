package io.kanaal.channel;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.CamelContext;
import org.apache.camel.model.ChoiceDefinition;
import org.apache.camel.model.EnrichDefinition;
import org.apache.camel.model.Model;
import org.apache.camel.model.ProcessorDefinition;
import org.apache.camel.model.RouteTemplateDefinition;
import org.apache.camel.model.RouteTemplateParameterDefinition;
import org.apache.camel.model.SendDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;

/**
 * Instantiates route templates for each enabled channel: the templates with id {@code <type>-<role>} (the
 * channel's type, in {@code routes/channels/<type>.camel.yaml}) and {@code channel-<role>} (shared by every type)
 * become routes {@code <channel>-<role>}, their parameters filled from the channel's configuration
 * ({@code settings.poll-cron} fills {@code pollCron}). The contract between them is in docs/channels/README.md.
 * <ul>
 *   <li>A template with a parameter declared {@code required: false} and without a default is a role the channel
 *       has only when that setting is there (a poll cron, an acknowledgement path).</li>
 *   <li>A shared template whose parameter {@code needsRole} names a type role is made only for types that have it
 *       (a poller needs {@code <type>-orders-fetch}); a channel that sets what switches it on for a type without
 *       that role stops the start with the reason.</li>
 *   <li>Every {@code direct:<channel>-...} endpoint that a channel's routes send to must be the start of one of
 *       its routes: a type that lacks a template the contract asks for stops Kanaal with the reason, as does a
 *       required setting that is missing.</li>
 * </ul>
 *
 * <p>Runs once Camel has started, as an application runner, so that a channel whose routes cannot be made
 * stops Kanaal's start with the reason (Camel ignores what a context configuration's after-start hook
 * throws). A route whose start fails is tried again a few times: with the {@code cluster} profile, two
 * instances starting together may both create a poller's Quartz trigger, and one of them can read it half
 * written.
 */
@Component
public class ChannelRoutes implements ApplicationRunner {

    private static final String SHARED = "channel-";
    private static final String NEEDS_ROLE = "needsRole";
    private static final Pattern CHANNEL_DIRECT = Pattern.compile("^direct:\\{\\{channel}}(-[A-Za-z0-9-]+)$");

    private static final Logger log = LoggerFactory.getLogger(ChannelRoutes.class);

    private final Channels channels;
    private final CamelContext camelContext;
    private final ApplicationEventPublisher events;
    private final TemplatedRoutes templatedRoutes;

    public ChannelRoutes(Channels channels, CamelContext camelContext, ApplicationEventPublisher events,
            TemplatedRoutes templatedRoutes) {
        this.channels = channels;
        this.camelContext = camelContext;
        this.events = events;
        this.templatedRoutes = templatedRoutes;
    }

    @Override
    public void run(ApplicationArguments arguments) {
        List<RouteTemplateDefinition> templates =
                camelContext.getCamelContextExtension().getContextPlugin(Model.class).getRouteTemplateDefinitions();
        for (String id : channels.enabledIds()) {
            ChannelProperties channel = channels.get(id);
            String prefix = channel.type() + "-";
            Map<String, String> values = parameters(id, channel);
            Map<String, RouteTemplateDefinition> roles = new TreeMap<>();
            for (RouteTemplateDefinition template : templates) {
                if (template.getId().startsWith(prefix) && !switchedOff(template, values)) {
                    roles.put(template.getId().substring(prefix.length()), template);
                }
            }
            if (roles.isEmpty()) {
                throw new IllegalStateException("kanaal.channels." + id + ": no route templates '" + prefix
                        + "*' for type '" + channel.type() + "' (routes/channels/" + channel.type() + ".camel.yaml)");
            }
            values.put("roles", "," + String.join(",", roles.keySet()) + ",");
            for (RouteTemplateDefinition template : templates) {
                String role = template.getId().startsWith(SHARED) ? template.getId().substring(SHARED.length()) : null;
                if (role == null || switchedOff(template, values)) {
                    continue;
                }
                String needed = defaultOf(template, NEEDS_ROLE);
                if (needed != null && !roles.containsKey(needed)) {
                    String setBy = switchedBy(template);
                    if (setBy != null) {
                        throw new IllegalStateException("kanaal.channels." + id + ".settings." + TemplatedRoutes.kebab(setBy)
                                + " is set, but type '" + channel.type() + "' has no route template " + prefix + needed
                                + " (docs/channels/README.md)");
                    }
                    continue;
                }
                roles.putIfAbsent(role, template);
            }
            roles.forEach((role, template) -> instantiate(id, channel, role, template, values));
            checkContract(id, channel.type(), roles.values());
        }
        events.publishEvent(new ChannelsStarted(channels.enabledIds()));
    }

    private void instantiate(String id, ChannelProperties channel, String role, RouteTemplateDefinition template,
            Map<String, String> values) {
        String routeId = id + "-" + role;
        templatedRoutes.add(template, routeId, values, "kanaal.channels." + id + ".settings.");
        log.info("Channel {} ({}): route {} started", id, channel.type(), routeId);
    }

    /** Whether the template has a switch parameter (required: false, no default) that the channel does not set. */
    private static boolean switchedOff(RouteTemplateDefinition template, Map<String, String> values) {
        String setBy = switchedBy(template);
        return setBy != null && !values.containsKey(setBy);
    }

    private static String switchedBy(RouteTemplateDefinition template) {
        return template.getTemplateParameters().stream()
                .filter(p -> !p.isRequired() && p.getDefaultValue() == null)
                .map(RouteTemplateParameterDefinition::getName).findFirst().orElse(null);
    }

    private static String defaultOf(RouteTemplateDefinition template, String name) {
        return template.getTemplateParameters().stream().filter(p -> p.getName().equals(name))
                .map(RouteTemplateParameterDefinition::getDefaultValue).findFirst().orElse(null);
    }

    /**
     * Every {@code direct:<channel>-<role>} that the channel's templates send to (or enrich from) is the start of
     * one of its routes: otherwise the type lacks a template the contract asks for.
     */
    private void checkContract(String id, String type, Collection<RouteTemplateDefinition> made) {
        for (RouteTemplateDefinition template : made) {
            for (String target : directTargets(template.getRoute().getOutputs())) {
                Matcher matcher = CHANNEL_DIRECT.matcher(target);
                if (matcher.matches() && model().getRouteDefinition(id + matcher.group(1)) == null) {
                    String role = matcher.group(1).substring(1);
                    throw new IllegalStateException("kanaal.channels." + id + ": route template " + template.getId()
                            + " sends to direct:" + id + "-" + role + ", but type '" + type + "' has no route template "
                            + type + "-" + role + " (docs/channels/README.md)");
                }
            }
        }
    }

    private Model model() {
        return camelContext.getCamelContextExtension().getContextPlugin(Model.class);
    }

    private static List<String> directTargets(List<ProcessorDefinition<?>> outputs) {
        List<String> targets = new ArrayList<>();
        for (ProcessorDefinition<?> output : outputs) {
            if (output instanceof SendDefinition<?> send && send.getUri() != null) {
                targets.add(send.getUri());
            } else if (output instanceof EnrichDefinition enrich && enrich.getExpression() != null) {
                targets.add(enrich.getExpression().getExpression());
            }
            if (output instanceof ChoiceDefinition choice) {
                choice.getWhenClauses().forEach(when -> targets.addAll(directTargets(when.getOutputs())));
                if (choice.getOtherwise() != null) {
                    targets.addAll(directTargets(choice.getOtherwise().getOutputs()));
                }
            }
            targets.addAll(directTargets(output.getOutputs()));
        }
        return targets;
    }

    private static Map<String, String> parameters(String id, ChannelProperties channel) {
        Map<String, String> values = new HashMap<>();
        channel.settings().forEach((key, value) -> values.put(TemplatedRoutes.camel(key), value));
        values.put("channel", id);
        values.put("baseUrl", channel.baseUrl());
        values.put("consumers", Integer.toString(channel.consumers()));
        values.put("stockQueue", ChannelStockQueues.qualified(id));
        values.putIfAbsent("orderMapping", channel.type() + "/order.jsonata");
        values.putIfAbsent("productMapping", channel.type() + "/product.jsonata");
        return values;
    }
}
