package io.kanaal.source;

import io.kanaal.channel.TemplatedRoutes;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.apache.camel.CamelContext;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteTemplateDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/**
 * Makes the routes of each enabled source: every template {@code source-<type>-<role>} becomes route
 * {@code <source>-<role>}, its parameters from the source's settings (kebab-case to camelCase) and {@code source},
 * {@code baseUrl}, and those its type derives from them ({@link SourceTypeParameters}). A source type is one file,
 * {@code routes/sources/<type>.camel.yaml}, with its mappings.
 */
@Component
public class SourceRoutes implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(SourceRoutes.class);
    /** The prefix of the templates shared by every type that pages ({@code routes/sources/polling.camel.yaml}). */
    private static final String PAGED = "source-paged-";
    private static final Pattern SOURCE_ID = Pattern.compile("[a-z0-9][a-z0-9-]*");

    private final SourcesProperties sources;
    private final CamelContext camelContext;
    private final TemplatedRoutes templatedRoutes;
    private final List<SourceTypeParameters> typeParameters;
    /** Per started source, its routes' parameters as they took effect: its settings, else the templates' defaults. */
    private final Map<String, Map<String, String>> effective = new ConcurrentHashMap<>();

    public SourceRoutes(SourcesProperties sources, CamelContext camelContext, TemplatedRoutes templatedRoutes,
            List<SourceTypeParameters> typeParameters) {
        this.sources = sources;
        this.camelContext = camelContext;
        this.templatedRoutes = templatedRoutes;
        this.typeParameters = typeParameters;
    }

    @Override
    public void run(ApplicationArguments arguments) {
        var templates = camelContext.getCamelContextExtension().getContextPlugin(Model.class).getRouteTemplateDefinitions();
        sources.sources().forEach((id, source) -> {
            if (!source.enabled()) {
                return;
            }
            if (!SOURCE_ID.matcher(id).matches() || source.type() == null || source.type().isBlank()) {
                throw new IllegalStateException("kanaal.sources." + id + ": an id of lower-case letters, digits and '-', and a type");
            }
            String prefix = "source-" + source.type() + "-";
            Map<String, String> values = new HashMap<>();
            source.settings().forEach((key, value) -> values.put(TemplatedRoutes.camel(key), value));
            values.put("source", id);
            if (source.baseUrl() != null) {
                values.put("baseUrl", source.baseUrl());
            }
            String settingPrefix = "kanaal.sources." + id + ".settings.";
            typeParameters.stream().filter(type -> type.type().equals(source.type()))
                    .forEach(type -> type.complete(values, settingPrefix));
            Map<String, String> effectiveValues = new HashMap<>(values);
            int made = 0;
            // a type with a page template (source-<type>-page) is polled by the shared source-paged-* templates
            boolean paged = templates.stream().anyMatch(template -> template.getId().equals(prefix + "page"));
            for (RouteTemplateDefinition template : templates) {
                String shared = paged && template.getId().startsWith(PAGED) ? PAGED : null;
                if (template.getId().startsWith(prefix) || shared != null) {
                    String routeId = id + "-" + template.getId().substring(shared != null ? PAGED.length() : prefix.length());
                    templatedRoutes.add(template, routeId, values, settingPrefix);
                    template.getTemplateParameters().stream()
                            .filter(parameter -> parameter.getDefaultValue() != null && !values.containsKey(parameter.getName()))
                            .forEach(parameter -> effectiveValues.putIfAbsent(parameter.getName(), parameter.getDefaultValue()));
                    log.info("Source {} ({}): route {} started", id, source.type(), routeId);
                    made++;
                }
            }
            if (made == 0) {
                throw new IllegalStateException("kanaal.sources." + id + ": no route templates '" + prefix
                        + "*' for type '" + source.type() + "' (routes/sources/" + source.type() + ".camel.yaml)");
            }
            effective.put(id, Map.copyOf(effectiveValues));
        });
    }

    /**
     * A parameter of a started source's routes as it took effect (its setting, else its template's default, such as
     * a file source's {@code pollCron}); null for a source that is not started or a parameter it does not have.
     */
    public String parameter(String source, String name) {
        return effective.getOrDefault(source, Map.of()).get(name);
    }
}
