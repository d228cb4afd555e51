package io.kanaal.console;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kanaal.api.ApiGuardFilter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.DelegatingFilterProxyRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.WebSecurityCustomizer;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.intercept.AuthorizationFilter;
import org.springframework.security.web.firewall.FirewalledRequest;
import org.springframework.security.web.firewall.HttpFirewall;
import org.springframework.security.web.firewall.StrictHttpFirewall;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Who may do what in the ops console ({@code /console}) and the JSON ops API ({@code /api/v1/ops/**}), which agree:
 * a viewer reads, an operator also replays and discards dead letters. Console users sign in with a form (users from
 * {@link ConsoleProperties}); the ops API also takes an operator's API key ({@link ApiGuardFilter} checks it), which
 * counts as the operator role. Nothing else is Spring Security's: the ERP API, webhooks, feeds, the sandbox and the
 * actuator keep their own checks and never reach its filter.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
public class ConsoleSecurity {

    static final String VIEWER = "VIEWER";
    static final String OPERATOR = "OPERATOR";

    private static RequestMatcher path(String pattern) {
        return PathPatternRequestMatcher.withDefaults().matcher(pattern);
    }

    private static RequestMatcher path(HttpMethod method, String pattern) {
        return PathPatternRequestMatcher.withDefaults().matcher(method, pattern);
    }

    /**
     * Spring Security's filter sees only the console and the ops API. On every other path it would parse the request
     * path as Spring MVC does, which fails (500) on a path parameter in a servlet's prefix ({@code /api;x=1/v1/stock},
     * which the ERP API serves: StockApiTest).
     */
    @Bean
    static BeanPostProcessor securityOnConsoleAndOpsOnly() {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessBeforeInitialization(Object bean, String name) {
                if (bean instanceof DelegatingFilterProxyRegistrationBean registration) {
                    registration.setUrlPatterns(List.of("/console", "/console/*", "/api/v1/ops/*"));
                }
                return bean;
            }
        };
    }

    @Bean
    PasswordEncoder passwordEncoder() {
        return new BCryptPasswordEncoder();
    }

    /** The configured users; one whose hash is empty (an unset environment variable) is left out. */
    @Bean
    UserDetailsService consoleUsers(ConsoleProperties properties) {
        List<UserDetails> users = new ArrayList<>();
        properties.users().forEach((name, user) -> {
            if (user.passwordHash() != null && !user.passwordHash().isBlank()) {
                users.add(User.withUsername(name).password(user.passwordHash().strip())
                        .authorities(authorities(user.roles().contains("operator"))).build());
            }
        });
        return new InMemoryUserDetailsManager(users);
    }

    private static List<GrantedAuthority> authorities(boolean operator) {
        return operator ? AuthorityUtils.createAuthorityList("ROLE_" + VIEWER, "ROLE_" + OPERATOR)
                : AuthorityUtils.createAuthorityList("ROLE_" + VIEWER);
    }

    /** The JSON ops API: reading needs a viewer, anything else an operator (a key, or a signed-in operator with CSRF token). */
    @Bean
    @Order(1)
    SecurityFilterChain opsApi(HttpSecurity http, ObjectMapper json) throws Exception {
        RequestMatcher read = request -> HttpMethod.GET.matches(request.getMethod()) || HttpMethod.HEAD.matches(request.getMethod());
        http.securityMatcher(path("/api/v1/ops/**"))
                .authorizeHttpRequests(authorize -> authorize.requestMatchers(read).hasRole(VIEWER).anyRequest().hasRole(OPERATOR))
                .addFilterBefore(new OpsKeyAuthentication(), AuthorizationFilter.class)
                // a request with a key carries no session cookie to forge; a signed-in user's needs the token
                .csrf(csrf -> csrf.ignoringRequestMatchers(request -> request.getAttribute(ApiGuardFilter.CLIENT_ATTRIBUTE) != null))
                .requestCache(cache -> cache.disable())
                .exceptionHandling(errors -> errors
                        .authenticationEntryPoint((request, response, e) -> problem(json, response, 401, "Unauthorized",
                                "A valid API key is required in header X-API-Key, or a console session"))
                        .accessDeniedHandler((request, response, e) -> problem(json, response, 403, "Forbidden",
                                "Only an operator may change what the ops endpoints hold")));
        return http.build();
    }

    /** The console's pages: signed in as a viewer to read, as an operator to replay or discard. */
    @Bean
    @Order(2)
    SecurityFilterChain console(HttpSecurity http) throws Exception {
        http.securityMatcher(path("/console/**"))
                .authorizeHttpRequests(authorize -> authorize
                        .requestMatchers(path("/console/login"), path("/console/assets/**")).permitAll()
                        .requestMatchers(path(HttpMethod.POST, "/console/dead-letters/**")).hasRole(OPERATOR)
                        .anyRequest().hasRole(VIEWER))
                .formLogin(form -> form.loginPage("/console/login").loginProcessingUrl("/console/login")
                        .defaultSuccessUrl("/console", false).failureUrl("/console/login?error").permitAll())
                .logout(logout -> logout.logoutUrl("/console/logout").logoutSuccessUrl("/console/login?signed-out"))
                .exceptionHandling(errors -> errors.accessDeniedPage("/console/denied"));
        return http.build();
    }

    /**
     * Spring Security's strict checks of the request line (no encoded slashes, semicolons, ...) on the console
     * only: the ERP API, webhooks and ops endpoints take SKUs and ids as they come and keep {@link ApiGuardFilter}'s checks.
     */
    @Bean
    WebSecurityCustomizer consoleFirewall() {
        StrictHttpFirewall strict = new StrictHttpFirewall();
        HttpFirewall firewall = new HttpFirewall() {
            @Override
            public FirewalledRequest getFirewalledRequest(HttpServletRequest request) {
                if (request.getRequestURI().startsWith(request.getContextPath() + "/console")) {
                    return strict.getFirewalledRequest(request);
                }
                return new FirewalledRequest(request) {
                    @Override
                    public void reset() {
                        // nothing was changed
                    }
                };
            }

            @Override
            public HttpServletResponse getFirewalledResponse(HttpServletResponse response) {
                return strict.getFirewalledResponse(response);
            }
        };
        return web -> web.httpFirewall(firewall);
    }

    private static void problem(ObjectMapper json, HttpServletResponse response, int status, String title, String detail)
            throws IOException {
        response.setStatus(status);
        response.setContentType("application/problem+json");
        json.writeValue(response.getOutputStream(), Map.of("status", status, "title", title, "detail", detail));
    }

    /** An ops request whose API key {@link ApiGuardFilter} accepted acts as an operator, for this request only. */
    static final class OpsKeyAuthentication extends OncePerRequestFilter {
        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws ServletException, IOException {
            Object client = request.getAttribute(ApiGuardFilter.CLIENT_ATTRIBUTE);
            if (client != null) {
                SecurityContext context = SecurityContextHolder.createEmptyContext();
                context.setAuthentication(UsernamePasswordAuthenticationToken.authenticated("key:" + client, null, authorities(true)));
                SecurityContextHolder.setContext(context);
            }
            chain.doFilter(request, response);
        }
    }
}
