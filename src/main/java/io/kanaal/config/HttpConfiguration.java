package io.kanaal.config;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.camel.Exchange;
import org.apache.camel.http.common.HttpHeaderFilterStrategy;
import org.apache.camel.component.servlet.CamelHttpTransportServlet;
import org.apache.camel.component.servlet.ServletComponent;
import org.apache.camel.http.common.HttpConsumer;
import org.apache.camel.http.common.HttpRegistry;
import org.apache.camel.http.common.HttpRegistryProvider;
import org.apache.camel.spi.ComponentCustomizer;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Kanaal's HTTP routes (the REST DSL in {@code routes/}: the ERP API, the webhooks, the sandbox) run on
 * Camel's servlet, in the web server's request thread. Spring MVC stays for Spring Boot's actuator only.
 * (camel-platform-http takes each request through Spring MVC, hands it to another thread and
 * dispatches it back to the server when done: in a JFR profile of the stock benchmark, the web server,
 * Spring MVC and that hand-off were about 30% of the CPU of a stock update.)
 *
 * <p>The servlet is mapped to the path prefixes in {@code kanaal.http.paths}; a route on a new path
 * needs its prefix there. A route's path is the whole request path, prefix included, as the REST DSL
 * declares it.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(HttpConfiguration.HttpPaths.class)
public class HttpConfiguration {

    /** The name Camel's servlet endpoints expect (the servlet component's default). */
    private static final String SERVLET_NAME = "CamelServlet";

    @Bean
    RouteServlet routeServlet() {
        return new RouteServlet();
    }

    @Bean
    ServletRegistrationBean<RouteServlet> camelServlet(HttpPaths paths, RouteServlet servlet) {
        ServletRegistrationBean<RouteServlet> registration =
                new ServletRegistrationBean<>(servlet, paths.paths().toArray(String[]::new));
        registration.setName(SERVLET_NAME);
        // Camel's servlets also enter a registry by name that all Camel applications of a JVM share; with
        // several Kanaal applications in one JVM (the tests) the names repeat, and the routes connect
        // through servletComponentBinding instead
        registration.addInitParameter("ignoreDuplicateServletName", "true");
        registration.setLoadOnStartup(1);
        return registration;
    }

    /**
     * Camel's servlet component (the REST DSL's {@code component: servlet}) connects this application's
     * routes to this application's servlet, not to whichever servlet of the JVM holds the name in the shared
     * registry.
     */
    @Bean
    ComponentCustomizer servletComponentBinding(RouteServlet servlet) {
        return ComponentCustomizer.forType(ServletComponent.class, component -> {
            component.setServletName(SERVLET_NAME);
            component.setHttpRegistry(new ToServlet(servlet));
            component.setHeaderFilterStrategy(new AnswerHeaders());
        });
    }

    /**
     * The headers an answer may carry. Camel's servlet binding turns a request's headers and query parameters into
     * message headers, and by default writes the message's headers back as the answer's: a route that did not remove
     * them echoed the caller's API key, and a query parameter named {@code ../x} became a header the caller's HTTP
     * client refused. Only the headers HTTP answers are made of leave; what comes in is filtered as Camel does.
     */
    static final class AnswerHeaders extends HttpHeaderFilterStrategy {

        private static final Set<String> ANSWER = Set.of("content-type", "retry-after", "location", "cache-control",
                "last-modified", "etag", "content-disposition", "www-authenticate");

        @Override
        public boolean applyFilterToCamelHeaders(String headerName, Object headerValue, Exchange exchange) {
            return !ANSWER.contains(headerName.toLowerCase(Locale.ROOT))
                    || super.applyFilterToCamelHeaders(headerName, headerValue, exchange);
        }
    }

    /**
     * @param paths servlet path prefixes ({@code /api/*}) whose requests go to Kanaal's HTTP routes; the
     *              defaults are in the built-in application.yaml
     */
    @ConfigurationProperties("kanaal.http")
    public record HttpPaths(List<String> paths) {
        public HttpPaths {
            if (paths == null || paths.isEmpty()) {
                // a servlet registration without mappings would take every path, /actuator included
                throw new IllegalArgumentException("kanaal.http.paths: at least one path prefix, e.g. /api/*");
            }
            paths = List.copyOf(paths);
        }
    }

    /**
     * Camel's servlet, shown the whole path: Camel matches a route by the request's path info, which under
     * a prefix mapping ({@code /api/*}) leaves the prefix out.
     */
    static final class RouteServlet extends CamelHttpTransportServlet {

        @Override
        protected void service(HttpServletRequest request, HttpServletResponse response) {
            super.service(new WholePath(request), response);
        }
    }

    /** Connects the component's consumers to the one servlet. */
    private record ToServlet(RouteServlet servlet) implements HttpRegistry {

        @Override
        public void register(HttpConsumer consumer) {
            servlet.connect(consumer);
        }

        @Override
        public void unregister(HttpConsumer consumer) {
            servlet.disconnect(consumer);
        }

        @Override
        public void register(HttpRegistryProvider provider) {
            // the servlet registers itself in Camel's shared registry too; its consumers come from here
        }

        @Override
        public void unregister(HttpRegistryProvider provider) {
        }

        @Override
        public HttpRegistryProvider getCamelServlet(String name) {
            return servlet;
        }
    }

    private static final class WholePath extends HttpServletRequestWrapper {
        private final String path;

        WholePath(HttpServletRequest request) {
            super(request);
            String info = request.getPathInfo();
            this.path = request.getServletPath() + (info == null ? "" : info);
        }

        @Override
        public String getServletPath() {
            return "";
        }

        @Override
        public String getPathInfo() {
            return path;
        }
    }
}
