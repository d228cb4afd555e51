package io.kanaal.config;

import io.kanaal.channel.TemplatedRoutes;
import org.apache.camel.CamelContext;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The routes of the YAML files that start from a Quartz trigger ({@code order-webhook-sweep},
 * {@code stock-reconcile-timer}) are marked {@code autoStartup: false} and started here once Camel runs, each tried
 * again a few times ({@link TemplatedRoutes#startScheduled}): in the cluster profile, instances that start at the
 * same moment on an empty database race to store the same Quartz job (camel-quartz looks for it, then stores it,
 * and Spring's job store does so outside a database transaction), and the loser's start fails with a duplicate key
 * on {@code qrtz_job_details}, which stopped the instance. A moment later the job is stored and the start goes through.
 */
@Configuration(proxyBeanMethods = false)
class ScheduledRoutesConfiguration {

    @Bean
    CamelContextConfiguration scheduledRoutesStarted(TemplatedRoutes templatedRoutes) {
        return new CamelContextConfiguration() {
            @Override
            public void beforeApplicationStart(CamelContext camelContext) {
                // the routes are added stopped (autoStartup: false in their YAML)
            }

            @Override
            public void afterApplicationStart(CamelContext camelContext) {
                Model model = camelContext.getCamelContextExtension().getContextPlugin(Model.class);
                for (RouteDefinition route : model.getRouteDefinitions()) {
                    String from = route.getInput() == null ? null : route.getInput().getEndpointUri();
                    if (from != null && from.startsWith("quartz:") && !route.isCreatedFromTemplate()
                            && "false".equals(route.getAutoStartup())) {
                        templatedRoutes.startScheduled(route.getRouteId());
                    }
                }
            }
        };
    }
}
